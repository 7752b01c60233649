"""What the `foia` commands print and write about a hit or a document: the page a hit is cited at
(one rule for search and export), doc numbers held by several documents, CSV fields and cell
sizes, citations, and `foia show` / `foia watch new` listings."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import indexer
from query import citation, export_records, search
from query.cli import SHOW_FIELDS, app

ROOT = Path(__file__).resolve().parents[1]
RELEASES = ROOT / "corpus" / "releases"
CORPUS = ROOT.parent / "shared" / "corpus"
STATE_PDF = CORPUS / "state-f2015-04841" / "pdf"
JFK = CORPUS / "jfk-nara"

runner = CliRunner()


def foia(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def index_of(tmp_path: Path, *paths: Path) -> Path:
    index = tmp_path / "ix"
    assert indexer.index_paths(list(paths), index).ok
    return index


def release(tmp_path: Path, name: str, pages: list[str]) -> Path:
    """A plain-text release whose pages are separated by form feeds."""
    path = tmp_path / name
    path.write_text("\f".join(pages), encoding="utf-8")
    return path


FILLER = "The committee met again and read the minutes of the last meeting aloud. " * 5
"""About 370 characters without a match: keeps two matches out of one snippet."""


# --- item 2: one page per hit, for search and export --------------------------------------------


def cited_pages(index: Path, text: str) -> tuple[int, int, int]:
    """The page `foia search --format csv`, `foia search --format jsonl` and `foia export` cite."""
    rows = list(csv.DictReader(io.StringIO(foia("search", text, "-f", "csv", "--index", index).stdout)))
    (hit,) = jsonl(foia("search", text, "-f", "jsonl", "--index", index).stdout)
    (record,) = jsonl(foia("export", text, "--index", index).stdout)
    assert len(rows) == 1
    assert hit["citation"] == record["citation"]
    return int(rows[0]["page"]), hit["page"], record["page"]


def test_tied_snippets_cite_the_first_page_in_search_and_export(tmp_path: Path) -> None:
    """One `harbor` on page 1, four on page 2, each alone in its snippet: every snippet scores the
    same, so the earliest is the best; search used to show (and cite) the last three."""
    pages = ["Subject: harbor\n\n" + FILLER, " ".join([FILLER, "harbor"] * 4)]
    index = index_of(tmp_path, release(tmp_path, "memo.txt", pages))
    assert cited_pages(index, "harbor") == (1, 1, 1)
    hit = search(index, "harbor").hits[0]
    assert [s.page for s in hit.snippets] == [1, 2, 2]


def test_a_snippet_with_more_matches_is_the_best_in_search_and_export(tmp_path: Path) -> None:
    """Page 2 holds both words side by side: its snippet outranks page 1's single word, so both
    commands cite page 2 (export used to cite the first page holding a word)."""
    pages = ["The harbor.\n" + FILLER, FILLER + " harbor inspection report " + FILLER]
    index = index_of(tmp_path, release(tmp_path, "memo.txt", pages))
    assert cited_pages(index, "harbor OR inspection") == (2, 2, 2)
    hit = search(index, "harbor OR inspection").hits[0]
    assert [s.page for s in hit.snippets] == [1, 2]
    assert [r["page"] for r in export_records(index, "harbor OR inspection")] == [2]


@pytest.mark.skipif(not STATE_PDF.is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_C05739649_benghazi_is_cited_at_page_1_by_search_and_export(tmp_path: Path) -> None:
    """`Benghazi` is in the subject and twice in the body on page 1, three times on page 2, each
    mention alone in its snippet: search cited page 2 (its last three), export page 1."""
    index = index_of(tmp_path, STATE_PDF / "C05739649.pdf")
    assert cited_pages(index, "benghazi") == (1, 1, 1)
    csv_out = foia("search", "benghazi", "--doc", "C05739649", "-f", "csv", "--index", index).stdout
    assert next(csv.DictReader(io.StringIO(csv_out)))["page"] == "1"


# --- item 3: a doc number held by several documents -------------------------------------------------


def assert_lists_each(result: Result, documents: list[dict[str, Any]]) -> None:
    """Exit 9 (an ambiguous doc number), nothing on stdout, and on stderr one line per document
    with its id, file, pages and title."""
    assert result.exit_code == 9, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 + len(documents)
    for doc in documents:
        (line,) = [line for line in lines if doc["id"] in line]
        pages = f"p. {doc['first_page']}" if doc["first_page"] == doc["last_page"] else None
        assert doc["source"] in line
        assert (pages or f"pp. {doc['first_page']}-{doc['last_page']}") in line
        assert (doc["title"] or doc["subject"]) in line


def test_show_of_a_doc_number_two_files_hold_lists_both_and_asks_for_an_id(tmp_path: Path) -> None:
    text = (RELEASES / "plain-text-release.txt").read_text(encoding="utf-8")
    first = release(tmp_path, "first.txt", [text])
    second = release(tmp_path, "second.txt", [text.replace("yesterday", "on Monday")])
    index = index_of(tmp_path, first, second)
    documents = jsonl(foia("export", "--index", index).stdout)
    assert len(documents) == 2 and {d["doc_number"] for d in documents} == {"C09900021"}
    assert_lists_each(foia("show", "C09900021", "--index", index), documents)
    assert_lists_each(foia("similar", "C09900021", "--index", index), documents)
    for doc in documents:
        shown = foia("show", doc["id"], "--json", "--index", index)
        assert shown.exit_code == 0 and json.loads(shown.stdout)["source"] == doc["source"]


@pytest.mark.skipif(not JFK.is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_jfk_124_10158_10061_show_of_docid_32165536_lists_the_pdf_and_the_text(tmp_path: Path) -> None:
    """NARA's DocId 32165536 is on both copies of record 124-10158-10061: the OCR'd PDF and the text."""
    pdf = JFK / "ocr-layer-pdf" / "124-10158-10061_ocr.pdf"
    text = JFK / "text" / "2025" / "124-10158-10061.md"
    index = index_of(tmp_path, pdf, text)
    documents = jsonl(foia("export", "--index", index).stdout)
    assert {d["source"] for d in documents} == {str(pdf.resolve()), str(text.resolve())}  # as indexed: links resolved
    assert_lists_each(foia("show", "32165536", "--index", index), documents)


# --- item 10: CSV fields and the spreadsheet cell limit --------------------------------------------


@pytest.fixture(scope="module")
def long_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample releases and a text release of 80,000 characters (one document)."""
    folder = tmp_path_factory.mktemp("long")
    words = "The harbor report goes on for many pages about the cranes and the gates. "
    long_text = release(folder, "long-report.txt", [words * 600, words * 500])
    index = folder / "ix"
    assert indexer.index_paths([RELEASES, long_text], index).ok
    return index


