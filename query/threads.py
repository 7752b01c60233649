"""Conversations on the query side: the thread a document belongs to, as a tree of messages.

The index's threads (`indexer.threads`) link documents that print one message; here each
message printed in several documents becomes one node naming every document and page that
holds it, and each node hangs under the message it answers (the one printed below it).
"""

from __future__ import annotations

import logging
import sqlite3
import textwrap
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from indexer.backend import open_documents
from indexer.threads import (
    ChainMessage,
    Occurrence,
    StoredThread,
    ThreadStore,
    UnionFind,
    refresh_store,
    refresh_threads,
)

from .search import get_document, iso

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Appearance:
    """Where a message is printed: a document (id and doc number) and the page of its header."""

    id: str
    doc_number: str | None
    page: int
    quoted: bool
    """Whether it is quoted there (below the document's own message)."""


@dataclass(frozen=True)
class ThreadMessage:
    """One message of a thread; `parent` is the index (in `Thread.messages`) of the message it
    answers, None for a first message; `depth` its depth in the tree."""

    sender: str | None
    date: str | None
    subject: str | None
    recipients: tuple[str, ...]
    cc: tuple[str, ...]
    excerpt: str
    appearances: tuple[Appearance, ...]
    parent: int | None
    depth: int


@dataclass(frozen=True)
class Thread:
    """The conversation a document belongs to: its messages depth first (oldest first among
    replies to one message), and the documents that print them."""

    id: str
    document: str
    """The document asked about."""
    documents: tuple[str, ...]
    messages: tuple[ThreadMessage, ...]


def _store(index_dir: Path) -> ThreadStore:
    """The index's threads, brought up to date with its documents first (an index made before
    threads, or changed since by another program); linked in memory when the index folder cannot
    be written."""
    documents = open_documents(index_dir)
    try:
        try:
            refresh_threads(index_dir, documents)
            return ThreadStore(index_dir)
        except (OSError, sqlite3.Error) as exc:
            log.info("cannot save the threads of %s (%s); linking them in memory", index_dir, exc)
        store = ThreadStore(None)
        refresh_store(store, documents)
        return store
    finally:
        documents.close()


def thread_ids(index_dir: Path, docs: Sequence[str]) -> dict[str, str]:
    """The thread of each of `docs` that holds a printed email."""
    if not docs:
        return {}
    with _store(index_dir) as store:
        return store.threads_of(docs)


def thread(index_dir: Path, key: str) -> Thread:
    """The thread of a document (by id or doc number; a thread id is the id of the document
    printing its oldest message). A document that prints no email is a thread of no message."""
    doc = get_document(index_dir, key).id
    with _store(index_dir) as store:
        thread_id = store.thread_of(doc)
        if thread_id is None:
            return Thread(doc, doc, (doc,), ())
        stored = store.thread(thread_id)
    return Thread(thread_id, doc, tuple(sorted(stored.documents)), tuple(_tree(stored)))


class Relation(StrEnum):
    """How two documents' printed emails relate."""

    quoted_copy = "quoted copy"
    """One's own message is printed in the other: a reply quoting it (and what it quotes), or a
    second printing of it."""
    same_thread = "same thread"
    """They share a message, neither holding all of the other's."""
    unrelated = "unrelated"
    """Different conversations (or a document printing no email)."""


def relation(index_dir: Path, a: str, b: str) -> Relation:
    """How the documents `a` and `b` (ids or doc numbers) relate through their printed emails."""
    found = thread(index_dir, a)
    other = get_document(index_dir, b).id
    if found.document == other:
        return Relation.quoted_copy
    if other not in found.documents or not found.messages:
        return Relation.unrelated
    for m in found.messages:
        own = {x.id for x in m.appearances if not x.quoted}
        printed = {x.id for x in m.appearances}
        if own & {found.document, other} and {found.document, other} <= printed:
            return Relation.quoted_copy
    return Relation.same_thread


