"""Saved searches and their new hits: `foia watch add NAME QUERY`, then `foia watch new`.

Kept in `watches.sqlite` in the index folder. Every document id the index has held gets the
number of the check that first saw it (a generation); a watch remembers the generation it was
last checked at, so its new hits are its hits among documents first seen after that. Ids, not
Whoosh's document numbers, are compared, so a rebuilt index does not make old documents new.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from indexer.backend import open_documents
from indexer.errors import BadArgumentError, WatchNotFoundError, foia_command
from indexer.schema import build_schema
from indexer.store import index_exists, missing_index

from .aliases import Aliases
from .engines import engine_for
from .parse import Filters, combine
from .results import Hit

WATCH_FILE = "watches.sqlite"
_NAME = re.compile(r"[\w.-]{1,64}")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS watch (name TEXT PRIMARY KEY, query TEXT NOT NULL, filters TEXT NOT NULL,
                                  created TEXT NOT NULL, checked INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, generation INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class Watch:
    """A saved search: its name, query, filter options, and the generation it was last checked at."""

    name: str
    query: str
    filters: Filters
    created: str
    checked: int


@dataclass(frozen=True)
class WatchNews:
    """The new hits of one saved search, best first."""

    name: str
    query: str
    total: int
    hits: tuple[Hit, ...]


@contextmanager
def _db(index_dir: Path) -> Iterator[sqlite3.Connection]:
    if not index_exists(index_dir):
        raise missing_index(index_dir)
    with closing(sqlite3.connect(index_dir / WATCH_FILE, timeout=30)) as db:
        db.executescript(_SCHEMA)
        with db:
            yield db


def _watch(row: tuple[str, str, str, str, int]) -> Watch:
    name, query, filters, created, checked = row
    return Watch(name, query, Filters(**json.loads(filters)), created, checked)


def _sync(db: sqlite3.Connection, index_dir: Path) -> int:
    """Record the ids not seen before under a new generation; returns the current generation."""
    current = int(db.execute("SELECT coalesce(max(generation), 0) FROM seen").fetchone()[0])
    known = {row[0] for row in db.execute("SELECT id FROM seen")}
    documents = open_documents(index_dir)
    try:
        fresh = [(key, current + 1) for key in sorted(documents.document_ids()) if key not in known]
    finally:
        documents.close()
    if not fresh:
        return current
    db.executemany("INSERT INTO seen (id, generation) VALUES (?, ?)", fresh)
    return current + 1


def list_watches(index_dir: Path) -> list[Watch]:
    """Every saved search, by name."""
    with _db(index_dir) as db:
        return [_watch(r) for r in db.execute("SELECT name, query, filters, created, checked FROM watch ORDER BY name")]


def add_watch(index_dir: Path, name: str, query: str, filters: Filters | None = None) -> Watch:
    """Save a search; only documents indexed from now on will count as its new hits."""
    if not _NAME.fullmatch(name):
        raise BadArgumentError(f"watch name {name!r}: use 1 to 64 letters, digits, '.', '_' or '-'")
    filters = filters or Filters()
    with _db(index_dir) as db:
        combine(query, filters, build_schema())  # a bad query fails now, not at every check
        if db.execute("SELECT 1 FROM watch WHERE name = ?", (name,)).fetchone():
            remove = foia_command("watch", "remove", name, "--index", index_dir)
            raise BadArgumentError(f"a watch named {name!r} exists; remove it first with {remove}")
        generation = _sync(db, index_dir)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        db.execute(
            "INSERT INTO watch VALUES (?, ?, ?, ?, ?)",
            (name, query, json.dumps(asdict(filters)), created, generation),
        )
    return Watch(name, query, filters, created, generation)


def remove_watch(index_dir: Path, name: str) -> None:
    """Delete a saved search."""
    with _db(index_dir) as db:
        if not db.execute("DELETE FROM watch WHERE name = ?", (name,)).rowcount:
            raise _no_watch(index_dir, name)


def _no_watch(index_dir: Path, name: str) -> WatchNotFoundError:
    listing = foia_command("watch", "list", "--index", index_dir)
    return WatchNotFoundError(f"no watch named {name!r}; {listing} shows them")


def new_hits(
    index_dir: Path,
    names: list[str] | None = None,
    *,
    mark: bool = True,
    limit: int | None = None,
    aliases: Aliases | None = None,
) -> list[WatchNews]:
    """The new hits of the named saved searches (all of them by default), at most `limit` each
    (0: only count them); `mark` records them as seen, so the next call reports only later
    documents."""
    with _db(index_dir) as db:
        generation = _sync(db, index_dir)
        watches = [_watch(r) for r in db.execute("SELECT name, query, filters, created, checked FROM watch")]
        unknown = set(names or ()) - {w.name for w in watches}
        if unknown:
            raise _no_watch(index_dir, sorted(unknown)[0])
        found = []
        for watch in sorted(watches, key=lambda w: w.name):
            if names and watch.name not in names:
                continue
            ids = [row[0] for row in db.execute("SELECT id FROM seen WHERE generation > ?", (watch.checked,))]
            engine = engine_for(index_dir)
            total, hits = engine.among(watch.query, watch.filters, ids, limit, aliases) if ids else (0, ())
            found.append(WatchNews(watch.name, watch.query, total, hits))
            if mark:
                db.execute("UPDATE watch SET checked = ? WHERE name = ?", (generation, watch.name))
        return found
