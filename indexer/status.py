"""What an index holds and what is waiting: the answer of `foia status`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .pipeline import FileFailure
from .sources import iter_files
from .store import cache_of, index_exists, manifest_of, missing_index


@dataclass
class IndexStatus:
    """Files indexed, failed, empty (nothing to index), duplicated, pending (new or changed) and
    gone, the pages still waiting for OCR (path and count), and the cache's size."""

    indexed: int = 0
    documents: int = 0
    pages: int = 0
    duplicates: int = 0
    failed: list[FileFailure] = field(default_factory=list)
    empty: list[FileFailure] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    ocr_waiting: list[tuple[str, int]] = field(default_factory=list)
    cache_entries: int = 0
    cache_bytes: int = 0


def index_status(index_dir: Path, paths: Iterable[Path] = ()) -> IndexStatus:
    """The status of the index at `index_dir`; `paths` are checked for files not yet indexed."""
    if not index_exists(index_dir):
        raise missing_index(index_dir)
    status = IndexStatus()
    manifest = manifest_of(index_dir)
    try:
        known = {}
        for record in manifest.records():
            known[record.path] = record
            if record.status == "indexed":
                status.indexed += 1
                status.documents += record.documents
                status.pages += record.pages
                if record.ocr_pages:
                    status.ocr_waiting.append((record.path, record.ocr_pages))
            elif record.status == "duplicate":
                status.duplicates += 1
            elif record.status == "empty":
                status.empty.append(FileFailure(record.path, record.reason))
            else:
                status.failed.append(FileFailure(record.path, record.reason))
            if not Path(record.path).exists():
                status.gone.append(record.path)
        root = index_dir.resolve()
        for path in iter_files(p.resolve() for p in paths):
            if path.is_relative_to(root):
                continue
            found = known.get(str(path))
            stat = path.stat()
            if found is None or (found.size, found.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
                status.pending.append(str(path))
    finally:
        manifest.close()
    status.cache_entries, status.cache_bytes = cache_of(index_dir).size()
    return status
