"""The index folder on disk, and writing documents into its Whoosh index.

Layout of an index folder:

    foia-index.json   schema version and backend (see `backend`)
    whoosh/           the Whoosh index (an index whose documents are on OpenSearch has none)
    manifest.sqlite   what is known of each file (see `manifest`)
    cache/            extracted pages by content hash (see `cache`)
    threads.sqlite    the chains of printed emails and their threads (see `threads`)

Only this module knows Whoosh's writer: it is the Whoosh side of `backend.DocumentStore`. The
query side opens Whoosh indexes through `open_index`.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from pathlib import Path

from whoosh import index as windex
from whoosh.codec.base import Segment
from whoosh.index import Index, LockError
from whoosh.reading import IndexReader, SegmentReader
from whoosh.writing import SegmentWriter

from .backend import META_FILE, Backend, Fields, Kind, committed, meta_of, read_backend
from .cache import ExtractionCache
from .documents import Document
from .errors import (
    BadArgumentError,
    DamagedIndexError,
    FoiaSearchError,
    IncompatibleIndexError,
    IndexBusyError,
    IndexMissingError,
    foia_command,
)
from .exemptions import parent_codes
from .manifest import Manifest
from .schema import SCHEMA_VERSION, agency_of, build_schema, derived_fields

_INDEX_NAME = "foia"


def whoosh_dir(path: Path) -> Path:
    return path / "whoosh"


def cache_of(path: Path) -> ExtractionCache:
    return ExtractionCache(path / "cache")


def manifest_of(path: Path) -> Manifest:
    return Manifest(path / "manifest.sqlite")


def _meta_path(path: Path) -> Path:
    return path / META_FILE


def index_exists(path: Path) -> bool:
    return _meta_path(path).is_file()


def _check_version(path: Path) -> None:
    try:
        meta = json.loads(_meta_path(path).read_text())
    except (OSError, ValueError) as exc:
        raise DamagedIndexError(
            f"index at {path} has an unreadable {META_FILE}: {exc}; rebuild it from its extraction cache: "
            f"{foia_command('reindex', '--index', path)}"
        ) from exc
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        raise IncompatibleIndexError(
            f"index at {path} was made with schema version {version}; this foia-search reads version "
            f"{SCHEMA_VERSION}. Rebuild it from its extraction cache: {foia_command('reindex', '--index', path)}"
        )


def open_index(path: Path) -> Index:
    """Open an existing index; clear errors when it is missing, incompatible or damaged."""
    if not index_exists(path):
        raise missing_index(path)
    _check_version(path)
    if (backend := read_backend(path)).kind is not Kind.whoosh:
        raise BadArgumentError(f"the index at {path} keeps its documents in {backend.describe()}, not in Whoosh")
    try:
        return windex.open_dir(str(whoosh_dir(path)), indexname=_INDEX_NAME)
    except Exception as exc:  # Whoosh raises many kinds on damaged files
        raise DamagedIndexError(
            f"index at {path} is damaged ({type(exc).__name__}: {exc}); "
            f"rebuild it from its extraction cache: {foia_command('reindex', '--index', path)}"
        ) from exc


def missing_index(path: Path) -> FoiaSearchError:
    """Why there is no index at `path`, with the command that makes one: a new index (PATH being
    the files to index); a rebuild when the folder keeps an index's manifest; or, for a folder of
    other files, a new index in a folder of its own (DIR)."""
    if _half_made(path):
        create = foia_command("index", "PATH", "--index", path)
        return IndexMissingError(f"no index at {path}: create one with {create}")
    if (path / "manifest.sqlite").is_file():
        return DamagedIndexError(
            f"index at {path} has no {META_FILE}; rebuild it from its extraction cache: "
            f"{foia_command('reindex', '--index', path)}"
        )
    return IndexMissingError(
        f"no index at {path}: it is a folder of other files; give the folder of an index, or create one in a "
        f"new folder with {foia_command('index', 'PATH', '--index', 'DIR')}"
    )


_INDEX_ENTRIES = {"whoosh", "cache", "write.lock", "manifest.sqlite", "manifest.sqlite-wal", "manifest.sqlite-shm"}


def _half_made(path: Path) -> bool:
    """True for a folder left by a run stopped while creating an index: index parts only, no
    version file, and no file recorded (records are only written after a commit)."""
    if not path.exists():
        return True
    if any(p.name not in _INDEX_ENTRIES for p in path.iterdir()):
        return False
    if not (path / "manifest.sqlite").exists():
        return True
    manifest = manifest_of(path)
    try:
        return not manifest.counts()
    finally:
        manifest.close()


def create_or_open(path: Path) -> Index:
    """Open the index at `path`, creating an empty one (and the folder) when there is none."""
    if index_exists(path):
        return open_index(path)
    if not _half_made(path):
        raise BadArgumentError(f"{path} exists and is not a foia-search index; choose another --index folder")
    return recreate(path)


def recreate(path: Path) -> Index:
    """A new, empty Whoosh index in the folder, keeping its manifest and cache."""
    shutil.rmtree(whoosh_dir(path), ignore_errors=True)
    whoosh_dir(path).mkdir(parents=True)
    ix = windex.create_in(str(whoosh_dir(path)), build_schema(), indexname=_INDEX_NAME)
    write_meta(path, Backend())
    return ix


def write_meta(path: Path, backend: Backend) -> None:
    """Record the schema version and the backend of the index in the folder."""
    _meta_path(path).write_text(json.dumps(meta_of(backend, SCHEMA_VERSION)) + "\n")


def changed_at(path: Path) -> int:
    """When the index's documents last changed, in nanoseconds (0 without an index): its Whoosh
    folder's modification time, which every commit changes; for documents kept elsewhere, the
    manifest's, which every run writes after its commits."""
    if not index_exists(path):
        return 0
    parts = [whoosh_dir(path)]
    if read_backend(path).kind is not Kind.whoosh:
        parts = [path / "manifest.sqlite", path / "manifest.sqlite-wal"]
    return max((p.stat().st_mtime_ns for p in parts if p.exists()), default=0)


