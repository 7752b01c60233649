"""The Whoosh engine: searching the index inside an index folder. Hits with snippets that name
their page, exact totals next to a top-k scored a term at a time (`topk`, `fast`), documents
holding only some of the words, facets, similar documents.

Only this package knows Whoosh's searcher; the query layer reaches it through `WhooshEngine`
(see `query.engines`).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import Any

from whoosh import collectors, highlight, sorting
from whoosh import query as wq
from whoosh.index import Index
from whoosh.searching import Hit as WhooshHit
from whoosh.searching import Results, Searcher

from indexer.errors import DocumentNotFoundError, QueryError
from indexer.store import index_exists, open_index
from indexer.versions import Group, groups_of

from ... import topk
from ...aliases import Aliases
from ...citations import citation
from ...facets import FacetCount, Top, check_facets, facet_counts
from ...fast import (
    DayRange,
    allowed,
    by_segment,
    count,
    doc_set,
    matched_tokens,
    segments,
    split_dates,
    text_words,
    with_day_ranges,
)
from ...parse import Filters, Word, combine, literal_reading, loose_query
from ...people import directory
from ...results import (
    COLLAPSE_DEPTH,
    MARK,
    Hit,
    SearchResult,
    Snippet,
    Sort,
    StoredDocument,
    ambiguous,
    cited_page,
    label,
)
from ...suggest import did_you_mean

_SORTS: dict[Sort, tuple[sorting.FacetType, bool] | None] = {
    Sort.relevance: None,
    Sort.date: (sorting.FieldFacet("date"), False),
    Sort.newest: (
        sorting.MultiFacet([sorting.FieldFacet("year", reverse=True), sorting.FieldFacet("date", reverse=True)]),
        False,
    ),
    Sort.doc: (sorting.FieldFacet("doc_number"), False),
}


class _PageFormatter(highlight.Formatter):
    """Formats each fragment on its own and keeps where it starts, to name its page."""

    between = ""

    def __init__(self, text: str, first_page: int) -> None:
        self._full_text = text
        self._first_page = first_page

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"{MARK}{highlight.get_text(text, token, replace)}{MARK}"

    def snippet(self, fragment: Any, score: float) -> Snippet:
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
            text=" ".join(self.format_fragment(on_page).split()),
            score=score,
        )


_SCORER = highlight.BasicFragmentScorer()
_FRAGMENTER = highlight.ContextFragmenter(maxchars=240, surround=70, charlimit=None)  # the whole text


def snippets(hit: WhooshHit, words: frozenset[str], top: int = 3) -> tuple[Snippet, ...]:
    """The `top` best highlighted passages of a hit's text (the highest scores, the earliest of
    equal ones), in reading order, each with its page number. `words`: the words to highlight
    (see `fast.text_words`)."""
    text = hit.get("text", "")
    if not text or not words:
        return ()
    analyzer = hit.results.searcher.schema["text"].analyzer
    tokens = highlight.Highlighter._merge_matched_tokens(matched_tokens(analyzer, text, words, _FRAGMENTER.surround))
    scored = [(_SCORER(f), f) for f in _FRAGMENTER.fragment_tokens(text, tokens)]
    best = sorted((sf for sf in scored if sf[0] >= 1), key=lambda sf: (-sf[0], sf[1].startchar))[:top]
    formatter = _PageFormatter(text, hit.get("first_page", 1))
    return tuple(formatter.snippet(f, score) for score, f in sorted(best, key=lambda sf: sf[1].startchar))


def make_hit(hit: WhooshHit, scored: bool = True, words: frozenset[str] = frozenset(), bonus: float = 0.0) -> Hit:
    """A hit as a record; `scored=False` for sorted results (Whoosh's score is then the sort key);
    `words` to highlight (none: no snippets); `bonus` added to the score."""
    found = snippets(hit, words)
    first = hit.get("first_page", 1)
    page = cited_page(found)
    return Hit(
        id=hit["id"],
        score=round(float(hit.score or 0.0) + bonus, 4) if scored else None,
        source=hit.get("source", ""),
        first_page=first,
        last_page=hit.get("last_page", first),
        case_number=hit.get("case_number"),
        doc_number=hit.get("doc_number"),
        date=hit.get("date"),
        sender=hit.get("sender"),
        subject=hit.get("subject"),
        page=page or first,
        snippets=found,
        agency=hit.get("agency"),
        release_date=hit.get("release_date"),
        title=hit.get("title"),
        label=label(hit),
        citation=citation(hit.fields(), page),
        recipients=tuple(line for line in str(hit.get("recipients") or "").split("\n") if line),
        release_status=hit.get("release_status"),
        exemptions=tuple(hit.get("exemption_codes") or ()),
    )


@contextmanager
def opened(index_dir: Path, own: bool = False) -> Iterator[tuple[Index, Searcher]]:
    """An index and a searcher over it, closed at the end of the block; inside `keep_open`, this
    thread's, kept open for the next block while the index holds the same commit. `own`: a
    searcher of its own all the same (a generator, which may resume in another thread)."""
    if _KEEP_OPEN.get() and not own:
        yield _kept(index_dir)
        return
    ix = open_index(index_dir)
    searcher = ix.searcher()
    try:
        yield ix, searcher
    finally:
        searcher.close()
        ix.close()


_KEEP_OPEN: ContextVar[bool] = ContextVar("keep_open", default=False)


class _Kept(threading.local):
    def __init__(self) -> None:
        self.open: dict[Path, tuple[Index, Searcher]] = {}
        """This thread's open index and searcher of each index folder (a searcher reads its files
        through state of its own: one thread at a time)."""


_KEPT = _Kept()


@contextmanager
def keep_open() -> Iterator[None]:
    """Within the block (and the threads it hands work to, which copy its context), each thread
    keeps its index and searcher open from one search to the next: a server's request then neither
    opens the index nor reads its segments' tables again. A searcher is opened anew when the index
    has a newer commit."""
    token = _KEEP_OPEN.set(True)
    try:
        yield
    finally:
        _KEEP_OPEN.reset(token)


def _kept(index_dir: Path) -> tuple[Index, Searcher]:
    found = _KEPT.open.pop(index_dir, None)
    if found is not None:
        try:
            current = found[1].up_to_date() and index_exists(index_dir)
        except Exception:  # the index was removed or damaged: opened again below, with its error
            current = False
        if not current:
            found[1].close()
            found[0].close()
            found = None
    if found is None:
        ix = open_index(index_dir)
        found = ix, ix.searcher()
    _KEPT.open[index_dir] = found
    return found


def _order(sort: Sort) -> dict[str, Any]:
    chosen = _SORTS[sort]
    return {} if chosen is None else {"sortedby": chosen[0], "reverse": chosen[1]}


def run(searcher: Searcher, q: wq.Query, limit: int | None, **options: Any) -> Any:
    """Whoosh's search, with its own query errors (a phrase on a field without positions) as ours."""
    try:
        return searcher.search(q, limit=limit, **options)
    except wq.QueryError as exc:
        raise QueryError(str(exc)) from None


