"""Searches that used to dead-end (issue 11): accents folded alike in the index and the query, a
query whose words are not all in one document, and upper-case operator words in pasted text."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import indexer
from indexer.errors import ExitCode, IncompatibleIndexError
from indexer.schema import SCHEMA_VERSION, fold_accents
from query.cli import app
from query.parse import Filters
from query.search import MARK, search

RELEASES = Path(__file__).resolve().parents[1] / "corpus" / "releases"
STATE_DOCS = (
    "C05739783",  # subject "Quick readout from Jeff Feltman in Tripol" (cut short by the agency)
    "C05739632",  # subject "Gorgeous pic on the front page of the NYT!", OCR'd "pie" and "NWT"
    "C05739815", "C05739732", "C05739649", "C05739846", "C05739818",  # other Feltman, NYT, front-page mail
    "C05739691", "C05739699", "C05739702",  # a Marrakesh "cafe", written "café" in C05739699
    "C05739716", "C05739728", "C05739597",  # a Meet the Press transcript: "Iran will not acquire a nuclear weapon"
)  # fmt: skip

runner = CliRunner()


def foia(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def state(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of a few real State documents."""
    index = tmp_path_factory.mktemp("recall") / "ix"
    pdfs = [shared_corpus / "state-f2015-04841" / "pdf" / f"{doc}.pdf" for doc in STATE_DOCS]
    report = indexer.index_paths(pdfs, index)
    assert report.ok and report.documents == len(STATE_DOCS), report
    return index


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("recall-sample") / "ix"
    assert indexer.index_paths([RELEASES], index).ok
    return index


def docs(index: Path, text: str, filters: Filters | None = None, **options: object) -> list[str | None]:
    return [h.doc_number for h in search(index, text, filters, **options).hits]  # type: ignore[arg-type]


# --- accents -----------------------------------------------------------------------------------------


def test_fold_accents() -> None:
    assert fold_accents("bénghazi") == "benghazi"
    assert fold_accents("ibáñez łódź øre naïve") == "ibanez lodz ore naive"
    assert fold_accents("ﬁnal i̇stanbul ελλάδα") == "final istanbul ελλαδα"
    assert fold_accents("plain ascii") == "plain ascii"


def test_C05739699_cafe_and_café_find_the_same_documents(state: Path) -> None:
    accented, plain = search(state, "café", limit=None), search(state, "cafe", limit=None)
    assert [h.doc_number for h in accented.hits] == [h.doc_number for h in plain.hits]
    assert {"C05739691", "C05739699", "C05739702"} <= {h.doc_number for h in plain.hits}
    written = next(h for h in plain.hits if h.doc_number == "C05739699")
    assert f"{MARK}café{MARK}" in written.snippets[0].text  # the text shown keeps its accent


def test_accented_input_finds_what_plain_input_finds(state: Path) -> None:
    assert docs(state, "bénghazi", limit=None) == docs(state, "benghazi", limit=None) != []
    assert docs(state, "Marrakésh cafè", limit=None) == docs(state, "marrakesh cafe", limit=None) != []
    assert docs(state, '"bombing of a cafè"', limit=None) == docs(state, '"bombing of a cafe"', limit=None) != []
    assert docs(state, "Bénghaz*", limit=None) == docs(state, "benghaz*", limit=None) != []


def test_an_accented_typo_gets_a_suggestion(state: Path) -> None:
    result = search(state, "Bénghazzi")
    assert result.total == 0
    assert result.suggestion == "benghazi"


def test_did_you_mean_leaves_stop_words_alone(state: Path) -> None:
    """`from` is never indexed (a stop word): it is not a typo to correct (it became `firm`)."""
    assert search(state, "Quick readout from Jeff Feltman in Tripol").suggestion == (
        "Quick readout from Jeff Feltman in tripoli"
    )


