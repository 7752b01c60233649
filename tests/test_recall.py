"""Searches that used to dead-end (issue 11): accents folded alike in the index and the query."""

from __future__ import annotations

import json
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
    assert docs(old, "ibanez") == docs(old, "Ibáñez") == ["C09900021"]
