"""What a search gives, whichever engine ran it: hits with snippets that name their page, a page
of hits with facet counts, stored documents; and how lists show them."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from indexer.errors import AmbiguousDocumentError, BadArgumentError
from indexer.titles import first_line

from .facets import FacetCount

MARK = "**"
"""What surrounds a matched word in a snippet: `the **embassy** in Tripoli`."""


@dataclass(frozen=True)
class Snippet:
    """A highlighted passage and the page it is on."""

    page: int
    text: str
    score: float = field(default=0.0, compare=False)
    """How well it matches: Whoosh's passage score (its matches, times how many distinct words)."""


@dataclass(frozen=True)
class Hit:
    """One ranked result."""

    id: str
    score: float | None
    source: str
    first_page: int
    last_page: int
    case_number: str | None
    doc_number: str | None
    date: datetime | None
    sender: str | None
    subject: str | None
    page: int
    snippets: tuple[Snippet, ...]
    agency: str | None = None
    release_date: datetime | None = None
    title: str | None = None
    label: str = ""
    """What lists show for the hit: its title, else the first line of its text with words in
    it, else its file name (never empty)."""
    missing: tuple[str, ...] = ()
    """The query's words the document lacks: empty for a document holding every word."""
    citation: str = ""
    """A footnote-ready reference to the hit's page (see `citations`)."""
    recipients: tuple[str, ...] = ()
    release_status: str | None = None
    exemptions: tuple[str, ...] = ()
    group: str = ""
    """The group of copies, versions and quoted copies the document belongs to ("" alone)."""
    versions: int = 1
    """How many documents its group holds (1: it has no other version)."""


class Sort(StrEnum):
    """Orders of hits: best first, oldest first, newest first, by doc number."""

    relevance = "relevance"
    date = "date"
    newest = "newest"
    doc = "doc"


@dataclass(frozen=True)
class SearchResult:
    """One page of hits, how many documents matched in all, facet counts over all of them, and a
    corrected query when nothing matched and the index vocabulary suggests one."""

    total: int
    hits: tuple[Hit, ...]
    page: int = 1
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    suggestion: str | None = None
    partial: int = 0
    """How many more documents hold some of the query's words but not all; the hits after the
    `total` that hold every word are the best of them."""
    reading: str | None = None
    """The query as searched when its upper-case operator words found nothing and were read as
    words (`NOT` as `not`); None when searched as typed."""
    folded: int = 0
    """With `collapse`: hits left out as other versions of a hit shown (among those looked at)."""


@dataclass(frozen=True)
class StoredDocument:
    """A document as the index holds it: its fields and its pages of text."""

    fields: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.fields["id"])

    @property
    def first_page(self) -> int:
        return int(self.fields.get("first_page", 1))

    @property
    def pages(self) -> list[str]:
        return str(self.fields.get("text", "")).split("\f")

    def page(self, number: int) -> str:
        """The text of one page, by its page number in the source file."""
        index = number - self.first_page
        if not 0 <= index < len(self.pages):
            last = self.first_page + len(self.pages) - 1
            raise BadArgumentError(f"{self.id} has pages {self.first_page} to {last}, not {number}")
        return self.pages[index]


def cited_page(found: Sequence[Snippet]) -> int | None:
    """The page a hit is cited at, by search and export alike: its best snippet's (the highest
    score, the earliest of equal ones); None without a snippet (the citation then gives the
    document's pages)."""
    return max(found, key=lambda s: s.score).page if found else None


def label(fields: Any) -> str:
    """A document's title (an email's subject), else the first line of its text with words in
    it, else its file name: what lists show, never empty."""
    shown = fields.get("title") or fields.get("subject") or first_line(str(fields.get("text") or ""))
    return shown or Path(str(fields.get("source") or "")).name or str(fields.get("id", ""))


COLLAPSE_DEPTH = 4
"""With `collapse`, how many hits are looked at for each one shown (then folded by group)."""


def ambiguous(key: str, documents: Sequence[Mapping[str, Any]]) -> AmbiguousDocumentError:
    """The error for a doc number several documents carry, listing them."""
    lines = "".join(f"\n  {_listed(fields)}" for fields in documents)
    message = f"doc number {key!r} is on {len(documents)} documents; name one by its id:{lines}"
    return AmbiguousDocumentError(message, tuple(str(fields["id"]) for fields in documents))


def _listed(fields: Mapping[str, Any]) -> str:
    """A document on one line: id, file, pages, title (control characters shown as escapes)."""
    first = fields.get("first_page", 1)
    last = fields.get("last_page", first)
    pages = f"p. {first}" if first == last else f"pp. {first}-{last}"
    return printable(f"{fields['id']}  {fields.get('source', '')}  {pages}  {label(fields)}")


def printable(text: str) -> str:
    """Text safe to print on one line: line breaks, tabs and other control characters (from a
    file name or a damaged header) written as escapes (`\\n`), so they cannot break a listing."""
    return "".join(c.encode("unicode_escape").decode("ascii") if _control(c) else c for c in text)


def _control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601 text for a date, or None."""
    return value.isoformat() if value else None
