"""indexer.titles: titles of memos, letters, cables and reports, and the first line for lists."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import indexer
from indexer.titles import document_title, first_line

STATE = "state-f2014-20439/txt"
CHICAGO = "chicago-foia/reference-text"
JFK = "jfk-nara/text/2022"


def _doc(shared_corpus: Path, path: str, first_page: int = 1) -> indexer.Document:
    """The document of a release file starting on `first_page`."""
    docs = indexer.read_file(shared_corpus / path, ocr="never")
    return next(d for d in docs if d.first_page == first_page)


def _title(shared_corpus: Path, path: str, first_page: int = 1) -> str | None:
    return _doc(shared_corpus, path, first_page).meta.title


# --- rules -----------------------------------------------------------------------------------


def test_labelled_line_with_margin_code_and_wrapped_value_under_it() -> None:
    lines = [
        "MEMORANDUM FOR THE RECORD",
        "SUBJECT:  Flights from Mexico City to Havana            B6",
        "          on 22 November 1963",
        "1. Body of the memo begins here.",
    ]
    assert document_title(lines) == "Flights from Mexico City to Havana on 22 November 1963"


@pytest.mark.parametrize("line", ["Subject to the approval of the board.", "Subject:", "RE:   B6"])
def test_sentence_or_empty_label_is_no_title(line: str) -> None:
    assert document_title([line, "", "The body of the letter goes on for a while, as bodies do here."]) is None


def test_heading_above_the_body_but_not_a_form_name_or_a_sentence() -> None:
    form = ["JFK Assassination System", "Identification Form", "AGENCY: FBI", "RECORD NUMBER: 124-10283-10052"]
    assert document_title(form) is None
    assert document_title(["CONFIDENTIAL", "Egyptian Politics After the Elections", "", "1. Text."]) == (
        "Egyptian Politics After the Elections"
    )
    assert document_title(["The Security Council,", "Reaffirming its previous resolutions"]) is None


def test_first_line_skips_markings_codes_headers_and_front_matter() -> None:
    text = "---\nsource: x.png\n---\nRELEASE IN PART\nB5\nFrom: Nides\nSent: Friday, April 29, 2011 7:07 PM\n"
    assert first_line(text + "Bottom line from meeting      B5\nmore") == "Bottom line from meeting"
    assert first_line("RELEASE IN FULL\n\n12/31/2015\n") is None


# --- real releases ---------------------------------------------------------------------------


def test_state_c05766356_page_1_memo_re_line(shared_corpus: Path) -> None:
    assert _title(shared_corpus, f"{STATE}/HRCEmail_Jan7thWeb/C05766356.txt") == "New German Foreign Minister"


def test_state_c05778945_page_1_memorandum_re_line(shared_corpus: Path) -> None:
    assert _title(shared_corpus, f"{STATE}/HRCEmail_SeptemberWeb/C05778945.txt") == "The Clinton Doctrine"


def test_state_c05788979_page_1_remarks_transcript_heading(shared_corpus: Path) -> None:
    title = _title(shared_corpus, f"{STATE}/HRCEmail_OctWeb/C05788979.txt")
    assert title == "Transcript of Senator McConnell's remarks to the Press in Naypyitaw, Burma"


def test_state_c05766964_page_1_article_heading_under_a_url(shared_corpus: Path) -> None:
    title = _title(shared_corpus, f"{STATE}/HRCEmail_JulyWeb/C05766964.txt")
    assert title == "Chilcot Inquiry: Mandarins take revenge on Tony"


def test_state_c05779658_page_1_email_title_is_its_subject(shared_corpus: Path) -> None:
    meta = _doc(shared_corpus, f"{STATE}/HRCEmail_DecWeb/C05779658.txt").meta
    assert meta.title == meta.subject == "Re: Scots police, UK govt to meet over Libyan defector (Reuters)"


def test_state_c05784574_page_1_email_without_subject_lists_its_first_line(shared_corpus: Path) -> None:
    doc = _doc(shared_corpus, f"{STATE}/HRCEmail_DecWeb/C05784574.txt")
    assert (doc.meta.subject, doc.meta.title) == (None, None)
    assert first_line(doc.text) == "Bottom line from meeting note will say maybe done by"


def test_chicago_15_6523_page_1_letter_re_line(shared_corpus: Path) -> None:
    assert _title(shared_corpus, f"{CHICAGO}/15-6523_Phil_Mocek_Final.txt") == "NOTICE OF RESPONSE TO FOIA REQUEST"


def test_chicago_penlink_page_1_memo_subject_line(shared_corpus: Path) -> None:
    title = _title(shared_corpus, f"{CHICAGO}/PenLink QUO-04689-V8Y5D0Redacted.txt")
    assert title == "Quote# OU0-04689-VSYSDO Purchase one Pen-Link Master"


def test_chicago_checks_and_amounts_page_1_report_heading(shared_corpus: Path) -> None:
    title = _title(shared_corpus, f"{CHICAGO}/CPDJan10Feb2015ChecksAndAmounts.txt")
    assert title == "Chicago Police Department - Bureau of Organized Crime"


def test_jfk_104_10326_10060_page_2_cable_subj_line_after_the_form(shared_corpus: Path) -> None:
    title = _title(shared_corpus, f"{JFK}/104-10326-10060.md")
    assert title == "SUSPECTED CUBAN SECURITY PENETRATIONS OF THE CUBAN HUMAN"


def test_jfk_docid_34529191_page_1_memo_subject_line(shared_corpus: Path) -> None:
    assert _title(shared_corpus, f"{JFK}/docid-34529191.md") == "MARTI, Manuel NMN : 21 November 1968"


def test_jfk_124_90158_10062_page_1_form_subjects_when_title_is_empty(shared_corpus: Path) -> None:
    assert _title(shared_corpus, f"{JFK}/124-90158-10062.md") == "POLITICAL MATTERS LUIS POSADA"


def test_doj_ogr_00028901_page_1_clipping_title_field(shared_corpus: Path) -> None:
    title = _title(shared_corpus, "doj-ogr/txt/DOJ-OGR-00028901_DOJ-OGR-00029000.txt")
    assert title == "After long probe, billionaire faces solicitation charges"


def test_jfk_180_10143_10227_page_1_heading_under_a_note_in_brackets(shared_corpus: Path) -> None:
    # `(This form is to be used for material extracted` / `from CIA -controlled documents.)`
    assert _title(shared_corpus, "jfk-nara/text/2025/180-10143-10227.md") == "INTERVIEW OF THOMAS CASASIN"


def test_sentence_wrapped_in_a_scan_is_no_heading() -> None:
    lines = ["Bcould then be communicated by the committee to", "the United States Government, in  a hope of"]
    assert document_title(lines) is None


# --- outputs ---------------------------------------------------------------------------------


def test_titles_in_search_list_show_export_and_title_field(shared_corpus: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from query.cli import app

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("HRCEmail_Jan7thWeb/C05766356.txt", "HRCEmail_DecWeb/C05784574.txt"):  # a memo; no subject
        (folder / Path(name).name).write_bytes((shared_corpus / STATE / name).read_bytes())
    index = str(tmp_path / "ix")
    runner = CliRunner()
    assert runner.invoke(app, ["index", str(folder), "--index", index, "-w", "1"]).exit_code == 0
    listed = runner.invoke(app, ["search", "", "--index", index, "--sort", "doc"]).stdout
    assert "1. New German Foreign Minister" in listed
    assert "2. Bottom line from meeting note will say maybe done by" in listed  # no title: its first line
    hits = runner.invoke(app, ["search", "title:german", "--index", index, "--format", "jsonl"]).stdout
    assert [(h["doc_number"], h["title"]) for h in map(json.loads, hits.splitlines())] == [
        ("C05766356", "New German Foreign Minister")
    ]
    shown = runner.invoke(app, ["show", "C05766356", "--index", index]).stdout
    assert shown.splitlines()[0].split() == ["title", "New", "German", "Foreign", "Minister"]
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["export", "--index", index, "-f", "csv"]).stdout)))
    assert sorted((r["doc_number"], r["title"]) for r in rows) == [
        ("C05766356", "New German Foreign Minister"),
        ("C05784574", ""),
    ]
