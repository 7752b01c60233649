"""Versions and near-duplicates: documents whose bodies are the same or nearly the same, grouped.

Agencies release one record again and again (a JFK record in the 2018, 2022 and 2025 releases;
an email produced to Congress, then to the public), and a reply quotes the emails before it.
Each document's body is reduced to word shingles (lower case, accents folded, release marks,
digits and OCR debris dropped; stamps are already gone) and signed with a MinHash (datasketch).
Candidates come from locality-sensitive hashing (bands of the signature), from a shared body
digest and from a shared identifier; each candidate pair is then compared on its exact shingles:

- the same record: the same words, a shared identifier (record number, doc number, or a file
  named by an identifier) in another file, the same message printed again (the same time sent,
  at least SAME_MESSAGE alike), or bodies at least NEAR alike (Jaccard) that are not two
  messages sent at different times. It is a `copy` within one release (same case and release
  date) and a `version` across releases; a shared identifier always makes a `version`;
- `quoted`: at least CONTAINED of one body inside another sent later (or, without dates, at
  least LARGER times its size): an email quoted or forwarded in a later one.

The signatures, bands, links and groups live in an SQLite file in the index folder, so adding
documents looks up only their own bands and nothing is recomputed for the rest of the corpus. A
group is a connected set of linked documents; each document knows its group (`docs.grp`, None
when it stands alone). `update_versions` brings the file in line with the index after each run:
documents gone are unlinked, new ones signed and linked, and only the groups they touch are
recomputed.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .schema import fold_accents

if TYPE_CHECKING:
    import numpy as np

    from .backend import DocumentStore

log = logging.getLogger(__name__)

VERSIONS_FILE = "versions.sqlite"
NUM_PERM = 120
BANDS, ROWS = 40, 3
"""LSH bands: 40 bands of 3 rows make pairs with Jaccard 0.33 candidates 3 times in 4, and 0.5 always."""
SHINGLE = 3
"""Words per shingle: short enough that an OCR slip spoils few of them."""
MIN_SHINGLES = 12
"""Bodies with fewer shingles are linked only as the same words or by identifier: a few words match too much."""
NEAR = 0.8
"""Jaccard of two bodies from which they are one record (unless sent at different times)."""
SAME_MESSAGE = 0.5
"""Jaccard from which two bodies sent at the same minute are one message (OCR'd twice, differently)."""
CONTAINED = 0.8
"""Share of a body inside another from which it is a quoted copy..."""
LARGER = 1.2
"""...when the other was sent later, or, without dates, has at least this many times its shingles."""
PREFILTER = 0.1
"""Band candidates whose MinHash estimate of Jaccard is below this are not compared exactly."""

_WORD = re.compile(r"[^\W\d_]{2,}")
_LETTERS = re.compile(r"[^\W\d_]+")
_VOWEL = re.compile(r"[aeiouy]")
_REDACTION = re.compile(r"\brelease\s+in\s+(?:full|part)\b|\b(?:redacted|unclassified)\b", re.IGNORECASE)
"""Release marks that differ between releases of one record (exemption codes such as `B6`,
`(b)(7)(C)` and `1.4(D)` have no word of two letters and go with the digits)."""
_NAMED = re.compile(r"\d{5}")
"""A file whose name holds a run of five digits or more is named by an identifier."""


def words(text: str) -> list[str]:
    """The words of a body as compared: lower case, accents folded, release marks dropped, and
    only words of two letters or more with a vowel (OCR debris such as `rn`, `tl`, `hw` goes)."""
    found = _WORD.findall(_REDACTION.sub(" ", text.lower()))
    return [w for w in (t if t.isascii() else fold_accents(t) for t in found) if _VOWEL.search(w)]


def shingles(text: str) -> frozenset[bytes]:
    """The body's runs of SHINGLE words (the whole body when it is shorter)."""
    return _shingles(words(text))


def _shingles(tokens: list[str]) -> frozenset[bytes]:
    if len(tokens) <= SHINGLE:
        return frozenset({" ".join(tokens).encode()} if tokens else ())
    return frozenset(" ".join(tokens[i : i + SHINGLE]).encode() for i in range(len(tokens) - SHINGLE + 1))


@dataclass(frozen=True)
class Signature:
    """What grouping knows of one document."""

    id: str
    source: str
    digest: str
    """A hash of its normalized words: equal for the same words; empty for a body without words."""
    sent: str
    """When it was sent or dated, to the minute (ISO), and the first word of its sender: two
    documents with the same are one message; empty when the time is unknown."""
    release: str
    """Its case number and release date: documents with the same are of one release."""
    size: int
    """Distinct shingles."""
    hashes: np.ndarray
    """The MinHash values (uint32); empty for a body of fewer than MIN_SHINGLES shingles."""
    idents: tuple[str, ...] = ()
    """Its identifiers, each with its kind (`record:104-10001-10034`, `doc:C05739546`,
    `file:104-10001-10034#p1`)."""


def identifiers(fields: Mapping[str, object]) -> tuple[str, ...]:
    """A document's identifiers: its record number, its doc number, and its file's name (less a
    trailing `_ocr` and the like, with its first page) when that name holds a run of 5 digits."""
    found = []
    for kind, name in (("record", "record_number"), ("doc", "doc_number")):
        if value := str(fields.get(name) or "").strip().upper():
            found.append(f"{kind}:{value}")
    stem = Path(str(fields.get("source") or "")).stem.lower()
    stem = re.sub(r"[_\s-]+(?:ocr|text|txt|searchable)$", "", stem)
    if _NAMED.search(stem):
        found.append(f"file:{stem}#p{fields.get('first_page', 1)}")
    return tuple(found)


def _minute(value: object) -> str:
    return value.strftime("%Y-%m-%dT%H:%M") if isinstance(value, datetime) else ""


def _sent(fields: Mapping[str, object]) -> str:
    """`2012-10-10T19:55 schwerin`: when a document was sent, to the minute, and the first word of
    its sender (OCR garbles the rest of an address more often than not); empty without a date."""
    minute = _minute(fields.get("date"))
    sender = next(iter(_LETTERS.findall(str(fields.get("sender") or "").lower())), "") if minute else ""
    return f"{minute} {sender}".strip()


def sign(fields: Mapping[str, object], tokens: list[str] | None = None) -> Signature:
    """The signature of a document from its stored fields (`id`, `source`, `text`, `date`,
    `case_number`, `release_date`, `record_number`, `doc_number`, `first_page`); `tokens` its
    words when already read."""
    tokens = words(str(fields.get("text") or "")) if tokens is None else tokens
    grams = _shingles(tokens)
    hashes = minhash(grams) if len(grams) >= MIN_SHINGLES else hash_values(None)
    digest = hashlib.blake2b(" ".join(tokens).encode(), digest_size=12).hexdigest() if tokens else ""
    release = f"{fields.get('case_number') or ''}|{_minute(fields.get('release_date'))[:10]}"
    return Signature(
        str(fields["id"]), str(fields.get("source") or ""), digest, _sent(fields), release,
        len(grams), hashes, identifiers(fields),
    )  # fmt: skip


def hash_values(blob: bytes | None) -> np.ndarray:
    """MinHash values (uint32) from their bytes; none from None. (numpy, like datasketch, is
    imported only where signatures are handled: the query side reads groups without them.)"""
    import numpy as np

    return np.frombuffer(blob, dtype=np.uint32) if blob else np.empty(0, dtype=np.uint32)


def minhash(grams: Iterable[bytes]) -> np.ndarray:
    """The MinHash values (uint32) of a set of shingles, each hashed with CRC-32 (fast, stable
    across runs), under NUM_PERM fixed permutations."""
    from datasketch import MinHash  # imported here: it brings scipy, seconds to load

    signature = MinHash(num_perm=NUM_PERM, permutations=_permutations(), scheme="affine32", hashfunc=zlib.crc32)
    signature.update_batch(list(grams))
    return signature.hashvalues.astype("uint32")  # type: ignore[no-any-return]


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32").permutations  # type: ignore[no-any-return]


def band_keys(hashes: np.ndarray) -> list[int]:
    """One 63-bit key per band of a signature (the band's number folded in)."""
    keys = []
    for band in range(BANDS):
        chunk = hashes[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8, person=band.to_bytes(2, "little")).digest()
        keys.append(int.from_bytes(digest, "little") >> 1)
    return keys


def estimate(a: Signature, b: Signature) -> float:
    """The MinHash estimate of two bodies' Jaccard (0 when either is too short to be signed)."""
    return float((a.hashes == b.hashes).mean()) if len(a.hashes) and len(b.hashes) else 0.0


def relation(a: Signature, b: Signature, shared: Callable[[], int]) -> tuple[str, float] | None:
    """How two documents are linked, and the share it rests on (Jaccard, or for `quoted` the
    share of the quoted body inside the other; for a shared identifier the MinHash estimate);
    None when they are not. `shared` counts the shingles they share (asked only when needed).
    See the module's rules."""
    one_release = a.release == b.release
    if a.digest and a.digest == b.digest:
        return ("copy" if one_release else "version"), 1.0
    if a.source != b.source and set(a.idents) & set(b.idents):
        return "version", round(estimate(a, b), 3)
    if min(a.size, b.size) < MIN_SHINGLES or _other_records(a, b):
        return None
    common = shared()
    union = a.size + b.size - common
    jaccard = common / union if union else 0.0
    apart = bool(a.sent and b.sent and a.sent != b.sent)
    same_message = bool(a.sent and a.sent == b.sent)
    if not apart and (jaccard >= NEAR or (same_message and jaccard >= SAME_MESSAGE)):
        return ("copy" if one_release else "version"), round(jaccard, 3)
    small, large = sorted((a.size, b.size))
    contained = common / small
    if contained >= CONTAINED and (apart or large >= LARGER * small):
        return "quoted", round(contained, 3)
    return None


def _other_records(a: Signature, b: Signature) -> bool:
    """Whether the two carry different record numbers: two records, whatever text they share
    (a collection's cover memo, a form)."""
    records = [{i for i in sig.idents if i.startswith("record:")} for sig in (a, b)]
    return bool(records[0] and records[1] and not records[0] & records[1])


def quoted_first(a: Signature, b: Signature) -> bool:
    """Whether `a` is the one quoted in `b`: sent earlier, else (without both times, as when one
    gives only its day, or sent the same minute) the smaller."""
    when = [sig.sent[:16] for sig in (a, b)]
    if all(when) and when[0] != when[1] and not (when[0][:10] == when[1][:10] and _day_only(*when)):
        return when[0] < when[1]
    return a.size <= b.size


def _day_only(*times: str) -> bool:
    return any(t.endswith("T00:00") for t in times)


_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS docs (
    n INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, source TEXT, digest TEXT, sent TEXT, release TEXT,
    size INTEGER, hashes BLOB, grp TEXT);
CREATE INDEX IF NOT EXISTS docs_digest ON docs (digest);
CREATE INDEX IF NOT EXISTS docs_grp ON docs (grp) WHERE grp IS NOT NULL;
CREATE TABLE IF NOT EXISTS idents (key TEXT, n INTEGER, PRIMARY KEY (key, n)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idents_n ON idents (n);
CREATE TABLE IF NOT EXISTS bands (key INTEGER, n INTEGER, PRIMARY KEY (key, n)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS links (a INTEGER, b INTEGER, kind TEXT, score REAL, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS links_b ON links (b);
"""


@functools.cache
def rules() -> str:
    """A digest of this module's source: groups made by other rules are made again."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


@dataclass(frozen=True)
class Link:
    """Two linked documents (ids): for `quoted`, `a` is the one quoted inside `b`."""

    a: str
    b: str
    kind: str
    score: float


@dataclass
class VersionsReport:
    """What `update_versions` did."""

    added: int = 0
    removed: int = 0
    links: int = 0
    groups: int = 0


Shingler = Callable[[str], frozenset[bytes]]
"""The shingles of a stored document, by id."""


class VersionStore:
    """The grouping state of an index: signatures, identifiers, LSH bands, links and groups (SQLite)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript(_TABLES)

    def close(self) -> None:
        self.db.close()

    def check_rules(self) -> bool:
        """Empty the store when it was made by other rules; True when it was kept."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'rules'").fetchone()
        if row and row[0] == rules():
            return True
        with self.db:
            for table in ("docs", "idents", "bands", "links"):
                self.db.execute(f"DELETE FROM {table}")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('rules', ?)", (rules(),))
        return False

    def ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM docs")}

    def _signatures(self, numbers: Iterable[int]) -> dict[int, Signature]:
        numbers = list(numbers)
        idents: dict[object, list[str]] = {}
        for n, key in self._select("SELECT n, key FROM idents WHERE n IN", numbers):
            idents.setdefault(n, []).append(str(key))
        found = {}
        sql = "SELECT n, id, source, digest, sent, release, size, hashes FROM docs WHERE n IN"
        for n, doc_id, source, digest, sent, release, size, blob in self._select(sql, numbers):
            hashes = hash_values(blob)  # type: ignore[arg-type]
            found[int(n)] = Signature(  # type: ignore[call-overload]
                str(doc_id), str(source), str(digest), str(sent), str(release), int(size), hashes,  # type: ignore[call-overload]
                tuple(idents.get(n, ())),
            )  # fmt: skip
        return found

    def _select(self, sql: str, values: Iterable[object]) -> Iterator[tuple[object, ...]]:
        """Rows of `sql` ending in `IN`, for the values 500 at a time."""
        chunk = list(values)
        for i in range(0, len(chunk), 500):
            part = chunk[i : i + 500]
            yield from self.db.execute(f"{sql} ({','.join('?' * len(part))})", part)

    def _select_with(self, sql: str, first: object, values: Iterable[object]) -> Iterator[tuple[object, ...]]:
        """`_select` with one more parameter before the values."""
        chunk = list(values)
        for i in range(0, len(chunk), 500):
            part = chunk[i : i + 500]
            yield from self.db.execute(f"{sql} ({','.join('?' * len(part))})", [first, *part])

    def remove(self, ids: Iterable[str]) -> set[int]:
        """Forget documents; the documents they were linked to (to regroup)."""
        rows = list(self._select("SELECT n, hashes FROM docs WHERE id IN", ids))
        gone = [int(n) for n, _ in rows]  # type: ignore[call-overload]
        neighbours = self._neighbours(gone) - set(gone)
        for n, blob in rows:
            if blob:
                keys = band_keys(hash_values(blob))  # type: ignore[arg-type]
                self.db.executemany("DELETE FROM bands WHERE key = ? AND n = ?", [(k, n) for k in keys])
        for n in gone:
            self.db.execute("DELETE FROM links WHERE a = ? OR b = ?", (n, n))
            self.db.execute("DELETE FROM idents WHERE n = ?", (n,))
            self.db.execute("DELETE FROM docs WHERE n = ?", (n,))
        return neighbours

    def _neighbours(self, numbers: Iterable[int]) -> set[int]:
        numbers = list(numbers)
        found = {int(b) for (b,) in self._select("SELECT b FROM links WHERE a IN", numbers)}  # type: ignore[call-overload]
        return found | {int(a) for (a,) in self._select("SELECT a FROM links WHERE b IN", numbers)}  # type: ignore[call-overload]

    def add(self, sig: Signature, grams: frozenset[bytes], shingles_of: Shingler) -> tuple[int, int]:
        """Store one document (`grams`: its shingles) and link it to those it copies, versions,
        quotes or is quoted in (`shingles_of` gives theirs); its number and how many links it got."""
        blob = sig.hashes.tobytes() if len(sig.hashes) else None
        cursor = self.db.execute(
            "INSERT INTO docs (id, source, digest, sent, release, size, hashes) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sig.id, sig.source, sig.digest, sig.sent, sig.release, sig.size, blob),
        )
        n = int(cursor.lastrowid or 0)
        keys = band_keys(sig.hashes) if len(sig.hashes) else []
        sure, banded = self._candidates(sig, keys)
        links = 0
        for other_n, other in self._signatures((sure | banded) - {n}).items():
            if other_n not in sure and estimate(sig, other) < PREFILTER:
                continue
            found = relation(sig, other, lambda: len(grams & shingles_of(other.id)))  # noqa: B023 - called at once
            if found is None:
                continue
            kind, score = found
            a, b = (n, other_n) if kind != "quoted" or quoted_first(sig, other) else (other_n, n)
            if kind != "quoted":
                a, b = min(a, b), max(a, b)
            self.db.execute("INSERT OR REPLACE INTO links VALUES (?, ?, ?, ?)", (a, b, kind, score))
            links += 1
        self.db.executemany("INSERT OR IGNORE INTO idents VALUES (?, ?)", [(k, n) for k in sig.idents])
        self.db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)", [(k, n) for k in keys])
        return n, links

    def _candidates(self, sig: Signature, keys: list[int]) -> tuple[set[int], set[int]]:
        """Documents with the same digest or a shared identifier; documents sharing a band."""
        sure: set[int] = set()
        if sig.digest:
            sure |= {int(n) for (n,) in self.db.execute("SELECT n FROM docs WHERE digest = ?", (sig.digest,))}
        sql = "SELECT i.n FROM idents i JOIN docs d ON d.n = i.n WHERE d.source != ? AND i.key IN"
        sure |= {int(n) for (n,) in self._select_with(sql, sig.source, sig.idents)}  # type: ignore[call-overload]
        banded = {int(n) for (n,) in self._select("SELECT DISTINCT n FROM bands WHERE key IN", keys)}  # type: ignore[call-overload]
        return sure, banded

    def regroup(self, seeds: Iterable[int]) -> int:
        """Recompute the groups holding these documents: each connected set of links gets the
        smallest id among its documents; a document left alone gets none. How many groups."""
        done: set[int] = set()
        groups = 0
        for seed in seeds:
            if seed in done:
                continue
            members, frontier = {seed}, {seed}
            while frontier:
                frontier = self._neighbours(frontier) - members
                members |= frontier
            done |= members
            ids: dict[object, object] = {n: i for n, i in self._select("SELECT n, id FROM docs WHERE n IN", members)}
            name = min(str(i) for i in ids.values()) if len(ids) > 1 else None
            groups += name is not None
            self.db.executemany("UPDATE docs SET grp = ? WHERE n = ?", [(name, n) for n in ids])
        return groups


@contextmanager
def version_store(index_dir: Path) -> Iterator[VersionStore]:
    """The index folder's version store, committed when the block ends normally."""
    with closing(VersionStore(index_dir / VERSIONS_FILE)) as store:
        with store.db:
            yield store


def update_versions(index_dir: Path, documents: DocumentStore) -> VersionsReport:
    """Bring the version store in line with the index: documents no longer indexed are forgotten,
    new ones signed (from their stored text) and linked, and the groups they touch recomputed.
    A store made by other rules, or damaged, is made again."""
    try:
        return _update(index_dir, documents)
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError as exc:
        log.warning("the versions of %s were unreadable (%s); grouping every document again", index_dir, exc)
        clear_versions(index_dir)
        return _update(index_dir, documents)


def _update(index_dir: Path, documents: DocumentStore) -> VersionsReport:
    report = VersionsReport()
    with version_store(index_dir) as store, documents.stored_reader() as fields_of:
        store.check_rules()
        live = documents.document_ids()
        known = store.ids()
        touched = store.remove(known - live)
        report.removed = len(known - live)
        shingles_of = _Shingles(fields_of)
        for doc_id in sorted(live - known):
            fields = fields_of(doc_id)
            if fields is None:
                continue
            tokens = words(str(fields.get("text") or ""))
            grams = shingles_of.keep(doc_id, _shingles(tokens))
            n, links = store.add(sign(fields, tokens), grams, shingles_of)
            touched.add(n)
            report.added += 1
            report.links += links
        report.groups = store.regroup(sorted(touched))
    return report


class _Shingles:
    """The shingles of indexed documents by id, made from their stored text; the last few kept."""

    def __init__(self, fields_of: Callable[[str], Mapping[str, object] | None], size: int = 2048) -> None:
        self.fields_of, self.size = fields_of, size
        self.cache: dict[str, frozenset[bytes]] = {}

    def __call__(self, doc_id: str) -> frozenset[bytes]:
        found = self.cache.get(doc_id)
        if found is None:
            found = self.keep(doc_id, shingles(str((self.fields_of(doc_id) or {}).get("text") or "")))
        return found

    def keep(self, doc_id: str, grams: frozenset[bytes]) -> frozenset[bytes]:
        if len(self.cache) >= self.size:
            self.cache.pop(next(iter(self.cache)))
        self.cache[doc_id] = grams
        return grams


def clear_versions(index_dir: Path) -> None:
    """Remove the version store (a rebuild makes it again)."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        (index_dir / (VERSIONS_FILE + suffix)).unlink(missing_ok=True)


@contextmanager
def _reading(index_dir: Path) -> Iterator[sqlite3.Connection | None]:
    """The store opened read-only; None when the index has none yet. A store that cannot be read
    (damaged, or busy past SQLite's wait) ends the block quietly: documents are then shown
    without their groups, and the next index run rebuilds a damaged store."""
    path = index_dir / VERSIONS_FILE
    if not path.is_file():
        yield None
        return
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2.0)) as db:
            yield db
    except sqlite3.Error as exc:
        log.warning("cannot read the versions of %s: %s", index_dir, exc)


@dataclass(frozen=True)
class Group:
    """The group a document belongs to: its name and how many documents it holds."""

    name: str
    size: int


def groups_of(index_dir: Path, ids: Iterable[str]) -> dict[str, Group]:
    """The group of each of these documents that has one (documents alone are left out)."""
    ids = list(ids)
    found: dict[str, Group] = {}
    with _reading(index_dir) as db:
        if db is None or not ids:
            return found
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            rows = db.execute(
                "SELECT d.id, d.grp, (SELECT count(*) FROM docs g WHERE g.grp = d.grp) FROM docs d "
                f"WHERE d.grp IS NOT NULL AND d.id IN ({','.join('?' * len(part))})",
                part,
            )
            found |= {str(doc_id): Group(str(name), int(size)) for doc_id, name, size in rows}
    return found


def members(index_dir: Path, doc_id: str) -> tuple[list[str], list[Link]]:
    """The documents of `doc_id`'s group (itself alone when it has none) and the links among them."""
    with _reading(index_dir) as db:
        row = db.execute("SELECT grp FROM docs WHERE id = ?", (doc_id,)).fetchone() if db else None
        if db is None or row is None or row[0] is None:
            return [doc_id], []
        numbers = dict(db.execute("SELECT n, id FROM docs WHERE grp = ?", (row[0],)))
        rows = db.execute(
            "SELECT l.a, l.b, l.kind, l.score FROM links l JOIN docs d ON d.n = l.a WHERE d.grp = ?", (row[0],)
        )
        links = [Link(numbers[a], numbers[b], kind, score) for a, b, kind, score in rows if b in numbers]
        return sorted(numbers.values()), links
    return [doc_id], []