def _one_a_group(ranked: list[tuple[WhooshHit, bool]], groups: dict[str, Group]) -> list[tuple[WhooshHit, bool]]:
    """The hits less those of a group already listed: each group stands at its best ranked hit."""
    seen: set[str] = set()
    kept = []
    for hit, partly in ranked:
        key = groups[hit["id"]].name if hit["id"] in groups else hit["id"]
        if key not in seen:
            seen.add(key)
            kept.append((hit, partly))
    return kept


def _literal(
    searcher: Searcher, text: str, filters: Filters, people: Any, wanted: int | None, sort: Sort, docs: bool = False
) -> tuple[str, Found] | None:
    """The query with its operator words read as words, and what it finds; None when it has none."""
    literal = literal_reading(text)
    if literal is None:
        return None
    try:
        q = combine(literal, filters, searcher.schema, people)
    except QueryError:  # nothing left to search once the operators are words (most are stop words)
        return None
    return literal, find(searcher, q, wanted, sort, docs=docs)


@dataclass(frozen=True)
class _Partial:
    """Documents holding some of a query's words but not all: how many, the best of them (Whoosh
    hits), the indexed words to highlight, the query's words and the documents holding each (global
    numbers), the score bonus."""

    total: int
    hits: list[WhooshHit]
    highlight: frozenset[str]
    words: tuple[Word, ...]
    holders: list[set[int]]
    bonus: float


