"""Cost of re-running `foia index` over a folder where nothing changed.

Writes 10,000 small text files (a few hundred bytes each, words sampled with a fixed seed from
the State release's vocabulary) into a temporary folder, indexes them once with 2 workers, then
times a second `index_paths` over the same folder (every file must be skipped), best of N (N=2;
1 with --quick). The same re-run through the command line (`.venv/bin/foia index DIR --index IX
--quiet`) is timed too, interpreter start included, next to the bare interpreter start and the
import of the CLI measured in the same run.

Target: the library re-run over 10,000 unchanged files takes <= 2 s.

    .venv/bin/python bench/noop_rerun.py [--quick] [--files N]
"""

from __future__ import annotations

import argparse
import random
import subprocess
from pathlib import Path

from _common import VENV_BIN, arguments, best, header, scratch, show_runs, small_text, timed, verdict, vocabulary

from indexer import IndexReport, Options, index_paths

TARGET_SECONDS = 2.0
TARGET_FILES = 10_000


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--files", type=int, default=TARGET_FILES, help="how many small text files (10,000)")


def write_files(folder: Path, count: int, seed: int = 4841) -> int:
    """`count` small text files of distinct content; returns their total bytes."""
    rng = random.Random(seed)
    vocab = vocabulary()
    folder.mkdir(parents=True)
    total = 0
    for i in range(count):
        text = small_text(rng, vocab)
        total += (folder / f"note-{i:05d}.txt").write_text(text, encoding="utf-8")
    return total


def index(folder: Path, ix: Path) -> IndexReport:
    return index_paths([folder], ix, options=Options(workers=2))


def library_rerun(folder: Path, ix: Path, count: int) -> float:
    """Seconds for one index_paths re-run; every file must be skipped."""
    reports: list[IndexReport] = []
    seconds = timed(lambda: reports.append(index(folder, ix)))
    report = reports[0]
    if report.skipped != count or report.indexed or report.replaced:
        raise SystemExit(f"re-run was not a no-op: {report}")
    return seconds


def run_command(command: list[str]) -> float:
    """Wall seconds of one subprocess (checked to succeed)."""
    return timed(lambda: subprocess.run(command, check=True, capture_output=True))


def main() -> None:
    args = arguments(__doc__, options)
    runs = 1 if args.quick else 2
    count = min(args.files, 2_000) if args.quick and args.files == TARGET_FILES else args.files
    python, foia = str(VENV_BIN / "python"), str(VENV_BIN / "foia")
    header("noop_rerun: re-indexing a folder of unchanged small text files")
    with scratch("noop") as tmp:
        folder, ix = tmp / "notes", tmp / "ix"
        size = write_files(folder, count)
        print(f"data: {count} text files, {size / count:.0f} bytes each on average; best of {runs} run(s)")
        first = index(folder, ix)
        if first.failed or first.indexed != count:
            raise SystemExit(f"first run did not index every file: {first}")
        print(f"first run (workers=2): {first.seconds:.2f} s, {count / first.seconds:.0f} files/s")
        lib = [library_rerun(folder, ix, count) for _ in range(runs)]
        cli = [run_command([foia, "index", str(folder), "--index", str(ix), "--quiet"]) for _ in range(runs)]
        bare = [run_command([python, "-c", "pass"]) for _ in range(runs)]
        imports = [run_command([python, "-c", "import query.cli"]) for _ in range(runs)]
    target = f"target <= {TARGET_SECONDS:g} s for {TARGET_FILES} files"
    scaled = best(lib) * TARGET_FILES / count
    note = "" if count == TARGET_FILES else f", scaled to {TARGET_FILES} files: {scaled:.2f} s"
    print(f"re-run, index_paths: {best(lib):.3f} s ({show_runs(lib)}){note}; "
          f"{target}: {verdict(scaled, TARGET_SECONDS, at_least=False)}")  # fmt: skip
    print(f"re-run, CLI foia index --quiet: {best(cli):.3f} s ({show_runs(cli)}); "
          f"{best(cli) / best(lib):.2f}x the library re-run")  # fmt: skip
    print(f"interpreter start (python -c pass): {best(bare):.3f} s; import query.cli: {best(imports):.3f} s")
    print(f"CLI re-run less the CLI import: {best(cli) - best(imports):.3f} s")


if __name__ == "__main__":
    main()
