"""Searching an index: ranked hits with snippets that name their page, and whole documents, from
whichever engine holds the index's documents (see `engines`). The records are `results`'."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from indexer.errors import QueryError

from .aliases import Aliases
from .engines import engine_for, keep_open
from .facets import Top
from .parse import Filters
from .results import (
    COLLAPSE_DEPTH,
    MARK,
    Hit,
    SearchResult,
    Snippet,
    Sort,
    StoredDocument,
    cited_page,
    iso,
    label,
    printable,
)

__all__ = [
    "COLLAPSE_DEPTH",
    "MARK",
    "Hit",
    "SearchResult",
    "Snippet",
    "Sort",
    "StoredDocument",
    "cited_page",
    "get_document",
    "iso",
    "iter_hits",
    "keep_open",
    "label",
    "printable",
    "search",
    "similar",
]


def search(
    index_dir: Path,
    text: str = "",
    filters: Filters | None = None,
    limit: int | None = 10,
    *,
    page: int = 1,
    sort: Sort = Sort.relevance,
    facets: Sequence[str] = (),
    aliases: Aliases | None = None,
    top_values: Top = 20,
    strict: bool = False,
    collapse: bool = False,
) -> SearchResult:
    """Search the index at `index_dir`: page `page` of `limit` hits (`limit=None`: every hit), with
    counts of the named facets over every match (`top_values` most frequent of each: a number, all
    for None, or by facet name).

    Unless `strict`: a query with upper-case AND/OR/NOT that finds nothing is searched with them
    read as words (`SearchResult.reading`); and in relevance order, when fewer documents than the
    pages asked for hold every word, the hits go on with documents holding some of them, the most
    words first (`SearchResult.partial`), each naming the words it lacks (`Hit.missing`). With
    `strict`, the literal reading is only suggested.

    With `collapse`, one hit per group of versions (see `indexer.versions`): the best ranked
    stands for its group, with `Hit.versions` saying how many it holds."""
    if page < 1 or (limit is None and page != 1):
        raise QueryError(f"page {page} does not exist; pages start at 1 (and there is one page without a limit)")
    return engine_for(index_dir).search(
        text, filters, limit, page=page, sort=sort, facets=facets, aliases=aliases, top_values=top_values,
        strict=strict, collapse=collapse,
    )  # fmt: skip


def iter_hits(
    index_dir: Path,
    text: str = "",
    filters: Filters | None = None,
    *,
    sort: Sort = Sort.relevance,
    aliases: Aliases | None = None,
) -> Iterator[dict[str, Any]]:
    """Stored fields of every matching document (every document for an empty query), streamed in
    the chosen order (best first by default; index order for everything unsorted)."""
    yield from engine_for(index_dir).iter_hits(text, filters, sort, aliases)


def similar(index_dir: Path, key: str, limit: int = 10, terms: int = 12) -> SearchResult:
    """Documents most like one (by id or doc number): its key terms, weighted, as a query; the
    total counts every other document holding one of them."""
    return engine_for(index_dir).similar(key, limit, terms)


def get_document(index_dir: Path, key: str) -> StoredDocument:
    """A document by its id, or by its doc number when no id matches (several: an error listing
    them)."""
    return engine_for(index_dir).document(key)
