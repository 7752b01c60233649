"""Query speed (issue 5): top-10 searches with highlights on a large index, date filters against
Whoosh's plain DATETIME range, and a cold `foia search` process.

The index holds synthetic documents built from the real State release's vocabulary (email
metadata: senders, recipients, dates over 2009-2013, exemptions, statuses) written straight into
the index through the project's writer, plus the real State F-2014-20439 text releases indexed
as a user would. Each search goes through `query.search`, which opens the index as the CLI does.

    python bench/query_speed.py            # 100,000 synthetic documents (builds for several minutes)
    python bench/query_speed.py --quick    # 20,000 documents, fewer queries
    python bench/query_speed.py --keep DIR # build the index in DIR once, reuse it on later runs
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from _common import CORPUS, VENV_BIN, arguments, header, require, scratch, vocabulary
from whoosh import query as wq
from whoosh.analysis import STOP_WORDS

import indexer
from indexer.documents import Document
from indexer.metadata import Metadata
from indexer.schema import SentDate, parse_period
from indexer.store import create_or_open, writing
from query import Filters, search
from query.engines.whoosh.search import find, opened

REAL_TEXT = CORPUS / "state-f2014-20439" / "txt"
CODES = ("B1", "B5", "B6", "B7(C)", "1.4(B)", "1.4(D)")
STATUSES = ("full", "part", "part", "denied")
STOP = STOP_WORDS | {"that", "this", "from", "have", "will"}
TARGETS = {"term": 0.100, "phrase": 0.250, "boolean + field": 0.100, "term + date range": 0.100}


def _people(rng: random.Random, vocab: list[str], n: int) -> list[str]:
    return [f"{rng.choice(vocab).title()}, {rng.choice(vocab).title()}" for _ in range(n)]


def synthetic_documents(n: int, seed: int = 5) -> list[Document]:
    """`n` one- or two-page documents with email metadata, words sampled from the real vocabulary."""
    rng = random.Random(seed)
    vocab = vocabulary()
    people = _people(rng, vocab, 400)
    start = datetime(2009, 1, 1)
    docs = []
    for i in range(n):
        pages = tuple(" ".join(rng.choices(vocab, k=rng.randint(120, 360))) for _ in range(rng.choice((1, 1, 2))))
        meta = Metadata(
            sender=rng.choice(people),
            recipients=tuple(rng.sample(people, rng.randint(1, 3))),
            date=start + timedelta(minutes=rng.randrange(5 * 365 * 24 * 60)),
            subject=" ".join(rng.choices(vocab, k=rng.randint(2, 7))),
            release_status=rng.choice(STATUSES),
            exemptions=tuple(sorted(set(rng.choices(CODES, k=rng.randint(0, 3))))),
        )
        docs.append(
            Document(
                id=f"synthetic{i:08d}-p1",
                source=f"synthetic/release-{i // 500:05d}.txt",
                sha256=f"{i:064x}",
                first_page=1,
                pages=pages,
                case_number="F-2099-00001",
                doc_number=f"C{i:08d}",
                meta=meta,
            )  # fmt: skip
        )
    return docs


def build(index: Path, n: int, releases: tuple[Path, ...] = (), options: indexer.Options | None = None) -> float:
    """Index real releases (default: the text releases), then write `n` synthetic documents (after,
    since an index run removes documents its manifest does not know); returns the seconds taken."""
    started = time.perf_counter()
    indexer.index_paths([require(p) for p in releases or (REAL_TEXT,)], index, options=options)
    ix = create_or_open(index)
    batch = 5000
    for first in range(0, n, batch):
        with writing(ix) as writer:
            writer.add_file(synthetic_documents(min(batch, n - first), seed=first))
    ix.close()
    return time.perf_counter() - started


def complete(index: Path, n: int) -> bool:
    """Whether `index` holds a finished build of at least `n` synthetic documents."""
    if not (index / "manifest.sqlite").exists():
        return False
    with opened(index) as (ix, _):
        return bool(ix.doc_count() > n)


def _queries(rng: random.Random, vocab: list[str], n: int) -> dict[str, list[tuple[str, Filters]]]:
    words = [w.lower() for w in vocab if len(w) > 3 and w.isalpha() and w.lower() not in STOP]
    pairs = [
        f'"{a} {b}"'
        for a, b in zip(vocab, vocab[1:], strict=False)
        if len(a) > 3 and len(b) > 3 and a.isalpha() and b.isalpha()
    ]
    senders = ["mills", "sullivan", "abedin", "clinton", "reines"] + [w for w in rng.sample(words, 20)]

    def span() -> Filters:
        year = rng.randint(2009, 2013)
        first, last = sorted(rng.sample(range(1, 13), 2))
        return Filters(since=f"{year}-{first:02d}-{rng.randint(1, 28):02d}", until=f"{year}-{last:02d}")

    return {
        "term": [(rng.choice(words), Filters()) for _ in range(n)],
        "phrase": [(rng.choice(pairs), Filters()) for _ in range(n)],
        "boolean + field": [
            (f"({rng.choice(words)} OR {rng.choice(words)}) AND from:{rng.choice(senders)}", Filters())
            for _ in range(n)
        ],
        "term + date range": [(rng.choice(words), span()) for _ in range(n)],
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def latencies(index: Path, queries: list[tuple[str, Filters]]) -> tuple[list[float], int]:
    """Seconds of each top-10 search with highlights, and how many returned hits."""
    seconds, nonempty = [], 0
    for text, filters in queries:
        started = time.perf_counter()
        result = search(index, text, filters, limit=10)
        seconds.append(time.perf_counter() - started)
        nonempty += bool(result.hits)
    return seconds, nonempty


def date_filter_speed(index: Path, rng: random.Random, n: int) -> tuple[float, float]:
    """Median seconds of a date-range-only top 10 with its total, on one open searcher: Whoosh's
    DateRange (`searcher.search`, `len`), then the same range through `query.search.find` (the
    bucket lists `query.search` uses). Exits when they disagree on the total or the top 10."""
    plain: list[float] = []
    ours: list[float] = []
    with opened(index) as (_, searcher):
        for _ in range(n):
            year = rng.randint(2009, 2013)
            first, last = sorted(rng.sample(range(1, 13), 2))
            start = parse_period(f"{year}-{first:02d}-{rng.randint(1, 28):02d}")[0]
            end = parse_period(f"{year}-{last:02d}")[1]
            t = time.perf_counter()
            results = searcher.search(wq.DateRange("date", start, end), limit=10)
            whoosh = (len(results), [h.docnum for h in results])
            plain.append(time.perf_counter() - t)
            t = time.perf_counter()
            found = find(searcher, SentDate(start, end), 10)
            fast = (found.total, [h.docnum for h in found.results] if found.results else [])
            ours.append(time.perf_counter() - t)
            if whoosh != fast:
                sys.exit(f"date filters disagree for {start}..{end}: {whoosh} {fast}")
    return statistics.median(plain), statistics.median(ours)


def cold_process(index: Path, word: str, runs: int) -> tuple[float, float]:
    """Median wall seconds of `foia search WORD` in a new process, and of `python -c pass` as a floor."""

    def wall(command: list[str]) -> float:
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return time.perf_counter() - started

    foia = [str(VENV_BIN / "foia"), "search", word, "--index", str(index)]
    python = [sys.executable, "-c", "pass"]
    return statistics.median(wall(foia) for _ in range(runs)), statistics.median(wall(python) for _ in range(runs))


def report(label: str, seconds: list[float], nonempty: int, target: float) -> None:
    p50, p95 = percentile(seconds, 0.5) * 1000, percentile(seconds, 0.95) * 1000
    verdict = "MET" if p95 <= target * 1000 else "MISSED"
    print(
        f"{label:<18} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ({len(seconds)} queries, {nonempty} with hits; "
        f"target p95 <= {target * 1000:.0f} ms: {verdict})"
    )


def main() -> None:
    args = arguments(__doc__, lambda p: p.add_argument("--keep", type=Path, help="index folder: build once, reuse"))
    n = 20_000 if args.quick else 100_000
    per_kind = 20 if args.quick else 60
    header(f"query speed: {n:,} synthetic documents + the real F-2014-20439 text releases")
    rng = random.Random(2015)
    with scratch("query") as folder:
        index = args.keep or folder / "ix"
        built = complete(index, n)
        if not built:
            shutil.rmtree(index, ignore_errors=True)
        took = 0.0 if built else build(index, n)
        with opened(index) as (ix, _):
            total = ix.doc_count()
        print(f"index: {total:,} documents, " + (f"reused from {index}" if built else f"built in {took:.0f} s"))
        search(index, "warm", limit=10)  # first search pays for loading the schema and fields
        for label, queries in _queries(rng, vocabulary(), per_kind).items():
            report(label, *latencies(index, queries), TARGETS[label])
        plain, bucketed = date_filter_speed(index, rng, per_kind)
        ratio = plain / bucketed
        print(
            f"date filter alone (top 10 and total): Whoosh DateRange median {plain * 1000:.1f} ms, "
            f"day-bucket lists {bucketed * 1000:.1f} ms: {ratio:.1f}x faster "
            f"(target >= 5x: {'MET' if ratio >= 5 else 'MISSED'})"
        )
        cold, floor = cold_process(index, "benghazi", 3 if args.quick else 7)
        verdict = "MET" if cold <= 1.0 else "MISSED"
        print(
            f"cold `foia search` process: median {cold:.2f} s (python start alone {floor:.2f} s; "
            f"target <= 1 s: {verdict})"
        )


if __name__ == "__main__":
    main()
