"""Reading one document page by page, with the words a search matched marked: what the reading
room's document page shows, beside each page's image.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from indexer.schema import build_schema

from .aliases import Aliases
from .engines import engine_for
from .export import DOCUMENT_FIELDS, document_record
from .fast import matched_tokens
from .parse import Filters
from .results import StoredDocument

_WITH_THE_PAGES = ("text", "stamps", "page", "provenance", "first_page", "last_page")
METADATA_FIELDS = ("title", *(k for k in DOCUMENT_FIELDS if k != "title" and k not in _WITH_THE_PAGES))
"""The fields a document's metadata panel lists, in order (the text, its pages, raw stamp lines and
per-page provenance are shown with the pages)."""


@dataclass(frozen=True)
class PageText:
    """One page of a document: its number in the source file, its text (stamps removed), the
    character spans of the words the search matched, and where the text comes from (`text
    layer`, `ocr` with the mean word confidence 0-100, or `none`: not read yet)."""

    number: int
    text: str
    marks: tuple[tuple[int, int], ...] = ()
    source: str = "text layer"
    confidence: float | None = None


@dataclass(frozen=True)
class Reading:
    """A document's export record (without its text) and the pages asked for."""

    record: dict[str, Any]
    pages: tuple[PageText, ...]
    first_page: int
    last_page: int


def query_words(
    index_dir: Path, text: str = "", filters: Filters | None = None, aliases: Aliases | None = None
) -> frozenset[str]:
    """The indexed words of the `text` field a search matches (as its snippets mark them)."""
    if not text.strip():
        return frozenset()
    return engine_for(index_dir).words(text, filters, aliases)


def marks(text: str, words: frozenset[str]) -> tuple[tuple[int, int], ...]:
    """The character spans of `text` whose words, read as the index reads its text, are `words`."""
    if not words:
        return ()
    return tuple((t.startchar, t.endchar) for t in matched_tokens(_text_analyzer(), text, words, 0) if t.matched)


@cache
def _text_analyzer() -> Any:
    """The analyzer the index reads the `text` field with."""
    return build_schema()["text"].analyzer


def read_pages(doc: StoredDocument, words: frozenset[str], pages: Sequence[int] | None = None) -> Reading:
    """A stored document as a `Reading`, its pages' matches of `words` marked."""
    record = document_record(doc.fields)
    record.pop("text", None)
    origins = {o["page"]: o for o in record["provenance"]}
    last = doc.first_page + len(doc.pages) - 1
    numbers = list(range(doc.first_page, last + 1)) if pages is None else list(pages)
    shown = []
    for number in numbers:
        body = doc.page(number)
        origin = origins.get(number, {})
        shown.append(
            PageText(number, body, marks(body, words), origin.get("source", "text layer"), origin.get("confidence"))
        )
    return Reading(record, tuple(shown), doc.first_page, last)
