"""What an index holds and what is waiting: the answer of `foia status`."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .backend import Kind, read_backend
from .manifest import FileRecord
from .pipeline import FileFailure
from .sources import find_files
from .store import cache_of, index_exists, manifest_of, missing_index


@dataclass
class IndexStatus:
    """Files indexed, failed (and folders that cannot be read), empty (nothing to index),
    duplicates (with the file each copies), pending (new or changed) and gone, the pages still
    waiting for OCR (path and count), and the cache's size."""

    indexed: int = 0
    documents: int = 0
    pages: int = 0
    duplicates: list[FileFailure] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    empty: list[FileFailure] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    ocr_waiting: list[tuple[str, int]] = field(default_factory=list)
    cache_entries: int = 0
    cache_bytes: int = 0
    backend: str = "whoosh"
    """Where the documents live: whoosh (in the folder) or opensearch (see `backend_at`)."""
    backend_at: str | None = None
    """For documents on a cluster: its index's name and URL."""


def index_status(index_dir: Path, paths: Iterable[Path] = ()) -> IndexStatus:
    """The status of the index at `index_dir`; `paths` are checked for files not yet indexed
    (and for entries that cannot be read, listed as failed). A failure recorded for a file that
    is gone since is listed as gone."""
    if not index_exists(index_dir):
        raise missing_index(index_dir)
    backend = read_backend(index_dir)
    status = IndexStatus(backend=backend.kind.value)
    if backend.kind is not Kind.whoosh:
        status.backend_at = f"{backend.name} at {backend.url}"
    manifest = manifest_of(index_dir)
    try:
        known = {}
        for record in manifest.records():
            known[record.path] = record
            # a failure stays listed while its path is there, even as a link to nowhere
            there = os.path.lexists(record.path) if record.status == "failed" else Path(record.path).exists()
            if not there:
                status.gone.append(record.path)
            if record.status == "indexed":
                status.indexed += 1
                status.documents += record.documents
                status.pages += record.pages
                if record.ocr_pages:
                    status.ocr_waiting.append((record.path, record.ocr_pages))
            elif record.status == "duplicate":
                status.duplicates.append(FileFailure(record.path, record.reason))
            elif record.status == "empty":
                status.empty.append(FileFailure(record.path, record.reason))
            elif there:
                status.failed.append(FileFailure(record.path, record.reason))
        root = index_dir.resolve()
        found = find_files(paths)
        for entry in found.unreadable:
            if not entry.path.is_relative_to(root) and str(entry.path) not in known:
                status.failed.append(FileFailure(str(entry.path), entry.reason))
        for path in found.files:
            if not path.is_relative_to(root) and _pending(path, known.get(str(path))):
                status.pending.append(str(path))
    finally:
        manifest.close()
    status.cache_entries, status.cache_bytes = cache_of(index_dir).size()
    return status


def _pending(path: Path, record: FileRecord | None) -> bool:
    """Whether `path` is new, or changed since it was recorded (a failure, listed as such, is
    pending only once its file changes)."""
    try:
        stat = path.stat()
    except OSError:
        return record is None
    return record is None or (record.size, record.mtime_ns) != (stat.st_size, stat.st_mtime_ns)
