"""Searching an index: ranked hits with snippets that name their page, and whole documents.

Only this module (with `export`) knows Whoosh's searcher.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from whoosh import highlight
from whoosh.index import Index
from whoosh.searching import Hit as WhooshHit
from whoosh.searching import Searcher

from indexer.errors import DocumentNotFoundError
from indexer.store import open_index

from .parse import Filters, combine

MARK = "**"
"""What surrounds a matched word in a snippet: `the **embassy** in Tripoli`."""


@dataclass(frozen=True)
class Snippet:
    """A highlighted passage and the page it is on."""

    page: int
    text: str


@dataclass(frozen=True)
class Hit:
    """One ranked result."""

    id: str
    score: float
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


@dataclass(frozen=True)
class SearchResult:
    """Hits of one search, best first, and how many documents matched in all."""

    total: int
    hits: tuple[Hit, ...]


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
            raise DocumentNotFoundError(f"{self.id} has pages {self.first_page} to {last}, not {number}")
        return self.pages[index]


class _PageFormatter(highlight.Formatter):
    """Formats each fragment on its own and keeps where it starts, to name its page."""

    between = ""

    def __init__(self, text: str, first_page: int) -> None:
        self._full_text = text
        self._first_page = first_page

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"{MARK}{highlight.get_text(text, token, replace)}{MARK}"

    def format(self, fragments: list[Any], replace: bool = False) -> list[Snippet]:  # type: ignore[override]
        return [self._snippet(fragment, replace) for fragment in fragments]

    def _snippet(self, fragment: Any, replace: bool) -> Snippet:
        """The fragment cut to the page of its first match, with that page's number."""
        text = self._full_text
        anchor = fragment.matches[0].startchar if fragment.matches else fragment.startchar
        page_start = text.rfind("\f", 0, anchor) + 1
        page_end = text.find("\f", anchor)
        page_end = len(text) if page_end < 0 else page_end
        on_page = highlight.Fragment(
            text,
            [t for t in fragment.matches if page_start <= t.startchar and t.endchar <= page_end],
            max(fragment.startchar, page_start),
            min(fragment.endchar, page_end),
        )
        return Snippet(
            page=self._first_page + text.count("\f", 0, anchor),
            text=" ".join(self.format_fragment(on_page, replace=replace).split()),
        )


def snippets(hit: WhooshHit, top: int = 3) -> tuple[Snippet, ...]:
    """Up to `top` highlighted passages of a hit's text, each with its page number."""
    text = hit.get("text", "")
    if not text:
        return ()
    formatter = _PageFormatter(text, hit.get("first_page", 1))
    highlighter = highlight.Highlighter(
        fragmenter=highlight.ContextFragmenter(maxchars=240, surround=70), formatter=formatter
    )
    found = highlighter.highlight_hit(hit, "text", text=text, top=top)
    return tuple(found) if isinstance(found, list) else ()


def _hit(hit: WhooshHit) -> Hit:
    found = snippets(hit)
    first = hit.get("first_page", 1)
    return Hit(
        id=hit["id"],
        score=round(float(hit.score or 0.0), 4),
        source=hit.get("source", ""),
        first_page=first,
        last_page=hit.get("last_page", first),
        case_number=hit.get("case_number"),
        doc_number=hit.get("doc_number"),
        date=hit.get("date"),
        sender=hit.get("sender"),
        subject=hit.get("subject"),
        page=found[0].page if found else first,
        snippets=found,
    )


@contextmanager
def opened(index_dir: Path) -> Iterator[tuple[Index, Searcher]]:
    """An index and a searcher over it, closed at the end of the block."""
    ix = open_index(index_dir)
    searcher = ix.searcher()
    try:
        yield ix, searcher
    finally:
        searcher.close()
        ix.close()


def search(index_dir: Path, text: str = "", filters: Filters | None = None, limit: int | None = 10) -> SearchResult:
    """Search the index at `index_dir`; `limit=None` returns every hit."""
    with opened(index_dir) as (ix, searcher):
        q = combine(text, filters or Filters(), ix.schema)
        results = searcher.search(q, limit=limit, terms=True)
        return SearchResult(total=len(results), hits=tuple(_hit(h) for h in results))


def iter_hits(index_dir: Path, text: str = "", filters: Filters | None = None) -> Iterator[dict[str, Any]]:
    """Stored fields of every matching document (every document for an empty query), best first."""
    with opened(index_dir) as (ix, searcher):
        q = combine(text, filters or Filters(), ix.schema)
        if not text and filters in (None, Filters()):
            yield from searcher.all_stored_fields()
            return
        for hit in searcher.search(q, limit=None):
            yield hit.fields()


def get_document(index_dir: Path, key: str) -> StoredDocument:
    """A document by its id, or by its doc number when no id matches."""
    with opened(index_dir) as (_, searcher):
        fields = searcher.document(id=key) or searcher.document(doc_number=key.strip().lower())
    if not fields:
        raise DocumentNotFoundError(f"no document with id or doc number {key!r}")
    return StoredDocument(fields)


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601 text for a date, or None."""
    return value.isoformat() if value else None
