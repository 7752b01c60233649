"""The extraction cache: pages of each file, keyed by content hash and PDF engine.

Re-indexing after a change of schema or stamp rules reads pages from here instead of running
pdfminer (or OCR) again. One gzip'd JSON file per (hash, engine), written atomically.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from pathlib import Path

from .extract import Page

CACHE_FORMAT = 1


class ExtractionCache:
    """Pages by content hash, in a folder of their own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, sha256: str, engine: str) -> Path:
        return self.folder / sha256[:2] / f"{sha256}.{engine}.json.gz"

    def get(self, sha256: str, engine: str) -> list[Page] | None:
        """The cached pages, or None when absent or unreadable."""
        try:
            with gzip.open(self._path(sha256, engine), "rt", encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError, EOFError):
            return None
        if data.get("format") != CACHE_FORMAT:
            return None
        return [
            Page(p["number"], tuple(tuple((int(c), str(t)) for c, t in row) for row in p["rows"]))
            for p in data["pages"]
        ]

    def put(self, sha256: str, engine: str, pages: list[Page]) -> None:
        """Store pages; a crash mid-write leaves no partial entry."""
        path = self._path(sha256, engine)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": CACHE_FORMAT, "pages": [{"number": p.number, "rows": p.rows} for p in pages]}
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=3, mtime=0) as fh:
                fh.write(json.dumps(data, ensure_ascii=False).encode("utf-8"))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        count = sum(1 for _ in self.folder.rglob("*.json.gz")) if self.folder.exists() else 0
        shutil.rmtree(self.folder, ignore_errors=True)
        return count

    def size(self) -> tuple[int, int]:
        """(entries, bytes) in the cache."""
        files = list(self.folder.rglob("*.json.gz")) if self.folder.exists() else []
        return len(files), sum(f.stat().st_size for f in files)
