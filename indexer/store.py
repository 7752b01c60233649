"""The Whoosh index on disk: opening it safely, and writing documents file by file.

Only this module knows Whoosh's writer. The query side opens indexes through `open_index`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from whoosh import index as windex
from whoosh.index import Index, LockError
from whoosh.writing import SegmentWriter

from .documents import Document
from .errors import IncompatibleIndexError, IndexBusyError, IndexMissingError
from .schema import SCHEMA_VERSION, build_schema

META_FILE = "foia-index.json"
_INDEX_NAME = "foia"


def _meta_path(path: Path) -> Path:
    return path / META_FILE


def index_exists(path: Path) -> bool:
    return _meta_path(path).is_file() and windex.exists_in(str(path), indexname=_INDEX_NAME)


def open_index(path: Path) -> Index:
    """Open an existing index for reading or writing; clear errors when missing or incompatible."""
    if not index_exists(path):
        raise IndexMissingError(f"no index at {path}: create one with `foia index PATH --index {path}`")
    try:
        meta = json.loads(_meta_path(path).read_text())
    except (OSError, ValueError) as exc:
        raise IncompatibleIndexError(f"index at {path} has an unreadable {META_FILE}: {exc}") from exc
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        raise IncompatibleIndexError(
            f"index at {path} was made with schema version {version}; this foia-search reads version "
            f"{SCHEMA_VERSION}. Rebuild it: move it away and run `foia index` on your releases again."
        )
    return windex.open_dir(str(path), indexname=_INDEX_NAME)


def create_or_open(path: Path) -> Index:
    """Open the index at `path`, creating an empty one (and the folder) when there is none."""
    if index_exists(path):
        return open_index(path)
    if path.exists() and any(path.iterdir()):
        raise IncompatibleIndexError(f"{path} exists and is not a foia-search index; choose another --index folder")
    path.mkdir(parents=True, exist_ok=True)
    ix = windex.create_in(str(path), build_schema(), indexname=_INDEX_NAME)
    _meta_path(path).write_text(json.dumps({"schema_version": SCHEMA_VERSION}) + "\n")
    return ix


def exemption_terms(codes: tuple[str, ...]) -> str:
    """Index text for exemption codes: each code, plus the bare code of qualified ones (`B3 CIA` → `B3`)."""
    keys: dict[str, None] = {}
    for code in codes:
        keys.setdefault(code, None)
        keys.setdefault(code.split()[0], None)
    return ",".join(keys)


def _as_datetime(value: date | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)


def to_fields(doc: Document) -> dict[str, object]:
    """The Whoosh fields of one document."""
    m = doc.meta
    fields: dict[str, object] = {
        "id": doc.id,
        "source": doc.source,
        "sha256": doc.sha256,
        "first_page": doc.first_page,
        "last_page": doc.last_page,
        "case_number": doc.case_number,
        "doc_number": doc.doc_number,
        "release_date": _as_datetime(doc.release_date),
        "date": m.date,
        "sender": m.sender,
        "recipients": "\n".join(m.recipients),
        "cc": "\n".join(m.cc),
        "participants": "\n".join(m.participants),
        "subject": m.subject,
        "attachments": "\n".join(m.attachments),
        "release_status": m.release_status,
        "exemptions": exemption_terms(m.exemptions),
        "exemption_codes": list(m.exemptions),
        "classification": doc.classification,
        "classified_by": m.classified_by,
        "declassify_on": m.declassify_on,
        "bates": ",".join(doc.bates),
        "stamps": "\n".join(doc.stamps),
        "ocr_pages": list(doc.ocr_pages),
        "text": doc.text,
    }
    return {k: v for k, v in fields.items() if v not in (None, "")}


class Writer:
    """Adds and replaces the documents of files in one Whoosh write transaction."""

    def __init__(self, ix: Index) -> None:
        self._ix = ix
        self._writer = self._open()

    def _open(self) -> SegmentWriter:
        try:
            return self._ix.writer(limitmb=256)
        except LockError as exc:
            raise IndexBusyError("another `foia index` is writing to this index; wait for it to finish") from exc

    def replace_file(self, source: str, docs: list[Document]) -> None:
        """Remove what was indexed from `source` and add its new documents."""
        self._writer.delete_by_term("source", source)
        for doc in docs:
            self._writer.update_document(**to_fields(doc))

    def commit(self) -> None:
        self._writer.commit()

    def checkpoint(self) -> None:
        """Commit what was written so far and go on writing."""
        self._writer.commit()
        self._writer = self._open()

    def cancel(self) -> None:
        self._writer.cancel()


@contextmanager
def writing(ix: Index) -> Iterator[Writer]:
    """A Writer committed when the block ends normally and cancelled when it raises."""
    writer = Writer(ix)
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def indexed_version(ix: Index, source: str) -> str | None:
    """The content hash under which `source` is indexed, or None."""
    with ix.searcher() as searcher:
        number = searcher.document_number(source=source)
        return None if number is None else searcher.stored_fields(number)["sha256"]


def indexed_copy(ix: Index, sha256: str) -> str | None:
    """The source path of an indexed file with this content hash, or None."""
    with ix.searcher() as searcher:
        number = searcher.document_number(sha256=sha256)
        return None if number is None else searcher.stored_fields(number)["source"]
