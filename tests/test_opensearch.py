"""The OpenSearch backend against the Whoosh index: one real release indexed into both (Whoosh by
the project's pipeline, OpenSearch by the bulk writer from the same documents) answers the same
queries with the same documents, the same facet counts and the same metadata. The cluster is
real: two nodes started by the session fixture `opensearch_url` (see conftest)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from whoosh import query as wq

import indexer
from indexer.backend import Backend, Kind
from indexer.errors import IncompatibleIndexError, QueryError
from indexer.pipeline import Options, migrate
from indexer.schema import FACET_FIELDS, SentDate, build_schema
from indexer.store import open_index
from indexer.stores import opensearch as store
from query.aliases import Aliases, parse_aliases
from query.engines.opensearch import Engine, page_query, translate
from query.engines.whoosh.search import find
from query.facets import facet_counts
from query.parse import Filters, combine, parse_query
from query.results import MARK, Sort

STATE = "state-f2015-04841"
OPTIONS = Options(ocr="never", workers=2)

QUERIES = [
    "benghazi",
    "libya egypt",
    "libya OR egypt",
    "libya NOT egypt",
    "(libya OR tunisia) AND security",
    '"secretary of state"',
    '"state department"~3',
    '"ambassador stevens"',
    "negotiat*",
    "sec?rity",
    "benghazy~",
    "from:abedin",
    "from:mills",
    "to:mills",
    "subject:libya",
    "title:call",
    "case:F-2015-04841",
    "status:part",
    "exemption:b6",
    "exemption:b5 OR exemption:b6",
    "date:2012",
    "date:2012-09",
    "date:[2012-09-01 to 2012-10-15]",
    "date:>2012-10",
    "date:<2012-08",
    "released:2015",
    "year:2012",
    "first_page:1",
    "classification:unclassified",
    "agency:state",
    "meeting date:2012",
    "NOT benghazi",
    "",
]
"""Queries of every kind the language has: words, boolean, phrases (with slop), wildcards,
fuzzy, field filters, dates and ranges."""


@pytest.fixture(scope="module")
def both(opensearch_url: str, shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The release in a Whoosh index (by the pipeline) and in an OpenSearch index (copied from
    it by `foia migrate`: the same documents, built again from the extraction cache); the
    OpenSearch index is deleted at the end."""
    release = shared_corpus / STATE / "pdf"
    root = tmp_path_factory.mktemp("parity")
    whoosh_dir = root / "idx"
    assert indexer.index_paths([release], whoosh_dir, options=OPTIONS).ok
    client = store.connect(opensearch_url)
    name = f"foia-test-{uuid.uuid4().hex[:8]}"
    assert migrate(whoosh_dir, root / "cluster", Backend(Kind.opensearch, opensearch_url, name), options=OPTIONS).ok
    ix = open_index(whoosh_dir)
    searcher = ix.searcher()
    try:
        yield searcher, Engine(client, name)
    finally:
        searcher.close()
        ix.close()
        store.delete_index(client, name)


def _whoosh_ids(searcher: Any, q: wq.Query) -> set[str]:
    return {searcher.stored_fields(n)["id"] for n in searcher.docs_for_query(q)}


@pytest.mark.parametrize("text", QUERIES)
def test_same_documents_as_whoosh(both: Any, text: str) -> None:
    searcher, engine = both
    q = parse_query(text, searcher.schema)
    expected = _whoosh_ids(searcher, q)
    assert engine.ids(q) == expected
    assert engine.count(q) == len(expected)


def test_queries_match_something(both: Any) -> None:
    """The query set is not vacuous: most queries find documents, and not all the same ones."""
    searcher, _ = both
    found = [frozenset(_whoosh_ids(searcher, parse_query(t, searcher.schema))) for t in QUERIES]
    assert sum(1 for f in found if f) >= len(QUERIES) - 4
    assert len(set(found)) >= len(QUERIES) // 2