def csv_rows(text: str) -> list[dict[str, str]]:
    """Rows as Python's csv module reads them with its default field size limit."""
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_leaves_out_the_text_by_default_and_jsonl_keeps_it(long_index: Path) -> None:
    result = foia("export", "--format", "csv", "--index", long_index)
    assert result.exit_code == 0, result.stderr
    rows = csv_rows(result.stdout)
    assert len(rows) == 7
    assert "text" not in rows[0] and "stamps" not in rows[0]
    assert {"id", "source", "doc_number", "page", "citation", "title"} <= set(rows[0])
    assert max(len(cell) for row in rows for cell in row.values()) < 32_767
    records = jsonl(foia("export", "--index", long_index).stdout)
    assert max(len(r["text"]) for r in records) > 80_000


def test_csv_cell_over_the_spreadsheet_limit_is_cut_with_a_marker(long_index: Path) -> None:
    result = foia("export", '"report goes on"', "--format", "csv", "--fields", "id, text,page", "--index", long_index)
    assert result.exit_code == 0, result.stderr
    (row,) = csv_rows(result.stdout)
    assert list(row) == ["id", "text", "page"]
    assert len(row["text"]) == 32_767
    assert row["text"].startswith("The harbor report goes on")
    assert row["text"].endswith(" characters in all; a spreadsheet cell holds 32,767; --format jsonl writes them all]")
    assert "[cut: 80,299 characters in all;" in row["text"]  # the stored text, whole
    (whole,) = jsonl(foia("export", '"report goes on"', "--fields", "id,text", "--index", long_index).stdout)
    assert list(whole) == ["id", "text"] and len(whole["text"]) > 80_000


