"""Search a foia-search index: ranked hits with page-naming snippets, documents, export records.

    from pathlib import Path
    import query

    result = query.search(Path("foia-index"), "benghazi", query.Filters(since="2012-09"))
    for hit in result.hits:
        print(hit.doc_number, hit.page, hit.snippets[0].text if hit.snippets else "")
"""

from __future__ import annotations

from .export import document_record, hit_record
from .parse import Filters, parse_query
from .search import Hit, SearchResult, Snippet, StoredDocument, get_document, iter_hits, search

__all__ = [
    "Filters",
    "Hit",
    "SearchResult",
    "Snippet",
    "StoredDocument",
    "document_record",
    "get_document",
    "hit_record",
    "iter_hits",
    "parse_query",
    "search",
]
