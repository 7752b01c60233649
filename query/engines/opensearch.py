"""The OpenSearch index backend, searching side: the parsed query tree (`query.parse`, our one
parser) translated to the OpenSearch query DSL, facets as aggregations, snippets naming their
page, sorting, paging, and export of every hit through a point in time.

The parser's terms are already analyzed by the schema's Whoosh analyzers, and the index's
analyzers are derived from the same ones (`indexer.stores.opensearch`), so a Whoosh `Term` is an
OpenSearch `term`, a `Phrase` a `span_near` of its words: nothing is analyzed twice.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import NotFoundError, RequestError, TransportError
from whoosh import query as wq
from whoosh.fields import Schema

from indexer.backend import Backend
from indexer.errors import DocumentNotFoundError, FoiaSearchError, QueryError
from indexer.schema import FACET_FIELDS, build_schema
from indexer.stores.opensearch import (
    PAGES,
    RAW,
    ClusterUnreachableError,
    OpenSearchDocuments,
    from_source,
    open_documents,
    terms_field,
)
from indexer.versions import groups_of

from ..aliases import Aliases, PersonNames
from ..citations import citation
from ..facets import FacetCount, Top, check_facets
from ..parse import Filters, Loose, combine, literal_reading, loose_query, positive_leaves
from ..people import Directory, documents_directory
from ..results import (
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
from ..suggest import did_you_mean

DSL = dict[str, Any]
_TEXT = "text"
_SNIPPETS = 3
_PAGES_LOOKED_AT = 10
"""Pages of a hit highlighted (its best by BM25), of which the `_SNIPPETS` best passages are kept."""
_FRAGMENT = 240
_PAGE_SIZE = 1000
"""Hits fetched a request when exporting."""
_TIER = 100_000.0
"""What each word a document holds adds to its score when ranking documents holding only some of
a query's words: more than any score of the words themselves, so the number of words held ranks
first."""
WINDOW = 10_000
"""The deepest hit a search reaches with `from` and `size` (OpenSearch's `max_result_window`);
pages beyond are walked to through a point in time."""
_PEOPLE = {"sender", "recipient"}


# --- the query tree to the DSL ------------------------------------------------------------


def translate(q: wq.Query, schema: Schema | None = None) -> DSL:
    """The OpenSearch query matching the documents `q` matches in a Whoosh index of the same
    schema. Raises QueryError for a node it has no translation of."""
    return _Translator(schema or build_schema()).node(q)


@dataclass(frozen=True)
class _Translator:
    schema: Schema

    def node(self, q: wq.Query) -> DSL:
        for kind, method in _NODES:
            if isinstance(q, kind):
                return _boosted(method(self, q), q)
        raise QueryError(f"the OpenSearch backend cannot run this part of the query: {type(q).__name__} ({q})")

    def every(self, q: wq.Every) -> DSL:
        return {"match_all": {}}

    def null(self, q: wq.Query) -> DSL:
        return {"match_none": {}}

    def term(self, q: wq.Term) -> DSL:
        return {"term": {q.fieldname: self._value(q.fieldname, q.text)}}

    def _value(self, fieldname: str, text: Any) -> Any:
        field = self.schema[fieldname] if fieldname in self.schema else None
        if isinstance(text, bytes):
            return field.from_bytes(text) if field is not None else text.decode("utf-8")
        return text

    def fuzzy(self, q: wq.FuzzyTerm) -> DSL:
        # Whoosh's Levenshtein automaton counts a transposition as two edits and expands to
        # every term within reach: constant_score rewrites to all of them, with no cap
        spec = {"value": q.text, "fuzziness": q.maxdist, "prefix_length": q.prefixlength,
                "transpositions": False, "rewrite": "constant_score"}  # fmt: skip
        return {"fuzzy": {q.fieldname: spec}}

    def prefix(self, q: wq.Prefix) -> DSL:
        return {"prefix": {q.fieldname: {"value": q.text, "rewrite": "constant_score"}}}

    def wildcard(self, q: wq.Wildcard) -> DSL:
        return {"wildcard": {q.fieldname: {"value": q.text, "rewrite": "constant_score"}}}

    def phrase(self, q: wq.Phrase) -> DSL:
        words = list(q.words)
        if len(words) == 1:
            return {"term": {q.fieldname: words[0]}}
        # Whoosh's slop 1 means side by side, Lucene's 0; both keep the words in order
        clauses = [{"span_term": {q.fieldname: w}} for w in words]
        return {"span_near": {"clauses": clauses, "slop": max(q.slop - 1, 0), "in_order": True}}

    def term_range(self, q: wq.TermRange) -> DSL:
        return {"range": {q.fieldname: _bounds(q.start, q.end, q.startexcl, q.endexcl)}}

    def numeric_range(self, q: wq.NumericRange) -> DSL:
        return {"range": {q.fieldname: _bounds(q.start, q.end, q.startexcl, q.endexcl)}}

    def date_range(self, q: wq.DateRange) -> DSL:
        # SentDate (a DateRange on `date`) matches through the date buckets in Whoosh: the same
        # documents as the date itself, which OpenSearch ranges over directly
        start, end = (_millis(q.startdate, up=False), _millis(q.enddate, up=True))
        return {"range": {q.fieldname: _bounds(start, end, q.startexcl, q.endexcl)}}

    def and_(self, q: wq.And) -> DSL:
        return {"bool": {"must": [self.node(c) for c in q.children()]}}

    def or_(self, q: wq.Or) -> DSL:
        return {"bool": {"should": [self.node(c) for c in q.children()], "minimum_should_match": 1}}

    def dismax(self, q: wq.DisjunctionMax) -> DSL:
        return {"dis_max": {"queries": [self.node(c) for c in q.children()], "tie_breaker": q.tiebreak}}

    def not_(self, q: wq.Not) -> DSL:
        return {"bool": {"must": [{"match_all": {}}], "must_not": [self.node(q.query)]}}

    def and_not(self, q: wq.AndNot) -> DSL:
        return {"bool": {"must": [self.node(q.a)], "must_not": [self.node(q.b)]}}

    def and_maybe(self, q: wq.AndMaybe) -> DSL:
        return {"bool": {"must": [self.node(q.a)], "should": [self.node(q.b)]}}

    def require(self, q: wq.Require) -> DSL:
        return {"bool": {"must": [self.node(q.a)], "filter": [self.node(q.b)]}}

    def constant(self, q: wq.ConstantScoreQuery) -> DSL:
        return {"constant_score": {"filter": self.node(q.child)}}


def _boosted(dsl: DSL, q: wq.Query) -> DSL:
    boost = getattr(q, "boost", 1.0)
    if boost == 1.0 or "match_all" in dsl or "match_none" in dsl:
        return dsl
    return {"bool": {"must": [dsl], "boost": boost}}


def _bounds(start: Any, end: Any, startexcl: bool, endexcl: bool) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    if start is not None:
        bounds["gt" if startexcl else "gte"] = start
    if end is not None:
        bounds["lt" if endexcl else "lte"] = end
    return bounds


def _millis(value: datetime | None, up: bool) -> str | None:
    """A bound in OpenSearch's millisecond resolution: an end's fraction of a millisecond is the
    whole millisecond (23:59:59.999999 is 23:59:59.999)."""
    if value is None:
        return None
    cut = value.replace(microsecond=value.microsecond // 1000 * 1000)
    if not up and cut < value:
        cut += timedelta(milliseconds=1)
    return cut.isoformat(timespec="milliseconds")


# order matters: subclasses before their base classes
_NODES: tuple[tuple[type, Callable[[_Translator, Any], DSL]], ...] = (
    (wq.Every, _Translator.every),
    (wq.NullQuery.__class__, _Translator.null),
    (wq.FuzzyTerm, _Translator.fuzzy),
    (wq.Prefix, _Translator.prefix),
    (wq.Wildcard, _Translator.wildcard),
    (wq.Term, _Translator.term),
    (wq.Phrase, _Translator.phrase),
    (wq.DateRange, _Translator.date_range),
    (wq.NumericRange, _Translator.numeric_range),
    (wq.TermRange, _Translator.term_range),
    (wq.And, _Translator.and_),
    (wq.DisjunctionMax, _Translator.dismax),
    (wq.Or, _Translator.or_),
    (wq.Not, _Translator.not_),
    (wq.AndNot, _Translator.and_not),
    (wq.AndMaybe, _Translator.and_maybe),
    (wq.Require, _Translator.require),
    (wq.ConstantScoreQuery, _Translator.constant),
)


def page_query(q: wq.Query, schema: Schema | None = None) -> DSL | None:
    """A nested query over the pages matching the words `q` seeks in the text (not those it
    excludes), whose best pages are a hit's snippets; None when it seeks no word of the text."""
    translator = _Translator(schema or build_schema())
    leaves = [leaf for leaf in positive_leaves(q) if getattr(leaf, "fieldname", None) == _TEXT]
    if not leaves:
        return None
    should = [_on_pages(translator.node(leaf)) for leaf in leaves]
    return {"nested": {"path": PAGES, "score_mode": "max", "query": {"bool": {"should": should}}}}


def _on_pages(dsl: Any) -> Any:
    """A DSL clause on `text` moved to the pages' text."""
    if isinstance(dsl, dict):
        return {(f"{PAGES}.{_TEXT}" if k == _TEXT else k): _on_pages(v) for k, v in dsl.items()}
    if isinstance(dsl, list):
        return [_on_pages(v) for v in dsl]
    return dsl


# --- searching ----------------------------------------------------------------------------


_SORTS: dict[Sort, list[Any]] = {
    Sort.relevance: ["_score", {"id": "asc"}],
    Sort.date: [{"date": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
    Sort.newest: [
        {"year": {"order": "desc", "missing": "_last"}},
        {"date": {"order": "desc", "missing": "_last"}},
        {"id": "asc"},
    ],  # fmt: skip
    Sort.doc: [{f"doc_number.{RAW}": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
}


class Engine:
    """Searches one OpenSearch index with queries parsed by `query.parse`."""

    def __init__(self, client: OpenSearch, index: str, schema: Schema | None = None) -> None:
        self.client = client
        self.index = index
        self.schema = schema or build_schema()
        self._terms_fields: dict[str, str] = {}

    def _call(self, method: Callable[..., Any], **kwargs: Any) -> Any:
        """A request, its transport errors as the project's errors (one line, no traceback)."""
        try:
            return method(**kwargs)
        except OSConnectionError:
            url = self.client.transport.hosts[0] if self.client.transport.hosts else "?"
            raise ClusterUnreachableError(f"cannot reach OpenSearch at {_url(url)}") from None
        except NotFoundError as exc:
            raise FoiaSearchError(f"no index {self.index!r} on the cluster ({exc.error})") from None
        except RequestError as exc:
            raise QueryError(f"OpenSearch refused the query: {_cause(exc)}") from None
        except TransportError as exc:
            raise FoiaSearchError(f"OpenSearch failed: HTTP {exc.status_code} {_cause(exc)}") from None

    def count(self, q: wq.Query) -> int:
        return int(self._call(self.client.count, index=self.index, body={"query": translate(q, self.schema)})["count"])

    def ids(self, q: wq.Query) -> set[str]:
        """The ids of every matching document."""
        return {hit["_id"] for hit in self.export(q, source=False)}

    def search(
        self,
        q: wq.Query,
        limit: int = 10,
        page: int = 1,
        sort: Sort = Sort.relevance,
        facets: Iterable[str] = (),
        aliases: PersonNames | None = None,
        top: Top = 20,
        only: Sequence[str] | None = None,
    ) -> SearchResult:
        """One page of hits (each with up to three snippets naming their page), the number of
        matching documents, and facet counts over all of them; `only`: the ids that may match."""
        if page < 1 or limit < 1:
            raise QueryError("page and limit start at 1")
        names = check_facets(facets)
        if page * limit > WINDOW and only is None:  # past the window a search can page through
            deep = islice(self.export(q, sort=sort, pages=True), (page - 1) * limit, page * limit)
            hits = tuple(self.hit(h, scored=sort is Sort.relevance) for h in deep)
            counted = self.facet_counts(q, names, aliases, top) if names else {}
            return SearchResult(total=self.count(q), hits=hits, page=page, facets=counted)
        query = self._with_pages(q)
        if only is not None:
            query = {"bool": {"must": [query], "filter": [{"ids": {"values": list(only)}}]}}
        body: DSL = {
            "query": query,
            "from": (page - 1) * limit,
            "size": limit,
            "sort": _SORTS[sort],
            "track_total_hits": True,
            "_source": {"excludes": [PAGES]},
            "track_scores": True,
        }
        result = self._call(self.client.search, index=self.index, body=body)
        hits = tuple(self.hit(h, scored=sort is Sort.relevance) for h in result["hits"]["hits"])
        counted = self.facet_counts(q, names, aliases, top) if names else {}
        return SearchResult(total=result["hits"]["total"]["value"], hits=hits, page=page, facets=counted)

    def _with_pages(self, q: wq.Query, main: DSL | None = None) -> DSL:
        """The query (or `main`, its DSL as it is to be run), with the page query (no part in
        matching or scoring) bringing each hit's best pages, highlighted."""
        main = translate(q, self.schema) if main is None else main
        pages = page_query(q, self.schema)
        if pages is None:
            return main
        pages["nested"]["inner_hits"] = {
            "name": PAGES,
            "size": _PAGES_LOOKED_AT,
            "_source": False,
            "highlight": {"fields": {f"{PAGES}.{_TEXT}": {"fragment_size": _FRAGMENT, "number_of_fragments": 1,
                                                          "pre_tags": [MARK], "post_tags": [MARK]}}},
        }  # fmt: skip
        pages["nested"]["boost"] = 0.0
        return {"bool": {"must": [main], "should": [pages]}}

    def partial(self, loose: Loose, full: wq.Query, start: int, size: int) -> tuple[int, list[Hit]]:
        """The documents holding some of a query's words but not all (`full` matches those holding
        every word): how many, and `size` of them from `start`, those holding the most words first,
        then by score; each naming the words it lacks."""
        tiers = [{"constant_score": {"filter": translate(w.query, self.schema), "boost": _TIER, "_name": str(i)}}
                 for i, w in enumerate(loose.words)]  # fmt: skip
        main = {"bool": {"must": [translate(loose.query, self.schema)], "must_not": [translate(full, self.schema)],
                         "should": tiers}}  # fmt: skip
        body = {"query": self._with_pages(loose.query, main), "from": start, "size": size, "track_total_hits": True,
                "_source": {"excludes": [PAGES]}, "sort": _SORTS[Sort.relevance]}  # fmt: skip
        found = self._call(self.client.search, index=self.index, body=body)["hits"]
        hits = []
        for raw in found["hits"]:
            held = set(raw.get("matched_queries") or ())
            hit = self.hit(raw, scored=True)
            missing = tuple(w.text for i, w in enumerate(loose.words) if str(i) not in held)
            hits.append(replace(hit, score=round((hit.score or 0.0) - _TIER * len(held), 4), missing=missing))
        return int(found["total"]["value"]), hits

    def hit(self, raw: Mapping[str, Any], scored: bool) -> Hit:
        fields = from_source(raw["_source"], self.schema)
        found = _snippets(raw, int(fields.get("first_page", 1)))
        first = int(fields.get("first_page", 1))
        page = cited_page(found)
        return Hit(
            id=fields["id"],
            score=round(float(raw.get("_score") or 0.0), 4) if scored else None,
            source=fields.get("source", ""),
            first_page=first,
            last_page=int(fields.get("last_page", first)),
            case_number=fields.get("case_number"),
            doc_number=fields.get("doc_number"),
            date=fields.get("date"),
            sender=fields.get("sender"),
            subject=fields.get("subject"),
            page=page or first,
            snippets=found,
            agency=fields.get("agency"),
            release_date=fields.get("release_date"),
            title=fields.get("title"),
            label=label(fields),
            citation=citation(fields, page),
            recipients=tuple(line for line in str(fields.get("recipients") or "").split("\n") if line),
            release_status=fields.get("release_status"),
            exemptions=tuple(fields.get("exemption_codes") or ()),
        )

    def document(self, key: str) -> dict[str, Any]:
        """A document's fields by id, as the Whoosh side stores them."""
        try:
            found = self.client.get(index=self.index, id=key)
        except NotFoundError:
            raise DocumentNotFoundError(f"no document with id {key!r}") from None
        except OSConnectionError:
            raise ClusterUnreachableError(
                f"cannot reach OpenSearch at {_url(self.client.transport.hosts[0])}"
            ) from None
        return from_source(found["_source"], self.schema)

    def facet_counts(
        self, q: wq.Query, names: Iterable[str], aliases: PersonNames | None = None, top: Top = 20
    ) -> dict[str, list[FacetCount]]:
        """Counts of the named facets over every document matching `q`: the `top` most frequent
        values of each, ties by value. Exact: every value is read (composite aggregation pages)."""
        result: dict[str, list[FacetCount]] = {}
        query = translate(q, self.schema)
        for name in check_facets(names):
            field = self._facet_field(FACET_FIELDS[name])
            counts: Counter[str] = Counter()
            forms: dict[str, list[str]] = {}
            for value, n in self._values(query, field):
                if (shown := _shown(name, value, aliases)) is not None:
                    counts[shown] += n
                    forms.setdefault(shown, []).append(value)
            for shown, values in forms.items():  # a document naming two forms of a person counts once
                if len(values) > 1:
                    body = {"query": {"bool": {"must": [query], "filter": [{"terms": {field: values}}]}}}
                    counts[shown] = int(self._call(self.client.count, index=self.index, body=body)["count"])
            keep = top.get(name) if isinstance(top, Mapping) else top
            ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            result[name] = [FacetCount(v, c) for v, c in (ranked if keep is None else ranked[:keep])]
        return result

    def _facet_field(self, fieldname: str) -> str:
        found = self._terms_fields.get(fieldname)
        if found is None:
            found = self._terms_fields[fieldname] = terms_field(fieldname, self.schema)
        return found

    def _values(self, query: DSL, fieldname: str) -> Iterator[tuple[str, int]]:
        after: dict[str, Any] | None = None
        while True:
            composite: DSL = {"size": 1000, "sources": [{"v": {"terms": {"field": fieldname}}}]}
            if after:
                composite["after"] = after
            body = {"size": 0, "query": query, "aggs": {"values": {"composite": composite}}}
            found = self._call(self.client.search, index=self.index, body=body)["aggregations"]["values"]
            for bucket in found["buckets"]:
                yield str(bucket["key"]["v"]), int(bucket["doc_count"])
            after = found.get("after_key")
            if not found["buckets"] or after is None:
                return

    def export(
        self,
        q: wq.Query,
        source: bool = True,
        keep_alive: str = "2m",
        sort: Sort | None = None,
        pages: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Every matching hit, with no cap: pages of a point-in-time search, each after the last
        (`search_after`), so documents indexed meanwhile neither shift nor repeat any. In id order,
        or `sort`'s; `pages`: each hit with its pages in its source (the text) and its best pages
        highlighted (for the page it cites)."""
        pit = self._call(self.client.create_pit, index=self.index, params={"keep_alive": keep_alive})["pit_id"]
        try:
            after: list[Any] | None = None
            while True:
                body: DSL = {
                    "query": self._with_pages(q) if pages else translate(q, self.schema),
                    "size": _PAGE_SIZE,
                    "sort": _SORTS[sort] if sort is not None else [{"id": "asc"}],
                    "pit": {"id": pit, "keep_alive": keep_alive},
                    "track_total_hits": False,
                    "track_scores": sort is Sort.relevance,
                    "_source": (True if pages else {"excludes": [PAGES]}) if source else False,
                }
                if after is not None:
                    body["search_after"] = after
                hits = self._call(self.client.search, body=body)["hits"]["hits"]
                yield from hits
                if len(hits) < _PAGE_SIZE:
                    return
                after = hits[-1]["sort"]
        finally:
            try:
                self.client.delete_pit(body={"pit_id": [pit]})
            except TransportError:
                pass  # it expires on its own after keep_alive

    def hits(self, dsl: DSL, limit: int, exclude: str) -> tuple[int, list[Mapping[str, Any]]]:
        """The number of documents a DSL query matches, other than `exclude`, and the best `limit`."""
        body = {"query": {"bool": {"must": [dsl], "must_not": [{"ids": {"values": [exclude]}}]}}, "size": limit,
                "track_total_hits": True, "_source": {"excludes": [PAGES]}}  # fmt: skip
        found = self._call(self.client.search, index=self.index, body=body)["hits"]
        return int(found["total"]["value"]), list(found["hits"])

    def frequency(self, stem: str) -> int:
        """How many documents hold an indexed word of the body text (see `suggest.Vocabulary`)."""
        return int(self._call(self.client.count, index=self.index, body={"query": {"term": {_TEXT: stem}}})["count"])

    def near(self, stem: str, limit: int, maxdist: int) -> list[str]:
        """Indexed words of the body text within `maxdist` edits of `stem` (the term suggester;
        the stem given as it is, not analyzed again), the closest and most frequent first."""
        suggester = {"text": stem, "term": {"field": _TEXT, "analyzer": "whitespace", "max_edits": maxdist,
                                            "size": limit, "suggest_mode": "always", "min_word_length": 1}}  # fmt: skip
        body = {"size": 0, "suggest": {"near": suggester}}
        found = self._call(self.client.search, index=self.index, body=body)["suggest"]["near"]
        return [option["text"] for entry in found for option in entry["options"]][:limit]

    def text_holding(self, stem: str) -> str:
        """The text of one document holding an indexed word of the body text ("" when none does)."""
        body = {"query": {"term": {_TEXT: stem}}, "size": 1}
        found = self._call(self.client.search, index=self.index, body=body)["hits"]["hits"]
        return str(from_source(found[0]["_source"], self.schema).get(_TEXT, "")) if found else ""

    def with_doc_number(self, number: str) -> list[dict[str, Any]]:
        """The stored fields of every document carrying a doc number (compared as the index does)."""
        body = {"query": {"term": {"doc_number": number.strip().lower()}}, "size": 50}
        found = self._call(self.client.search, index=self.index, body=body)["hits"]["hits"]
        return [from_source(h["_source"], self.schema) for h in found]


def _snippets(raw: Mapping[str, Any], first_page: int) -> tuple[Snippet, ...]:
    """A hit's best passages (up to three, one a page, the highest scores, the earliest of equal
    ones), in page order."""
    inner = raw.get("inner_hits", {}).get(PAGES, {}).get("hits", {}).get("hits", [])
    found = []
    for page in inner:
        fragments = page.get("highlight", {}).get(f"{PAGES}.{_TEXT}", [])
        if fragments:
            text = " ".join(fragments[0].split())
            found.append(
                Snippet(page=first_page + int(page["_nested"]["offset"]), text=text, score=_passage_score(text))
            )
    return tuple(sorted(found, key=lambda s: s.page))


_MARKED = re.compile(re.escape(MARK) + r"(.+?)" + re.escape(MARK))


def _passage_score(text: str) -> float:
    """A highlighted passage's score as the Whoosh side scores its snippets (its marked words,
    times how many distinct words are marked), so both cite a hit at the same page."""
    marked = [m.lower() for m in _MARKED.findall(text)]
    return float(len(marked) * len(set(marked)))


def _shown(name: str, value: str, aliases: PersonNames | None) -> str | None:
    """A facet value as shown: people by their name of the moment, cases in capitals."""
    text = value.strip()
    if not text:
        return None
    if name in _PEOPLE and aliases is not None:
        return aliases.canonical(text)
    return text.upper() if name == "case" else text


def _url(host: Any) -> str:
    if isinstance(host, Mapping):
        return f"{host.get('scheme', 'http')}://{host.get('host')}:{host.get('port')}"
    return str(host)


def _cause(exc: TransportError) -> str:
    info = exc.info if isinstance(exc.info, Mapping) else {}
    root = (info.get("error") or {}).get("root_cause") or [{}]
    return str(root[0].get("reason") or exc.error).splitlines()[0][:300]


# --- an index folder whose documents are on a cluster -------------------------------------


class Folder:
    """The query layer's calls (`query.search`, `export`, `reading`...) for an index folder whose
    documents are on OpenSearch: the same arguments and results as the Whoosh side's."""

    def __init__(self, index_dir: Path, documents: OpenSearchDocuments) -> None:
        self.index_dir = index_dir
        self.documents = documents
        self.engine = Engine(documents.client, documents.name)

    def people(self, aliases: Aliases | None) -> Directory:
        return documents_directory(self.index_dir, self.documents, aliases)

    def query(self, text: str, filters: Filters | None, people: Directory) -> wq.Query:
        return combine(text, filters or Filters(), self.engine.schema, people)

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
        """`query.search` on the cluster (with `collapse`, documents holding only some of the
        words are not listed)."""
        people = self.people(aliases)
        names = check_facets(facets)
        found = self._search(self.query(text, filters, people), limit, page, sort, names, people, top_values, collapse)
        if not found.total and (literal := literal_reading(text)) is not None:
            try:
                again = self._search(self.query(literal, filters, people), limit, page, sort, names, people,
                                     top_values, collapse)  # fmt: skip
            except QueryError:  # nothing left to search once the operators are words
                again = found
            if again.total:
                found = replace(found, suggestion=literal) if strict else replace(again, reading=literal)
        if not found.total and not found.suggestion and text.strip():
            found = replace(found, suggestion=did_you_mean(self.engine, text))
        if strict or collapse or sort is not Sort.relevance or limit is None or found.total >= limit * page:
            return found
        return self._partial(found.reading or text, filters, people, found, limit, page)

    def _partial(
        self, text: str, filters: Filters | None, people: Directory, found: SearchResult, limit: int, page: int
    ) -> SearchResult:
        """The page's hits going on, after those holding every word, with documents holding some."""
        loose = loose_query(text, filters or Filters(), self.engine.schema, people)
        if loose is None:
            return found
        start = max((page - 1) * limit - found.total, 0)
        total, more = self.engine.partial(loose, self.query(text, filters, people), start, limit - len(found.hits))
        if not total:
            return found
        return replace(found, hits=(*found.hits, *self._grouped(SearchResult(0, tuple(more)), False, None, 1).hits),
                       partial=total)  # fmt: skip

    def _search(
        self,
        q: wq.Query,
        limit: int | None,
        page: int,
        sort: Sort,
        names: Sequence[str],
        people: Directory,
        top: Top,
        collapse: bool,
    ) -> SearchResult:
        if limit is None:
            hits = [
                self.engine.hit(raw, sort is Sort.relevance) for raw in self.engine.export(q, sort=sort, pages=True)
            ]
            counted = self.engine.facet_counts(q, names, people, top) if names else {}
            return self._grouped(SearchResult(len(hits), tuple(hits), 1, counted), collapse, None, 1)
        if not collapse:
            return self._grouped(self.engine.search(q, limit, page, sort, names, people, top), False, limit, page)
        looked = self.engine.search(q, limit * page * COLLAPSE_DEPTH, 1, sort, names, people, top)
        return self._grouped(looked, True, limit, page)

    def _grouped(self, result: SearchResult, collapse: bool, limit: int | None, page: int) -> SearchResult:
        """The hits with their groups of versions; with `collapse`, one a group, cut to the page."""
        groups = groups_of(self.index_dir, [h.id for h in result.hits])
        hits = [replace(h, group=g.name, versions=g.size) if (g := groups.get(h.id)) else h for h in result.hits]
        if not collapse:
            return replace(result, hits=tuple(hits))
        best: dict[str, Hit] = {}
        for hit in hits:  # each group stands at its best ranked hit
            best.setdefault(hit.group or hit.id, hit)
        kept = list(best.values())
        shown = kept if limit is None else kept[(page - 1) * limit : page * limit]
        return replace(result, hits=tuple(shown), page=page, folded=len(hits) - len(kept))

    def iter_hits(
        self, text: str, filters: Filters | None, sort: Sort, aliases: Aliases | None
    ) -> Iterator[dict[str, Any]]:
        q = self.query(text, filters, self.people(aliases))
        for raw in self.engine.export(q, sort=sort, pages=True):
            yield from_source(raw["_source"], self.engine.schema)

    def cited(
        self, text: str, filters: Filters | None, sort: Sort, aliases: Aliases | None
    ) -> Iterator[tuple[dict[str, Any], int | None]]:
        """Every matching document's stored fields and the page its hit cites (see `export`)."""
        q = self.query(text, filters, self.people(aliases))
        for raw in self.engine.export(q, sort=sort, pages=True):
            fields = from_source(raw["_source"], self.engine.schema)
            yield fields, cited_page(_snippets(raw, int(fields.get("first_page", 1))))

    def words(self, text: str, filters: Filters | None, aliases: Aliases | None) -> frozenset[str]:
        """The `text` field's words a query holds (wildcards are not expanded on the cluster)."""
        found: set[str] = set()
        for leaf in positive_leaves(self.query(text, filters, self.people(aliases))):
            if isinstance(leaf, wq.Term) and leaf.field() == _TEXT:
                found.add(str(leaf.text))
            elif isinstance(leaf, wq.Phrase) and leaf.field() == _TEXT:
                found.update(str(word) for word in leaf.words)
        return frozenset(found)

    def document(self, key: str) -> StoredDocument:
        """A document by its id, or by its doc number when no id matches (several: an error listing them)."""
        try:
            return StoredDocument(self.engine.document(key))
        except DocumentNotFoundError:
            pass
        found = self.engine.with_doc_number(key)
        if not found:
            raise DocumentNotFoundError(f"no document with id or doc number {key!r}")
        if len(found) > 1:
            raise ambiguous(key, found)
        return StoredDocument(found[0])

    def among(self, text: str, filters: Filters, ids: Sequence[str], limit: int | None, aliases: Aliases | None
              ) -> tuple[int, tuple[Hit, ...]]:  # fmt: skip
        """How many of the documents `ids` a query matches, and the best `limit` of them (a saved
        search's new hits)."""
        people = self.people(aliases)
        found = self.engine.search(self.query(text, filters, people), max(limit or 0, 1), only=ids)
        return found.total, found.hits[: limit or 0]

    def similar(self, key: str, limit: int, terms: int) -> SearchResult:
        """Documents most like one: its text's most telling words (OpenSearch's more-like-this)."""
        doc = self.document(key)
        text = str(doc.fields.get("text") or "")
        if not text.strip():
            return SearchResult(0, ())
        like = {"more_like_this": {"fields": [_TEXT], "like": text, "max_query_terms": terms, "min_term_freq": 1,
                                   "min_doc_freq": 1, "minimum_should_match": 1}}  # fmt: skip
        total, raw = self.engine.hits(like, limit, doc.id)
        return SearchResult(total, tuple(self.engine.hit(h, scored=True) for h in raw))


_FOLDERS: dict[tuple[Path, Backend], Folder] = {}
_FOLDERS_LOCK = threading.Lock()


def folder(index_dir: Path, backend: Backend) -> Folder:
    """The engine of an index folder on a cluster, connected once per process and folder."""
    with _FOLDERS_LOCK:
        found = _FOLDERS.get((index_dir, backend))
        if found is None:
            found = _FOLDERS[(index_dir, backend)] = Folder(index_dir, open_documents(index_dir, backend))
        return found
