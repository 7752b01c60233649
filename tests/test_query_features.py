"""Research features of the query library on an index of the sample releases: facets, sorting and
paging, person aliases, did-you-mean, more like this, citations, saved searches."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import Schema
from whoosh.searching import Searcher

import indexer
import indexer.store
import query.parse
from indexer.errors import BadArgumentError, DocumentNotFoundError, QueryError, WatchNotFoundError
from indexer.schema import build_schema
from query import (
    Filters,
    Sort,
    add_watch,
    citation,
    export_records,
    iter_hits,
    list_watches,
    new_hits,
    parse_aliases,
    remove_watch,
    search,
    similar,
)
from query.aliases import Aliases, name_forms
from query.facets import FACETS, check_facets

RELEASES = Path(__file__).resolve().parents[1] / "corpus" / "releases"
ALIASES = parse_aliases("Dana Rivera = Rivera, Dana L = riveradl@example.gov  # the harbor office\nPetra = Lindqvist\n")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("features") / "foia-index"
    assert indexer.index_paths([RELEASES], path).ok
    return path


@pytest.fixture(scope="module")
def records(index_dir: Path) -> list[dict[str, object]]:
    return list(export_records(index_dir))


# --- facets --------------------------------------------------------------------------------------


def expected_counts(records: list[dict[str, object]], key: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for record in records:
        value = record[key]
        for each in value if isinstance(value, list) else [value]:
            if each:
                counts[str(each)] += 1
    return counts


@pytest.mark.parametrize(
    ("facet", "key"),
    [("case", "case_number"), ("status", "release_status"), ("exemption", "exemptions"), ("agency", "agency")],
)
def test_facet_counts_agree_with_the_exported_records(
    index_dir: Path, records: list[dict[str, object]], facet: str, key: str
) -> None:
    result = search(index_dir, "", limit=1, facets=[facet], top_values=None)
    assert {f.value: f.count for f in result.facets[facet]} == expected_counts(records, key)


def test_year_and_month_facets_follow_the_dates(index_dir: Path, records: list[dict[str, object]]) -> None:
    result = search(index_dir, "", limit=1, facets=["year", "month"])
    dates = [str(r["date"]) for r in records if r["date"]]
    assert {f.value: f.count for f in result.facets["year"]} == Counter(d[:4] for d in dates)
    assert {f.value: f.count for f in result.facets["month"]} == Counter(d[:7] for d in dates)


def test_facets_count_every_match_not_only_the_page(index_dir: Path) -> None:
    one = search(index_dir, "port OR harbor", limit=1, facets=FACETS)
    every = search(index_dir, "port OR harbor", limit=None, facets=FACETS)
    assert one.facets == every.facets
    assert sum(f.count for f in one.facets["status"]) <= one.total


def test_facets_are_ranked_by_count_then_value(index_dir: Path) -> None:
    values = search(index_dir, "", facets=["recipient"], top_values=None).facets["recipient"]
    assert [(-f.count, f.value) for f in values] == sorted((-f.count, f.value) for f in values)
    assert len(search(index_dir, "", facets=["recipient"], top_values=2).facets["recipient"]) == 2


def test_unknown_facet_is_a_query_error() -> None:
    with pytest.raises(QueryError, match="unknown facet 'colour'; use one of sender, recipient"):
        check_facets(["sender", "colour"])
    assert check_facets([" Sender", "sender", "YEAR"]) == ("sender", "year")


def test_aliases_merge_facet_values(index_dir: Path) -> None:
    plain = search(index_dir, "", facets=["recipient"], top_values=None).facets["recipient"]
    merged = search(index_dir, "", facets=["recipient"], aliases=ALIASES, top_values=None).facets["recipient"]
    counts = {f.value: f.count for f in plain}
    assert {f.value: f.count for f in merged}["Dana Rivera"] == counts["Dana L. Rivera"]  # the group, renamed
    assert {f.value for f in merged}.isdisjoint({"Rivera, Dana L", "Dana L. Rivera"})
    assert sum(f.count for f in merged) == sum(f.count for f in plain)


# --- sorting and paging --------------------------------------------------------------------------


def test_sort_by_date_puts_undated_documents_last(index_dir: Path) -> None:
    hits = search(index_dir, "", limit=None, sort=Sort.date).hits
    dates = [h.date for h in hits]
    dated = [d for d in dates if d]
    assert dated == sorted(dated) and dates[: len(dated)] == dated
    newest = [h.date for h in search(index_dir, "", limit=None, sort=Sort.newest).hits]
    assert newest[: len(dated)] == sorted(dated, reverse=True)
    assert all(h.score is None for h in hits)


def test_sort_by_doc_number(index_dir: Path) -> None:
    numbers = [h.doc_number for h in search(index_dir, "", limit=None, sort=Sort.doc).hits if h.doc_number]
    assert numbers == sorted(numbers)


def test_pages_cover_every_hit_once(index_dir: Path) -> None:
    every = [h.id for h in search(index_dir, "", limit=None, sort=Sort.doc).hits]
    paged = [h.id for page in (1, 2, 3) for h in search(index_dir, "", limit=2, page=page, sort=Sort.doc).hits]
    assert paged == every
    beyond = search(index_dir, "", limit=2, page=4)
    assert beyond.hits == () and beyond.total == len(every)


@pytest.mark.parametrize(("limit", "page"), [(10, 0), (None, 2)])
def test_impossible_pages(index_dir: Path, limit: int | None, page: int) -> None:
    with pytest.raises(QueryError, match="does not exist"):
        search(index_dir, "", limit=limit, page=page)


def test_export_in_date_order(index_dir: Path) -> None:
    dates = [f["date"] for f in iter_hits(index_dir, "", sort=Sort.date) if f.get("date")]
    assert dates == sorted(dates) and len(dates) >= 4


# --- query language on the index -------------------------------------------------------------------


def doc_numbers(index_dir: Path, text: str, filters: Filters | None = None, aliases: Aliases | None = None) -> set:
    return {h.doc_number for h in search(index_dir, text, filters, limit=None, aliases=aliases).hits}


def test_phrase_with_slop_fuzzy_and_wildcards(index_dir: Path) -> None:
    assert doc_numbers(index_dir, '"port budget"') == set()
    assert "C09900011" in doc_numbers(index_dir, '"port budget"~2')
    assert doc_numbers(index_dir, "scaner~") == doc_numbers(index_dir, "scanner")
    assert doc_numbers(index_dir, "scaner") == set()
    assert doc_numbers(index_dir, "scann*") == doc_numbers(index_dir, "scanner OR scanned")


def test_quoted_name_on_a_field_without_positions_is_not_an_error(index_dir: Path) -> None:
    assert doc_numbers(index_dir, 'from:"Rivera, Dana"') == {"C09900001"}


def test_date_filters_through_buckets_equal_plain_date_checks(index_dir: Path, records: list[dict]) -> None:
    for since, until in [("2011-01-25", "2011-03"), ("2011", "2011"), ("2011-03-04", None), (None, "2011-01-24")]:
        found = doc_numbers(index_dir, "", Filters(since=since, until=until))
        low = since or "0000"
        high = (until or "9999") + "\uffff"
        expected = {r["doc_number"] for r in records if r["date"] and low <= str(r["date"]) <= high}
        assert found == expected, (since, until)
    assert doc_numbers(index_dir, "date:>2011-01-24") == doc_numbers(index_dir, "", Filters(since="2011-01-25"))


def test_year_month_and_agency_fields(index_dir: Path) -> None:
    assert doc_numbers(index_dir, "month:2011-01") == doc_numbers(index_dir, "date:2011-01")
    assert doc_numbers(index_dir, "year:2011") == doc_numbers(index_dir, "date:2011")
    assert len(doc_numbers(index_dir, "agency:state")) == 6
    assert doc_numbers(index_dir, "", Filters(agency="justice")) == set()


def test_person_aliases_in_queries_and_filters(index_dir: Path) -> None:
    rivera = doc_numbers(index_dir, "from:rivera")
    assert rivera and doc_numbers(index_dir, "from:riveradl@example.gov", aliases=ALIASES) == rivera
    assert doc_numbers(index_dir, 'from:"Dana Rivera"', aliases=ALIASES) == rivera
    assert doc_numbers(index_dir, "", Filters(sender="Dana Rivera"), aliases=ALIASES) == rivera
    petra = doc_numbers(index_dir, "to:lindqvist")
    assert doc_numbers(index_dir, "to:Petra", aliases=ALIASES) == petra
    to_or_cc = doc_numbers(index_dir, "", Filters(recipient="lindqvist"))
    assert doc_numbers(index_dir, "", Filters(recipient="petra"), aliases=ALIASES) == to_or_cc
    assert doc_numbers(index_dir, "participant:Petra", aliases=ALIASES) == doc_numbers(
        index_dir, "participant:lindqvist"
    )


def test_alias_file_format() -> None:
    aliases = parse_aliases("# people\n\nHillary Clinton = H = hrod17@clintonemail.com\n")
    assert aliases.group("h")[:1] == ("Hillary Clinton",)
    assert {"H", "h", "hrod17@clintonemail.com"} <= set(aliases.group("HRod17@ClintonEmail.com") or ())
    assert aliases.canonical("H <hrod17@clintonemail.com>") == "Hillary Clinton"
    assert aliases.canonical("HRod17@ClintonEmail.com") == "Hillary Clinton"
    assert aliases.canonical("Mills, Cheryl D") == "Mills, Cheryl D"
    assert name_forms("Mills, Cheryl D <MillsCD@state.gov>") == {
        "mills, cheryl d <millscd@state.gov>",
        "millscd@state.gov",
        "mills, cheryl d",
    }
    with pytest.raises(BadArgumentError, match="line 2: write names separated by ="):
        parse_aliases("A = B\nJust one name\n", "aliases.txt")


def test_alias_names_match_whatever_their_case(tmp_path: Path) -> None:
    release = tmp_path / "release"
    release.mkdir()
    header = "Sent: Friday, May 6, 2011 8:20 AM\nSubject: {}\n\nThe harbor inspection is on Monday.\n"
    (release / "one.txt").write_text("From: H\nTo: Petra\n" + header.format("from H"), encoding="utf-8")
    (release / "two.txt").write_text("From: Petra\nTo: H\n" + header.format("to H"), encoding="utf-8")
    index = tmp_path / "ix"
    assert indexer.index_paths([release], index).ok
    aliases = parse_aliases("Hillary Clinton = h\n")  # the file says `h`, the documents `H`

    def subjects(text: str, filters: Filters | None = None) -> set[str | None]:
        return {h.subject for h in search(index, text, filters, limit=None, aliases=aliases).hits}

    assert subjects('from:"Hillary Clinton"') == subjects("from:h") == {"from H"}
    assert subjects("", Filters(recipient="HILLARY CLINTON")) == {"to H"}
    assert subjects("participant:h") == subjects("", Filters(participant="Hillary Clinton")) == {"from H", "to H"}


# --- did you mean, more like this --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("harbr", "harbor"),
        ("scaner budget", "scanner budget"),
        ("desalnation", "desalination"),
        # typos in the suffix the stemmer strips: the stems `inspectoin` and `desalin` are too far apart
        ("inspectoin", "inspection"),
        ("desalinatoin plant", "desalination plant"),
    ],
)
def test_did_you_mean(index_dir: Path, typed: str, meant: str) -> None:
    result = search(index_dir, typed)
    assert result.total == 0
    assert result.suggestion == meant
    assert search(index_dir, meant).total > 0


def test_no_suggestion_when_hits_or_nothing_close(index_dir: Path) -> None:
    assert search(index_dir, "harbor").suggestion is None
    assert search(index_dir, "zeppelin").suggestion is None
    assert search(index_dir, "portmanteau").suggestion is None  # `port` is indexed, but no word of it is close
    assert search(index_dir, "from:harbr").suggestion is None  # field values are left alone


def test_similar_documents(index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options: list[dict[str, object]] = []
    whoosh_search = Searcher.search
    monkeypatch.setattr(Searcher, "search", lambda self, q, **kw: options.append(kw) or whoosh_search(self, q, **kw))
    result = similar(index_dir, "C09900001", limit=2)
    assert not any(kw.get("terms") for kw in options)  # matched terms cost a walk of every match
    assert result.hits and "C09900001" not in {h.doc_number for h in result.hits}
    assert all("**" in s.text for h in result.hits for s in h.snippets)
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert result.total == len(similar(index_dir, "C09900001", limit=1000).hits) >= len(result.hits)
    with pytest.raises(DocumentNotFoundError):
        similar(index_dir, "C00000000")


# --- citations ------------------------------------------------------------------------------------


def test_export_cites_the_page_of_the_best_snippet(index_dir: Path) -> None:
    pages = {r["doc_number"]: (r["page"], r["citation"]) for r in export_records(index_dir, "calibration")}
    page, cited = pages["C09900001"]
    assert page == 2
    assert cited == (
        "Dana L. Rivera to Samuel Okafor, “FW: Harbor inspection schedule for the northern terminals,” March 3, "
        "2011, U.S. Department of State, FOIA case F-2099-00123, doc. C09900001, p. 2 (released March 14, 2099)."
    )


def test_export_cites_the_page_a_wildcard_matched(index_dir: Path) -> None:
    for text in ("calib*", "calib?ation", "calibration NOT zzzz"):
        pages = {r["doc_number"]: r["page"] for r in export_records(index_dir, text)}
        assert pages["C09900001"] == 2, text


def test_export_parses_the_query_once_and_keeps_the_order_of_iter_hits(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    parse = query.parse.parse_query
    monkeypatch.setattr(query.parse, "parse_query", lambda text, *rest: parsed.append(text) or parse(text, *rest))
    assert list(export_records(index_dir, "harbor")) and parsed == ["harbor"]
    for text, sort in [("", Sort.relevance), ("", Sort.date), ("port date:2011", Sort.newest)]:
        exported = [r["id"] for r in export_records(index_dir, text, sort=sort)]
        assert exported == [f["id"] for f in iter_hits(index_dir, text, sort=sort)], (text, sort)


def test_export_cites_the_page_the_index_analyzer_matched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With an index whose text analyzer does not stem, `inspections` matches page 2 only, though
    page 1's `inspection` has the same stem."""

    def unstemmed() -> Schema:
        schema = build_schema()
        schema["text"].analyzer = StandardAnalyzer()
        return schema

    monkeypatch.setattr(indexer.store, "build_schema", unstemmed)
    release = tmp_path / "memo.txt"
    release.write_text("Subject: Harbor\n\nOne inspection a year.\n\fTwo inspections a year.\n", encoding="utf-8")
    index = tmp_path / "ix"
    assert indexer.index_paths([release], index).ok
    [record] = export_records(index, "inspections")
    assert record["page"] == 2 and str(record["citation"]).endswith("p. 2.")


