"""Versions (issue 13): what grouping costs when 1,000 documents are added to a large index.

The index holds 100,000 synthetic documents (`query_speed.build`: words of the real State
release, email metadata; `--quick`: 20,000; the builder gives each batch of 5,000 the same ids,
so grouping, which keeps one signature per id, holds 5,000 of them plus the real releases),
grouped once (`update_versions` over all of them:
the cost of a first run on an index made before versions existed). Then, twice, a batch of 1,000
new documents is indexed as a user indexes them (`index_paths` over text files): a third are
near-copies of documents already in the index (a few words changed, as a second OCR of one record
reads), a third quote one (a reply written above it), a third are new; the documents copied and
quoted are drawn from the stored texts of indexed documents, so each has a real candidate. Each
index run is timed without the grouping step, then the grouping step alone on the same index (it then has those
1,000 documents to add); the ratio is (run + grouping) / run. Target: the run slows by 15% at
most. Also printed: the links found in each batch, the size of versions.sqlite against the Whoosh
folder, and the peak memory of this process during the grouping step (ru_maxrss).

    python bench/versions_cost.py [--quick] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import time
from pathlib import Path

from _common import arguments, header, mib, scratch, tree_bytes, verdict
from query_speed import build, complete, synthetic_documents

import indexer.pipeline
from indexer import index_paths
from indexer.manifest import FileRecord
from indexer.store import document_ids, manifest_of, open_index, stored_reader
from indexer.versions import VERSIONS_FILE, update_versions

TARGET = 1.15
BATCH = 1000


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keep", type=Path, help="build the large index here once and reuse it")


def adopt(index: Path, n: int) -> None:
    """Record the synthetic documents' sources in the manifest as indexed files, so that an index
    run keeps them (a run removes documents of files its manifest does not know)."""
    sources = sorted({d.source for d in synthetic_documents(n)})
    manifest = manifest_of(index)
    try:
        manifest.put([FileRecord(s, f"{i:064x}", 1, 1, "indexed", "", 500, 500) for i, s in enumerate(sources)])
    finally:
        manifest.close()


def signed_texts(index: Path, n: int, seed: int) -> list[str]:
    """The stored text of `n` documents the version store has signed (the one document an id
    names), so that a near-copy or a reply has a real candidate to be compared with."""
    ix = open_index(index)
    try:
        ids = sorted(document_ids(ix))
        with stored_reader(ix) as fields_of:
            picked = (fields_of(key) for key in random.Random(seed).sample(ids, min(n, len(ids))))
            return [str(f["text"]) for f in picked if f and len(str(f.get("text") or "").split()) > 50]
    finally:
        ix.close()


def write_batch(folder: Path, originals: list[str], n: int, seed: int) -> None:
    """`n` text files of one email each: near-copies of and replies quoting indexed documents
    (`originals`), and new documents."""
    rng = random.Random(seed)
    fresh = synthetic_documents(n, seed=10_000_000 + seed)
    folder.mkdir(parents=True)
    for i in range(n):
        kind = i % 3
        words = rng.choice(originals).split()
        if kind == 0:  # a second reading of the same record: a few words changed
            for _ in range(max(1, len(words) // 60)):
                words[rng.randrange(len(words))] = rng.choice(words)
            body = " ".join(words)
        elif kind == 1:  # a reply quoting it
            body = " ".join(rng.choices(words, k=25)) + "\n\n-----Original Message-----\n" + " ".join(words)
        else:
            body = " ".join(fresh[i].pages)
        sent = f"Monday, March {1 + i % 28}, 2011 {1 + i % 12}:{i % 60:02d} PM"
        header_lines = f"From: Sender {i}\nSent: {sent}\nTo: Someone\nSubject: batch {seed} item {i}\n\n"
        (folder / f"batch{seed}-{i:05d}.txt").write_text(header_lines + body + "\n", encoding="utf-8")


def grouped(index: Path) -> tuple[float, int, int, int]:
    """Seconds of one grouping step, documents it added, links it found, peak RSS (KiB) after it."""
    ix = open_index(index)
    try:
        started = time.perf_counter()
        report = update_versions(index, ix)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return time.perf_counter() - started, report.added, report.links, rss
    finally:
        ix.close()


def run(index: Path, n: int, work: Path) -> None:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    first, added, links, rss = grouped(index)
    print(f"first grouping of the whole index: {added} documents (distinct ids) in {first:.1f} s "
          f"({first / max(added, 1) * 1000:.2f} ms a document), {links} links; "
          f"peak RSS {rss / 1024:.0f} MiB (before {rss_before / 1024:.0f} MiB)")  # fmt: skip
    original = indexer.pipeline._refresh_versions
    indexer.pipeline._refresh_versions = lambda index_dir, ix: None  # the run alone, grouping timed apart
    try:
        ix = open_index(index)
        drawn = ix.doc_count()  # new words for each run over a kept index (ids come from the content)
        ix.close()
        for seed in (drawn + 1, drawn + 2):
            folder = work / f"batch{seed}"
            write_batch(folder, signed_texts(index, BATCH, seed), BATCH, seed)
            started = time.perf_counter()
            report = index_paths([folder], index)
            seconds = time.perf_counter() - started
            assert report.ok and report.documents == BATCH, report
            grouping, _, links, rss = grouped(index)
            ratio = (seconds + grouping) / seconds
            print(f"batch {seed}: index run {seconds:.1f} s, grouping {grouping:.2f} s, {links} links; "
                  f"run with grouping {ratio:.3f}x the run without; peak RSS {rss / 1024:.0f} MiB; "
                  f"target <= {TARGET}x: {verdict(ratio, TARGET, at_least=False)}")  # fmt: skip
    finally:
        indexer.pipeline._refresh_versions = original
    store, whoosh = (index / VERSIONS_FILE).stat().st_size, tree_bytes(index / "whoosh")
    print(f"versions.sqlite {mib(store)}, Whoosh folder {mib(whoosh)} ({store / whoosh:.2f}x)")


def main() -> None:
    args = arguments(__doc__, _options)
    n = 20_000 if args.quick else 100_000
    header(f"versions: grouping cost per {BATCH:,} documents added to {n:,}")
    with scratch("versions") as folder:
        index = args.keep or folder / "ix"
        if args.keep is None or not complete(index, n):
            shutil.rmtree(index, ignore_errors=True)
            print(f"built {n:,} documents in {build(index, n):.0f} s")
            adopt(index, n)
        (index / VERSIONS_FILE).unlink(missing_ok=True)
        run(index, n, folder)


if __name__ == "__main__":
    main()