@pytest.mark.parametrize(
    "filters",
    [
        Filters(since="2012-09", until="2012-12"),
        Filters(sender="mills", status="part"),
        Filters(recipient="mills", exemption="b6"),
        Filters(case="F-2015-04841", agency="state"),
    ],
)
def test_filter_options_match_the_same_documents(both: Any, filters: Filters) -> None:
    searcher, engine = both
    q = combine("libya OR benghazi", filters, searcher.schema)
    assert engine.ids(q) == _whoosh_ids(searcher, q)


def test_aliases_expand_to_the_same_documents(both: Any) -> None:
    """An alias (`H` for Hillary Clinton) expands to exact-name terms on the key fields."""
    searcher, engine = both
    aliases = parse_aliases("Hillary Clinton = H = HRC")
    q = parse_query("to:hrc", searcher.schema, aliases)
    expected = _whoosh_ids(searcher, q)
    assert expected
    assert engine.ids(q) == expected


@pytest.mark.parametrize("text", ["", "libya", "date:2012", "from:mills OR from:abedin"])
@pytest.mark.parametrize("aliases", [Aliases(), parse_aliases("Hillary Clinton = H\nCheryl Mills = Mills, Cheryl D")])
def test_same_facet_counts_as_whoosh(both: Any, text: str, aliases: Aliases) -> None:
    """The same counts, people named by their aliases' canonical name counted once a document."""
    searcher, engine = both
    q = parse_query(text, searcher.schema)
    expected = facet_counts(searcher, q, FACET_FIELDS, aliases, top=None)
    assert engine.facet_counts(q, FACET_FIELDS, aliases, top=None) == expected
    assert any(expected[name] for name in ("sender", "month", "exemption"))


def test_a_document_naming_two_forms_of_a_person_counts_once(both: Any) -> None:
    """Two recipients of one document made one person by an alias: that document counts once for
    the person, as in Whoosh."""
    searcher, engine = both
    recipients = next(
        lines for f in searcher.all_stored_fields() if len(lines := str(f.get("recipients", "")).split("\n")) > 1
    )
    aliases = parse_aliases(" = ".join(" ".join(r.split()) for r in recipients[:2]))
    q = parse_query("", searcher.schema)
    expected = facet_counts(searcher, q, ["recipient"], aliases, top=None)
    assert engine.facet_counts(q, ["recipient"], aliases, top=None) == expected
    naive = facet_counts(searcher, q, ["recipient"], Aliases(), top=None)["recipient"]
    grouped = next(c for c in expected["recipient"] if c.value == aliases.groups[0][0])
    assert grouped.count < sum(c.count for c in naive if aliases.canonical(c.value) == grouped.value)


def test_same_metadata_as_whoosh(both: Any) -> None:
    """Every stored field of every document, the text included (rebuilt from its pages)."""
    searcher, engine = both
    for fields in searcher.all_stored_fields():
        assert engine.document(fields["id"]) == _plain(fields), fields["id"]


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    """Stored fields as JSON gives them back: tuples as lists."""
    return {k: [list(v) if isinstance(v, tuple) else v for v in val] if isinstance(val, list | tuple) else val
            for k, val in fields.items()}  # fmt: skip


@pytest.mark.parametrize("text", ["benghazi", '"ambassador stevens"', "negotiat*", "libya NOT egypt"])
def test_snippets_name_the_page_they_are_on(both: Any, text: str) -> None:
    """Each snippet's marked words are on the page it names, in the document's own text; the
    cited page is a snippet's."""
    searcher, engine = both
    result = engine.search(parse_query(text, searcher.schema), limit=50)
    assert sum(len(h.snippets) for h in result.hits) >= len(result.hits) > 0
    for hit in result.hits:
        pages = engine.document(hit.id)["text"].split("\f")
        for snippet in hit.snippets:
            marked = snippet.text.split(MARK)[1::2]
            assert marked and "egypt" not in " ".join(marked).lower()
            page_text = " ".join(pages[snippet.page - hit.first_page].split())
            assert all(word in page_text for word in marked), (hit.id, snippet)
        assert hit.page in {s.page for s in hit.snippets}


