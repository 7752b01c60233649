"""The manifest: what the index knows of each file (hash, size, mtime, outcome), in SQLite.

It lets a re-run skip unchanged files by size and mtime without reading them, tells `foia
status` what is indexed and what failed and why, and lets `--prune` find files that are gone.
Rows are written after the Whoosh commit that holds their documents, so after a crash a file
is at worst indexed again (its documents replaced), never lost or duplicated.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class FileRecord:
    """What the index knows of one file."""

    path: str
    sha256: str
    size: int
    mtime_ns: int
    status: str  # "indexed" | "failed" | "empty" | "duplicate"
    reason: str = ""
    documents: int = 0
    pages: int = 0
    ocr_pages: int = 0
    engine: str = ""
    updated: float = 0.0


_COLUMNS = [f.name for f in fields(FileRecord)]
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS files (
    {", ".join(f"{c} {'TEXT PRIMARY KEY' if c == 'path' else ''}" for c in _COLUMNS)}
)
"""


class Manifest:
    """The manifest database of one index."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def get(self, path: str) -> FileRecord | None:
        row = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM files WHERE path = ?", (path,)).fetchone()
        return FileRecord(*row) if row else None

    def by_hash(self, sha256: str) -> FileRecord | None:
        """An indexed file with this content, if any."""
        row = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM files WHERE sha256 = ? AND status = 'indexed' LIMIT 1", (sha256,)
        ).fetchone()
        return FileRecord(*row) if row else None

    def records(self, status: str | None = None) -> Iterator[FileRecord]:
        query = f"SELECT {', '.join(_COLUMNS)} FROM files"
        rows = (
            self._db.execute(query + " WHERE status = ? ORDER BY path", (status,))
            if status
            else self._db.execute(query + " ORDER BY path")
        )
        for row in rows:
            yield FileRecord(*row)

    def put(self, records: Iterable[FileRecord]) -> None:
        """Insert or replace records in one transaction."""
        now = time.time()
        with self._db:
            self._db.executemany(
                f"INSERT OR REPLACE INTO files ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                [astuple(r)[:-1] + (r.updated or now,) for r in records],
            )

    def remove(self, paths: Iterable[str]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in paths])

    def counts(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT status, COUNT(*) FROM files GROUP BY status").fetchall())