def _partial(
    searcher: Searcher, text: str, filters: Filters, people: Any, found: Found, wanted: int
) -> _Partial | None:
    """The documents matching the query's loose form (see `parse.loose_query`) but not every word:
    those holding the most words first, each number of words ranked by score; enough to fill
    `wanted` hits after the `found.total` that hold every word. None when the query has fewer than
    two words or no document holds only some."""
    loose = loose_query(text, filters, searcher.schema, people)
    if loose is None:
        return None
    holders = [{offset + d for sub, offset in segments(searcher) for d in doc_set(w.query, sub)} for w in loose.words]
    held = Counter(chain.from_iterable(holders))
    hits: list[WhooshHit] = []
    total, bonus, highlight = 0, 0.0, frozenset[str]()
    for n in range(len(loose.words) - 1, 0, -1):  # every word held: the documents `found` holds
        tier = {docnum for docnum, k in held.items() if k == n}
        more = find(searcher, loose.query, max(1, wanted - found.total - len(hits)), only=tier) if tier else None
        if more is None or more.results is None:
            continue
        total, bonus = total + more.total, more.bonus
        hits += more.results[: wanted - found.total - len(hits)]
        highlight = highlight or text_words(more.query, searcher.reader())
    return _Partial(total, hits, highlight, loose.words, holders, bonus) if total else None


def _partial_hit(hit: WhooshHit, partial: _Partial) -> Hit:
    """A document holding only some of the words, as a hit naming the words it lacks."""
    return replace(make_hit(hit, True, partial.highlight, partial.bonus), missing=_missing(partial, hit.docnum))


def _missing(partial: _Partial, docnum: int) -> tuple[str, ...]:
    """The query's words (as typed) that a document does not hold."""
    return tuple(w.text for w, docs in zip(partial.words, partial.holders, strict=True) if docnum not in docs)


@dataclass(frozen=True)
class Found:
    """What `find` found: the exact total, Whoosh's results (None when nothing matched), the query
    as run, what to add to Whoosh's scores (the date ranges applied as a filter), and the matching
    documents when `find` was asked for them and had them at no cost (each segment's own numbers,
    by the segment's first global number; None otherwise)."""

    total: int
    results: Any
    query: wq.Query
    bonus: float = 0.0
    docs: Mapping[int, Collection[int]] | None = None


def find(
    searcher: Searcher,
    q: wq.Query,
    wanted: int | None,
    sort: Sort = Sort.relevance,
    only: set[int] | None = None,
    docs: bool = False,
) -> Found:
    """The top `wanted` hits of a query (every hit for None) and the exact number of matches;
    `only`: the documents (global numbers) that may match, None for all; `docs`: keep the matching
    documents when the search reads them all anyway (for facet counts).

    Keyword queries (terms under And/Or/Not) are scored a term at a time (`topk`). Otherwise
    Whoosh skips the documents that cannot make the top hits, which makes its own count wrong, so
    the total is counted apart (see `fast.count`). Date ranges of a top-level And only add a
    constant to every score: they become a filter (a set of documents) and the constant is added
    back to the scores shown."""
    q = with_day_ranges(q)
    rest, dates = split_dates(q)
    allow = allowed(searcher, dates) if dates else None
    if only is not None:
        mine = by_segment(searcher, only)
        allow = mine if allow is None else {offset: allow[offset] & docs for offset, docs in mine.items()}
    if allow is not None and not any(allow.values()):
        return Found(0, None, q)
    bonus = sum(d.boost for d in dates) if allow is not None and rest is not None else 0.0
    if sort is Sort.relevance and wanted is not None and rest is not None:
        best = topk.top(searcher, rest, wanted, allow, docs=docs)
        if best is not None:
            results = Results(searcher, rest, best.best) if best.total else None
            return Found(best.total, results, q, bonus, best.docs)
    keep = None if allow is None or rest is None else {offset + d for offset, docs in allow.items() for d in docs}
    scored = q if keep is None else rest
    assert scored is not None
    if isinstance(scored, DayRange):
        scored.standalone = True
    if sort is Sort.relevance and wanted is not None and _walks_every_match(scored):
        # Phrases visit every candidate anyway: one walk that counts as it collects
        top = collectors.TopCollector(wanted, usequality=False, replace=0)
        results = _run_with(searcher, scored, top if keep is None else collectors.FilterCollector(top, allow=keep))
        return Found(top.total, results if top.total else None, q, bonus)
    total = count(searcher, rest, allow)
    if not total:
        return Found(0, None, q)
    return Found(total, run(searcher, scored, wanted, filter=keep, **_order(sort)), q, bonus)