def test_snippets_on_later_pages_name_them(both: Any) -> None:
    """A word only on a document's later page is cited at that page, not the first."""
    searcher, engine = both
    hits = engine.search(parse_query("benghazi", searcher.schema), limit=100).hits
    later = [h for h in hits if h.page > h.first_page]
    assert later
    for hit in later:
        pages = engine.document(hit.id)["text"].split("\f")
        assert "benghazi" in pages[hit.page - hit.first_page].lower()


def test_paging_and_sorting(both: Any) -> None:
    """Pages of a date-sorted search follow each other without repeats, oldest first."""
    searcher, engine = both
    q = parse_query("libya", searcher.schema)
    first = engine.search(q, limit=5, page=1, sort=Sort.date)
    second = engine.search(q, limit=5, page=2, sort=Sort.date)
    hits = first.hits + second.hits
    assert first.total == second.total == len(_whoosh_ids(searcher, q))
    assert len({h.id for h in hits}) == 10
    dates = [h.date for h in hits if h.date]
    assert dates == sorted(dates)


@pytest.mark.parametrize("sort", [Sort.date, Sort.newest, Sort.doc])
def test_sorted_as_whoosh_sorts(both: Any, sort: Sort) -> None:
    """Every hit of a sorted search in the order Whoosh gives: the same sort keys in the same
    order (documents with equal keys may come in another order)."""
    searcher, engine = both
    q = parse_query("libya OR benghazi", searcher.schema)
    whoosh = [_sort_key(h.fields(), sort) for h in find(searcher, q, None, sort).results]
    ours = [_sort_key(engine.document(h.id), sort) for h in engine.search(q, limit=len(whoosh), sort=sort).hits]
    assert ours == whoosh


def _sort_key(fields: dict[str, Any], sort: Sort) -> Any:
    return fields.get("doc_number") if sort is Sort.doc else fields.get("date")


