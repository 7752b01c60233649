"""`foia diff`: what a newer release of a record reveals that an older one withheld.

The real pairs are NARA JFK records released more than once; each expected passage was found by
reading both releases side by side: the older release's text has a gap (or redaction-box debris)
where the newer prints the passage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_helpers import doc_id

from indexer import Options, index_paths
from indexer.errors import BadArgumentError, ExitCode
from query.cli import app
from query.diff import Diff, Passage, PassageKind, diff_documents, diff_lines
from query.search import StoredDocument
from query.web import create_app

JFK = ("text/2023/176-10011-10152.md", "text/2025/176-10011-10152.md", "ocr-layer-pdf/176-10011-10152_ocr.pdf",
       "text/2023/124-10180-10295.md", "text/2025/124-10180-10295.md",
       "text/2022/124-90158-10062.md", "text/2025/124-90158-10062.md")  # fmt: skip
"""Records released two or three times (2022, 2023, 2025), one as a PDF too."""


@pytest.fixture(scope="module")
def jfk_index(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("diff") / "ix"
    assert index_paths([shared_corpus / "jfk-nara" / p for p in JFK], index, options=Options(workers=1)).ok
    return index


def compared(index: Path, older: str, newer: str, older_page: int = 1) -> Diff:
    from query.diff import compare

    return compare(index, doc_id(index, older, older_page), doc_id(index, newer))


def only(diff: Diff, kind: PassageKind, words: str) -> Passage:
    """The one passage of `kind` whose text on its side holds `words`."""
    found = [
        p for p in diff.passages if p.kind is kind and words in (p.newer if kind is PassageKind.revealed else p.older)
    ]
    assert len(found) == 1, diff.passages
    return found[0]


# --- real releases ---------------------------------------------------------------------------------


def test_176_10011_10152_2025_reveals_the_strike_force_payment(jfk_index: Path) -> None:
    """2023 leaves a blank line in paragraph 9 (`...the ento groupe.` / `and the paaltestiose`);
    2025 prints `the payment to depominate af tue atelke fareo` there (OCR of "the payment to
    ... of the strike force"). Everything else differs by OCR noise only."""
    diff = compared(jfk_index, "2023/176-10011-10152.md", "2025/176-10011-10152.md")
    assert [p.kind for p in diff.passages] == [PassageKind.revealed]
    (passage,) = diff.passages
    assert passage.newer == "the payment to depominate af tue atelke fareo"
    assert passage.older == ""
    assert passage.before.endswith("the ento groupe.") and passage.after.startswith("and the pabitcasione")
    assert diff.folded > 0  # `qualified Chinet` / `qualifted Chint` and the like


def test_176_10011_10152_older_side_sees_it_withheld(jfk_index: Path) -> None:
    """The same pair compared the other way round: the passage is withheld by the second."""
    diff = compared(jfk_index, "2025/176-10011-10152.md", "2023/176-10011-10152.md")
    passages = [(p.kind, p.older) for p in diff.passages]
    assert passages == [(PassageKind.withheld, "the payment to depominate af tue atelke fareo")]


def test_176_10011_10152_text_against_the_2025_pdf(jfk_index: Path) -> None:
    """A plain-text release against a PDF with another OCR run's text layer: the reveal is found
    on the PDF's page 4, read by that OCR as `the payment te depoadonte of the atetke force`."""
    diff = compared(jfk_index, "2023/176-10011-10152.md", "176-10011-10152_ocr.pdf")
    passage = only(diff, PassageKind.revealed, "the payment te depoadonte of the atetke force")
    assert (passage.older_page, passage.newer_page) == (1, 4)
    assert diff.folded > len(diff.passages)  # two OCR engines: noise everywhere, mostly folded


def test_176_10011_10152_pdf_short_misreadings_fold(jfk_index: Path) -> None:
    """Paragraph 5 of page 3: the text release reads `This asias`, the PDF's OCR `Pate: once,`;
    a word or two read differently by each OCR is noise, not a change."""
    diff = compared(jfk_index, "2023/176-10011-10152.md", "176-10011-10152_ocr.pdf")
    assert not [p for p in diff.passages if "asias" in p.older or "tale cur" in p.older]
    assert diff.changed < diff.folded // 4


def test_124_10180_10295_2025_reveals_office_of_special_adviser(jfk_index: Path) -> None:
    """The Bern memo: 2023 reads `NO DIMMERS (covert CIA)`, 2025 `JOHN DINNER, Office of Special
    Adviser (covert CIA)`: the office was withheld, the name only misread. (The 2023 file is
    indexed as two documents, the identification form and the memo from page 2.)"""
    diff = compared(jfk_index, "2023/124-10180-10295.md", "2025/124-10180-10295.md", older_page=2)
    passage = only(diff, PassageKind.revealed, "Office of Special Adviser")
    assert passage.newer == "Office of Special Adviser"
    assert passage.before.endswith("JOHN DINNER,") and passage.after.startswith("(covert CIA)")
    assert (passage.older_page, passage.newer_page) == (2, 2)


def test_124_90158_10062_2025_reveals_the_source_description(jfk_index: Path) -> None:
    """The CIA report on DISIP: 2022 (like 2018) blacks out who the source is; 2025 prints `An
    experienced police investigator whose position gives him access to information ...`."""
    diff = compared(jfk_index, "2022/124-90158-10062.md", "2025/124-90158-10062.md")
    passage = only(diff, PassageKind.revealed, "experienced police investigator whose position gives him")
    assert "security of Venezuela" in passage.newer
    assert passage.newer_page == 2


# --- noise folding, exemption attribution, footers ---------------------------------------------------


def document(doc_id: str, *pages: str, stamps: tuple[str, ...] = ()) -> StoredDocument:
    return StoredDocument({"id": doc_id, "text": "\f".join(pages), "first_page": 1, "stamps": list(stamps)})


MEMO = """The Director of the Service sets the general policy based on instructions
from the Ministry of the Interior and has ultimate control of the Services.
The Deputy Director assists him in carrying out these responsibilities."""
MEMO_REREAD = """The Dircctor of thc Service scts the gencral policy bascd on instructions
from the Ministry of tho Interior and has ultimatc control of the Scrvices.
Thc Deputy Dircctor assists him in carrying out thesc responsibilitics."""


def test_ocr_misreadings_are_folded() -> None:
    diff = diff_documents(document("a", MEMO), document("b", MEMO_REREAD))
    assert diff.passages == ()
    assert diff.folded >= 1


def test_a_reveal_among_ocr_misreadings_is_kept() -> None:
    newer = MEMO_REREAD.replace("assists him", "Colonel Rafael Mendez assists him")
    (passage,) = diff_documents(document("a", MEMO), document("b", newer)).passages
    assert (passage.kind, passage.newer, passage.older) == (PassageKind.revealed, "Colonel Rafael Mendez", "")


def test_code_where_text_was_withheld_is_the_passages() -> None:
    older = "Our contact (b)(6) met the consul at the embassy on Monday.\n\nThe report was filed on Tuesday."
    newer = "Our contact John Roe met the consul at the embassy on Monday.\n\nThe report was filed on Tuesday."
    (passage,) = diff_documents(document("a", older), document("b", newer)).passages
    assert passage.kind is PassageKind.revealed
    assert passage.newer == "John Roe"
    assert passage.exemptions == ("B6",)


def test_code_far_from_the_gap_is_not_the_passages() -> None:
    filler = " ".join(f"word{n}" for n in range(120))
    older = f"Released under (b)(3) in part. {filler} Our contact met the consul."
    newer = f"Released under in part. {filler} Our contact Jane Doe met the consul."
    (passage,) = diff_documents(document("a", older), document("b", newer)).passages
    assert passage.newer == "Jane Doe" and passage.exemptions == ()


def test_newer_release_withholding_again_cites_its_code() -> None:
    older = "The informant Pedro Alvarez reported to the station chief in the evening."
    newer = "The informant (b)(7)(D) reported to the station chief in the evening."
    (passage,) = diff_documents(document("a", older), document("b", newer)).passages
    assert (passage.kind, passage.older, passage.exemptions) == (PassageKind.withheld, "Pedro Alvarez", ("B7(D)",))


def test_page_footers_are_not_differences() -> None:
    body = "The general policy is set by the Director of the Service.\n"
    older = document("a", body + "NW 50953 DocId:32340405 Page 1", body + "Page 2", stamps=("DocId:32340405",))
    newer = document("b", body + "HW 50953 Docld: 32340405", body + "NH 50953\nDoeId:32340405\nPage 2",
                     stamps=("DocId:32340405",))  # fmt: skip
    assert diff_documents(older, newer).passages == ()


def test_terminal_form_fits_80_columns(jfk_index: Path) -> None:
    diff = compared(jfk_index, "2022/124-90158-10062.md", "2025/124-90158-10062.md")
    lines = diff_lines(diff, width=80)
    assert max(map(len, lines)) <= 80
    assert any(line.startswith("  + ") and "experienced police" in line for line in lines)


# --- CLI and web -----------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_diff_text_json_and_errors(jfk_index: Path) -> None:
    older, newer = doc_id(jfk_index, "2023/176-10011-10152.md"), doc_id(jfk_index, "2025/176-10011-10152.md")
    result = runner.invoke(app, ["diff", older, newer, "--index", str(jfk_index)])
    assert result.exit_code == 0, result.output
    assert "1 revealed, 0 withheld, 0 changed" in result.output
    assert "+ the payment to depominate af tue atelke fareo" in result.output

    result = runner.invoke(app, ["diff", older, newer, "--index", str(jfk_index), "--format", "json"])
    body = json.loads(result.output)
    assert body["revealed"] == 1 and body["passages"][0]["kind"] == "revealed"
    assert body["older"]["id"] == older and body["newer"]["id"] == newer

    unknown = runner.invoke(app, ["diff", "no-such-id", newer, "--index", str(jfk_index)])
    assert unknown.exit_code == ExitCode.not_found and "no-such-id" in unknown.output
    same = runner.invoke(app, ["diff", newer, newer, "--index", str(jfk_index)])
    assert same.exit_code == ExitCode.bad_args and "same document" in same.output
    one = runner.invoke(app, ["diff", older, "--index", str(jfk_index), "--format", "json"])
    assert one.exit_code == 0, one.output
    assert json.loads(one.output)["revealed"] >= 1


def test_176_10011_10152_one_id_compares_its_oldest_and_newest_release(jfk_index: Path) -> None:
    """`foia diff ID`: the record's releases as `foia versions` groups them, oldest against newest."""
    from query.diff import versions_to_compare

    older, newer = versions_to_compare(jfk_index, doc_id(jfk_index, "2025/176-10011-10152.md"))
    assert older == doc_id(jfk_index, "2023/176-10011-10152.md")
    assert newer in {doc_id(jfk_index, "2025/176-10011-10152.md"), doc_id(jfk_index, "176-10011-10152_ocr.pdf")}


def test_one_id_without_other_releases_names_the_two_id_form(tmp_path: Path) -> None:
    from query.diff import versions_to_compare

    index = tmp_path / "ix"
    text = tmp_path / "memo.txt"
    text.write_text("A memo released once, about a meeting held on Tuesday.\n")
    assert index_paths([text], index, options=Options(workers=1)).ok
    with pytest.raises(BadArgumentError, match="diff .* OTHER"):
        versions_to_compare(index, doc_id(index, "memo.txt"))


def test_web_diff_side_by_side_and_api(jfk_index: Path) -> None:
    client = TestClient(create_app(jfk_index), base_url="http://localhost")
    older, newer = doc_id(jfk_index, "2023/124-10180-10295.md", 2), doc_id(jfk_index, "2025/124-10180-10295.md")
    body = client.get(f"/api/diff/{older}/{newer}").json()
    assert body["revealed"] == sum(p["kind"] == "revealed" for p in body["passages"]) >= 1
    assert any(p["kind"] == "revealed" and p["newer"] == "Office of Special Adviser" for p in body["passages"])
    page = client.get(f"/diff/{older}/{newer}")
    assert page.status_code == 200
    assert "<ins>Office of Special Adviser</ins>" in page.text
    assert f'href="/doc/{older}"' in page.text and f'href="/doc/{newer}"' in page.text
    missing = client.get(f"/api/diff/{older}/no-such-id")
    assert missing.status_code == 404 and "no-such-id" in missing.json()["error"]
    assert client.get(f"/api/diff/{older}/{older}").status_code == 400
    record = client.get(f"/api/diff/{doc_id(jfk_index, '2025/176-10011-10152.md')}").json()
    assert record["older"]["id"] == doc_id(jfk_index, "2023/176-10011-10152.md") and record["revealed"] >= 1
    assert client.get(f"/diff/{newer}").status_code == 200
    oldest, newest = doc_id(jfk_index, "2023/176-10011-10152.md"), doc_id(jfk_index, "2025/176-10011-10152.md")
    assert f'href="/diff/{oldest}/{newest}"' in client.get(f"/doc/{newest}").text
