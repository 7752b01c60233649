"""End-to-end indexing against Recoll on the same files, in the same run.

Recoll (`recollindex` from Debian's `recollcmd`: pdftotext per file, then Xapian, one core) indexes
the State release (138 PDFs, 404 pages) into a fresh configuration folder; `foia index` indexes the
same files into a fresh index, as a subprocess, start-up and teardown included: with the pdfium
engine and with the default pdfminer engine, 2 workers each. Recoll reads a folder of symbolic
links to the PDFs (its configuration names the folder; nothing is copied). Runs alternate, round by
round, so a burst of load on the shared machine hits every configuration alike; each figure is the
median of N rounds (N=5; 2 with --quick). Wall seconds and CPU seconds (the process and its
children) are printed for each, the ratio of foia's speed to Recoll's, and of its CPU seconds to
Recoll's (which the load does not change: on a busy machine Recoll's wall time can stall for a
round, waiting on its filters, so look at every run and at the CPU too).

Target: `foia index --workers 2 --pdf-engine pdfium` faster than Recoll (ratio > 1.0x). The
pdfminer engine is shown for scale (its target, against raw pdfminer, is `index_throughput.py`'s).

Needs `recollindex` (Debian/Ubuntu: `apt-get install recollcmd poppler-utils`); without it the
script says so and exits with status 2. Benchmark only: the project does not use Recoll.

    .venv/bin/python bench/recoll_compare.py [--quick] [--rounds N]
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from _common import REPO, STATE_PDF, VENV_BIN, arguments, cpu_seconds, header, require, scratch

RECOLL_CONF = """topdirs = {folder}
followLinks = 1
loglevel = 1
idxflushmb = 50
skippedNames = .*
"""
"""A fresh Recoll configuration: index one folder (of links), follow the links, log little."""


def foia_command(folder: Path, index: Path, engine: str) -> list[str]:
    python = VENV_BIN / "python" if (VENV_BIN / "python").exists() else Path(sys.executable)
    return [str(python), "-m", "query.cli", "index", str(folder), "--index", str(index),
            "--workers", "2", "--pdf-engine", engine, "--quiet"]  # fmt: skip


def recoll_command(confdir: Path) -> list[str]:
    return ["recollindex", "-c", str(confdir), "-z"]  # -z: reset the index (fresh each time anyway)


def run(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (children's user + system) of one command; exits if it fails."""
    import time

    cpu_before = cpu_seconds(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return wall, cpu_seconds(resource.RUSAGE_CHILDREN) - cpu_before


def link_folder(files: list[Path], folder: Path) -> None:
    folder.mkdir()
    for path in files:
        (folder / path.name).symlink_to(path.resolve())


def recoll_round(tmp: Path, folder: Path, n: int) -> tuple[float, float]:
    confdir = tmp / f"recoll-{n}"
    confdir.mkdir()
    (confdir / "recoll.conf").write_text(RECOLL_CONF.format(folder=folder), encoding="utf-8")
    result = run(recoll_command(confdir))
    documents = recoll_documents(confdir)
    shutil.rmtree(confdir)
    if documents < 1:
        sys.exit("recollindex indexed nothing (is pdftotext installed? poppler-utils)")
    return result


def recoll_documents(confdir: Path) -> int:
    """Documents in the Recoll index (`recollindex -S`-free check: Xapian's folder is not empty)."""
    xapiandb = confdir / "xapiandb"
    return sum(1 for _ in xapiandb.iterdir()) if xapiandb.exists() else 0


def foia_round(tmp: Path, folder: Path, engine: str, n: int) -> tuple[float, float]:
    index = tmp / f"ix-{engine}-{n}"
    result = run(foia_command(folder, index, engine))
    shutil.rmtree(index)
    return result


def main() -> None:
    args = arguments(__doc__, lambda p: p.add_argument("--rounds", type=int, default=0, help="rounds (default 5)"))
    rounds = args.rounds or (2 if args.quick else 5)
    if shutil.which("recollindex") is None:
        print("recollindex not found: install Recoll's command-line indexer to run this comparison "
              "(Debian/Ubuntu: apt-get install recollcmd poppler-utils)", file=sys.stderr)  # fmt: skip
        sys.exit(2)
    if shutil.which("pdftotext") is None:
        print("pdftotext not found: Recoll needs it for PDFs (apt-get install poppler-utils)", file=sys.stderr)
        sys.exit(2)
    files = sorted(require(STATE_PDF).glob("*.pdf"))
    header("recoll_compare: foia index end to end against recollindex on the same PDFs")
    print(f"data: {len(files)} PDFs in {STATE_PDF}; median of {rounds} alternating round(s)")
    labels = ("recollindex", "foia index --workers 2 --pdf-engine pdfium", "foia index --workers 2 (pdfminer)")
    walls: dict[str, list[float]] = {label: [] for label in labels}
    cpus: dict[str, list[float]] = {label: [] for label in labels}
    with scratch("recoll") as tmp:
        folder = tmp / "pdf"
        link_folder(files, folder)
        for n in range(rounds):
            for label in labels:
                if label == "recollindex":
                    wall, cpu = recoll_round(tmp, folder, n)
                else:
                    wall, cpu = foia_round(tmp, folder, "pdfium" if "pdfium" in label else "pdfminer", n)
                walls[label].append(wall)
                cpus[label].append(cpu)
    base = statistics.median(walls["recollindex"])
    base_cpu = statistics.median(cpus["recollindex"])
    for label in labels:
        wall = statistics.median(walls[label])
        runs = " ".join(f"{s:.2f}" for s in walls[label])
        line = f"{label}: {wall:.2f} s wall (runs {runs}), CPU {statistics.median(cpus[label]):.2f} s"
        if label != "recollindex":
            ratio = base / wall
            verdict = "" if "pdfminer" in label else f" (target > 1.0x: {'MET' if ratio > 1.0 else 'MISSED'})"
            cpu_share = statistics.median(cpus[label]) / base_cpu
            line += f"; speed {ratio:.2f}x Recoll's{verdict}; CPU {cpu_share:.2f}x Recoll's"
        print(line)
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
