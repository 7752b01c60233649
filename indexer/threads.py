"""Conversations: the printed emails of an index linked into threads.

A printed reply quotes the messages before it. `message_chain` reads a document's header blocks
(`emails.header_blocks`, over its lines with the colons OCR lost after labels restored) into its
chain of messages: the document's own first (position 0), then each quoted one below it, with
the page holding its header and an excerpt of its body. A block with neither date nor subject
(a memo's `From: Sid` heading) is no message.

Two messages printed in different documents are one message (`same_message`) when:

- they were sent the same minute, by the same sender (a surname, one-word name or address in
  common) or with the same subject (`subject_key`: reply and forward prefixes in several
  languages and as OCR misreads them, tags, markings, case, punctuation, look-alike letters
  gone); or by the same sender with a subject two letters off or the same text;
- their times are a minute apart (one printing rounds the other way) or whole hours apart (one
  in UTC, the other local), with one subject and the same sender or the same text; a time with
  seconds is exact;
- a date is missing or lost its time to OCR (`747 AM`): one subject, the same sender and half
  their opening words in common (quoted text); without subjects, 80% of them.

A subject alone never joins two messages: `Thank you so much` is many conversations. A thread is
every document printing a message of another's chain, transitively. `ThreadStore` keeps the
chains and the threads in the index folder (`threads.sqlite`): chains are read by the workers as
documents are indexed, those of removed documents are dropped, and each run links the stored
chains again (no document is read twice).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from .dates import parse_date
from .documents import Document
from .emails import SEPARATOR, Message, clean_subject, header_blocks, named
from .names import Kind, levenshtein, name_key, read_written

if TYPE_CHECKING:
    from .backend import DocumentStore

THREADS_FILE = "threads.sqlite"
"""The chains and threads of an index, in its folder."""

_PREFIX = re.compile(
    r"^\s*(?:(?:re|r|rif|aw|antw|antwort|sv|vs|vb|odp|ynt|res|rv|ref|réf|回复|答复|回覆"
    r"|fw|fwd|fwdd|fvv|fvic|fv|tr|wg|enc|fs|pd|doorst|转发|轉寄)\s*(?:\[\d+\]|\(\d+\))?\s*[:;：.]\s*"
    r"|\[[^\]]{1,30}\]\s*|\((?:U|SBU|C|S|TS|FOUO|U//FOUO|SBU//NF|S//NF)\)\s*|\*{2,}[^*]{1,30}\*{2,}\s*)",
    re.IGNORECASE,
)
"""One reply or forward prefix (`Re:`, `AW:`, `RV:`, `Fwd:`, `TR:`, `回复：`, OCR's `RE;`, `Fvv:`), a
tag in brackets (`[EXTERNAL]`) or a classification marking (`(SBU)`) opening a subject."""
_OCR_FOLD = str.maketrans({"1": "l", "i": "l", "|": "l", "0": "o"})
EXCERPT = 300
"""Characters of a message's body kept as its excerpt."""
BODY_WORDS = 10
"""Words a body must hold to be compared with another (a shorter one tells nothing)."""
SHORT_BODY = 6
"""Words two bodies sent by one person in one minute must hold to be compared."""
BODY_SPAN = 40
"""Words of a body's opening compared."""
SHARED_WORDS = 0.5
"""The share of their distinct opening words two printings of one body have in common at least."""
RARE_WORDS = 3
"""Longest words of a body under which a message is looked up with its sender (for copies whose
subject was lost)."""
ALONE_SHARED = 0.8
"""The same for messages without a subject, only a sender (memos open alike: `SOURCE: Sources...`)."""
ZONE_HOURS = 14
"""The most hours apart two printings of one message's time can be (time zones)."""


def subject_key(subject: str | None) -> str:
    """A subject reduced for comparison: prefixes, tags and markings gone (however many), case,
    accents kept but punctuation and spacing gone, OCR's look-alike letters (`1`, `i`, `l`) one."""
    text = " ".join((subject or "").split())
    while m := _PREFIX.match(text):
        if not m.group(0):
            break
        text = text[m.end() :]
    words = re.findall(r"\w+", text.casefold().replace("rn", "m"))
    return " ".join(words).translate(_OCR_FOLD)


@dataclass(frozen=True)
class ChainMessage:
    """One message of a document's chain: `position` 0 is the document's own, 1.. those quoted
    below it, in order; `page` is the page of the source file holding its header."""

    position: int
    sender: str | None
    date: datetime | None
    subject: str | None
    recipients: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    page: int = 1
    excerpt: str = ""

    @cached_property
    def subject_key(self) -> str:
        return subject_key(self.subject)

    @cached_property
    def body_words(self) -> frozenset[str]:
        """The distinct words of its excerpt's opening, reduced as subjects are."""
        words = re.findall(r"[^\W\d_]{3,}", self.excerpt.casefold().translate(_OCR_FOLD))
        return frozenset(words[:BODY_SPAN])

    @cached_property
    def body_key(self) -> str:
        """The first words of its body, reduced as subjects are; empty for a short body."""
        words = re.findall(r"[^\W\d_]{3,}", self.excerpt.casefold())
        return " ".join(words[:BODY_WORDS]).translate(_OCR_FOLD) if len(words) >= BODY_WORDS else ""

    @cached_property
    def senders(self) -> frozenset[str]:
        return sender_keys(self.sender)


def sender_keys(sender: str | None) -> frozenset[str]:
    """What identifies a sender across printings: the surname or one-word name, and the local
    part of each address (`H <hrod17@x.com>` gives `h` and `hrodl7`)."""
    if not sender:
        return frozenset()
    written = read_written(sender)
    keys = {a.local for a in written.addresses if len(a.local) >= 2}
    if written.kind is Kind.person:
        keys.add(name_key(written.surname))
    elif written.kind is Kind.single:
        keys.add(name_key(written.name) or written.name.casefold())
    return frozenset(k for k in keys if k)


def _same_sender(a: frozenset[str], b: frozenset[str]) -> bool:
    """Senders agree: a key in common, or a surname of four letters or more inside the other's
    address (`mills` in `millscd`). An unknown sender (redacted) agrees with anyone."""
    if not a or not b or a & b:
        return True
    return any(len(x) >= 4 and x in y for x in a for y in b) or any(len(y) >= 4 and y in x for x in a for y in b)


def _same_subject(a: str, b: str) -> bool:
    """Normalized subjects agree: equal, one missing, or one cut short where a line ended."""
    if not a or not b or a == b or _near(a, b):
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 12 and long.startswith(short)


def same_message(a: ChainMessage, b: ChainMessage) -> bool:
    """Whether two printed messages are one message (see the module's description)."""
    sa, sb, ka, kb = a.senders, b.senders, a.subject_key, b.subject_key
    one_sender, one_subject = bool(sa and sb and sa & sb), bool(ka and kb and (ka == kb or _near(ka, kb)))
    if a.date and b.date and not _day_only(a.date) and not _day_only(b.date):
        near, same_minute = _same_time(a.date, b.date)
        if same_minute:
            return _same_parts(a, b, one_sender)
        # rounded a minute the other way, or in another time zone: one subject, and the sender or the text
        return near and one_subject and (one_sender or _same_sender(sa, sb) and similar_bodies(a, b))
    if a.date and b.date and abs(a.date.date() - b.date.date()) > timedelta(days=1):
        return False
    if one_subject:
        return _same_sender(sa, sb) and similar_bodies(a, b)
    return not (ka and kb) and one_sender and similar_bodies(a, b, ALONE_SHARED)


def _same_time(a: datetime, b: datetime) -> tuple[bool, bool]:
    """(whether two printed times can be one, whether they are the same minute); a time with
    seconds is exact; another may be rounded a minute either way or be in another time zone."""
    if a.second and b.second:
        apart = abs(a - b)
        zoned = apart % timedelta(hours=1) == timedelta(0) and apart <= timedelta(hours=ZONE_HOURS)
        return zoned, apart == timedelta(0)
    apart = abs(_minute(a) - _minute(b))
    rest = apart % timedelta(hours=1)
    near = apart <= timedelta(hours=ZONE_HOURS) and (rest <= timedelta(minutes=1) or rest >= timedelta(minutes=59))
    return near, apart == timedelta(0)


def _same_parts(a: ChainMessage, b: ChainMessage, one_sender: bool) -> bool:
    """Whether two messages printed in the same minute are one (see `same_message`)."""
    sa, sb, ka, kb = a.senders, b.senders, a.subject_key, b.subject_key
    if _same_sender(sa, sb) and _same_subject(ka, kb) and bool(sa and sb or ka and kb):
        return True
    misread = bool(ka and kb) and levenshtein(ka, kb, 2) <= min(2, max(1, min(len(ka), len(kb)) // 3))
    return one_sender and (misread or similar_bodies(a, b, ALONE_SHARED, least=SHORT_BODY))  # `P013` for `PDB`


NEAR_SUBJECT = 15
"""Characters a normalized subject holds at least to be matched with a letter or two misread."""


def _near(a: str, b: str) -> bool:
    """Subjects two OCR slips apart (`libyari`, `libyan`), both long enough not to be others."""
    return min(len(a), len(b)) >= NEAR_SUBJECT and levenshtein(a, b, 2) <= 2


def _day_only(when: datetime) -> bool:
    """A date whose time OCR lost (`747 AM`), read as midnight: compared by its day only."""
    return when.time() == time()


def _minute(when: datetime) -> datetime:
    return when.replace(second=0, microsecond=0)


def similar_bodies(a: ChainMessage, b: ChainMessage, share: float = 0.0, least: int = BODY_WORDS) -> bool:
    """Whether two excerpts are one text as OCR read it twice: a share of their first words in
    common (`SHARED_WORDS` by default), each holding `least` distinct words at least."""
    wa, wb = a.body_words, b.body_words
    if min(len(wa), len(wb)) < least:
        return False
    return len(wa & wb) >= (share or SHARED_WORDS) * len(wa | wb)


def _link_keys(m: ChainMessage) -> Iterator[tuple[str, ...]]:
    """Keys under which a message's possible copies are looked up (then checked by `same_message`)."""
    if m.date:
        minute = m.date.strftime("%Y-%m-%d %H:%M")
        if m.subject_key:
            yield ("t", minute, m.subject_key[:12])
        for key in m.senders:
            yield ("s", minute, key)
        if not m.senders and not m.subject_key:
            yield ("d", minute)
    for key in m.senders:
        if m.subject_key:
            yield ("ss", key, m.subject_key)
        for word in sorted(m.body_words, key=lambda w: (-len(w), w))[:RARE_WORDS]:
            yield ("sw", key, word)
    if m.subject_key and not (m.senders and m.date):
        yield ("k", m.subject_key)
    if m.body_key:
        yield ("b", m.body_key)


# --- a document's chain -----------------------------------------------------------------------


_ATTRIBUTION = re.compile(r"^\s*>?\s*On\s.+\bwrote\s*:\s*$", re.IGNORECASE)


def message_chain(pages: Sequence[str], first_page: int = 1) -> list[ChainMessage]:
    """The messages printed in a document's pages (stamps removed, as indexed), top one first. A
    header block with neither date nor subject, even among the lines below it (`_completed`), is
    no message (a memo's `From: Sid` heading): it stays in the body of the one above."""
    lines: list[str] = []
    page_of: list[int] = []
    for n, text in enumerate(pages):
        for line in text.split("\n"):
            lines.append(line)
            page_of.append(first_page + n)
    lines = with_colons(lines)
    blocks = [b for b in map(lambda b: _completed(b, lines), header_blocks(lines)) if b.date or b.subject]
    chain = []
    for position, block in enumerate(blocks):
        stop = blocks[position + 1].line if position + 1 < len(blocks) else len(lines)
        body = " ".join(_body(lines[max(block.end, block.line + 1) : stop]))
        chain.append(
            ChainMessage(
                position=position,
                sender=block.sender if named(block.sender) else None,
                date=block.date.replace(tzinfo=None) if block.date else None,
                subject=block.subject,
                recipients=block.recipients,
                cc=block.cc,
                page=page_of[block.line] if block.line < len(page_of) else first_page,
                excerpt=" ".join(body.lstrip("> ").split())[:EXCERPT],
            )
        )
    return chain


_BARE_LABEL = re.compile(r"^(?P<label>\s*(?:From|Sent|Date|To|Cc|Subject))\s+(?=\S)(?!.*\bwrote\s*:\s*$)")
_ANY_LABEL = re.compile(r"^\s*(?:From|Sent|Date|To|Cc|Subject)\b\s*:?", re.IGNORECASE)


def with_colons(lines: list[str]) -> list[str]:
    """Lines with the colon OCR lost after a header label restored (`From H [mailto:...]`, `To
    Sullivan, Jacob`), where the line stands next to another header line (not a body's `To you`)."""
    out = list(lines)
    for i, line in enumerate(lines):
        m = _BARE_LABEL.match(line)
        if m is None:
            continue
        near = [lines[j] for j in (i - 1, i + 1) if 0 <= j < len(lines)]
        if any(_ANY_LABEL.match(other) for other in near):
            out[i] = m.group("label") + ": " + line[m.end() :]
    return out


_UNREAD_VALUE = re.compile(r"^\s*(?P<label>sent|date|subject)\b\s*[:;.]?\s*(?P<value>\S.*)$", re.IGNORECASE)
UNREAD_LINES = 4
"""Lines below a header block searched for a date or subject the header reader left unread."""


def _completed(block: Message, lines: Sequence[str]) -> Message:
    """A header block with its date or subject read from the lines just below it when its reader
    stopped before them (`Sent Friday, September 14, 2012 06:37 PM` printed without a colon)."""
    found: dict[str, object] = {}
    for line in lines[block.end : block.end + UNREAD_LINES]:
        m = _UNREAD_VALUE.match(line)
        if not line.strip() or (m is None and not re.match(r"^\s*(?:to|cc)\b", line, re.IGNORECASE)):
            break
        if m and m.group("label").lower() == "subject" and not block.subject:
            found["subject"] = clean_subject(m.group("value"))
        elif m and not block.date and (when := parse_date(m.group("value"))) is not None:
            found["date"] = when
    return replace(block, **found) if found else block  # type: ignore[arg-type]


_LIST_LABEL = re.compile(r"^\s*(?:to|cc|bcc)\s*:", re.IGNORECASE)


def _body(lines: Sequence[str]) -> Iterator[str]:
    """The lines of a message's body: header lines left unread at its top (`Sent Friday, ...`
    without its colon), separators and reply attributions left out."""
    top = True
    for line in lines:
        if not line.strip() or SEPARATOR.match(line) or _ATTRIBUTION.match(line):
            continue
        if top and (_UNREAD_VALUE.match(line) or _LIST_LABEL.match(line)):
            continue
        top = False
        yield line.strip()


# --- linking ------------------------------------------------------------------------------------


T = TypeVar("T", str, tuple[str, int])


class UnionFind(Generic[T]):
    """Disjoint sets of documents or messages."""

    def __init__(self) -> None:
        self.parent: dict[T, T] = {}

    def find(self, x: T) -> T:
        parent = self.parent.setdefault(x, x)
        if parent != x:
            parent = self.parent[x] = self.find(parent)
        return parent

    def union(self, a: T, b: T) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


Occurrence = tuple[str, int]
"""A message as printed in one document: (document id, position in its chain)."""


def copies(chains: dict[str, list[ChainMessage]]) -> list[tuple[Occurrence, Occurrence]]:
    """Pairs of messages printed in two different documents that are one message."""
    by_key: defaultdict[tuple[str, ...], list[Occurrence]] = defaultdict(list)
    for doc, chain in chains.items():
        for m in chain:
            for key in _link_keys(m):
                by_key[key].append((doc, m.position))
    found: set[tuple[Occurrence, Occurrence]] = set()
    for group in by_key.values():
        if len(group) > 1:
            found.update(_checked_pairs(group, chains))
    return sorted(found)


WINDOW = 100
"""Occurrences under one lookup key are compared, in date order, with the next WINDOW only: a
key as common as one person's `Thank you` stays linear; copies of one message are near in time."""


def _checked_pairs(
    group: list[Occurrence], chains: dict[str, list[ChainMessage]]
) -> Iterator[tuple[Occurrence, Occurrence]]:
    group = sorted(group, key=lambda o: (chains[o[0]][o[1]].date or datetime.max, o))
    for i, a in enumerate(group):
        for b in group[i + 1 : i + 1 + WINDOW]:
            if a[0] != b[0] and same_message(chains[a[0]][a[1]], chains[b[0]][b[1]]):
                yield (a, b) if a < b else (b, a)


def thread_ids(chains: dict[str, list[ChainMessage]], links: Iterable[tuple[Occurrence, Occurrence]]) -> dict[str, str]:
    """Each document with a chain, and its thread: the id of the thread's document holding its
    oldest message (the smallest id on a tie or without dates)."""
    uf: UnionFind[str] = UnionFind()
    for doc in chains:
        uf.find(doc)
    for a, b in links:
        uf.union(a[0], b[0])
    members: defaultdict[str, list[str]] = defaultdict(list)
    for doc in chains:
        members[uf.find(doc)].append(doc)
    out: dict[str, str] = {}
    for docs in members.values():
        head = min(docs, key=lambda d: (_oldest(chains[d]), d))
        out.update(dict.fromkeys(docs, head))
    return out


def _oldest(chain: list[ChainMessage]) -> datetime:
    return min((m.date for m in chain if m.date), default=datetime.max)


# --- on disk ------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    doc TEXT, position INTEGER, sender TEXT, date TEXT, subject TEXT, recipients TEXT, cc TEXT,
    page INTEGER, excerpt TEXT, PRIMARY KEY (doc, position)
);
CREATE TABLE IF NOT EXISTS documents (doc TEXT PRIMARY KEY, doc_number TEXT, thread TEXT);
CREATE INDEX IF NOT EXISTS by_thread ON documents (thread);
CREATE TABLE IF NOT EXISTS links (a_doc TEXT, a_pos INTEGER, b_doc TEXT, b_pos INTEGER);
CREATE INDEX IF NOT EXISTS links_a ON links (a_doc);
CREATE INDEX IF NOT EXISTS links_b ON links (b_doc);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
"""


_MARKS = ", ".join("?" * 9)


@functools.cache
def rules() -> str:
    """A digest of the chain and linking rules: chains read by another version are read again."""
    digest = hashlib.sha256()
    for module in (Path(__file__), Path(__file__).with_name("emails.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class StoredThread:
    """A thread as stored: its id, its documents (with doc numbers), their chains and the copies."""

    id: str
    documents: dict[str, str | None]
    chains: dict[str, list[ChainMessage]]
    links: list[tuple[Occurrence, Occurrence]]


class ThreadStore:
    """The chains and threads of one index (`threads.sqlite` in its folder)."""

    def __init__(self, index_dir: Path | None, create: bool = False) -> None:
        """The store of the index at `index_dir` (created when asked), or, for None, a store in
        memory (for an index whose folder cannot be written)."""
        path = index_dir / THREADS_FILE if index_dir is not None else None
        if path is not None and not create and not path.exists():
            raise FileNotFoundError(path)
        self._db = sqlite3.connect(path or ":memory:", timeout=30)
        if create or path is None:
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ThreadStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def state(self) -> str:
        """`rules index-content` of the index the threads were linked for ('' before any)."""
        row = self._db.execute("SELECT value FROM meta WHERE name = 'state'").fetchone()
        return str(row[0]) if row else ""

    def known(self) -> set[str]:
        """Every document whose chain is stored (with or without messages)."""
        return {row[0] for row in self._db.execute("SELECT doc FROM documents")}

    def match_rules(self) -> None:
        """Forget chains read by other rules (`rules`): they are read again."""
        row = self._db.execute("SELECT value FROM meta WHERE name = 'rules'").fetchone()
        if row is None or row[0] != rules():
            for table in ("messages", "documents", "links", "meta"):
                self._db.execute(f"DELETE FROM {table}")
            self._db.execute("INSERT INTO meta VALUES ('rules', ?)", (rules(),))

    def put(self, added: dict[str, tuple[str | None, list[ChainMessage]]]) -> None:
        """Store the chains of documents just indexed (linked by the next `update`)."""
        self.match_rules()
        for doc, (number, chain) in added.items():
            self._db.execute("INSERT OR REPLACE INTO documents VALUES (?, ?, NULL)", (doc, number))
            self._db.execute("DELETE FROM messages WHERE doc = ?", (doc,))
            self._db.executemany(f"INSERT INTO messages VALUES ({_MARKS})", [_row(doc, m) for m in chain])
        self._db.commit()

    def update(self, gone: Iterable[str], added: dict[str, tuple[str | None, list[ChainMessage]]], state: str) -> None:
        """Forget the documents gone, store the chains of those added, link every chain again."""
        db = self._db
        for doc in gone:
            db.execute("DELETE FROM messages WHERE doc = ?", (doc,))
            db.execute("DELETE FROM documents WHERE doc = ?", (doc,))
        self.put(added)
        chains = self._chains()
        links = copies(chains)
        db.execute("UPDATE documents SET thread = NULL")
        threads = thread_ids(chains, links)
        db.executemany("UPDATE documents SET thread = ? WHERE doc = ?", [(t, d) for d, t in threads.items()])
        db.execute("DELETE FROM links")
        db.executemany("INSERT INTO links VALUES (?, ?, ?, ?)", [(a[0], a[1], b[0], b[1]) for a, b in links])
        db.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)", (state,))
        db.commit()

    def chains(self) -> dict[str, list[ChainMessage]]:
        """Every stored chain, by document."""
        return self._chains()

    def _chains(self, where: str = "", args: Sequence[str] = ()) -> dict[str, list[ChainMessage]]:
        chains: defaultdict[str, list[ChainMessage]] = defaultdict(list)
        for row in self._db.execute(f"SELECT * FROM messages {where} ORDER BY doc, position", args):
            chains[row[0]].append(_message(row))
        return dict(chains)

    def thread_of(self, doc: str) -> str | None:
        row = self._db.execute("SELECT thread FROM documents WHERE doc = ?", (doc,)).fetchone()
        return row[0] if row else None

    def threads_of(self, docs: Sequence[str]) -> dict[str, str]:
        """The thread of each of `docs` that has one."""
        out: dict[str, str] = {}
        for start in range(0, len(docs), 500):
            part = list(docs[start : start + 500])
            marks = ",".join("?" * len(part))
            sql = f"SELECT doc, thread FROM documents WHERE thread IS NOT NULL AND doc IN ({marks})"
            rows = self._db.execute(sql, part)
            out.update({d: t for d, t in rows})
        return out

    def thread(self, thread_id: str) -> StoredThread:
        rows = self._db.execute("SELECT doc, doc_number FROM documents WHERE thread = ?", (thread_id,)).fetchall()
        documents = {d: n for d, n in rows}
        marks = ",".join("?" * len(documents))
        chains = self._chains(f"WHERE doc IN ({marks})", list(documents))
        links = [
            ((a, i), (b, j))
            for a, i, b, j in self._db.execute(f"SELECT * FROM links WHERE a_doc IN ({marks})", list(documents))
        ]
        return StoredThread(thread_id, documents, chains, links)


def _row(doc: str, m: ChainMessage) -> tuple[object, ...]:
    date = m.date.isoformat() if m.date else None
    return (doc, m.position, m.sender, date, m.subject, json.dumps(m.recipients), json.dumps(m.cc), m.page, m.excerpt)


def _message(row: Sequence[object]) -> ChainMessage:
    _, position, sender, date, subject, recipients, cc, page, excerpt = row
    return ChainMessage(
        position=int(position),  # type: ignore[call-overload]
        sender=sender,  # type: ignore[arg-type]
        date=datetime.fromisoformat(str(date)) if date else None,
        subject=subject,  # type: ignore[arg-type]
        recipients=tuple(json.loads(str(recipients))),
        cc=tuple(json.loads(str(cc))),
        page=int(page),  # type: ignore[call-overload]
        excerpt=str(excerpt),
    )


# --- kept in step with the index ------------------------------------------------------------------


def document_chains(docs: Iterable[Document]) -> dict[str, tuple[str | None, list[ChainMessage]]]:
    """The doc number and chain of each document, as `ThreadStore.put` takes them."""
    return {d.id: (d.doc_number, message_chain(d.pages, d.first_page)) for d in docs}


def refresh_threads(index_dir: Path, documents: DocumentStore) -> None:
    """Bring the index's threads up to date with the documents it holds: chains stored as the
    documents were indexed (`ThreadStore.put`) are kept, documents without one (an index made
    before) are read from their stored text, those gone are forgotten, and every thread is linked
    again from the stored chains. Chains read by other rules are read again."""
    with ThreadStore(index_dir, create=True) as store:
        refresh_store(store, documents)


def refresh_store(store: ThreadStore, documents: DocumentStore) -> None:
    """`refresh_threads` into an open store."""
    state = f"{rules()} {documents.content_key()}"
    if store.state() != state:
        store.match_rules()
        live, known = documents.document_ids(), store.known()
        with documents.stored_reader() as fields_of:
            found = (fields_of(key) for key in sorted(live - known))
            added = {
                str(fields["id"]): (_doc_number(fields), _chain_of(fields)) for fields in found if fields is not None
            }
        store.update(known - live, added, state)


def _doc_number(fields: dict[str, object]) -> str | None:
    number = fields.get("doc_number")
    return None if number is None else str(number)


def _chain_of(fields: dict[str, object]) -> list[ChainMessage]:
    return message_chain(str(fields.get("text") or "").split("\f"), int(str(fields.get("first_page") or 1)))


def forget_threads(index_dir: Path) -> None:
    """Delete the index's threads (a rebuild reads every chain again)."""
    (index_dir / THREADS_FILE).unlink(missing_ok=True)
