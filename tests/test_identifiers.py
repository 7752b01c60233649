"""indexer.identifiers: Bates and document numbers compared and repaired through OCR's confusions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.documents import split_documents
from indexer.extract import Page, extract_pdf, extract_pdf_pdfium, extract_text_file
from indexer.identifiers import (
    Numbered,
    edit_distance,
    find_bates,
    normalize_bates,
    ocr_variants,
    parse_bates,
    sequence_numbers,
)
from indexer.ocr import ocr_page
from indexer.stamps import CleanPage, Stamp, strip_stamps


@pytest.mark.parametrize(
    ("printed", "number"),
    [
        ("STATE-5CB0045247", "STATE-SCB0045247"),  # State C05739545: 5 read for S
        ("DOJ=OGR-00024083", "DOJ-OGR-00024083"),  # a stray =
        ("DOJ-OGR- 00027801", "DOJ-OGR-00027801"),  # a space after the dash
        ("DOT=-OGR-00029288", "DOT-OGR-00029288"),  # = and - together make one dash
        ("S0NY_GM_02743204", "SONY_GM_02743204"),  # 0 read for O among letters
        ("EFTA_R1_01470020", "EFTA_R1_01470020"),  # R1: as many digits as letters, left alone
        ("EFTA01325326", "EFTA01325326"),
        ("NIH-000960", "NIH-000960"),
    ],
)
def test_bates_numbers_are_normalized_for_ocr_confusions(printed: str, number: str) -> None:
    assert normalize_bates(printed) == number


def test_bates_number_is_taken_apart_into_prefix_number_and_width() -> None:
    bates = parse_bates("DOJ-OGR-00024013")
    assert bates is not None
    assert (bates.prefix, bates.number, bates.width) == ("DOJ-OGR-", 24013, 8)
    assert str(bates) == "DOJ-OGR-00024013"
    assert parse_bates("00024013") is None  # no prefix: not a Bates number


@pytest.mark.parametrize(
    ("a", "b", "distance"), [("", "abc", 3), ("32309616", "32309646", 1), ("32989", "32989794", 3)]
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance == edit_distance(b, a)


@pytest.mark.parametrize(
    ("a", "b", "variants"),
    [
        ("32989794", "32989", True),  # DOCID-32989794.pdf page 31: digits lost
        ("32309646", "32309616", True),  # 124-10300-10012 page 3
        ("32304242", "3230427423", True),  # 124-10285-10254_ocr.pdf page 7: digits added
        ("3230230B", "32302308", False),  # B read for 8: the same number, not a variant
        ("C05739546", "C06000001", False),
        ("32309646", "32309646", False),
    ],
)
def test_ocr_variants_allow_a_few_edits(a: str, b: str, variants: bool) -> None:
    assert ocr_variants(a, b) is variants


def test_pages_without_a_reading_are_numbered_between_agreeing_neighbours() -> None:
    numbered = sequence_numbers([101, None, None, 104, 105], width=6)
    assert numbered == [Numbered(101), Numbered(102, True), Numbered(103, True), Numbered(104), Numbered(105)]


def test_a_reading_off_the_sequence_within_tolerance_is_corrected() -> None:
    """DOJ-OGR-00029341 was read `00039347`: two digits off the number its neighbours give it."""
    numbered = sequence_numbers([29339, 29340, 39347, 29342], width=8)
    assert numbered[2] == Numbered(29341)


def test_a_reading_far_off_the_sequence_is_kept_as_read() -> None:
    numbered = sequence_numbers([29339, 29340, 77777, 29342], width=8)
    assert numbered[2] == Numbered(77777)


def test_a_last_page_numbered_past_its_neighbours_is_a_gap_not_a_misreading() -> None:
    """hhs-nih-fauci: pages the OCR lost leave gaps in the numbers (NIH-000223, then 000225)."""
    assert sequence_numbers([221, 222, 223, 225], width=6)[3] == Numbered(225)
    assert sequence_numbers([221, 222, 223, 220], width=6)[3] == Numbered(224)


def test_a_page_printed_twice_keeps_its_number() -> None:
    assert sequence_numbers([471, 472, 473, 473], width=6)[3] == Numbered(473)


def test_across_a_gap_a_page_takes_the_nearer_readings_line() -> None:
    numbered = sequence_numbers([10, None, None, None, 20], width=6)
    assert [n.number if n else None for n in numbered] == [10, 11, 12, 19, 20]


def test_pages_past_the_readings_are_numbered_only_when_readings_cover_half_the_pages() -> None:
    assert sequence_numbers([None, 11, 12, None], width=6) == [
        Numbered(10, True),
        Numbered(11),
        Numbered(12),
        Numbered(13, True),
    ]
    assert sequence_numbers([None, 11, None, 13, None, None, None, None], width=6)[0] is None


@pytest.mark.parametrize(
    ("line", "expected", "number"),
    [
        ("} a DOJ-OGR-00024081", None, "00024081"),
        ("re BDO J-OGR-00028953", None, "00028953"),
        ("— DO T-OGR-00028991", None, "00028991"),
        ("CT OO ~ Dog-OGR-00020287", 29287, "00020287"),  # number misread too
        ('— ~~" dog=0GR200029320', 29320, "200029320"),
    ],
)
def test_damaged_bates_lines_of_doj_ogr_are_found(line: str, expected: int | None, number: str) -> None:
    found = find_bates(line, "DOJ-OGR-", 8, expected)
    assert found is not None
    assert found.number == number
    assert line[found.end :].strip() == ""


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("3106967394 04:24:51 03-01-2007 1 124", 29085),  # a phone log line on DOJ-OGR-00029085
        ("Call Detail/Toll Records: BST07025668", 29100),
        ("TRANSMITTED BY : 065404121", 27912),
        ("] I I OF LOGR- 00039347", 29341),  # DOJ-OGR-00029341: garbled beyond repair
    ],
)
def test_other_numbers_and_garbled_lines_in_a_footer_are_not_taken_for_bates(line: str, expected: int | None) -> None:
    assert find_bates(line, "DOJ-OGR-", 8, expected) is None


# --- documents: a misread doc number starts no new document -----------------------------------


def clean(number: int, doc: str | None, **stamp: object) -> CleanPage:
    return CleanPage(number, (f"body of page {number}",), Stamp(doc_number=doc, **stamp))  # type: ignore[arg-type]


def sizes(groups: list[list[CleanPage]]) -> list[int]:
    return [len(group) for group in groups]


def test_close_doc_number_of_the_same_length_starts_the_next_document() -> None:
    """State releases number documents one after another: C05739547 follows C05739546."""
    pages = [clean(1, "C05739546"), clean(2, "C05739546"), clean(3, "C05739547")]
    assert sizes(split_documents(pages)) == [2, 1]


def test_close_doc_number_on_a_page_its_footer_counts_as_page_3_stays() -> None:
    pages = [clean(1, "32309646"), clean(2, "32309646"), clean(3, "32309616", page_in_doc=3)]
    [doc] = split_documents(pages)
    assert [p.stamp.doc_number for p in doc] == ["32309646"] * 3


def test_close_doc_number_after_a_record_page_stays_unless_the_page_is_a_record_page() -> None:
    record = clean(1, "32162799", record_number="124-10237-10009")
    assert sizes(split_documents([record, clean(2, "32182799")])) == [2]
    second = clean(2, "32182799", record_number="124-10237-10010")
    assert sizes(split_documents([record, second])) == [1, 1]


def test_doc_number_that_lost_a_digit_stays() -> None:
    assert sizes(split_documents([clean(1, "32989794"), clean(2, "32989794"), clean(3, "3298979")])) == [3]


def test_doc_number_far_from_the_documents_starts_a_new_one_whatever_the_footer_says() -> None:
    pages = [clean(1, "32989794"), clean(2, "45170012", page_in_doc=2)]
    assert sizes(split_documents(pages)) == [1, 1]


def test_document_takes_the_number_most_of_its_pages_print() -> None:
    """124-90041-10023_ocr.pdf: 32325941 on three pages, two misreadings."""
    numbers = ["32325941", "32325941", "323275941", "32375941", "32325941"]
    pages = [clean(n, doc, page_in_doc=n) for n, doc in enumerate(numbers, 1)]
    [doc] = split_documents(pages)
    assert {p.stamp.doc_number for p in doc} == {"32325941"}


JFK = "jfk-nara"


def jfk_documents(path: Path, pdf: Callable[[Path], list[Page]] = extract_pdf) -> list[list[CleanPage]]:
    pages = pdf(path) if path.suffix == ".pdf" else extract_text_file(path)
    return split_documents(strip_stamps(pages))


def test_jfk_124_10285_10254_ocr_pdf_misread_footers_stay_one_document(shared_corpus: Path) -> None:
    """Its footers read 323042749, 32304249, 3230427423, 3230427942...: it was 8 documents."""
    [doc] = jfk_documents(shared_corpus / JFK / "ocr-layer-pdf/124-10285-10254_ocr.pdf")
    assert len(doc) == 11
    assert {p.stamp.doc_number for p in doc} == {"32304242"}
    assert any("3230427423" in raw for p in doc for raw in p.stamp.raw)  # the misreading stays in the stamps


def test_jfk_124_10300_10012_page_3_docid_32309616_stays_with_32309646(shared_corpus: Path) -> None:
    [doc] = jfk_documents(shared_corpus / JFK / "text/2025/124-10300-10012.md")
    assert [p.number for p in doc] == [1, 2, 3]
    assert doc[2].stamp.page_in_doc == 3
    assert doc[2].stamp.doc_number == "32309646"
    assert any("32309616" in raw for raw in doc[2].stamp.raw)


def test_jfk_119_10021_10413_ocr_pdf_docid_misread_on_every_page_is_one_document(shared_corpus: Path) -> None:
    """No page but the record's identification form says where the record starts; the footers,
    `DoclId`, `DBocld` and `DocId` alike, read the DocId a dozen ways."""
    [doc] = jfk_documents(shared_corpus / JFK / "ocr-layer-pdf/119-10021-10413_ocr.pdf")
    assert len(doc) == 25
    assert not any("DoclId" in p.text or "DBocld" in p.text for p in doc)


def test_jfk_every_text_and_ocr_layer_file_is_one_document(shared_corpus: Path) -> None:
    """A NARA file holds one record. The PDFs are read with pdfium here, which is faster (its
    text of the third-party OCR layer is rougher than pdfminer's, footers included)."""
    files = sorted((shared_corpus / JFK / "text").glob("*/*.md")) + sorted(
        (shared_corpus / JFK / "ocr-layer-pdf").glob("*.pdf")
    )
    split = {f.name: n for f in files if (n := len(jfk_documents(f, extract_pdf_pdfium))) != 1}
    assert len(files) > 100
    assert split == {}


@pytest.mark.usefixtures("tesseract")
def test_jfk_docid_32989794_page_31_footer_read_short_stays_in_the_document(shared_corpus: Path) -> None:
    """The scan's page 31 footer OCRs as `NW 65994 Docld: 32989 bh`: it was a document of its own.
    Pages 30 to 32 only (OCR of the 63 pages takes minutes)."""
    path = shared_corpus / JFK / "scanned-pdf/DOCID-32989794.pdf"
    [doc] = split_documents(strip_stamps([ocr_page(path, n) for n in (30, 31, 32)]))
    assert [p.number for p in doc] == [30, 31, 32]
    assert {p.stamp.doc_number for p in doc} == {"32989794"}
