"""Batch search: a list of names or terms, one a line, each with its hit count and top documents
(a researcher checking a list of people against a release)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from indexer.errors import QueryError

from .aliases import Aliases
from .export import hit_record
from .parse import Filters
from .search import Hit, search

MAX_TERMS = 500
MAX_TERM_LENGTH = 200


class BatchMode(StrEnum):
    """How each line is searched: as an exact phrase in the text and title, as a person taking
    part in an email (`participant:`, every form of the person), or as a query of its own."""

    phrase = "phrase"
    person = "person"
    query = "query"


@dataclass(frozen=True)
class BatchRow:
    """One line of a batch: the query run for it, how many documents match, the best of them, or
    the error that line's query gave (the other lines still run)."""

    term: str
    query: str
    total: int
    hits: tuple[Hit, ...] = ()
    error: str | None = None


BATCH_FIELDS = ("term", "query", "total", "doc_numbers", "ids", "titles", "citations", "error")
"""Columns of a batch's CSV."""


def batch_terms(text: str) -> list[str]:
    """The lines of a pasted list: stripped, blank lines and repeats left out, checked against the
    limits (`MAX_TERMS` lines of at most `MAX_TERM_LENGTH` characters)."""
    terms = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
    if len(terms) > MAX_TERMS:
        raise QueryError(f"{len(terms)} lines; a batch takes at most {MAX_TERMS}")
    for term in terms:
        if len(term) > MAX_TERM_LENGTH:
            raise QueryError(f"a line of {len(term)} characters; the limit is {MAX_TERM_LENGTH}: {term[:40]!r}...")
    return terms


def term_query(term: str, mode: BatchMode) -> str:
    """The query string a line is searched with."""
    if mode is BatchMode.query:
        return term
    quoted = '"' + " ".join(term.replace('"', " ").split()) + '"'
    return f"participant:{quoted}" if mode is BatchMode.person else quoted


def batch_search(
    index_dir: Path,
    terms: Iterable[str],
    filters: Filters | None = None,
    *,
    mode: BatchMode = BatchMode.phrase,
    top: int = 3,
    aliases: Aliases | None = None,
) -> list[BatchRow]:
    """Each term's number of matching documents and its `top` best hits, in the order given."""
    rows = []
    for term in terms:
        text = term_query(term, mode)
        try:
            result = search(index_dir, text, filters, top, aliases=aliases)
        except QueryError as exc:
            rows.append(BatchRow(term, text, 0, error=str(exc)))
            continue
        rows.append(BatchRow(term, text, result.total, result.hits))
    return rows


def batch_record(row: BatchRow) -> dict[str, Any]:
    """A batch row as a record with `BATCH_FIELDS` (lists for the top documents)."""
    records = [hit_record(hit) for hit in row.hits]
    return {
        "term": row.term,
        "query": row.query,
        "total": row.total,
        "doc_numbers": [r["doc_number"] or "" for r in records],
        "ids": [r["id"] for r in records],
        "titles": [hit.label for hit in row.hits],
        "citations": [r["citation"] for r in records],
        "error": row.error,
    }