def test_export_has_every_hit_past_one_request(both: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Export pages through a point in time: with pages of 7 hits, every document, once."""
    searcher, engine = both
    monkeypatch.setattr("query.engines.opensearch._PAGE_SIZE", 7)
    exported = [h["_id"] for h in engine.export(wq.Every())]
    assert len(exported) == len(set(exported)) == searcher.doc_count()


def test_reindexing_a_file_leaves_one_copy(both: Any, shared_corpus: Path) -> None:
    """Indexing is idempotent by id: sending a file's documents again changes no count; removing
    a file removes its documents, and indexing it again brings them back."""
    searcher, engine = both
    path = shared_corpus / STATE / "pdf" / "C05739560.pdf"
    docs = indexer.read_file(path, ocr="never")
    source = engine.document(docs[0].id)["source"]
    before = engine.count(wq.Every())
    writer = store.Writer(engine.client, engine.index)
    writer.replace_file(source, docs)
    writer.commit()
    assert engine.count(wq.Every()) == before == searcher.doc_count()
    assert source in writer.sources() and len(writer.sources()) == len(set(searcher.lexicon("source")))
    writer.remove_file(source)
    writer.commit()
    assert engine.count(wq.Every()) == before - len(docs) and source not in writer.sources()
    writer.replace_file(source, docs)
    writer.commit()
    assert engine.count(wq.Every()) == before


def test_refused_documents_are_named(opensearch_url: str) -> None:
    """A document the cluster refuses (a field the mapping does not know) is reported by id;
    the others of the batch are indexed."""
    client = store.connect(opensearch_url)
    name = f"foia-test-{uuid.uuid4().hex[:8]}"
    store.create_index(client, name)
    try:
        writer = store.Writer(client, name)
        writer.add_fields({"id": "good-1", "source": "a.txt", "text": "fine"})
        writer.add_fields({"id": "bad-1", "source": "a.txt", "text": "fine", "unknown_field": 1})
        with pytest.raises(store.BulkIndexingError) as caught:
            writer.commit()
        assert [f.id for f in caught.value.failures] == ["bad-1"]
        assert "strict_dynamic_mapping_exception" in caught.value.failures[0].reason
        assert store.indexed_ids(client, name, ["good-1", "bad-1"]) == {"good-1"}
    finally:
        store.delete_index(client, name)


def test_older_schema_version_is_detected(opensearch_url: str) -> None:
    client = store.connect(opensearch_url)
    name = f"foia-test-{uuid.uuid4().hex[:8]}"
    body = store.index_body()
    body["mappings"]["_meta"]["schema_version"] = 1
    client.indices.create(index=name, body=body)
    try:
        with pytest.raises(IncompatibleIndexError, match="schema version 1;.*foia reindex"):
            store.check_version(client, name)
    finally:
        store.delete_index(client, name)


def test_unreachable_cluster_is_one_line_naming_the_url() -> None:
    with pytest.raises(store.ClusterUnreachableError) as caught:
        store.connect("http://127.0.0.1:1", timeout=2)
    message = str(caught.value)
    assert "http://127.0.0.1:1" in message and "\n" not in message


def test_analyzers_make_whooshs_terms(opensearch_url: str) -> None:
    """The index analyzers give the terms and relative positions Whoosh gives, stop words and
    one-letter words removed without leaving a gap."""
    client = store.connect(opensearch_url)
    name = f"foia-test-{uuid.uuid4().hex[:8]}"
    store.create_index(client, name, replicas=0)
    schema = build_schema()
    samples = {
        "text": "The Secretary of State's U.S. Embassy in Bénghazi: negotiations on 2011-03-04, a b c x.y_z",
        "sender": "Mills, Cheryl D <MillsCD@state.gov>",
        "case_number": "F-2015-04841, B6 ,b7(C)",
        "exemptions": "B6,B7(C),B3 CIA PERS/ORG",
        "recipient_keys": "Smith, Jane\n  Doe, John  ",
        "release_status": "Part",
    }
    try:
        for fieldname, text in samples.items():
            ours = [(t.text, t.pos) for t in schema[fieldname].analyzer(text, positions=True)]
            theirs = [
                (t["token"], t["position"])
                for t in client.indices.analyze(index=name, body={"field": fieldname, "text": text})["tokens"]
            ]
            shift = ours[0][1] - theirs[0][1]
            assert [(t, p + shift) for t, p in theirs] == ours, fieldname
    finally:
        store.delete_index(client, name)


# --- translation, without a cluster -------------------------------------------------------


def test_phrase_slop_is_lucenes_minus_one() -> None:
    q = parse_query('"state department"~3')
    dsl = translate(q)
    near = dsl["bool"]["should"][0]["span_near"]
    assert near == {"clauses": [{"span_term": {"text": "state"}}, {"span_term": {"text": "depart"}}],
                    "slop": 2, "in_order": True}  # fmt: skip


def test_sent_date_is_a_range_on_the_date() -> None:
    dsl = translate(SentDate(datetime(2012, 9, 1), datetime(2012, 9, 30, 23, 59, 59, 999999)))
    assert dsl == {"range": {"date": {"gte": "2012-09-01T00:00:00.000", "lte": "2012-09-30T23:59:59.999"}}}


def test_numeric_terms_are_numbers() -> None:
    assert translate(parse_query("first_page:3")) == {"term": {"first_page": 3}}


def test_not_and_fuzzy() -> None:
    dsl = translate(parse_query("NOT benghazy~"))
    fuzzy = dsl["bool"]["must_not"][0]["bool"]["should"][0]["fuzzy"]["text"]
    assert fuzzy["fuzziness"] == 1 and fuzzy["transpositions"] is False


def test_unsupported_node_is_a_query_error() -> None:
    with pytest.raises(QueryError, match="OpenSearch backend cannot run .*Ordered"):
        translate(wq.Ordered([wq.Term("text", "a"), wq.Term("text", "b")]))


def test_page_query_leaves_out_excluded_words() -> None:
    pages = page_query(parse_query("benghazi NOT libya"))
    assert pages is not None
    assert "libya" not in repr(pages) and "pages.text" in repr(pages)
    assert page_query(parse_query("from:mills")) is None
