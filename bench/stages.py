"""Where indexing time goes: each stage of the pipeline timed alone, in one process, no profiler.

On the State release (138 PDFs, 404 pages) for each PDF engine, and on synthetic stamped text
releases (2,000 pages; the generator of `scale_rss.py`), the stages run one after the other over
all files, each timed on its own:

    pdfminer parse            pdfminer.six interpreting each page into characters (no layout)
    rows (+ftfy)              indexer.extract._pdfminer_lines (characters to lines) + layout_rows
    pdfium extract            indexer.extract.extract_pdf_pdfium (ftfy included)
    ftfy (clean_segment)      clean_segment again on every segment text: the share of the
                              extraction stage spent in it (shown apart, not added to the sum)
    text extract              indexer.extract.extract_text_file
    stamps                    indexer.stamps.strip_stamps
    documents + metadata      indexer.documents.build_documents
    cache put                 ExtractionCache.put (gzip'd JSON, in the worker)
    pickle to main            pickle.dumps + loads of the documents (the worker-to-writer hop)
    to_fields                 indexer.store.to_fields
    whoosh add_document       Writer.add_file into a fresh index (what a new file gets)
    whoosh commit             the final commit (writes the segment's postings)

The baseline printed first, measured in the same run, is pdfminer's `extract_text` on the same
PDFs, the baseline of `index_throughput.py`. There is no target: this explains the other figures.
`--quick` is accepted like in the other scripts and changes nothing (the run takes under a minute).

    .venv/bin/python bench/stages.py [--quick]
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from _common import STATE_PDF, arguments, header, require, scratch, timed, write_stamped_corpus
from pdfminer.high_level import extract_text

from indexer.cache import ExtractionCache
from indexer.documents import Document, build_documents
from indexer.extract import (
    Page,
    _pdfminer_lines,
    _pdfminer_pages,
    clean_segment,
    extract_pdf_pdfium,
    extract_text_file,
    layout_rows,
)
from indexer.sources import Source, describe
from indexer.stamps import CleanPage, strip_stamps
from indexer.store import Writer, recreate, to_fields

T = TypeVar("T")


class Stages:
    """Seconds per named stage, in the order first seen."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.shares: dict[str, float] = {}  # parts of a stage, timed again on their own

    def run(self, name: str, action: Callable[[], T]) -> T:
        started = time.perf_counter()
        result = action()
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
        return result

    def share(self, name: str, action: Callable[[], object]) -> None:
        self.shares[name] = self.shares.get(name, 0.0) + timed(action)

    def print(self, title: str, pages: int) -> None:
        total = sum(self.seconds.values())
        print(f"-- {title}: {pages} pages, stages sum {total:.2f} s = {pages / total:.0f} pages/s in one process")
        for name, seconds in self.seconds.items():
            print(f"{name:>26}: {seconds:6.2f} s {1000 * seconds / pages:6.2f} ms/page {100 * seconds / total:5.1f} %")
        for name, seconds in self.shares.items():
            print(f"{'of which ' + name:>26}: {seconds:6.2f} s {1000 * seconds / pages:6.2f} ms/page "
                  f"{100 * seconds / total:5.1f} % (part of extraction)")  # fmt: skip


def pdfminer_pages(path: Path, stages: Stages) -> list[Page]:
    layout = stages.run("pdfminer parse", lambda: list(_pdfminer_pages(path)))
    return stages.run(
        "rows (+ftfy)", lambda: [Page(n, layout_rows(_pdfminer_lines(p))) for n, p in enumerate(layout, 1)]
    )


def ftfy_share(pages: list[Page], stages: Stages) -> None:
    texts = [text for page in pages for row in page.rows for _, text in row]
    stages.share("ftfy (clean_segment)", lambda: [clean_segment(t) for t in texts])


def downstream(source: Source, pages: list[Page], stages: Stages, cache: ExtractionCache) -> list[Document]:
    """Stamps, documents, cache and the hop to the writer: what a worker does after extraction."""
    clean: list[CleanPage] = stages.run("stamps", lambda: strip_stamps(pages))
    docs = stages.run("documents + metadata", lambda: build_documents(source, clean))
    stages.run("cache put", lambda: cache.put(source.sha256, "bench", pages))
    return stages.run("pickle to main", lambda: pickle.loads(pickle.dumps(docs, pickle.HIGHEST_PROTOCOL)))


def write(files: dict[str, list[Document]], tmp: Path, stages: Stages) -> None:
    """The writer's side: fields, Whoosh documents, one final commit."""
    writer = Writer(recreate(tmp / "ix"))
    for docs in files.values():
        stages.run("to_fields", lambda: [to_fields(d) for d in docs])  # noqa: B023
        stages.run("whoosh add_document", lambda: writer.add_file(docs))  # noqa: B023
    stages.run("whoosh commit", writer.commit)


def profile(paths: list[Path], extractor: str, tmp: Path) -> tuple[Stages, int]:
    stages = Stages()
    cache = ExtractionCache(tmp / "cache")
    files: dict[str, list[Document]] = {}
    pages_total = 0
    for path in paths:
        source = describe(path)
        if extractor == "pdfminer":
            pages = pdfminer_pages(path, stages)
        elif extractor == "pdfium":
            pages = stages.run("pdfium extract", lambda: extract_pdf_pdfium(path))  # noqa: B023
        else:
            pages = stages.run("text extract", lambda: extract_text_file(path))  # noqa: B023
        ftfy_share(pages, stages)
        pages_total += len(pages)
        files[str(path)] = downstream(source, pages, stages, cache)
    write(files, tmp, stages)
    return stages, pages_total


def main() -> None:
    arguments(__doc__)
    pdfs = sorted(require(STATE_PDF).glob("*.pdf"))
    header("stages: seconds per pipeline stage, one process")
    baseline = timed(lambda: [extract_text(p) for p in pdfs])
    print(f"baseline pdfminer extract_text: {baseline:.2f} s for the {len(pdfs)} State PDFs")
    for extractor in ("pdfminer", "pdfium", "text"):
        with scratch("stages") as tmp:
            paths = pdfs
            if extractor == "text":
                write_stamped_corpus(tmp / "text", 2_000)
                paths = sorted((tmp / "text").iterdir())
            stages, pages = profile(paths, extractor, tmp)
        title = "State PDFs, " + extractor if extractor != "text" else "synthetic stamped text"
        stages.print(title, pages)
        if extractor != "text":
            print(f"{'stages sum / baseline':>26}: {sum(stages.seconds.values()) / baseline:.2f}x the baseline time")


if __name__ == "__main__":
    main()