@pytest.mark.parametrize("fields", ["id,bogus", "Text", ",", "id;page"])
def test_unknown_field_names_are_an_error_listing_the_valid_ones(long_index: Path, fields: str) -> None:
    for fmt in ("csv", "jsonl"):
        result = foia("export", "--format", fmt, "--fields", fields, "--index", long_index)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
        assert "valid fields: id, source, first_page," in result.stderr and "inferred" in result.stderr


# --- item 11: citations in a common style ---------------------------------------------------------


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("sample") / "ix"
    assert indexer.index_paths([RELEASES], index).ok
    return index


def test_an_email_is_cited_by_sender_recipients_subject_and_date(sample_index: Path) -> None:
    expected = (
        "Kenji Nakamura to Omar Haddad and Dana L. Rivera, “Port security budget,” January 24, 2011, "
        "U.S. Department of State, FOIA case F-2099-00123, doc. C09900011, p. 1 (released April 2, 2099)."
    )
    (hit,) = jsonl(foia("search", "budget", "--from", "nakamura", "-f", "jsonl", "--index", sample_index).stdout)
    (record,) = jsonl(foia("export", "budget", "--from", "nakamura", "--index", sample_index).stdout)
    assert hit["citation"] == record["citation"] == expected


def test_a_document_without_a_matched_page_is_cited_by_its_pages(sample_index: Path) -> None:
    (record,) = jsonl(foia("export", "doc:C09900013", "--index", sample_index).stdout)
    (hit,) = jsonl(foia("search", "doc:C09900013", "-f", "jsonl", "--index", sample_index).stdout)
    assert record["page"] == hit["page"] == 4
    assert record["citation"] == hit["citation"]
    assert record["citation"] == (
        "Office of Port Affairs, “Northern terminals: inspection capacity through the dredging season,” "
        "U.S. Department of State, FOIA case F-2099-00123, doc. C09900013, pp. 4–5 (released April 2, 2099)."
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"sender": "Mills, Cheryl 0 <MillsCDOstate.gov>", "recipients": "H\nAbedin, Huma\nSullivan, Jacob J",
             "subject": "Where are we?", "date": datetime(2012, 9, 12, 21, 5), "doc_number": "C05739547"},
            "Cheryl Mills to H et al., “Where are we?” September 12, 2012, doc. C05739547, p. 1.",
        ),
        (
            {"sender": "Rivera, Dana L", "inferred": ["sender"], "recipients": "DIRECTOR, FBI",
             "title": "  Budget\n request ", "source": "/x/scan.pdf"},
            "[Dana L. Rivera] to DIRECTOR, FBI, “Budget request,” scan.pdf, p. 1.",
        ),
        (
            {"recipients": "millscd@state.gov", "record_number": "104-10004-10143", "doc_number": "32308705",
             "first_page": 2, "last_page": 3, "release_date": datetime(2017, 10, 26)},
            "To millscd@state.gov, record no. 104-10004-10143, pp. 2–3 (released October 26, 2017).",
        ),
    ],
)  # fmt: skip
def test_citation_parts(fields: dict[str, Any], expected: str) -> None:
    assert citation(fields) == expected


