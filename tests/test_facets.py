"""Facet counts from per-segment value tables (`query.facets`) agree with Whoosh's own facet
machinery, on an index of several segments with deleted documents, for queries matching a few
documents and most of them (counted from the other side), with a person's forms merged by the
aliases, and after documents are deleted from a segment whose table was read before."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from whoosh import sorting

from indexer import Options, index_paths
from indexer.schema import FACET_FIELDS
from query import Aliases, Filters, facets, parse_aliases, search
from query.engines.whoosh.search import opened
from query.facets import FACETS, _shown, facet_counts
from query.fast import segments
from query.parse import combine
from query.people import directory

RELEASES = Path(__file__).resolve().parents[1] / "corpus" / "releases"
MULTI = {"recipient", "exemption"}


def email(n: int, sender: str, recipients: str, status: str, codes: str, month: int) -> str:
    return (
        f"RELEASE IN {status} {codes}\n\nFrom: {sender}\nSent: Monday, {['January', 'March', 'June'][month]} "
        f"{n % 27 + 1}, 2011 9:{n % 60:02d} AM\nTo: {recipients}\nSubject: harbor note {n}\n\n"
        f"The harbor inspection {'budget' if n % 3 else 'schedule'} is attached.\n"
    )


def write_batch(folder: Path, first: int, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    senders = ["Mills, Cheryl D <MillsCD@state.gov>", "Cheryl Mills", "Sullivan, Jacob J", "Roe, Jane"]
    recipients = ["Roe, Jane; Doe, John", "Doe, John", "Mills, Cheryl D; Cheryl Mills", "Sullivan, Jacob J"]
    for n in range(first, first + count):
        status, codes = [("FULL", ""), ("PART", "B6"), ("PART", "B5, B6")][n % 3]
        text = email(n, senders[n % 4], recipients[n % 5 % 4], status, codes, n % 3)
        (folder / f"mail-{n:03d}.txt").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("facets")
    releases = folder / "releases"
    shutil.copytree(RELEASES, releases / "samples")
    ix = folder / "ix"
    options = Options(workers=1, ocr="never")
    write_batch(releases / "a", 0, 30)
    index_paths([releases], ix, options=options)  # one segment
    write_batch(releases / "b", 30, 30)
    index_paths([releases], ix, options=options)  # a second
    for n in range(0, 30, 4):  # documents of the first segment replaced: deleted there
        (releases / "a" / f"mail-{n:03d}.txt").write_text(email(n, "Haddad, Omar", "Doe, John", "DENIED", "B7(C)", 1))
    index_paths([releases], ix, options=options)
    return ix


def whoosh_counts(index: Path, text: str, name: str, aliases: Aliases) -> Counter[str]:
    """A facet counted through Whoosh's `groupedby`: the documents of each value, merged by the
    value shown (the forms of one person are one), counted."""
    with opened(index) as (ix, searcher):
        people = directory(index, ix, aliases)
        facet = sorting.FieldFacet(FACET_FIELDS[name], allow_overlap=name in MULTI, maptype=sorting.UnorderedList)
        results = searcher.search(combine(text, Filters(), ix.schema, people), limit=None, groupedby={name: facet})
        merged: dict[str, set[int]] = {}
        for value, docs in results.groups(name).items():
            if (shown := _shown(name, value, people)) is not None:
                merged.setdefault(shown, set()).update(docs)
        return Counter({shown: len(docs) for shown, docs in merged.items()})


def ours(index: Path, text: str, aliases: Aliases) -> dict[str, Counter[str]]:
    with opened(index) as (ix, searcher):
        people = directory(index, ix, aliases)
        found = facet_counts(searcher, combine(text, Filters(), ix.schema, people), FACETS, people, None)
    return {name: Counter({f.value: f.count for f in values}) for name, values in found.items()}


ALIASES = parse_aliases("Cheryl Mills = Mills, Cheryl D <MillsCD@state.gov>\n")


@pytest.mark.parametrize("text", ["", "harbor", "schedule", "budget OR tariff", "status:denied", "inspection"])
def test_counts_agree_with_whoosh_facets(index: Path, text: str) -> None:
    with opened(index) as (_, searcher):
        assert len(segments(searcher)) >= 2
        assert any(sub.reader().has_deletions() for sub, _ in segments(searcher))
    for aliases in (Aliases(), ALIASES):
        found = ours(index, text, aliases)
        for name in FACETS:
            assert found[name] == whoosh_counts(index, text, name, aliases), (text, name)


@pytest.mark.parametrize("text", ["harbor", "schedule", "budget OR tariff", "harbor NOT budget", '"harbor inspection"'])
def test_a_search_counts_facets_over_the_documents_it_scored(
    index: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`search` hands the documents its top-k scoring matched to the facet counts: the query is not
    run again, and the counts are Whoosh's."""
    def not_again(*_: object) -> set[int]:
        raise AssertionError("the query was run again for the facets")

    monkeypatch.setattr(facets, "doc_set", not_again)
    for aliases in (Aliases(), ALIASES):
        found = search(index, text, limit=5, facets=FACETS, aliases=aliases, top_values=None).facets
        for name in FACETS:
            assert Counter({f.value: f.count for f in found[name]}) == whoosh_counts(index, text, name, aliases), name


def test_a_person_named_twice_in_one_document_counts_once(index: Path) -> None:
    recipients = ours(index, "harbor", ALIASES)["recipient"]
    with opened(index) as (ix, searcher):
        q = combine("harbor", Filters(), ix.schema, directory(index, ix, ALIASES))
        naming = [str(hit.get("recipients", "")) for hit in searcher.search(q, limit=None)]
    assert any(r.count("Mills") == 2 for r in naming)
    assert recipients["Cheryl Mills"] == sum("Mills" in r for r in naming)


def test_counts_follow_documents_deleted_after_a_table_was_read(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    options = Options(workers=1, ocr="never")
    write_batch(releases / "a", 0, 20)
    index_paths([releases], tmp_path / "ix", options=options)
    write_batch(releases / "b", 20, 20)
    index_paths([releases], tmp_path / "ix", options=options)
    before = ours(tmp_path / "ix", "", Aliases())
    for path in sorted((releases / "a").iterdir())[:6]:
        path.unlink()
    index_paths([releases], tmp_path / "ix", options=options, prune=True)  # deleted inside a segment
    after = ours(tmp_path / "ix", "", Aliases())
    for name in ("status", "sender", "recipient", "month"):
        assert after[name] == whoosh_counts(tmp_path / "ix", "", name, Aliases()), name
    assert sum(after["status"].values()) == sum(before["status"].values()) - 6


def test_how_many_values_each_facet_keeps(index: Path) -> None:
    every = search(index, "", facets=["sender", "month", "status"], top_values=None).facets
    some = search(index, "", facets=["sender", "month", "status"], top_values={"sender": 1, "status": 2}).facets
    assert some["sender"] == every["sender"][:1] and some["status"] == every["status"][:2]
    assert some["month"] == every["month"] and len(every["month"]) > 2  # a facet not named keeps every value