def test_names_match_with_or_without_accents(sample: Path) -> None:
    """The sample email is from `Ibáñez, José`: typed either way, in a field, a filter or the text."""
    for text in ("from:ibanez", "from:Ibáñez", "from:jose", "participant:ibanez", "jose ibanez", "ibañ*"):
        assert docs(sample, text) == ["C09900021"], text
    assert docs(sample, "", Filters(sender="Jose Ibanez")) == ["C09900021"]
    assert docs(sample, "", Filters(participant="IBANEZ")) == ["C09900021"]
    facets = search(sample, "desalination", facets=["sender"]).facets["sender"]
    assert [f.value for f in facets] == ["José Ibáñez"]  # the facet keeps its accents


def test_an_index_of_the_previous_schema_asks_for_reindex_then_folds(sample: Path, tmp_path: Path) -> None:
    """Schema 8 folds accents; an index made before it holds `ibáñez` and is refused with the
    command that rebuilds it, which then finds the sender typed without accents."""
    old = tmp_path / "old"
    shutil.copytree(sample, old)
    (old / "foia-index.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION - 1}) + "\n")
    with pytest.raises(IncompatibleIndexError, match=f"`foia reindex --index {old}`"):
        search(old, "from:ibanez")
    result = foia("search", "from:ibanez", "--index", old)
    assert result.exit_code == ExitCode.incompatible_index
    assert result.stderr.startswith(f"error: index at {old} was made with schema version {SCHEMA_VERSION - 1}")
    assert "Traceback" not in result.output
    assert foia("reindex", "--index", old).exit_code == 0
    assert docs(old, "ibanez", strict=True) == docs(old, "Ibáñez", strict=True) == ["C09900021"]


# --- words not all in one document ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "subject", "missing"),
    [
        ("C05739783", "Quick readout from Jeff Feltman in Tripol", ("Tripol",)),
        ("C05739632", "Gorgeous pic on the front page of the NYT!", ("pic",)),
    ],
)
def test_a_pasted_subject_finds_its_document_though_a_word_is_not_in_it(
    state: Path, doc: str, subject: str, missing: tuple[str, ...]
) -> None:
    strict = search(state, subject, strict=True)
    assert (strict.total, strict.hits, strict.partial) == (0, (), 0)
    result = search(state, subject)
    assert result.total == 0 and result.partial == len(result.hits) > 1
    assert result.hits[0].doc_number == doc
    assert result.hits[0].missing == missing
    assert all(h.missing for h in result.hits)


def test_partial_hits_come_after_the_documents_holding_every_word_and_lack_what_they_say(state: Path) -> None:
    text = "Feltman Jeff readout"
    result = search(state, text)
    assert 0 < result.total < len(result.hits)
    whole, partial = result.hits[: result.total], result.hits[result.total :]
    assert set(h.doc_number for h in whole) == set(docs(state, text, strict=True))
    assert not any(h.missing for h in whole) and all(h.missing for h in partial)
    assert [len(h.missing) for h in partial] == sorted(len(h.missing) for h in partial)  # most words first
    assert len({len(h.missing) for h in partial}) > 1
    assert result.partial >= len(partial)
    for hit in partial:
        for word in hit.missing:
            assert search(state, word, Filters(doc=hit.doc_number)).total == 0, (hit.doc_number, word)
        for word in set(text.split()) - set(hit.missing):
            assert search(state, word, Filters(doc=hit.doc_number)).total == 1, (hit.doc_number, word)


def test_partial_hits_page_on_from_the_whole_ones(state: Path) -> None:
    text = "Feltman Jeff readout"
    first = [(h.doc_number, h.missing) for h in search(state, text, limit=4).hits]
    paged = [(h.doc_number, h.missing) for page in (1, 2) for h in search(state, text, limit=2, page=page).hits]
    assert paged == first
    assert len(first) == 4


