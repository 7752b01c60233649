"""The engines holding an index's documents, on the query side: one interface (`Engine`), two
engines. An index folder's documents are in its own Whoosh index (`whoosh`) or on an OpenSearch
cluster (`opensearch`, imported only for a folder that records one; see `indexer.backend`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from indexer.backend import Kind, read_backend

from ..aliases import Aliases
from ..facets import Top
from ..parse import Filters
from ..results import Hit, SearchResult, Sort, StoredDocument
from .whoosh import WhooshEngine, keep_open


class Engine(Protocol):
    """What the query layer asks of the engine holding an index's documents."""

    def search(
        self,
        text: str,
        filters: Filters | None,
        limit: int | None,
        *,
        page: int,
        sort: Sort,
        facets: Sequence[str],
        aliases: Aliases | None,
        top_values: Top,
        strict: bool,
        collapse: bool,
    ) -> SearchResult:
        """`query.search`."""
        ...

    def iter_hits(
        self, text: str, filters: Filters | None, sort: Sort, aliases: Aliases | None
    ) -> Iterator[dict[str, Any]]:
        """Every matching document's stored fields, in `sort`'s order."""
        ...

    def cited(
        self, text: str, filters: Filters | None, sort: Sort, aliases: Aliases | None
    ) -> Iterator[tuple[dict[str, Any], int | None]]:
        """Every matching document's stored fields and the page its hit cites."""
        ...

    def words(self, text: str, filters: Filters | None, aliases: Aliases | None) -> frozenset[str]:
        """The `text` field's indexed words a query matches (to mark them in a page)."""
        ...

    def document(self, key: str) -> StoredDocument:
        """A document by id, else by doc number."""
        ...

    def similar(self, key: str, limit: int, terms: int) -> SearchResult:
        """The documents most like one."""
        ...

    def among(
        self, text: str, filters: Filters, ids: Sequence[str], limit: int | None, aliases: Aliases | None
    ) -> tuple[int, tuple[Hit, ...]]:
        """How many of the documents `ids` a query matches, and the best `limit` of them."""
        ...


def engine_for(index_dir: Path) -> Engine:
    """The engine holding an index folder's documents, as the folder records it."""
    backend = read_backend(index_dir)
    if backend.kind is Kind.opensearch:
        from .opensearch import folder

        return folder(index_dir, backend)
    return WhooshEngine(index_dir)


__all__ = ["Engine", "WhooshEngine", "engine_for", "keep_open"]