def _walks_every_match(q: wq.Query) -> bool:
    return any(isinstance(leaf, (wq.Phrase, wq.SpanQuery)) for leaf in q.leaves()) or isinstance(q, wq.Phrase)


def _run_with(searcher: Searcher, q: wq.Query, collector: Any) -> Any:
    try:
        searcher.search_with_collector(q, collector)
    except wq.QueryError as exc:
        raise QueryError(str(exc)) from None
    return collector.results()


def _docnum(searcher: Searcher, key: str) -> int:
    """The document a key names: its id, else the one document with that doc number; a doc number
    several documents carry is an error that lists them."""
    docnum = searcher.document_number(id=key)
    if docnum is not None:
        return int(docnum)
    found = list(searcher.document_numbers(doc_number=key.strip().lower()))
    if not found:
        raise DocumentNotFoundError(f"no document with id or doc number {key!r}")
    if len(found) > 1:
        raise ambiguous(key, [searcher.stored_fields(n) for n in found])
    return int(found[0])


@dataclass(frozen=True)
class _Vocabulary:
    """The body text's indexed words, from a searcher (see `suggest.Vocabulary`)."""

    searcher: Searcher

    def frequency(self, stem: str) -> int:
        return int(self.searcher.doc_frequency("text", stem))

    def near(self, stem: str, limit: int, maxdist: int) -> list[str]:
        return list(self.searcher.suggest("text", stem, limit=limit, maxdist=maxdist))

    def text_holding(self, stem: str) -> str:
        docnum = next(iter(self.searcher.docs_for_query(wq.Term("text", stem))), None)  # any one: no scoring
        return "" if docnum is None else str(self.searcher.stored_fields(docnum).get("text", ""))