def test_partial_hits_keep_the_filters_and_field_clauses(state: Path) -> None:
    since = Filters(since="2012")
    result = search(state, "Quick readout Feltman Tripol", since)
    assert result.hits and all(h.date and h.date.year >= 2012 for h in result.hits)
    assert "C05739783" not in {h.doc_number for h in result.hits}  # sent in 2011
    result = search(state, "Quick readout Tripol from:sullivan")
    assert result.hits and all("sullivan" in (h.sender or "").lower() for h in result.hits)


def test_no_partial_hits_when_sorted_by_date_or_strict(state: Path) -> None:
    from query.search import Sort

    text = "Quick readout from Jeff Feltman in Tripol"
    assert search(state, text, sort=Sort.date).hits == ()
    assert search(state, text, strict=True).hits == ()


# --- upper-case operator words ---------------------------------------------------------------------------


def test_C05739716_upper_case_NOT_in_a_pasted_line_is_read_as_a_word_when_it_finds_nothing(state: Path) -> None:
    line = "IRAN WILL NOT ACQUIRE A NUCLEAR WEAPON"  # a line of the transcript, as a title would be pasted
    strict = search(state, line, strict=True)
    assert (strict.total, strict.reading) == (0, None)
    assert strict.suggestion == "IRAN WILL not ACQUIRE A NUCLEAR WEAPON"  # only suggested
    result = search(state, line)
    assert result.reading == "IRAN WILL not ACQUIRE A NUCLEAR WEAPON"
    assert result.total >= 1
    assert {"C05739716", "C05739728"} == {h.doc_number for h in result.hits[: result.total]}


def test_operator_words_are_operators_unless_that_finds_nothing(state: Path) -> None:
    result = search(state, "Marrakesh NOT quixotic", limit=None)
    assert result.reading is None and result.total == 3
    result = search(state, "Marrakesh NOT café", limit=None)  # every Marrakesh document says café or cafe
    assert result.reading == "Marrakesh not café" and result.total == 3


# --- what the CLI says ----------------------------------------------------------------------------------


def test_cli_says_which_hits_hold_only_some_of_the_words(state: Path) -> None:
    text = "Quick readout from Jeff Feltman in Tripol"
    table = foia("search", text, "--index", state, "-n", "3")
    assert table.exit_code == 0, table.output
    assert re.fullmatch(
        r"no document holds every word; \d+ hold some of the words; showing 3", table.stdout.splitlines()[0]
    )
    assert "   missing: Tripol\n" in table.stdout
    lines = foia("search", text, "--index", state, "-n", "3", "-f", "jsonl")
    records = [json.loads(line) for line in lines.stdout.splitlines()]
    assert records[0]["doc_number"] == "C05739783" and records[0]["missing"] == ["Tripol"]
    assert "no document holds every word" in lines.stderr
    body = json.loads(foia("search", text, "--index", state, "-n", "3", "-f", "json").stdout)
    assert body["total"] == 0 and body["partial"] >= 3 and body["reading"] is None
    assert body["hits"][0]["missing"] == ["Tripol"]
    csv_out = foia("search", text, "--index", state, "-n", "3", "-f", "csv")
    assert csv_out.stdout.splitlines()[0].endswith(",missing") and ",Tripol" in csv_out.stdout
    strict = foia("search", text, "--index", state, "--strict")
    assert strict.stdout.startswith("0 documents match; showing 0")


def test_cli_says_when_operator_words_were_searched_as_words(state: Path) -> None:
    result = foia("search", "IRAN WILL NOT ACQUIRE A NUCLEAR WEAPON", "--index", state, "-f", "jsonl")
    assert result.exit_code == 0
    assert "searched them as words: IRAN WILL not ACQUIRE A NUCLEAR WEAPON" in result.stderr
    body = json.loads(foia("search", "IRAN WILL NOT ACQUIRE A NUCLEAR WEAPON", "--index", state, "-f", "json").stdout)
    assert body["reading"] == "IRAN WILL not ACQUIRE A NUCLEAR WEAPON"