def _tree(stored: StoredThread) -> list[ThreadMessage]:
    """The thread's messages as a tree, depth first: copies of one message merged, each under
    the message printed below it in some document (the oldest such when they differ)."""
    nodes: UnionFind[tuple[str, int]] = UnionFind()
    for doc, chain in stored.chains.items():
        for m in chain:
            nodes.find((doc, m.position))
    for a, b in stored.links:
        nodes.union(a, b)
    copies: defaultdict[Occurrence, list[Occurrence]] = defaultdict(list)
    for occurrence in sorted(nodes.parent):
        copies[nodes.find(occurrence)].append(occurrence)
    message = {node: _best(stored, members) for node, members in copies.items()}
    parents: dict[Occurrence, Occurrence] = {}
    for doc, chain in stored.chains.items():
        for m in chain[:-1]:
            child, parent = nodes.find((doc, m.position)), nodes.find((doc, m.position + 1))
            if child != parent and (child not in parents or _older(message[parent], message[parents[child]])):
                parents[child] = parent
    parents = _without_cycles(parents)
    children: defaultdict[Occurrence | None, list[Occurrence]] = defaultdict(list)
    for node in copies:
        children[parents.get(node)].append(node)
    out: list[ThreadMessage] = []

    def visit(node: Occurrence, parent: int | None, depth: int) -> None:
        m = message[node]
        where = tuple(_appearance(stored, o) for o in copies[node])
        out.append(ThreadMessage(m.sender, iso(m.date), m.subject, m.recipients, m.cc, m.excerpt, where, parent, depth))
        at = len(out) - 1
        for child in sorted(children[node], key=lambda c: _when(message[c])):
            visit(child, at, depth + 1)

    for root in sorted(children[None], key=lambda c: _when(message[c])):
        visit(root, None, 0)
    return out


def _best(stored: StoredThread, members: list[Occurrence]) -> ChainMessage:
    """The fullest printing of a message: a document's own first, then the one with most fields."""
    printed = [stored.chains[doc][position] for doc, position in members]
    return max(
        printed, key=lambda m: (m.position == 0, bool(m.sender), bool(m.date), len(m.recipients), len(m.excerpt))
    )


def _when(m: ChainMessage) -> tuple[datetime, str]:
    return (m.date or datetime.max, m.subject or "")


def _older(a: ChainMessage, b: ChainMessage) -> bool:
    return _when(a) < _when(b)


def _without_cycles(parents: dict[Occurrence, Occurrence]) -> dict[Occurrence, Occurrence]:
    """Parents with any loop broken (copies wrongly merged could make one)."""
    kept: dict[Occurrence, Occurrence] = {}
    for child, parent in parents.items():
        seen, at = {child}, parent
        while at in kept and at not in seen:
            seen.add(at)
            at = kept[at]
        if at not in seen:
            kept[child] = parent
    return kept


def _appearance(stored: StoredThread, occurrence: Occurrence) -> Appearance:
    doc, position = occurrence
    return Appearance(doc, stored.documents.get(doc), stored.chains[doc][position].page, position > 0)


# --- text -----------------------------------------------------------------------------------------

WIDTH = 80


def thread_text(found: Thread, width: int = WIDTH) -> list[str]:
    """The thread as a tree of lines at most `width` wide: for each message its date, sender and
    recipients, its subject, an excerpt, and where it is printed (doc number or id, page)."""
    if not found.messages:
        return [f"{found.document}: no printed email, so no thread"]
    docs = len(found.documents)
    lines = [_cut(f"thread {found.id}: {len(found.messages)} messages in {docs} document{'s' * (docs > 1)}", width)]
    last = _last_children(found.messages)
    for n, m in enumerate(found.messages):
        lead = _guides(found.messages, n, last)
        body = _guides(found.messages, n, last, below=True)
        who = m.sender or "(sender not printed)"
        to = f" → {'; '.join(m.recipients)}" if m.recipients else ""
        lines.append(_cut(f"{lead}{(m.date or 'no date')[:16].replace('T', ' ')}  {who}{to}", width))
        lines.append(_cut(f"{body}  Subject: {m.subject or '(none)'}", width))
        if m.excerpt:
            lines.append(_cut(f"{body}  “{m.excerpt}”", width))
        where = ", ".join(f"{a.doc_number or a.id} p.{a.page}{' (quoted)' if a.quoted else ''}" for a in m.appearances)
        indent = len(body) + 2
        wrapped = textwrap.wrap(f"in {where}", width - indent) or [""]
        lines += [body + "  " + part for part in wrapped]
    return lines


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _last_children(messages: Sequence[ThreadMessage]) -> set[int]:
    """The messages that are the last reply to their parent (or the last first message)."""
    last: dict[int | None, int] = {}
    for n, m in enumerate(messages):
        last[m.parent] = n
    return set(last.values())


def _guides(messages: Sequence[ThreadMessage], n: int, last: set[int], below: bool = False) -> str:
    """The tree's guide lines before message n's first line (or, `below`, its other lines)."""
    chain, at = [], messages[n].parent
    while at is not None:
        chain.append(at)
        at = messages[at].parent
    parts = ["   " if a in last else "│  " for a in reversed(chain[:-1])] if chain else []
    if messages[n].parent is None:
        return ""
    if below:
        return "".join(parts) + ("   " if n in last else "│  ")
    return "".join(parts) + ("└─ " if n in last else "├─ ")
