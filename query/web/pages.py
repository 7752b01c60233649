"""One function per page of the reading room, gathering its data from the `query` library. The
HTML page renders that data through its template; the same data is the page's JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.errors import DocumentNotFoundError, QueryError

from ..aliases import Aliases
from ..batch import BatchMode, BatchRow, batch_search, batch_terms
from ..facets import FACETS, FacetCount
from ..parse import Filters
from ..reading import PageText, query_words, read_pages
from ..search import Hit, get_document, label, search, similar
from ..versions import Version, versions
from ..watch import Watch, list_watches, new_hits
from .files import Original, original
from .state import SearchState

FACET_VALUES = 30
"""Values listed per facet (the most frequent)."""
MAX_DEPTH = 10_000
"""Hits a search page reaches at most (page times size); `export` gives every hit."""
PAGES_SHOWN = 50
"""Pages of a document shown at once; longer documents are read a window at a time."""
MAX_BARS = 120
"""Above this many months, the timeline counts by year."""


@dataclass(frozen=True)
class Bar:
    """One bar of the timeline: a month (`2011-03`) or a year, and how many matches it holds."""

    label: str
    count: int


@dataclass(frozen=True)
class Timeline:
    """Matches by month, or by year over a long span; months without a match included. `ticks`:
    the bars labelled on the axis (index of the bar, label)."""

    unit: str
    bars: tuple[Bar, ...]
    peak: int
    ticks: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class SearchPage:
    """A search page: the state its URL holds, one page of hits, every facet and the timeline."""

    state: SearchState
    total: int
    pages: int
    hits: tuple[Hit, ...]
    facets: dict[str, list[FacetCount]]
    timeline: Timeline
    suggestion: str | None = None
    partial: int = 0
    """Documents holding only some of the query's words, listed after the `total` holding all."""
    reading: str | None = None
    """The query as searched when its AND, OR, NOT found nothing as operators and were read as words."""


