"""indexer.extract: pages as rows of (column, text) segments, from PDFs and text files."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.errors import ExitCode, ExtractionError
from indexer.extract import (
    Page,
    clean_segment,
    decode,
    extract,
    extract_pdf,
    extract_text_file,
    render_row,
    split_pages,
)
from indexer.sources import describe


def _text_release(tmp_path: Path, data: bytes, name: str = "release.txt") -> list[Page]:
    path = tmp_path / name
    path.write_bytes(data)
    return extract(describe(path))


# --- rows and pages --------------------------------------------------------------------------


def test_render_row_places_segments_at_their_columns() -> None:
    assert render_row(((4, "From:"), (20, "Sullivan, Jacob J"))) == "    From:" + " " * 11 + "Sullivan, Jacob J"


def test_render_row_keeps_two_spaces_between_overlapping_segments() -> None:
    assert render_row(((0, "UNCLASSIFIED"), (5, "STATE DEPT."))) == "UNCLASSIFIED  STATE DEPT."


def test_render_row_of_empty_row_is_empty_line() -> None:
    assert render_row(()) == ""


def test_page_text_joins_rendered_rows_with_blank_line_for_empty_row() -> None:
    page = Page(1, (((0, "From: H"),), (), ((2, "Body"), (10, "B6"))))
    assert page.text == "From: H\n\n  Body    B6"


def test_page_without_any_text_needs_ocr() -> None:
    assert Page(1, ()).needs_ocr
    assert Page(2, ((), ())).needs_ocr


def test_page_with_one_segment_does_not_need_ocr() -> None:
    assert not Page(1, ((), ((0, "Memo"),))).needs_ocr


@pytest.mark.parametrize(
    "text",
    [
        "x",  # a stray letter
        "3",  # a page number alone
        "\ufffd\ufffd\ufffd \ufffd\ufffd",  # glyphs without Unicode mapping
        "\ue000\ue001\ue002 \ue003ab \ue004\ue005\ue006\ue007",  # private-use glyphs, one pair of letters
        "~~~ ||| ^^^ ¤¤¤ ab",  # symbols
    ],
)
def test_page_whose_text_layer_is_junk_needs_ocr(text: str) -> None:
    assert Page(1, (((0, text),),)).needs_ocr


def test_page_read_by_ocr_never_needs_ocr_even_when_empty() -> None:
    page = Page(1, (), ocr_confidence=0.0)
    assert (page.needs_ocr, page.origin) == (False, "ocr")
    assert Page(1, (((0, "Memo"),),)).origin == "text layer"


# --- cleaning and decoding -------------------------------------------------------------------


def test_clean_segment_repairs_mojibake_bullet() -> None:
    assert clean_segment("â€¢ First point") == "• First point"


def test_clean_segment_repairs_mojibake_apostrophe_and_keeps_curly_quotes() -> None:
    assert clean_segment("donâ€™t") == "don’t"


def test_clean_segment_drops_cid_noise_and_squeezes_spaces() -> None:
    assert clean_segment("  Benghazi(cid:3)review \t\u00a0 board  ") == "Benghazi review board"


def test_decode_reads_utf8() -> None:
    assert decode("Mustafa Abdel Jalil – “NTC”".encode()) == "Mustafa Abdel Jalil – “NTC”"


def test_decode_falls_back_to_cp1252_for_smart_quotes() -> None:
    assert decode(b"Secretary\x92s office \x96 \x93noted\x94") == "Secretary’s office – “noted”"


def test_decode_falls_back_to_latin1_for_bytes_undefined_in_cp1252() -> None:
    assert decode(b"caf\xe9 \x81") == "café \x81"


def test_decode_strips_utf8_byte_order_mark() -> None:
    assert decode(b"\xef\xbb\xbfUNCLASSIFIED") == "UNCLASSIFIED"


def test_decode_reads_utf16_with_byte_order_mark() -> None:
    assert decode("Doc No. C05739546 – café".encode("utf-16")) == "Doc No. C05739546 – café"


# --- splitting text into pages ---------------------------------------------------------------


def test_split_pages_on_form_feeds() -> None:
    assert split_pages("one\ntwo\fthree\ffour") == ["one\ntwo", "three", "four"]


def test_split_pages_drops_trailing_empty_pages() -> None:
    assert split_pages("body\n\f\n \n\f\f") == ["body\n"]


def test_split_pages_keeps_one_empty_page_for_empty_text() -> None:
    assert split_pages("\f\f") == [""]


@pytest.mark.parametrize("marker", ["Page 2", "  page 2 of 3", "--- page 2 ---", "[Page 2]", "== PAGE 2 =="])
def test_split_pages_on_page_marker_lines(marker: str) -> None:
    assert split_pages(f"first page body\n{marker}\nsecond page body") == ["first page body", "second page body"]


def test_split_pages_on_several_markers() -> None:
    pages = split_pages("alpha\nPage 2\nbeta\nPage 3\ngamma")
    assert pages == ["alpha", "beta", "gamma"]


def test_split_pages_ignores_page_word_inside_a_sentence() -> None:
    text = "On Page 3, thereof, reflects that\nsee page 4 of the report"
    assert split_pages(text) == [text]


def test_split_pages_does_not_make_an_empty_first_page_for_a_leading_marker() -> None:
    assert len(split_pages("Page 1\nalpha\nPage 2\nbeta")) == 2


# --- text files ------------------------------------------------------------------------------


def test_text_file_splits_on_form_feeds_into_numbered_pages(tmp_path: Path) -> None:
    pages = _text_release(tmp_path, b"first\fsecond\fthird\n")
    assert [p.number for p in pages] == [1, 2, 3]
    assert [p.text for p in pages] == ["first", "second", "third"]


def test_text_file_line_becomes_row_of_column_segments(tmp_path: Path) -> None:
    pages = _text_release(tmp_path, b"    From:                         Abedin, Huma    B6\n  one  space gap\n")
    assert pages[0].rows[0] == ((4, "From:"), (34, "Abedin, Huma"), (50, "B6"))
    assert pages[0].rows[1] == ((2, "one space gap"),)  # fewer than three spaces: one segment, squeezed


def test_text_file_blank_line_becomes_empty_row(tmp_path: Path) -> None:
    pages = _text_release(tmp_path, b"a\n\n   \nb\n")
    assert pages[0].rows == (((0, "a"),), (), (), ((0, "b"),))


def test_text_file_tabs_are_expanded_to_columns(tmp_path: Path) -> None:
    pages = _text_release(tmp_path, b"From:\t\tH\n")
    assert pages[0].rows[0] == ((0, "From:"), (16, "H"))


def test_text_file_with_cp1252_bytes_is_decoded(tmp_path: Path) -> None:
    pages = _text_release(tmp_path, b"The Secretary\x92s schedule \x96 \x93final\x94\n")
    assert pages[0].text == "The Secretary’s schedule – “final”"


def test_text_file_with_mojibake_is_repaired(tmp_path: Path) -> None:
    pages = _text_release(tmp_path, "â€¢ Libya update\nâ€œquotedâ€\x9d text\n".encode())
    assert pages[0].text.splitlines() == ["• Libya update", "“quoted” text"]


def test_text_file_with_crlf_line_ends(tmp_path: Path) -> None:
    pages = _text_release(tmp_path, b"From: H\r\nSubject: Test\r\n")
    assert pages[0].text == "From: H\nSubject: Test"


def test_empty_text_file_is_one_page_that_needs_ocr(tmp_path: Path) -> None:
    pages = _text_release(tmp_path, b"")
    assert len(pages) == 1
    assert pages[0].needs_ocr


def test_real_text_release_without_text_is_one_page_that_needs_ocr(shared_corpus: Path) -> None:
    pages = extract_text_file(shared_corpus / "state-f2014-20439/txt/HRC_NDAS/C05833708.txt")
    assert [(p.number, p.needs_ocr) for p in pages] == [(1, True)]


def test_real_text_release_keeps_single_line_stamp_as_one_segment(shared_corpus: Path) -> None:
    pages = extract_text_file(shared_corpus / "state-f2014-20439/txt/HRCEmail_OctWeb/C05758519.txt")
    assert len(pages) == 1
    assert pages[0].rows[0] == (
        (6, "UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C05758519 Date: 10/30/2015"),
    )
    assert pages[0].rows[4] == ((89, "RELEASE IN PART B5"),)


# --- errors ----------------------------------------------------------------------------------


def test_extract_rejects_file_that_is_neither_pdf_nor_text(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(500))
    with pytest.raises(ExtractionError, match="^not a PDF or text file$") as info:
        extract(describe(path))
    assert info.value.exit_code == ExitCode.some_files_failed


@pytest.mark.parametrize("name", ["aes-128.pdf", "aes-256-r6.pdf", "rc4-40.pdf"])
def test_encrypted_pdf_raises_extraction_error_asking_for_password(shared_corpus: Path, name: str) -> None:
    path = shared_corpus / "robustness-pdf/encryption" / name
    with pytest.raises(ExtractionError, match=r"^encrypted PDF that needs a password \(PDFPasswordIncorrect\)$"):
        extract(describe(path))


def test_pdf_without_xref_or_root_raises_damaged_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    with pytest.raises(ExtractionError, match="^damaged PDF: "):
        extract_pdf(path)


def test_truncated_pdf_raises_extraction_error(shared_corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "truncated.pdf"
    path.write_bytes((shared_corpus / "state-f2015-04841/pdf/C05739545.pdf").read_bytes()[:3000])
    with pytest.raises(ExtractionError, match="PDF"):
        extract(describe(path))


# --- real PDFs -------------------------------------------------------------------------------


def test_state_pdf_rows_keep_stamp_and_banner_as_separate_segments(shared_corpus: Path) -> None:
    [page] = extract_pdf(shared_corpus / "state-f2015-04841/pdf/C05739545.pdf")
    assert not page.needs_ocr
    first, second = page.rows[0], page.rows[1]
    assert [text for _, text in first] == ["UNCLASSIFIED", "STATE DEPT. - PRODUCED TO HOUSE SELECT BENGHAZI COMM."]
    assert [text for _, text in second] == [
        "U.S. Department of State",
        "SUBJECT TO AGREEMENT ON SENSITIVE INFORMATION & REDACTIONS. NO FOIA WAIVER.",
    ]
    assert first[0][0] == 0 and 30 < first[1][0] < 45  # the banner starts well to the right
    last = page.rows[-1]
    assert [text for _, text in last] == [
        "Date: 05/13/2015",
        "SUBJECT TO AGREEMENT ON SENSITIVE INFORMATION & REDACTIONS. NO FOIA WAIVER.",
        "STATE-5CB0045247",
    ]


def test_state_pdf_header_label_and_value_share_a_row(shared_corpus: Path) -> None:
    [page] = extract_pdf(shared_corpus / "state-f2015-04841/pdf/C05739545.pdf")
    rows = [[text for _, text in row] for row in page.rows]
    assert ["From:", "Sullivan, Jacob J <Sullivan11@state.gov>"] in rows
    assert ["Sent:", "Wednesday, September 12, 2012 10:16 AM"] in rows


def test_state_pdf_pages_are_numbered_from_one(shared_corpus: Path) -> None:
    pages = extract_pdf(shared_corpus / "state-f2015-04841/pdf/C05739560.pdf")
    assert [p.number for p in pages] == [1, 2]


def test_scanned_pdf_page_has_no_text_and_needs_ocr(shared_corpus: Path) -> None:
    pages = extract_pdf(shared_corpus / "jfk-nara/scanned-pdf/104-10077-10136.pdf")
    assert len(pages) == 1
    assert pages[0].needs_ocr
    assert pages[0].text == ""