@dataclass(frozen=True)
class WhooshEngine:
    """The query layer's calls (`query.search`, `export`, `reading`, `watch`) for an index folder
    whose documents are in its own Whoosh index."""

    index_dir: Path

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
        """`query.search` on the Whoosh index."""
        names = check_facets(facets)
        filters = filters or Filters()
        with opened(self.index_dir) as (ix, searcher):
            people = directory(self.index_dir, ix, aliases)
            wanted = None if limit is None else limit * page * (COLLAPSE_DEPTH if collapse else 1)
            found = find(searcher, combine(text, filters, ix.schema, people), wanted, sort, docs=bool(names))
            reading = suggestion = None
            if not found.total and (literal := _literal(searcher, text, filters, people, wanted, sort, bool(names))):
                if strict:
                    suggestion = literal[0] if literal[1].total else None
                else:
                    reading, found = literal
                    text = reading
            partial = None
            if not strict and sort is Sort.relevance and wanted is not None and found.total < wanted:
                partial = _partial(searcher, text, filters, people, found, wanted)
            if not found.total:
                suggestion = suggestion or (did_you_mean(_Vocabulary(searcher), text) if text.strip() else None)
            if not found.total and partial is None:
                return SearchResult(0, (), page, {name: [] for name in names}, suggestion, reading=reading)
            ranked = [(h, False) for h in (found.results[:] if found.results is not None else [])]
            ranked += [(h, True) for h in partial.hits] if partial is not None and limit is not None else []
            groups = groups_of(self.index_dir, [h["id"] for h, _ in ranked])
            kept = _one_a_group(ranked, groups) if collapse else ranked
            shown = kept[(page - 1) * limit : page * limit] if limit is not None else kept
            words = text_words(found.query, searcher.reader()) if shown else frozenset()
            hits = [
                _partial_hit(h, partial)
                if partly and partial
                else make_hit(h, sort is Sort.relevance, words, found.bonus)
                for h, partly in shown
            ]
            hits = [replace(h, group=g.name, versions=g.size) if (g := groups.get(h.id)) else h for h in hits]
            empty: dict[str, list[FacetCount]] = {name: [] for name in names}
            counts = (
                facet_counts(searcher, found.query, names, people, top_values, found.docs) if found.total else empty
            )
            return SearchResult(
                found.total, tuple(hits), page, counts, suggestion, partial=partial.total if partial else 0,
                reading=reading, folded=len(ranked) - len(kept),
            )  # fmt: skip

    def iter_hits(
        self, text: str, filters: Filters | None, sort: Sort, aliases: Aliases | None
    ) -> Iterator[dict[str, Any]]:
        """Stored fields of every matching document (every document for an empty query), streamed in
        the chosen order (best first by default; index order for everything unsorted)."""
        with opened(self.index_dir, own=True) as (ix, searcher):
            q = combine(text, filters or Filters(), ix.schema, directory(self.index_dir, ix, aliases))
            if isinstance(q, wq.Every) and sort is Sort.relevance:
                yield from searcher.all_stored_fields()
                return
            for hit in run(searcher, q, None, **_order(sort)):
                yield hit.fields()

    def similar(self, key: str, limit: int, terms: int) -> SearchResult:
        """Documents most like one (by id or doc number): its key terms, weighted, as a query; the
        total counts every other document holding one of them."""
        with opened(self.index_dir) as (_, searcher):
            docnum = _docnum(searcher, key)
            text = searcher.stored_fields(docnum).get("text", "")
            key_terms = searcher.key_terms_from_text("text", text, numterms=terms) if text.strip() else []
            if not key_terms:
                return SearchResult(0, ())
            q = wq.Or([wq.Term("text", word, boost=weight) for word, weight in key_terms])
            results = run(searcher, q, limit, mask={docnum})
            words = text_words(q, searcher.reader())
            return SearchResult(count(searcher, q) - 1, tuple(make_hit(h, words=words) for h in results))

    def document(self, key: str) -> StoredDocument:
        """A document by its id, or by its doc number when no id matches."""
        with opened(self.index_dir) as (_, searcher):
            return StoredDocument(searcher.stored_fields(_docnum(searcher, key)))

    def cited(
        self, text: str, filters: Filters | None, sort: Sort, aliases: Aliases | None
    ) -> Iterator[tuple[dict[str, Any], int | None]]:
        """Every matching document's stored fields and the page its hit cites (see `export`)."""
        with opened(self.index_dir, own=True) as (ix, searcher):  # a generator: a searcher of its own
            q = combine(text, filters or Filters(), ix.schema, directory(self.index_dir, ix, aliases))
            words = text_words(q, searcher.reader())  # wildcards expanded, excluded words left out
            for hit in find(searcher, q, None, sort).results or ():
                yield hit.fields(), cited_page(snippets(hit, words))

    def words(self, text: str, filters: Filters | None, aliases: Aliases | None) -> frozenset[str]:
        """The indexed words of the `text` field a search matches (as its snippets mark them)."""
        with opened(self.index_dir) as (ix, searcher):
            q = combine(text, filters or Filters(), ix.schema, directory(self.index_dir, ix, aliases))
            return text_words(q, searcher.reader())

    def among(
        self, text: str, filters: Filters, ids: Sequence[str], limit: int | None, aliases: Aliases | None
    ) -> tuple[int, tuple[Hit, ...]]:
        """How many of the documents `ids` a query matches, and the best `limit` of them (a saved
        search's new hits)."""
        with opened(self.index_dir) as (ix, searcher):
            docnums = {n for n in (searcher.document_number(id=key) for key in ids) if n is not None}
            if not docnums:
                return 0, ()
            q = combine(text, filters, ix.schema, directory(self.index_dir, ix, aliases))
            total = count(searcher, q, by_segment(searcher, docnums))  # exact, whatever the limit cuts
            if limit == 0 or not total:
                return total, ()
            results = run(searcher, q, limit, filter=docnums)
            words = text_words(q, searcher.reader())  # the words to highlight, as `search` finds them
            return total, tuple(make_hit(h, words=words) for h in results)