def search_page(index_dir: Path, state: SearchState, aliases: Aliases | None = None) -> SearchPage:
    """A page of hits for the state, counts of every facet over all matches, and the timeline."""
    if state.page * state.size > MAX_DEPTH:
        raise QueryError(f"a search page reaches the first {MAX_DEPTH:,} hits; export gives them all")
    result = search(
        index_dir, state.q, state.filters, state.size, page=state.page, sort=state.sort, facets=FACETS,
        aliases=aliases, top_values={**dict.fromkeys(FACETS, FACET_VALUES), "month": None}, collapse=True,
    )  # fmt: skip
    facets = {name: values[:FACET_VALUES] for name, values in result.facets.items()}  # the timeline: every month
    pages = max(1, -(-min(result.total + result.partial, MAX_DEPTH) // state.size))
    return SearchPage(state, result.total, pages, result.hits, facets, timeline(result.facets.get("month", [])),
                      result.suggestion, result.partial, result.reading)  # fmt: skip


def timeline(months: list[FacetCount]) -> Timeline:
    """Bars from the first month with a match to the last, or years when that is over `MAX_BARS`."""
    counts = {m.value: m.count for m in months if len(m.value) == 7}
    if not counts:
        return Timeline("month", (), 0)
    first, last = min(counts), max(counts)
    span = _months(first, last)
    if len(span) > MAX_BARS:
        years: dict[str, int] = {}
        for month, n in counts.items():
            years[month[:4]] = years.get(month[:4], 0) + n
        span = [str(y) for y in range(int(first[:4]), int(last[:4]) + 1)]
        counts = years
    bars = tuple(Bar(label, counts.get(label, 0)) for label in span)
    unit = "year" if len(span[0]) == 4 else "month"
    return Timeline(unit, bars, max(b.count for b in bars), _ticks(span, unit))


def _ticks(span: list[str], unit: str) -> tuple[tuple[int, str], ...]:
    """Axis labels: every bar of a short timeline; else each year once (at its January, or at the
    first bar when the next January is not too close for both labels), every fifth or tenth year
    when there are more than twenty."""
    if len(span) <= 12:
        return tuple(enumerate(span))
    starts = [i for i, label in enumerate(span) if unit == "year" or label.endswith("-01")]
    if not starts or starts[0] * 1000 / len(span) >= 45:
        starts.insert(0, 0)
    every = 1 if len(starts) <= 20 else 5 if len(starts) <= 100 else 10
    return tuple((i, span[i][:4]) for i in starts if int(span[i][:4]) % every == 0)


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@dataclass(frozen=True)
class PageView(PageText):
    """A page of a document with the address of its image (None when there is none to show)."""

    image: str | None = None


@dataclass(frozen=True)
class DocumentPage:
    """A document: its metadata, the pages shown (a window of a long document), its original file
    and the documents most like it; `state` is the search it was opened from (its words marked)."""

    id: str
    label: str
    record: dict[str, Any]
    first_page: int
    last_page: int
    pages: tuple[PageView, ...]
    original: Original
    similar: tuple[Hit, ...]
    state: SearchState
    versions: tuple[Version, ...] = ()
    """Its versions (copies, re-releases, quoted copies), itself included, oldest release first;
    empty when it has none."""


def window(first: int, last: int, at: int | None) -> range:
    """The pages shown of a document of pages `first` to `last`: all of them, or the window of
    `PAGES_SHOWN` holding page `at`."""
    if at is None or not first <= at <= last:
        at = first
    start = first + (at - first) // PAGES_SHOWN * PAGES_SHOWN
    return range(start, min(last, start + PAGES_SHOWN - 1) + 1)


def document_page(
    index_dir: Path, key: str, state: SearchState, at: int | None = None, aliases: Aliases | None = None
) -> DocumentPage:
    """A document by id (or doc number) with the search's words marked in the pages shown."""
    doc = get_document(index_dir, key)
    words = query_words(index_dir, state.q, state.filters, aliases)
    last = doc.first_page + len(doc.pages) - 1
    read = read_pages(doc, words, window(doc.first_page, last, at))
    file = original(doc.fields)
    pages = tuple(
        PageView(**vars(p), image=image_url(doc.id, p.number) if file.kind == "pdf" and file.problem is None else None)
        for p in read.pages
    )
    alike = similar(index_dir, doc.id, 5).hits
    found = versions(index_dir, doc.id)
    return DocumentPage(doc.id, label(doc.fields), read.record, doc.first_page, last, pages, file, alike, state,
                        tuple(found) if len(found) > 1 else ())  # fmt: skip


def image_url(doc_id: str, page: int) -> str:
    return f"/api/documents/{doc_id}/pages/{page}/image"


def page_text(index_dir: Path, key: str, number: int, state: SearchState, aliases: Aliases | None = None) -> PageView:
    """One page of a document, the search's words marked."""
    doc = get_document(index_dir, key)
    last = doc.first_page + len(doc.pages) - 1
    if not doc.first_page <= number <= last:  # no such page: not found here, as an unknown document
        raise DocumentNotFoundError(f"{doc.id} has pages {doc.first_page} to {last}, not {number}")
    words = query_words(index_dir, state.q, state.filters, aliases)
    (page,) = read_pages(doc, words, [number]).pages
    file = original(doc.fields)
    return PageView(**vars(page), image=image_url(doc.id, number) if file.kind == "pdf" and not file.problem else None)


@dataclass(frozen=True)
class WatchView:
    """A saved search, the link that runs it, and its new hits since it was last marked seen."""

    watch: Watch
    link: str
    new: int
    hits: tuple[Hit, ...]


def watches_page(index_dir: Path, aliases: Aliases | None = None, top: int = 5) -> tuple[WatchView, ...]:
    """Every saved search with its new hits (the `top` best), not marked seen."""
    watches = list_watches(index_dir)
    if not watches:
        return ()
    news = {n.name: n for n in new_hits(index_dir, mark=False, limit=top, aliases=aliases)}
    return tuple(
        WatchView(w, SearchState(w.query, w.filters).link(), news[w.name].total, news[w.name].hits)
        for w in watches
        if w.name in news  # not removed meanwhile
    )


@dataclass(frozen=True)
class BatchPage:
    """A batch search: the lines as given, how they were searched, and a row per line."""

    terms: str
    mode: BatchMode
    rows: tuple[BatchRow, ...]


def batch_page(
    index_dir: Path, terms: str, mode: BatchMode, filters: Filters | None = None, aliases: Aliases | None = None
) -> BatchPage:
    """Each line's hit count and top documents."""
    rows = batch_search(index_dir, batch_terms(terms), filters, mode=mode, aliases=aliases)
    return BatchPage(terms, mode, tuple(rows))