def copy_folder_state(source: Path, dest: Path) -> None:
    """Copy an index folder's manifest (a consistent copy, through SQLite) and extraction cache
    (each file hard-linked where the file system allows, else copied) into another folder."""
    with sqlite3.connect(source / "manifest.sqlite") as src, sqlite3.connect(dest / "manifest.sqlite") as out:
        src.backup(out)
    if (source / "cache").is_dir():
        shutil.copytree(source / "cache", dest / "cache", copy_function=_link_or_copy)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@contextmanager
def exclusive(path: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the index folder's write lock for a whole run (index, reindex), waiting up to `wait`
    seconds for another run to finish. The OS releases it if the process dies."""
    path.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    with (path / "write.lock").open("w") as fh:
        while True:
            try:
                # lockf, not flock: a lock that forked worker processes do not inherit
                fcntl.lockf(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    raise IndexBusyError(
                        "another foia index or reindex run is writing to this index; wait for it to finish, "
                        "or pass --wait SECONDS"
                    ) from None
                time.sleep(0.25)
        try:
            yield
        finally:
            fcntl.lockf(fh, fcntl.LOCK_UN)


def exemption_terms(codes: tuple[str, ...], details: tuple[str, ...] = ()) -> str:
    """Index text for exemption codes: each code, the broader codes it belongs to (`B7` for
    `B7(C)`), and each detail (`B3 CIA PERS/ORG`)."""
    keys: dict[str, None] = {}
    for code in codes:
        keys.setdefault(code, None)
        keys.update(dict.fromkeys(parent_codes(code)))
    keys.update(dict.fromkeys(details))
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
        "title": m.title or m.subject,
        "attachments": "\n".join(m.attachments),
        "release_status": m.release_status,
        "exemptions": exemption_terms(m.exemptions, m.exemption_details),
        "exemption_codes": list(m.exemptions),
        "exemption_details": list(m.exemption_details),
        "classification": doc.classification,
        "classified_by": m.classified_by,
        "declassify_on": m.declassify_on,
        "bates": ",".join(doc.bates),
        "stamps": "\n".join(doc.stamps),
        "ocr_pages": list(doc.ocr_pages),
        "provenance": [[o.page, o.source, o.confidence] for o in doc.origins],
        "inferred": list(doc.inferred),
        "record_number": doc.record_number,
        "record_agency": m.record_agency,
        "record_pages": m.record_pages,
        "text": doc.text,
    }
    agency = agency_of(doc.case_number, doc.stamps, doc.bates)
    people = (*([m.sender] if m.sender else []), *m.recipients, *m.cc, *m.participants)
    fields |= derived_fields(m.date, m.sender, m.recipients + m.cc, m.exemptions, agency, people)
    return {k: v for k, v in fields.items() if v not in (None, "")}


HEADER_KEYS = ("sender_key", "recipient_keys")
"""Index fields holding the people of a document's header as written (one term a person)."""
PEOPLE_KEY = "participant_keys"
"""The index field holding every person a document names (header and participants), one term each."""


def person_values(ix: Index) -> tuple[Counter[str], set[str]]:
    """Every distinct sender, recipient, Cc and participant value of the index (spaces made
    single), with the number of documents naming it; and the values that are a sender,
    recipient or Cc somewhere. Read from the vocabularies of the person key fields, not from the
    stored documents; in a segment with deletions, deleted documents are counted out."""
    counts: Counter[str] = Counter()
    headed: set[str] = set()
    reader = ix.reader()
    try:
        for leaf, _ in reader.leaf_readers():
            counts.update(dict(_live_terms(leaf, PEOPLE_KEY)))
            headed.update(value for name in HEADER_KEYS for value, _ in _live_terms(leaf, name))
    finally:
        reader.close()
    return counts, headed


def _live_terms(reader: IndexReader, name: str) -> Iterator[tuple[str, int]]:
    """(term, documents holding it) of one segment's field, deleted documents left out."""
    for text, info in reader.iter_field(name):
        value = text.decode("utf-8") if isinstance(text, bytes) else text
        n = sum(1 for _ in reader.postings(name, text).all_ids()) if reader.has_deletions() else info.doc_frequency()
        if n:
            yield value, n


def document_ids(ix: Index) -> set[str]:
    """The id of every document the index holds as last committed (deleted ones left out), read
    from the id field's vocabulary, not from the stored documents."""
    reader = ix.reader()
    try:
        return {value for leaf, _ in reader.leaf_readers() for value, _ in _live_terms(leaf, "id")}
    finally:
        reader.close()


@contextmanager
def stored_reader(ix: Index) -> Iterator[Callable[[str], dict[str, object] | None]]:
    """A lookup of stored fields by document id (None for an id the index lacks), over one
    searcher kept open for the block."""
    searcher = ix.searcher()

    def fields(key: str) -> dict[str, object] | None:
        docnum = searcher.document_number(id=key)
        return None if docnum is None else searcher.stored_fields(docnum)

    try:
        yield fields
    finally:
        searcher.close()


def content_key(ix: Index) -> str:
    """Which documents the index holds, as text: its segments and how many documents each has
    deleted. Adding, replacing or removing documents changes it; a commit that changed nothing
    does not."""
    segments = ix._segments()  # from the table of contents, without opening the segments' files
    return " ".join(sorted(f"{s.segment_id()}-{s.deleted_count()}" for s in segments))


MERGE_FACTOR = 10
"""Segments are merged ten at a time, and only with segments of about their own size."""


def merge_tiers(writer: SegmentWriter, segments: list[Segment]) -> list[Segment]:
    """Whoosh merge policy: merge the segments of a size tier (1-9, 10-99, 100-999... documents)
    once it holds MERGE_FACTOR of them, and keep the rest.

    Each document is rewritten about log10(documents) times over the life of an index and no
    commit rewrites all of it (Whoosh's default policy does, after enough equal checkpoints).
    """
    tiers: defaultdict[int, list[Segment]] = defaultdict(list)
    for segment in segments:
        tiers[_tier(segment.doc_count_all())].append(segment)
    kept: list[Segment] = []
    for tier in tiers.values():
        if len(tier) < MERGE_FACTOR:
            kept.extend(tier)
            continue
        for segment in tier:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
    return kept


def _tier(documents: int) -> int:
    tier = 0
    while documents >= MERGE_FACTOR:
        documents //= MERGE_FACTOR
        tier += 1
    return tier


class Writer:
    """Adds, replaces and removes the documents of files; commits when asked."""

    def __init__(self, ix: Index, wait: float = 0.0) -> None:
        self._ix = ix
        self._writer = self._open(wait)

    def _open(self, wait: float) -> SegmentWriter:
        try:
            return self._ix.writer(limitmb=128, timeout=wait, delay=0.25)
        except LockError as exc:
            raise IndexBusyError(
                "another foia index or reindex run is writing to this index; wait for it to finish, "
                "or pass --wait SECONDS"
            ) from exc

    def replace_file(self, source: str, docs: list[Document]) -> None:
        """Remove what was indexed from `source` and add its new documents."""
        self._writer.delete_by_term("source", source)
        for doc in docs:
            self._writer.update_document(**to_fields(doc))

    def add_file(self, docs: list[Document]) -> None:
        """Add the documents of a file the index does not hold (no lookup of old documents)."""
        for doc in docs:
            self._writer.add_document(**to_fields(doc))

    def remove_file(self, source: str) -> None:
        self._writer.delete_by_term("source", source)

    def sources(self) -> set[str]:
        """Every source path with documents in the index as last committed."""
        reader = self._writer.reader()
        try:
            return {term.decode("utf-8") for term in reader.lexicon("source")}
        finally:
            reader.close()

    def commit(self) -> None:
        """Commit and release the lock; a second call does nothing."""
        if not self._writer.is_closed:
            self._writer.commit(mergetype=merge_tiers)

    def checkpoint(self) -> None:
        """Commit what was written so far and go on writing (the lock is taken again at once)."""
        self._writer.commit(mergetype=merge_tiers)
        self._writer = self._open(wait=30.0)

    def cancel(self) -> None:
        if not self._writer.is_closed:
            self._writer.cancel()


def writing(ix: Index, wait: float = 0.0) -> AbstractContextManager[Writer]:
    """A Writer committed when the block ends normally and cancelled when it raises."""
    return committed(Writer(ix, wait))


class WhooshDocuments:
    """The documents of an index folder's Whoosh index, as `backend.DocumentStore`."""

    backend = Backend()

    def __init__(self, ix: Index) -> None:
        self.ix = ix

    def writing(self, wait: float = 0.0) -> AbstractContextManager[Writer]:
        return writing(self.ix, wait)

    def content_key(self) -> str:
        return content_key(self.ix)

    def document_ids(self) -> set[str]:
        return document_ids(self.ix)

    def stored_reader(self) -> AbstractContextManager[Fields]:
        return stored_reader(self.ix)

    def person_values(self) -> tuple[Counter[str], set[str]]:
        return person_values(self.ix)

    def close(self) -> None:
        self.ix.close()


def open_documents(path: Path, create: bool = False, fresh: bool = False) -> WhooshDocuments:
    """The Whoosh documents of an index folder: a new empty index with `fresh`, one made when
    missing with `create`, else the existing one."""
    return WhooshDocuments(recreate(path) if fresh else create_or_open(path) if create else open_index(path))
