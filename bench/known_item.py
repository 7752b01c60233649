"""Known-item search (issue 11): a document's subject pasted as the query, over the State release.

The State release (138 PDFs) is indexed into a scratch folder (or `--index DIR` reuses an index of
it). The queries are the subject words of 70 documents drawn with a fixed seed from those whose
ground-truth subject has at least two words: the words as the agency wrote them (upper case,
operator words included), punctuation dropped (`H: UBL, AQ & LIBYA. SID` -> `H UBL AQ LIBYA SID`).
Each runs through `query.search`, as `foia search` runs it, twice: with `strict=True` (every word
required, upper-case AND/OR/NOT always operators: the behaviour before) and as the CLI runs it by
default (documents holding some of the words after those holding all, operator words read as words
when they find nothing). The found document is the one whose doc number the query came from.

Then (issue 13) the default search with `collapse=True`, one hit per group of versions, counting a
hit on any version or quoted copy of the wanted document (its group, `query.versions`); and, to
tell what collapsing adds from what the looser count adds, the plain default counted the same way.

Printed for each: success@1 and @3 (the document among the first 1 or 3 hits), MRR (mean of
1/rank, 0 beyond the first 10), and queries with no hit at all; then the same counting any
document with the same subject as found (the release holds several copies of a thread under one
subject, which no ranking can tell apart), the queries the default behaviour still ranks below
third, and the mean time per query against the strict search's in the same run (the machine is
shared and noisy).

    .venv/bin/python bench/known_item.py [--index DIR] [--queries N] [--seed N]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from _common import STATE, arguments, header, require, scratch, verdict

from indexer import index_paths
from query import get_document, search, versions

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
TARGETS = {"success@3": 0.92, "MRR": 0.80}
DEPTH = 10


@dataclass(frozen=True)
class KnownItem:
    doc_number: str
    subject: str
    query: str


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", type=Path, help="an index of the State release already made")
    parser.add_argument("--queries", type=int, default=70, help="how many documents to draw (default 70)")
    parser.add_argument("--seed", type=int, default=11, help="the seed of the draw (default 11)")


def known_items(n: int, seed: int) -> tuple[list[KnownItem], dict[str, set[str]]]:
    """`n` documents drawn with `seed` among those whose subject has two words or more, and the
    doc numbers of every subject (lower case, single spaces)."""
    rows = sorted(csv.DictReader((STATE / "ground-truth.csv").open(encoding="utf-8")), key=lambda r: r["doc_no"])
    by_subject: dict[str, set[str]] = defaultdict(set)
    items = []
    for row in rows:
        words = _WORD.findall(row["subject"])
        by_subject[_key(row["subject"])].add(row["doc_no"].upper())
        if len(words) >= 2:
            items.append(KnownItem(row["doc_no"].upper(), row["subject"], " ".join(words)))
    return random.Random(seed).sample(items, min(n, len(items))), by_subject


def _key(subject: str) -> str:
    return " ".join(subject.lower().split())


@dataclass
class Score:
    ranks: list[int | None]
    copy_ranks: list[int | None]
    empty: int
    seconds: float

    def line(self, label: str, ranks: list[int | None]) -> str:
        n = len(ranks)
        at = {k: sum(1 for r in ranks if r is not None and r <= k) / n for k in (1, 3)}
        mrr = sum(1 / r for r in ranks if r is not None) / n
        return f"{label}: success@1 {at[1]:.3f}, success@3 {at[3]:.3f}, MRR {mrr:.3f}"


def run(index_dir: Path, items: list[KnownItem], by_subject: dict[str, set[str]], strict: bool) -> Score:
    ranks: list[int | None] = []
    copy_ranks: list[int | None] = []
    empty = 0
    started = time.perf_counter()
    for item in items:
        found = [(h.doc_number or "").upper() for h in search(index_dir, item.query, limit=DEPTH, strict=strict).hits]
        copies = by_subject[_key(item.subject)]
        ranks.append(next((i for i, doc in enumerate(found, 1) if doc == item.doc_number), None))
        copy_ranks.append(next((i for i, doc in enumerate(found, 1) if doc in copies), None))
        empty += not found
    return Score(ranks, copy_ranks, empty, time.perf_counter() - started)


def grouped_ranks(index_dir: Path, items: list[KnownItem], collapse: bool) -> tuple[list[int | None], float]:
    """Rank of the first hit that is the wanted document or one of its versions, and seconds."""
    groups = [{v.id for v in versions(index_dir, get_document(index_dir, item.doc_number).id)} for item in items]
    ranks: list[int | None] = []
    started = time.perf_counter()
    for item, group in zip(items, groups, strict=True):
        hits = search(index_dir, item.query, limit=DEPTH, collapse=collapse).hits
        ranks.append(next((i for i, h in enumerate(hits, 1) if h.id in group), None))
    return ranks, time.perf_counter() - started


def report_collapse(index_dir: Path, items: list[KnownItem], default: Score) -> None:
    plain, flat = grouped_ranks(index_dir, items, collapse=False)
    collapsed, seconds = grouped_ranks(index_dir, items, collapse=True)
    print(default.line("default, the document itself (before)", default.ranks))
    print(default.line("default, any version", plain))
    print(default.line("--collapse, any version (after)", collapsed))
    print(f"time per query: --collapse {seconds / len(items) * 1000:.1f} ms, default {flat / len(items) * 1000:.1f} ms "
          f"({seconds / flat:.2f}x)")  # fmt: skip
    for item, rank, before in zip(items, collapsed, default.ranks, strict=True):
        if rank != before:
            print(f"  {item.doc_number}: rank {before or '-'} -> {rank or '-'} collapsed: {item.query}")


def report(index_dir: Path, items: list[KnownItem], by_subject: dict[str, set[str]]) -> None:
    search(index_dir, items[0].query)  # warm the caches before either is timed
    strict = run(index_dir, items, by_subject, strict=True)
    default = run(index_dir, items, by_subject, strict=False)
    n = len(items)
    for label, score in (("strict AND (before)", strict), ("default (now)", default)):
        print(f"{score.line(label, score.ranks)}, no hit {score.empty} of {n}")
    for label, score in (("strict AND, any copy", strict), ("default, any copy", default)):
        print(score.line(label, score.copy_ranks))
    mrr = sum(1 / r for r in default.ranks if r is not None) / n
    at3 = sum(1 for r in default.ranks if r is not None and r <= 3) / n
    print(f"target success@3 >= {TARGETS['success@3']}: {verdict(at3, TARGETS['success@3'])}")
    print(f"target MRR >= {TARGETS['MRR']}: {verdict(mrr, TARGETS['MRR'])}")
    print(f"time per query: default {default.seconds / n * 1000:.1f} ms, strict {strict.seconds / n * 1000:.1f} ms "
          f"({default.seconds / strict.seconds:.2f}x)")  # fmt: skip
    for item, rank, before in zip(items, default.ranks, strict.ranks, strict=True):
        if rank is None or rank > 3:
            print(f"  below third: {item.doc_number} rank {rank or '-'} (strict {before or '-'}): {item.query}")
    report_collapse(index_dir, items, default)


def main() -> None:
    args = arguments(__doc__, _options)
    header("known-item search: subjects of the State release as queries, strict AND against the default")
    require(STATE)
    items, by_subject = known_items(args.queries, args.seed)
    print(f"{len(items)} queries (seed {args.seed}), hits looked at: the first {DEPTH}")
    if args.index:
        report(args.index, items, by_subject)
        return
    with scratch("known-item") as folder:
        index_paths([STATE / "pdf"], folder / "ix")
        report(folder / "ix", items, by_subject)


if __name__ == "__main__":
    main()
