"""Indexing a batch of files: find, extract, strip stamps, read metadata, write; report."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.index import Index

from .documents import Document, build_documents
from .errors import ExtractionError
from .extract import extract
from .sources import Source, describe, iter_files
from .stamps import strip_stamps
from .store import Writer, create_or_open, indexed_copy, indexed_version, writing

log = logging.getLogger(__name__)

COMMIT_EVERY = 500
"""Files between commits: a long batch keeps what it finished if it is stopped."""


@dataclass(frozen=True)
class FileFailure:
    """A file that yielded no documents, and why, in one line."""

    path: str
    reason: str


@dataclass
class IndexReport:
    """What one `index_paths` run did."""

    files: int = 0
    indexed: int = 0
    replaced: int = 0
    documents: int = 0
    pages: int = 0
    ocr_pages: int = 0
    skipped: int = 0
    failed: list[FileFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


Progress = Callable[[Path, str], None]
"""Called once per file with its path and outcome (`indexed`, `replaced`, `skipped`, `failed`)."""


def read_release(source: Source) -> list[Document]:
    """Every document of one file, stamps removed and metadata read."""
    return build_documents(source, strip_stamps(extract(source)))


def index_paths(paths: Iterable[Path], index_dir: Path, progress: Progress | None = None) -> IndexReport:
    """Index files and folders (recursively) into the index at `index_dir`, creating it if needed.

    Unchanged files (same path, same content) and copies of indexed files are skipped; a changed
    file replaces its documents. A file that cannot be read is reported and the batch goes on.
    """
    ix = create_or_open(index_dir)
    report = IndexReport()
    index_root = index_dir.resolve()
    seen: set[str] = set()
    pending = 0
    with writing(ix) as writer:
        for path in iter_files(paths):
            if path.resolve().is_relative_to(index_root):
                continue
            report.files += 1
            outcome = _index_file(path, ix, writer, report, seen)
            if progress:
                progress(path, outcome)
            pending += outcome in ("indexed", "replaced")
            if pending >= COMMIT_EVERY:
                writer.checkpoint()
                pending = 0
    return report


def _index_file(path: Path, ix: Index, writer: Writer, report: IndexReport, seen: set[str]) -> str:
    try:
        source = describe(path)
    except OSError as exc:
        report.failed.append(FileFailure(str(path), f"cannot read file: {exc.strerror or exc}"))
        return "failed"
    previous = indexed_version(ix, str(source.path))
    if previous == source.sha256 or source.sha256 in seen or (previous is None and indexed_copy(ix, source.sha256)):
        report.skipped += 1
        return "skipped"
    seen.add(source.sha256)
    try:
        docs = read_release(source)
    except ExtractionError as exc:
        report.failed.append(FileFailure(str(source.path), str(exc)))
        return "failed"
    except Exception as exc:  # a parser bug on one file must not stop the batch
        log.debug("unexpected error on %s", source.path, exc_info=True)
        report.failed.append(FileFailure(str(source.path), f"unexpected {type(exc).__name__}: {exc}"))
        return "failed"
    writer.replace_file(str(source.path), docs)
    report.documents += len(docs)
    report.pages += sum(len(d.pages) for d in docs)
    report.ocr_pages += sum(len(d.ocr_pages) for d in docs)
    if previous is None:
        report.indexed += 1
        return "indexed"
    report.replaced += 1
    return "replaced"
