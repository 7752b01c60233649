"""`reindex` (rebuild from the extraction cache) in documents per second, against a bare Whoosh writer.

Data: the State release's 138 PDFs (read with pdfium to keep the set-up short) plus synthetic
stamped text releases (State-style one-line stamp on every page, doc number changing every 1 to
10 pages, words from the real releases, fixed seed), about 5,000 documents in all (about 1,000
with --quick). After one `index_paths` with 2 workers fills the cache, each round times:

* `reindex(ix, Options(workers=2))` (`--workers N` to change): cached pages, stamps, metadata, documents in workers;
  `update_document` into a recreated index; manifest; commits every 200 files;
* the baseline: the very same Document objects (built beforehand, untimed) written by a bare
  Whoosh writer: `create_in(build_schema())`, one `writer()`, `add_document(**to_fields(doc))`
  for each, `commit()`.

Best of N rounds (N=2; 1 with --quick); each round also prints the CPU seconds of the writer
process and of the workers, which explain a ratio on a busy machine.
Target: reindex >= 0.8x the bare writer's documents/s.

    .venv/bin/python bench/reindex_rate.py [--quick] [--text-pages N] [--workers N]
"""

from __future__ import annotations

import argparse
import resource
from pathlib import Path

from _common import STATE_PDF, arguments, best, cpu_seconds, header, ratio_line, require, scratch, show_runs, timed
from _common import write_stamped_corpus as write_corpus
from whoosh import index as windex

from indexer import Document, Options, index_paths, reindex
from indexer.pipeline import Job, work
from indexer.schema import build_schema
from indexer.store import cache_of, manifest_of, to_fields

TARGET = 0.8


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text-pages", type=int, default=0, help="synthetic pages added (default 27,000; 5,000 quick)")
    parser.add_argument("--workers", type=int, default=2, help="reindex worker processes (2)")


def build_index(folders: list[Path], ix: Path) -> None:
    report = index_paths(folders, ix, options=Options(workers=2, engine="pdfium"))
    if report.failed:
        raise SystemExit(f"set-up indexing failed: {report.failed[:3]}")


def cached_documents(ix: Path) -> list[Document]:
    """The documents reindex rebuilds, made the same way (pipeline.work on cached pages)."""
    manifest = manifest_of(ix)
    try:
        records = list(manifest.records("indexed"))
    finally:
        manifest.close()
    cache_dir = str(cache_of(ix).folder)
    docs: list[Document] = []
    for r in records:
        outcome = work(Job(r.path, r.sha256, r.size, r.mtime_ns, r.engine, cache_dir))
        if outcome.failure or outcome.extracted:
            raise SystemExit(f"{r.path} not rebuilt from the cache: {outcome.failure}")
        docs += outcome.documents
    return docs


def time_reindex(ix: Path, expected: int, workers: int) -> float:
    reports = []
    own, children = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
    seconds = timed(lambda: reports.append(reindex(ix, options=Options(workers=workers))))
    own, children = cpu_seconds(resource.RUSAGE_SELF) - own, cpu_seconds(resource.RUSAGE_CHILDREN) - children
    if reports[0].documents != expected or reports[0].failed or reports[0].extracted:
        raise SystemExit(f"reindex did not rebuild every document from the cache: {reports[0]}")
    print(f"  reindex: {seconds:.2f} s wall; CPU {own:.2f} s in the writer process, {children:.2f} s in the workers")
    return seconds


def bare_whoosh(folder: Path, docs: list[Document]) -> None:
    """The baseline: one plain Whoosh writer over the same documents."""
    folder.mkdir()
    writer = windex.create_in(str(folder), build_schema()).writer()
    for doc in docs:
        writer.add_document(**to_fields(doc))
    writer.commit()


def time_bare(tmp: Path, docs: list[Document], round_no: int) -> float:
    own = cpu_seconds(resource.RUSAGE_SELF)
    seconds = timed(lambda: bare_whoosh(tmp / f"bare-{round_no}", docs))
    print(f"  bare writer: {seconds:.2f} s wall; CPU {cpu_seconds(resource.RUSAGE_SELF) - own:.2f} s")
    return seconds


def main() -> None:
    args = arguments(__doc__, options)
    runs = 1 if args.quick else 2
    text_pages = args.text_pages or (5_000 if args.quick else 27_000)
    header("reindex_rate: rebuilding from the extraction cache, against a bare Whoosh writer")
    with scratch("reindex") as tmp:
        write_corpus(tmp / "text", text_pages)
        ix = tmp / "ix"
        build_index([require(STATE_PDF), tmp / "text"], ix)
        docs = cached_documents(ix)
        pages = sum(len(d.pages) for d in docs)
        print(f"data: State PDFs + {text_pages} synthetic pages = {len(docs)} documents, {pages} pages; "
              f"best of {runs} round(s)")  # fmt: skip
        rebuilt: list[float] = []
        bare: list[float] = []
        for i in range(runs):
            rebuilt.append(time_reindex(ix, len(docs), args.workers))
            bare.append(time_bare(tmp, docs, i))
    bare_rate, rebuilt_rate = len(docs) / best(bare), len(docs) / best(rebuilt)
    print(f"baseline bare Whoosh writer (add_document, 1 commit): {bare_rate:.1f} documents/s ({show_runs(bare)})")
    print(f"reindex workers={args.workers}: {rebuilt_rate:.1f} documents/s ({show_runs(rebuilt)})")
    print(ratio_line("reindex ratio", rebuilt_rate / bare_rate, TARGET))


if __name__ == "__main__":
    main()
