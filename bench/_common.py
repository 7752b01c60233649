"""Helpers shared by the benchmark scripts in this folder (not a benchmark itself).

Paths to the real releases, the `--quick` argument parser, best-of-N timing, plain-line output,
and generators of synthetic releases built from the real releases' vocabulary.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
STATE = CORPUS / "state-f2015-04841"
STATE_PDF = STATE / "pdf"
STATE_TEXT = STATE / "pdftotext-layout"
VENV_BIN = REPO / ".venv" / "bin"

if str(REPO) not in sys.path:  # run from anywhere, installed or not
    sys.path.insert(0, str(REPO))

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]|\d+")
WORDS_PER_PAGE = 300
"""Body words per synthetic page, about what a page of the State release holds (342 with stamps)."""

STAMP = "UNCLASSIFIED U.S. Department of State Case No. F-2099-00001 Doc No. C0{doc:07d} Date: 01/01/2099"
"""The one-line State stamp put at the top of every synthetic page; documents split where Doc No changes."""


def require(path: Path) -> Path:
    """The path, or exit with a clear message when the real releases are not beside the checkout."""
    if not path.exists():
        sys.exit(f"benchmark needs {path} (the real releases in ../shared/corpus); not found")
    return path


def arguments(doc: str | None, extra: Callable[[argparse.ArgumentParser], None] | None = None) -> argparse.Namespace:
    """Command-line arguments: `--quick` (fewer runs, smaller data) plus any the script adds."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and smaller data, for a smoke run")
    if extra:
        extra(parser)
    return parser.parse_args()


def header(title: str) -> None:
    """First lines of every script's output: what runs, where, and how busy the machine is."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"== {title}")
    print(f"machine: {os.cpu_count()} cores, load average {load}, python {sys.version.split()[0]}")


def timed(action: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def best(seconds: list[float]) -> float:
    return min(seconds)


def show_runs(seconds: list[float]) -> str:
    return "runs " + " ".join(f"{s:.2f}" for s in seconds) + " s"


def verdict(value: float, target: float, at_least: bool = True) -> str:
    met = value >= target if at_least else value <= target
    return "MET" if met else "MISSED"


def ratio_line(label: str, ratio: float, target: float) -> str:
    return f"{label}: {ratio:.2f}x baseline (target >= {target:g}x: {verdict(ratio, target)})"


@contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A temporary folder removed afterwards, whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix=f"foia-bench-{prefix}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def tree_bytes(path: Path) -> int:
    """Bytes of all files under a folder (apparent sizes)."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.1f} MiB"


# --- synthetic releases ------------------------------------------------------------------------


def vocabulary() -> list[str]:
    """Every word of the State release as poppler extracted it, repeats kept (so sampling follows
    the real word frequencies)."""
    words: list[str] = []
    for path in sorted(require(STATE_TEXT).glob("*.txt")):
        words += _WORD.findall(path.read_text(encoding="utf-8", errors="replace"))
    return words


def body_lines(rng: random.Random, vocab: list[str], n_words: int, width: int = 12) -> list[str]:
    """Lines of about `width` words sampled from the vocabulary."""
    words = rng.choices(vocab, k=n_words)
    return [" ".join(words[i : i + width]) for i in range(0, len(words), width)]


def small_text(rng: random.Random, vocab: list[str]) -> str:
    """A few hundred bytes of text (one page, no stamp)."""
    return "\n".join(body_lines(rng, vocab, rng.randint(45, 80))) + "\n"


def email_header(rng: random.Random, vocab: list[str]) -> list[str]:
    """A State-style email header, so the metadata reader has something to read."""
    name = f"{rng.choice(vocab).title()}, {rng.choice(vocab).title()}"
    day = rng.randint(1, 28)
    return [
        f"From: {name} <{name.split(',')[0].lower()}@state.gov>",
        f"Sent: Monday, March {day}, 2011 {rng.randint(1, 12)}:{rng.randint(0, 59):02d} PM",
        f"To: {rng.choice(vocab).title()}, {rng.choice(vocab).title()}",
        f"Subject: {' '.join(rng.choices(vocab, k=rng.randint(2, 6)))}",
        "",
    ]


def stamped_release(rng: random.Random, vocab: list[str], pages: int, first_doc: int) -> tuple[str, int]:
    """One text release of `pages` form-feed-separated pages with a one-line State stamp on each;
    the doc number changes every 1 to 10 pages. Returns the text and the next free doc number."""
    out: list[str] = []
    doc = first_doc
    left = 0
    for _ in range(pages):
        lines = []
        if left == 0:
            doc, left = doc + 1, rng.randint(1, 10)
            lines = email_header(rng, vocab)
        left -= 1
        n_words = rng.randint(WORDS_PER_PAGE // 2, WORDS_PER_PAGE * 3 // 2)
        out.append("\n".join([STAMP.format(doc=doc), "", *lines, *body_lines(rng, vocab, n_words)]) + "\n")
    return "\f".join(out), doc


def write_stamped_corpus(folder: Path, pages: int, pages_per_file: int = 50, seed: int = 2099) -> int:
    """Write `pages` pages as stamped text releases of `pages_per_file` pages; returns files written."""
    rng = random.Random(seed)
    vocab = vocabulary()
    folder.mkdir(parents=True, exist_ok=True)
    doc, files = 0, 0
    while pages > 0:
        n = min(pages_per_file, pages)
        text, doc = stamped_release(rng, vocab, n, doc)
        (folder / f"release-{files:06d}.txt").write_text(text, encoding="utf-8")
        files, pages = files + 1, pages - n
    return files


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    """User and system CPU seconds so far of this process (`RUSAGE_SELF`) or of its reaped
    children, worker pools included (`RUSAGE_CHILDREN`)."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
