"""Indexing throughput on the real State release (138 PDFs, 404 pages), in pages per second.

Baseline: pdfminer.six's own `extract_text` over the same files, one process, nothing else.
Measured against it, in the same run: end-to-end `index_paths` into a fresh temporary index
(extraction, stamps, metadata, cache, Whoosh writing and commit) with 1 and 2 pdfminer workers,
and with 2 pdfium workers. Each figure is the best of N runs (N=2; 1 with --quick); the
configurations are interleaved round by round so a burst of load on the shared machine hits
them alike.

Targets: 2 workers with pdfminer >= 1.8x the baseline; 2 workers with pdfium >= 10x.

Each configuration's CPU seconds per page (writer process plus workers) are printed too: on C
cores no configuration can beat C x (baseline CPU per page) / (its CPU per page), whatever the
load, so that ceiling tells a missed target from a busy machine. OCR stays on (`auto`, the
default); the State release has a text layer on every page, so nothing is OCR'd.

    .venv/bin/python bench/index_throughput.py [--quick]
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

import pypdfium2 as pdfium
from _common import STATE_PDF, arguments, best, cpu_seconds, header, ratio_line, require, scratch, show_runs, timed
from pdfminer.high_level import extract_text

from indexer import Options, index_paths

CONFIGS = {  # label: (workers, engine, target ratio or 0 for none)
    "index_paths workers=1 pdfminer": (1, "pdfminer", 0.0),
    "index_paths workers=2 pdfminer": (2, "pdfminer", 1.8),
    "index_paths workers=2 pdfium": (2, "pdfium", 10.0),
}


def pdf_files() -> list[Path]:
    return sorted(require(STATE_PDF).glob("*.pdf"))


def count_pages(files: list[Path]) -> int:
    total = 0
    for path in files:
        pdf = pdfium.PdfDocument(path)
        total += len(pdf)
        pdf.close()
    return total


def all_cpu() -> float:
    """CPU seconds so far of this process and of its reaped worker pools."""
    return cpu_seconds(resource.RUSAGE_SELF) + cpu_seconds(resource.RUSAGE_CHILDREN)


def raw_extract(files: list[Path]) -> None:
    """The baseline: pdfminer.six's extract_text on every file, single process."""
    for path in files:
        extract_text(path)


def index_once(folder: Path, pages: int, workers: int, engine: str) -> float:
    """Seconds for one end-to-end index_paths into a fresh index (checked complete)."""
    with scratch("throughput") as tmp:
        reports = []
        seconds = timed(
            lambda: reports.append(index_paths([folder], tmp / "ix", options=Options(workers=workers, engine=engine)))
        )
    report = reports[0]
    if report.failed or report.pages != pages:
        raise SystemExit(f"indexing went wrong: {report.pages} of {pages} pages, failures {report.failed[:3]}")
    return seconds


def main() -> None:
    args = arguments(__doc__)
    runs = 1 if args.quick else 2
    files = pdf_files()
    pages = count_pages(files)
    header("index_throughput: pages/s indexing the State release, against raw pdfminer extract_text")
    print(f"data: {len(files)} PDFs, {pages} pages in {STATE_PDF}; best of {runs} run(s) each")
    times: dict[str, list[float]] = {"baseline": [], **{label: [] for label in CONFIGS}}
    cpu: dict[str, list[float]] = {label: [] for label in times}
    for _ in range(runs):
        start = all_cpu()
        times["baseline"].append(timed(lambda: raw_extract(files)))
        cpu["baseline"].append(all_cpu() - start)
        for label, (workers, engine, _target) in CONFIGS.items():
            start = all_cpu()
            times[label].append(index_once(STATE_PDF, pages, workers, engine))
            cpu[label].append(all_cpu() - start)
    base_rate = pages / best(times["baseline"])
    base_cpu = 1000 * best(cpu["baseline"]) / pages
    print(f"baseline pdfminer extract_text, 1 process: {base_rate:.1f} pages/s ({show_runs(times['baseline'])}); "
          f"CPU {base_cpu:.2f} ms/page")  # fmt: skip
    cores = os.cpu_count() or 1
    for label, (_workers, _engine, target) in CONFIGS.items():
        rate = pages / best(times[label])
        line = f"{label}: {rate:.1f} pages/s ({show_runs(times[label])}); "
        line += ratio_line("ratio", rate / base_rate, target) if target else f"ratio: {rate / base_rate:.2f}x baseline"
        page_cpu = 1000 * best(cpu[label]) / pages
        print(line)
        print(f"  CPU {page_cpu:.2f} ms/page (writer and workers); ceiling on {cores} cores: "
              f"{cores * base_cpu / page_cpu:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
