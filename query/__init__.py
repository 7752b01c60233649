"""Search a foia-search index: ranked hits with page-naming snippets, facets, similar documents,
export records with citations, people (senders and recipients grouped across OCR variants),
person aliases and saved searches.

    from pathlib import Path
    import query

    result = query.search(Path("foia-index"), "benghazi", query.Filters(since="2012-09"), facets=["sender"])
    for hit in result.hits:
        print(hit.doc_number, hit.page, hit.snippets[0].text if hit.snippets else "")
    print(result.facets["sender"][:5])
"""

from __future__ import annotations

from .aliases import ALIAS_FILE, Aliases, index_aliases, load_aliases, parse_aliases
from .batch import BatchMode, BatchRow, batch_search
from .citations import citation
from .diff import Diff, DiffSide, Passage, PassageKind, compare, diff_documents
from .export import document_record, export_records, hit_record
from .facets import FACETS, FacetCount
from .parse import Filters, parse_query
from .people import Directory, find_people
from .reading import PageText, Reading, query_words, read_pages
from .search import Hit, SearchResult, Snippet, Sort, StoredDocument, get_document, iter_hits, search, similar
from .versions import Version, versions
from .watch import Watch, WatchNews, add_watch, list_watches, new_hits, remove_watch

__all__ = [
    "ALIAS_FILE",
    "Aliases",
    "BatchMode",
    "BatchRow",
    "Diff",
    "DiffSide",
    "Directory",
    "FACETS",
    "FacetCount",
    "PassageKind",
    "Filters",
    "Hit",
    "PageText",
    "Passage",
    "Reading",
    "SearchResult",
    "Snippet",
    "Sort",
    "StoredDocument",
    "Version",
    "Watch",
    "WatchNews",
    "add_watch",
    "batch_search",
    "citation",
    "compare",
    "diff_documents",
    "document_record",
    "export_records",
    "find_people",
    "get_document",
    "hit_record",
    "index_aliases",
    "iter_hits",
    "list_watches",
    "load_aliases",
    "new_hits",
    "parse_aliases",
    "parse_query",
    "query_words",
    "read_pages",
    "remove_watch",
    "search",
    "similar",
    "versions",
]