@pytest.mark.skipif(not JFK.is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_jfk_177_10002_10096_is_cited_by_its_record_number(tmp_path: Path) -> None:
    """The PDF has no DocId footer: it was cited by its file name."""
    index = index_of(tmp_path, JFK / "ocr-layer-pdf" / "177-10002-10096_ocr.pdf")
    (record,) = jsonl(foia("export", "--index", index).stdout)
    assert record["citation"] == (
        "“THE PRESIDENT'S INTELLIGENCE CHECKLIST,” November 25, 1963, National Archives (JFK records), "
        "record no. 177-10002-10096, pp. 1–13."
    )


@pytest.mark.skipif(not JFK.is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_jfk_124_10158_10061_is_cited_by_its_record_number_not_its_docid(tmp_path: Path) -> None:
    index = index_of(tmp_path, JFK / "ocr-layer-pdf" / "124-10158-10061_ocr.pdf")
    (record,) = jsonl(foia("export", "--index", index).stdout)
    assert record["doc_number"] == "32165536"
    assert record["citation"] == (
        "LEG, BR to DIRECTOR, FBI, “LANE, MARK, ACT, SURVEILLANCE,” January 8, 1965, National Archives "
        "(JFK records), record no. 124-10158-10061, pp. 1–2."
    )


# --- item 12: `foia show` and `foia watch new` listings ----------------------------------------------


def test_show_prints_a_long_path_whole_and_a_newline_in_a_file_name_as_an_escape(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder-name-long-enough-to-push-the-path" / "past-eighty-columns-of-a-terminal"
    folder.mkdir(parents=True)
    text = (RELEASES / "plain-text-release.txt").read_text(encoding="utf-8")
    path = release(folder, "tariff\nschedule.txt", [text])
    index = index_of(tmp_path, folder)
    result = foia("show", "C09900021", "--index", index)
    assert result.exit_code == 0, result.output
    assert len(str(path)) > 100
    lines = result.stdout.splitlines()
    (source,) = [line for line in lines if line.startswith("source ")]
    assert source.split()[-1] == str(path).replace("\n", "\\n")
    assert lines[0].split(maxsplit=1) == ["title", "Desalination plant tariff schedule"]
    table = lines[: next(i for i, line in enumerate(lines) if line.startswith("── page")) - 1]
    assert [line.split()[0] for line in table] == [
        key for key in SHOW_FIELDS if key in {line.split()[0] for line in table}
    ]
    hits = foia("search", "desalination", "--index", index).stdout
    assert "schedule.txt" in hits and str(path).replace("\n", "\\n") in hits


def test_watch_new_lists_date_sender_and_subject(tmp_path: Path) -> None:
    index = index_of(tmp_path, RELEASES / "plain-text-release.txt")
    assert foia("watch", "add", "budget", "budget", "--index", index).exit_code == 0
    assert indexer.index_paths([RELEASES], index).ok
    result = foia("watch", "new", "--index", index)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "budget (budget): 3 new"
    assert [line.split("  id ")[0].strip() for line in lines[1:]] == [
        "C09900011 · 2011-01-24 · Nakamura, Kenji <NakamuraK@example.gov>  Port security budget",
        "C09900012 · 2011-01-25 · Haddad, Omar  RE: Port security budget",
        "C09900013 · Office of Port Affairs  Northern terminals: inspection capacity through the dredging season",
    ]


def test_a_match_past_the_first_32768_characters_has_its_snippet_and_page(tmp_path: Path) -> None:
    """Whoosh's fragmenter stops at 32,768 characters by default: a word only further on had no
    snippet, and search and export cited the whole document."""
    pages = [FILLER * 100, FILLER * 10 + " The dredging contract was signed. " + FILLER]
    assert len(pages[0]) > 2**15
    index = index_of(tmp_path, release(tmp_path, "long.txt", pages))
    assert cited_pages(index, "dredging") == (2, 2, 2)
    (snippet,) = search(index, "dredging").hits[0].snippets
    assert snippet.page == 2 and "**dredging** contract" in snippet.text


@pytest.mark.skipif(not STATE_PDF.is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_C05739674_bilats_on_page_11_past_the_first_32768_characters(tmp_path: Path) -> None:
    """Both mentions are on page 11, past the fragmenter's old limit: no snippet, pp. 1-20 cited."""
    index = index_of(tmp_path, STATE_PDF / "C05739674.pdf")
    assert cited_pages(index, "bilats") == (11, 11, 11)
    hit = search(index, "bilats").hits[0]
    assert [s.page for s in hit.snippets] == [11]
    assert hit.citation.endswith(", doc. C05739674, p. 11 (released May 13, 2015).")
