"""The versions of a record: the copies, re-releases and quoted copies grouped with a document.

Groups are made at index time (see `indexer.versions`); this module reads them with the
documents' stored fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from indexer.backend import open_documents
from indexer.versions import Group, Link, groups_of, members

from .search import get_document, label

__all__ = ["Group", "Version", "groups_of", "versions"]


@dataclass(frozen=True)
class Version:
    """One document of a group, as seen from the document asked about.

    `relation` says how it is linked to that document: `self` (it is the one asked about),
    `copy` (the same words), `version` (the same record released again, or nearly the same words),
    `quoted` (its text is quoted inside the one asked about), `quotes` (it quotes the one asked
    about), or `group` (linked only through other versions). `score` is what the link rests on
    (1.0 for a copy or a shared record number, else the estimated share of words in common)."""

    id: str
    relation: str
    score: float | None
    source: str
    first_page: int
    last_page: int
    release_date: datetime | None
    date: datetime | None
    case_number: str | None
    doc_number: str | None
    record_number: str | None
    label: str


def versions(index_dir: Path, doc_id: str) -> list[Version]:
    """Every version of a document (by id, or by a doc number one document carries), itself
    included, oldest release first (then by date sent, then id); a document without versions
    gives a list of one."""
    asked = get_document(index_dir, doc_id).id
    ids, links = members(index_dir, asked)
    direct = {_other(link, asked): link for link in links if asked in (link.a, link.b)}
    found = []
    documents = open_documents(index_dir)
    try:
        with documents.stored_reader() as fields_of:
            for key in ids:
                fields = fields_of(key)
                if fields is None:  # the index changed since the groups were made
                    continue
                relation, score = _relation(asked, key, direct.get(key))
                found.append(_version(fields, relation, score))
    finally:
        documents.close()
    return sorted(found, key=lambda v: (v.release_date or datetime.max, v.date or datetime.max, v.id))


def _other(link: Link, asked: str) -> str:
    return link.b if link.a == asked else link.a


def _relation(asked: str, key: str, link: Link | None) -> tuple[str, float | None]:
    if key == asked:
        return "self", None
    if link is None:
        return "group", None
    if link.kind == "quoted":
        return ("quoted" if link.a == key else "quotes"), link.score
    return link.kind, link.score


def _version(fields: dict[str, object], relation: str, score: float | None) -> Version:
    first = int(fields.get("first_page", 1))  # type: ignore[call-overload]
    return Version(
        id=str(fields["id"]),
        relation=relation,
        score=score,
        source=str(fields.get("source", "")),
        first_page=first,
        last_page=int(fields.get("last_page", first)),  # type: ignore[call-overload]
        release_date=fields.get("release_date"),  # type: ignore[arg-type]
        date=fields.get("date"),  # type: ignore[arg-type]
        case_number=fields.get("case_number"),  # type: ignore[arg-type]
        doc_number=fields.get("doc_number"),  # type: ignore[arg-type]
        record_number=fields.get("record_number"),  # type: ignore[arg-type]
        label=label(fields),
    )
