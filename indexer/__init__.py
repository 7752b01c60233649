"""Turn FOIA releases (PDF and text) into searchable documents in a Whoosh index.

from pathlib import Path
import indexer

report = indexer.index_paths([Path("releases/")], Path("foia-index"))
docs = indexer.read_file(Path("releases/C05739545.pdf"))
"""

from __future__ import annotations

from pathlib import Path

from .backend import Backend, Kind
from .documents import Document
from .errors import (
    EXIT_MEANINGS,
    AmbiguousDocumentError,
    BadArgumentError,
    DamagedIndexError,
    DocumentNotFoundError,
    EmptyFileError,
    ExitCode,
    ExtractionError,
    FoiaSearchError,
    IncompatibleIndexError,
    IndexBusyError,
    IndexMissingError,
    NothingToIndexError,
    QueryError,
    WatchNotFoundError,
)
from .metadata import Metadata
from .pipeline import FileFailure, IndexReport, Options, ProgressEvent, index_paths, migrate, read_release, reindex
from .sources import describe


def read_file(path: Path, ocr: str = "auto", lang: str = "eng") -> list[Document]:
    """The documents of one release file, without indexing them; pages without usable text are
    OCR'd (`ocr`: auto, always or never) when Tesseract is installed."""
    return read_release(describe(path), ocr=ocr, lang=lang)


__all__ = [
    "EXIT_MEANINGS",
    "AmbiguousDocumentError",
    "Backend",
    "BadArgumentError",
    "Document",
    "DocumentNotFoundError",
    "EmptyFileError",
    "ExitCode",
    "ExtractionError",
    "FileFailure",
    "FoiaSearchError",
    "IncompatibleIndexError",
    "IndexBusyError",
    "IndexMissingError",
    "NothingToIndexError",
    "DamagedIndexError",
    "Options",
    "ProgressEvent",
    "reindex",
    "IndexReport",
    "Kind",
    "Metadata",
    "QueryError",
    "WatchNotFoundError",
    "index_paths",
    "migrate",
    "read_file",
]