def test_citation_without_stamps() -> None:
    fields = {"source": "/x/scan.pdf", "first_page": 4, "last_page": 6}
    assert citation(fields) == "scan.pdf, pp. 4–6."
    assert citation({**fields, "release_date": datetime(2015, 5, 13)}, 5) == "scan.pdf, p. 5 (released May 13, 2015)."


def test_search_hits_carry_a_citation_of_their_snippet_page(index_dir: Path) -> None:
    hit = search(index_dir, "calibration").hits[0]
    assert hit.page == 2 and hit.agency == "U.S. Department of State"


# --- saved searches ------------------------------------------------------------------------------------


def test_saved_search_reports_only_documents_indexed_after_it(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    email, production = RELEASES / "state-email-release.pdf", RELEASES / "production-several-documents.pdf"
    assert indexer.index_paths([email], index).ok
    add_watch(index, "scanner", "scanner")
    add_watch(index, "full", "", Filters(status="full"))
    assert [(n.name, n.total) for n in new_hits(index)] == [("full", 0), ("scanner", 0)]

    assert indexer.index_paths([email, production], index).ok
    expected = {h.id for h in search(index, "scanner", limit=None).hits if h.source == str(production)}
    peeked = new_hits(index, ["scanner"], mark=False)
    assert {h.id for h in peeked[0].hits} == expected and peeked[0].total == len(expected) > 0
    news = new_hits(index)
    assert {h.id for h in news[1].hits} == expected
    assert news[0].total == len(search(index, "", Filters(status="full"), limit=None).hits)
    assert [n.total for n in new_hits(index)] == [0, 0]  # seen now


def test_saved_search_hits_are_the_search_hits_without_asking_whoosh_for_matched_terms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "ix"
    production = RELEASES / "production-several-documents.pdf"
    assert indexer.index_paths([RELEASES / "plain-text-release.txt"], index).ok
    add_watch(index, "scanner", "scann* OR port", Filters(since="2011"))
    assert indexer.index_paths([RELEASES / "plain-text-release.txt", production], index).ok
    options: list[dict[str, object]] = []
    whoosh_search = Searcher.search
    monkeypatch.setattr(Searcher, "search", lambda self, q, **kw: options.append(kw) or whoosh_search(self, q, **kw))
    [news] = new_hits(index, mark=False)
    assert options and not any(kw.get("terms") for kw in options)  # matched terms cost a walk of every match
    found = search(index, "scann* OR port", Filters(since="2011"), limit=None).hits
    expected = [(h.id, h.page, h.snippets) for h in found if h.source == str(production)]
    assert [(h.id, h.page, h.snippets) for h in news.hits] == expected and news.total == len(expected) > 1
    assert all("**" in s.text for h in news.hits for s in h.snippets) and news.hits[0].snippets
    [first] = new_hits(index, mark=False, limit=1)
    assert first.total == news.total and first.hits == news.hits[:1]
    [counted] = new_hits(index, mark=False, limit=0)  # what the index summary asks: no hits built
    assert (counted.total, counted.hits) == (news.total, ())


def test_rebuilt_index_does_not_make_old_documents_new(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert indexer.index_paths([RELEASES], index).ok
    add_watch(index, "all", "")
    shutil.rmtree(index / "whoosh")
    indexer.reindex(index)
    assert new_hits(index)[0].total == 0


def test_watch_names_and_errors(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert indexer.index_paths([RELEASES / "plain-text-release.txt"], index).ok
    add_watch(index, "a.b-c_1", "tariff")
    with pytest.raises(BadArgumentError, match="exists"):
        add_watch(index, "a.b-c_1", "other")
    with pytest.raises(BadArgumentError, match="watch name"):
        add_watch(index, "two words", "x")
    with pytest.raises(QueryError, match="unbalanced"):
        add_watch(index, "bad", '"open')
    with pytest.raises(WatchNotFoundError, match="no watch named 'nope'"):
        new_hits(index, ["nope"])
    remove_watch(index, "a.b-c_1")
    assert list_watches(index) == []
    with pytest.raises(WatchNotFoundError, match="no watch named"):
        remove_watch(index, "a.b-c_1")
