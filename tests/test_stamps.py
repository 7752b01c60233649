"""indexer.stamps: known stamp formats and repeated header/footer lines removed, their fields kept."""

from __future__ import annotations

import csv
import functools
import re
from datetime import date
from pathlib import Path

import pytest

from indexer.extract import Page, Row, extract_pdf, extract_text_file
from indexer.ocr import ocr_page
from indexer.stamps import CleanPage, Stamp, repeated_segments, strip_page, strip_stamps

STATE_LINE = "UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C05758519 Date: 10/30/2015"
BANNER = "STATE DEPT. - PRODUCED TO HOUSE SELECT BENGHAZI COMM."
AGREEMENT = "SUBJECT TO AGREEMENT ON SENSITIVE INFORMATION & REDACTIONS. NO FOIA WAIVER."


def rows(*lines: str) -> tuple[Row, ...]:
    """One single-segment row per line, at the line's indent; a blank line is an empty row."""
    return tuple(((len(line) - len(line.lstrip()), line.strip()),) if line.strip() else () for line in lines)


def page(*lines: str, number: int = 1) -> Page:
    return Page(number, rows(*lines))


BODY = tuple(f"Paragraph {word} of the cable goes on here." for word in "abcdefghijklmnopqrst")
"""Twenty body lines: enough that the middle ones are outside the six-row header and footer zones."""


def middle_of_long_page(*lines: str, number: int = 1) -> Page:
    return page(*BODY[:10], *lines, *BODY[10:], number=number)


# --- State Department stamps -----------------------------------------------------------------


def test_single_line_state_stamp_is_removed_and_parsed() -> None:
    clean = strip_page(page(STATE_LINE, "", "RELEASE IN FULL", "From: H", "Body text.", "", STATE_LINE))
    assert clean.lines == ("RELEASE IN FULL", "From: H", "Body text.")
    assert clean.stamp.case_number == "F-2014-20439"
    assert clean.stamp.doc_number == "C05758519"
    assert clean.stamp.release_date == date(2015, 10, 30)
    assert clean.stamp.classification == "UNCLASSIFIED"
    assert clean.stamp.raw == (STATE_LINE, STATE_LINE)


def multi_line_stamp_page() -> Page:
    """The 2015 State layout: a five-line stamp at top and bottom, banners and a Bates number beside it."""
    top: tuple[Row, ...] = (
        ((0, "UNCLASSIFIED"), (37, BANNER)),
        ((0, "U.S. Department of State"), (26, AGREEMENT)),
        ((0, "Case No. F-2015-04841"),),
        ((0, "Doc No. C05739546"),),
        ((0, "Date: 05/13/2015"),),
        ((89, "RELEASE IN"),),
        ((89, "PART B6"),),
        (),
    )
    body: tuple[Row, ...] = tuple(((8, line),) for line in BODY[:8])
    bottom: tuple[Row, ...] = (
        (),
        ((0, "UNCLASSIFIED"),),
        ((0, "U.S. Department of State"),),
        ((0, "Case No. F-2015-04841"),),
        ((0, "Doc No. C05739546"), (37, BANNER)),
        ((0, "Date: 05/13/2015"), (26, AGREEMENT), (108, "STATE-SCB0045000")),
    )
    return Page(1, top + body + bottom)


def test_multi_line_state_stamp_is_removed_and_parsed() -> None:
    clean = strip_page(multi_line_stamp_page())
    assert clean.lines == (
        " " * 89 + "RELEASE IN",
        " " * 89 + "PART B6",
        "",
        *(" " * 8 + line for line in BODY[:8]),
    )
    assert clean.stamp.case_number == "F-2015-04841"
    assert clean.stamp.doc_number == "C05739546"
    assert clean.stamp.release_date == date(2015, 5, 13)
    assert clean.stamp.classification == "UNCLASSIFIED"


def test_stamp_interleaved_with_banners_on_the_same_row_is_removed_segment_by_segment() -> None:
    clean = strip_page(multi_line_stamp_page())
    assert not any("PRODUCED TO HOUSE" in line or "FOIA WAIVER" in line for line in clean.lines)
    assert clean.stamp.raw.count(BANNER) == 2
    assert clean.stamp.raw.count(AGREEMENT) == 2
    assert clean.stamp.raw.count("Doc No. C05739546") == 2


def test_bates_number_beside_stamp_is_captured() -> None:
    clean = strip_page(multi_line_stamp_page())
    assert clean.stamp.bates == ("STATE-SCB0045000",)
    assert not any("STATE-SCB" in line for line in clean.lines)


def test_one_page_document_is_recognized_by_known_stamp_format() -> None:
    [clean] = strip_stamps([multi_line_stamp_page()])  # a single page: nothing repeats, formats still match
    assert clean.stamp.doc_number == "C05739546"
    assert clean.stamp.bates == ("STATE-SCB0045000",)
    assert not any("Case No" in line or "UNCLASSIFIED" in line for line in clean.lines)


def test_stamp_without_punctuation_is_still_parsed() -> None:
    clean = strip_page(page("Case No F-2015-04841", "Doc No C05739554", "Body text."))
    assert clean.lines == ("Body text.",)
    assert (clean.stamp.case_number, clean.stamp.doc_number) == ("F-2015-04841", "C05739554")


def test_case_number_split_by_ocr_space_is_normalized() -> None:
    clean = strip_page(page("Case No. F-2015- 04841", "Body text."))
    assert clean.stamp.case_number == "F-2015-04841"


def test_impossible_stamp_date_gives_no_release_date() -> None:
    clean = strip_page(page("Doc No. C05739546", "Date: 13/45/2015", "Body text."))
    assert clean.stamp.release_date is None
    assert clean.stamp.doc_number == "C05739546"
    assert clean.lines == ("Body text.",)


def test_stamp_sharing_a_row_with_body_text_leaves_the_body_segment() -> None:
    layout = Page(1, (((0, "Doc No. C05739546"), (40, "Meeting notes follow")), ((0, "Body."),)))
    clean = strip_page(layout)
    assert clean.lines == (" " * 40 + "Meeting notes follow", "Body.")
    assert clean.stamp.doc_number == "C05739546"


def test_stamp_inside_a_header_segment_is_cut_out_of_it() -> None:
    clean = strip_page(page("Doc No. C05739546 Meeting notes follow", "Body."))
    assert clean.lines == ("Meeting notes follow", "Body.")
    assert clean.stamp.doc_number == "C05739546"


# --- other agencies --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("footer", "docid"),
    [
        ("NW 68262 DocId:32308705 Page 1", "32308705"),
        ("NW 68262 Docld:32308705 Page 1", "32308705"),  # OCR: l for I
        ("NW 68262 Doc1d: 32308705 Page 3", "32308705"),  # OCR: 1 for I, space after colon
        ("HW 54559 DocId:32403909 Page 2", "32403909"),  # OCR: H for N
        ("NW 68262 DocId;32308705 Page l", "32308705"),  # OCR: semicolon, l for 1
        ("| NW 68262 Docld:32308705 Page 2", "32308705"),  # scan edge read as a bar
        ("NW 68262 Voeld:32308705 Page 1", "32308705"),  # OCR: V for D, e for c
        ("NH 50953 DocId:32112623 Page 2", "32112623"),  # OCR: H for W
        ("NW.68261 Docid:32255104 Page 4", "32255104"),  # OCR: dot for space
        ("” NW 68262 Docld:32339483 Page 3", "32339483"),  # OCR speck before the footer
        ("HW 50953 Docld:32340405 Page-l-", "32340405"),  # OCR: dashes around the page, l for 1
    ],
)
def test_nara_jfk_footer_is_removed_and_docid_becomes_doc_number(footer: str, docid: str) -> None:
    clean = strip_page(page("Body line one.", "Body line two.", footer))
    assert clean.lines == ("Body line one.", "Body line two.")
    assert clean.stamp.doc_number == docid
    assert clean.stamp.raw == (footer,)


def test_nara_footer_alone_in_the_middle_of_a_long_page_is_removed() -> None:
    clean = strip_page(middle_of_long_page("NW 68262 Docld:32339483 Page 3"))
    assert clean.lines == BODY
    assert clean.stamp.doc_number == "32339483"


def test_cia_release_stamp_is_removed_with_date_and_document_number() -> None:
    cia = "Approved For Release 2003/10/22 : CIA-RDP80-00810A000200010001-4"
    clean = strip_page(page(cia, "", "MEMORANDUM FOR THE RECORD", "Text of the memo.", "", cia))
    assert clean.lines == ("MEMORANDUM FOR THE RECORD", "Text of the memo.")
    assert clean.stamp.doc_number == "CIA-RDP80-00810A000200010001-4"
    assert clean.stamp.release_date == date(2003, 10, 22)


def test_jfk_records_act_banner_is_removed() -> None:
    banner = "[2025 RELEASE UNDER THE PRESIDENT JOHN F. KENNEDY ASSASSINATION RECORDS ACT OF 1992]"
    clean = strip_page(page(banner, "DISPATCH", "Body."))
    assert clean.lines == ("DISPATCH", "Body.")
    assert clean.stamp.raw == (banner,)


@pytest.mark.parametrize(
    "bates", ["EFTA01325326", "SDNY_GM_02743194", "DB-SDNY-0057935", "EFTA_R1_01470020", "JPM-SDNY-00037752"]
)
def test_bates_line_in_footer_is_removed_and_collected(bates: str) -> None:
    clean = strip_page(page("Letter body.", "More body.", bates))
    assert clean.lines == ("Letter body.", "More body.")
    assert clean.stamp.bates == (bates,)


def test_several_bates_lines_are_collected_in_page_order() -> None:
    clean = strip_page(page("Letter body.", "SDNY_GM_02743194", "EFTA_00229841", "EFTA01325326"))
    assert clean.stamp.bates == ("SDNY_GM_02743194", "EFTA_00229841", "EFTA01325326")
    assert clean.lines == ("Letter body.",)


def test_bates_like_token_inside_a_sentence_is_not_a_stamp() -> None:
    line = "Produced as STATE-SCB0045000 to the committee."
    clean = strip_page(page("Body.", line))
    assert clean.lines == ("Body.", line)
    assert clean.stamp.bates == ()


def test_bates_glued_to_other_text_is_not_a_stamp() -> None:
    clean = strip_page(page("Body.", "ref:EFTA01325326"))
    assert clean.lines == ("Body.", "ref:EFTA01325326")
    assert clean.stamp.bates == ()


def test_bates_glued_to_other_text_beside_a_stamp_is_left_in_place() -> None:
    clean = strip_page(page("Doc No. C05739546 ref:EFTA01325326", "Body."))
    assert clean.lines == ("ref:EFTA01325326", "Body.")
    assert clean.stamp.bates == ()


# --- classification banners and body words ---------------------------------------------------


@pytest.mark.parametrize("marking", ["CONFIDENTIAL", "SECRET//NOFORN", "TOP SECRET//SI", "UNCLASSIFIED"])
def test_classification_banner_in_header_is_removed_and_read(marking: str) -> None:
    clean = strip_page(page(marking, "Body of the cable.", "More."))
    assert clean.lines == ("Body of the cable.", "More.")
    assert clean.stamp.classification == marking


def test_mixed_case_secret_is_body_text_not_a_classification() -> None:
    clean = strip_page(page("Secret", "Body."))
    assert clean.lines == ("Secret", "Body.")
    assert clean.stamp.classification is None


def test_lower_case_production_banner_is_body_text() -> None:
    line = "State Dept. - produced to House Select Benghazi Comm."
    clean = strip_page(page("Body.", line))
    assert clean.lines == ("Body.", line)
    assert clean.stamp.raw == ()


def test_weak_stamp_parts_outside_header_and_footer_zone_are_kept() -> None:
    middle = ("U.S. Department of State", "CONFIDENTIAL", "EFTA01325326", "Date: 05/13/2015")
    clean = strip_page(middle_of_long_page(*middle))
    assert clean.lines == (*BODY[:10], *middle, *BODY[10:])
    assert clean.stamp == Stamp()  # nothing read


def test_strong_stamp_part_alone_is_removed_anywhere_on_the_page() -> None:
    clean = strip_page(middle_of_long_page("Case No. F-2015-04841"))
    assert clean.lines == BODY
    assert clean.stamp.case_number == "F-2015-04841"


def test_weak_stamp_part_beside_a_strong_one_is_removed_anywhere() -> None:
    clean = strip_page(middle_of_long_page("Doc No. C05739546 Date: 05/13/2015"))
    assert clean.lines == BODY
    assert clean.stamp.release_date == date(2015, 5, 13)


# --- page layout after removal ---------------------------------------------------------------


def test_blank_rows_are_collapsed_and_trimmed_after_stamps_go() -> None:
    clean = strip_page(page("", STATE_LINE, "", "", "First.", "", "", "", "Second.", "", STATE_LINE, ""))
    assert clean.lines == ("First.", "", "Second.")
    assert clean.text == "First.\n\nSecond."


def test_clean_page_keeps_number_and_needs_ocr() -> None:
    clean = strip_page(Page(7, ((), ())))
    assert (clean.number, clean.lines, clean.needs_ocr) == (7, (), True)
    assert not strip_page(page("text", number=3)).needs_ocr


# --- generic repeated header and footer lines ------------------------------------------------


def _memo_pages(count: int, header_on: int | None = None) -> list[Page]:
    header_on = count if header_on is None else header_on
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
    return [
        page(
            "Acme Corp Internal Memo" if n <= header_on else f"Unique heading {words[n - 1]}",
            f"Discussion of {words[n - 1]} continues here.",
            f"Confidential - Page {n} of {count}",
            number=n,
        )
        for n in range(1, count + 1)
    ]


def test_repeated_segments_normalize_digits_and_case() -> None:
    assert repeated_segments(_memo_pages(4)) == {"acme corp internal memo", "confidential - page # of #"}


def test_repeated_header_and_footer_lines_are_removed_from_every_page() -> None:
    cleaned = strip_stamps(_memo_pages(4))
    assert [c.lines for c in cleaned] == [
        ("Discussion of alpha continues here.",),
        ("Discussion of bravo continues here.",),
        ("Discussion of charlie continues here.",),
        ("Discussion of delta continues here.",),
    ]
    assert cleaned[2].stamp.raw == ("Acme Corp Internal Memo", "Confidential - Page 3 of 4")


def test_repeated_segments_need_at_least_three_pages() -> None:
    assert repeated_segments(_memo_pages(2)) == set()


def test_repeated_segments_need_sixty_percent_of_pages() -> None:
    assert "acme corp internal memo" in repeated_segments(_memo_pages(5, header_on=3))
    assert "acme corp internal memo" not in repeated_segments(_memo_pages(5, header_on=2))
    assert "acme corp internal memo" in repeated_segments(_memo_pages(10, header_on=6))
    assert "acme corp internal memo" not in repeated_segments(_memo_pages(10, header_on=5))


def test_repeated_segments_count_only_header_and_footer_zone() -> None:
    pages = [middle_of_long_page("Repeated middle line", number=n) for n in range(1, 4)]
    found = repeated_segments(pages)
    assert "repeated middle line" not in found
    assert "paragraph a of the cable goes on here." in found  # top row, same on every page


def test_repeated_segments_ignore_very_short_segments() -> None:
    pages = [page("ab", f"text {w}", number=n) for n, w in enumerate(["one", "two", "three"], 1)]
    assert repeated_segments(pages) == set()


# --- real releases ---------------------------------------------------------------------------

FBI_LETTER_PAGE = "affidavit+court-document+scanned-document__EFTA01325321_20260130_p006_i001.md"
"""An FBI FOIPA letter (DOJ Epstein files) with two Bates lines at the bottom."""


def test_doj_efta_page_bates_lines_are_removed_and_collected(shared_corpus: Path) -> None:
    path = shared_corpus / "doj-efta/text-pages" / FBI_LETTER_PAGE
    [clean] = strip_stamps(extract_text_file(path))
    assert clean.stamp.bates == ("SDNY_GM_02743194", "EFTA01325326")
    assert "EFTA01325326" not in clean.lines
    assert "SDNY_GM_02743194" not in clean.lines
    assert "regarding this matter." in clean.text  # the letter itself stays


def test_jfk_text_nara_footers_are_removed_and_docid_is_captured(shared_corpus: Path) -> None:
    [clean] = strip_stamps(extract_text_file(shared_corpus / "jfk-nara/text/2022/docid-32308705.md"))
    assert clean.stamp.doc_number == "32308705"
    assert len(clean.stamp.raw) == 5  # pages 1 to 5 of the record
    assert "Docld" not in clean.text
    assert "NW 68262" not in clean.text


def test_jfk_text_nh_and_hh_variant_footers_are_removed(shared_corpus: Path) -> None:
    [clean] = strip_stamps(extract_text_file(shared_corpus / "jfk-nara/text/2025/124-90137-10357.md"))
    assert clean.stamp.doc_number == "32337591"
    assert "DocId" not in clean.text
    assert sum("DocId:32337591" in raw for raw in clean.stamp.raw) == 3


def test_jfk_text_hw_variant_footers_are_removed(shared_corpus: Path) -> None:
    cleaned = strip_stamps(extract_text_file(shared_corpus / "jfk-nara/text/2022/104-10326-10060.md"))
    assert {c.stamp.doc_number for c in cleaned} == {"32403909"}
    assert not any("DocId:32403909" in c.text for c in cleaned)


def test_state_text_release_stamps_are_removed_on_every_page(shared_corpus: Path) -> None:
    cleaned = strip_stamps(extract_text_file(shared_corpus / "state-f2014-20439/txt/HRCEmail_DecWeb/C05779658.txt"))
    assert len(cleaned) == 3
    for clean in cleaned:
        assert clean.stamp.doc_number == "C05779658"
        assert clean.stamp.case_number == "F-2014-20439"
        assert clean.stamp.release_date == date(2015, 12, 31)
        assert "Case No." not in clean.text and "Doc No." not in clean.text


def test_stamp_date_with_its_colon_lost_to_ocr_is_removed() -> None:
    rows: tuple[Row, ...] = (
        ((0, "UNCLASSIFIED"),),
        ((0, "Case No. F-2015-04841"),),
        ((0, "Doc No. C05739554"),),
        ((0, "body text that stays"),),
        ((0, "Doc No. C05739554"),),
        ((0, "Date 05/13/2015"), (108, "STATE-SCB0045004")),
    )
    page = strip_page(Page(1, rows))
    assert page.lines == ("body text that stays",)
    assert page.stamp.release_date == date(2015, 5, 13)
    assert page.stamp.bates == ("STATE-SCB0045004",)


def test_every_stamp_component_has_a_hint() -> None:
    """The prefilter may only leave out components that cannot match: each needs a hint."""
    from indexer.stamps import _COMPONENTS, _DIGIT_HINTS, _LITERALS

    assert set(_COMPONENTS) == set(_LITERALS) | set(_DIGIT_HINTS)


@pytest.mark.parametrize(
    "banner",
    [
        "104-10004-10143 | 2025 RELEASE UNDER THE PRESIDENT JOHN F. KENNEDY ASSASSINATION RECORDS ACT OF 1992",
        "104-10004-10143) [2022 RELEASE UNDER THE PRESIDENT JOHN F. KENNEDY ASSASSINATION RECORDS ACT OF 1992]",
    ],
)
def test_nara_record_number_beside_the_release_banner_becomes_a_field(banner: str) -> None:
    number, rest = banner.split(maxsplit=1)
    clean = strip_page(Page(1, (((0, number), (18, rest)), ((0, "CABLE TEXT"),))))
    assert clean.lines == ("CABLE TEXT",)
    assert clean.stamp.record_number == "104-10004-10143"


@pytest.mark.parametrize(
    ("number", "read"),
    [
        ("\\oa-10077-10136", "104-10077-10136"),  # OCR of the 2025 banner of 104-10077-10136
        ("1O4-10077-10136", "104-10077-10136"),
        ("l04-10077-10136", "104-10077-10136"),
        ("\\oa-1007-10136", None),  # a misread prefix is taken only before strict five-digit parts
        ("xyz-10077-10136", None),
    ],
)
def test_record_number_misread_by_ocr_is_read_as_104_only_when_the_rest_is_strict(number: str, read: str) -> None:
    banner = "2025 RELEASE UNDER THE PRESIDENT JOHN F. KENNEDY ASSASSINATION RECORDS ACT OF 1992"
    clean = strip_page(Page(1, (((0, f"{number} | {banner}"),), ((0, "CABLE TEXT"),))))
    assert clean.stamp.record_number == read


def test_record_number_in_the_body_stays_there() -> None:
    rows = [page(f"Body line {n}.").rows[0] for n in range(8)]
    body = Page(1, (*rows[:4], ((0, "See record 104-10004-10143 for the rest."),), *rows[4:]))
    clean = strip_page(body)
    assert "See record 104-10004-10143 for the rest." in clean.lines
    assert clean.stamp.record_number is None


def test_table_rows_alike_on_every_page_are_not_taken_for_a_running_stamp() -> None:
    """Chicago's check lists: every row is `Check ##/##/#### ##### ($#,###.##)` once digits are
    normalized, on every page; a row pattern seen more than twice on one page is body text."""

    def checks(n: int) -> list[str]:
        return [f"Check 01/{d:02d}/2010 {14400 + n * 7 + d} (${d},42{n}.80)" for d in range(1, 6)]

    pages = [page("Bureau of Organized Crime", *checks(n), number=n) for n in range(1, 5)]
    cleaned = strip_stamps(pages)
    assert all(len(p.lines) == 5 for p in cleaned)
    assert all(p.stamp.raw == ("Bureau of Organized Crime",) for p in cleaned)


# --- Bates numbers through OCR: doj-ogr (one text file per 100 pages, a third party's OCR) ---


@functools.cache
def doj_ogr(shared: Path, name: str) -> list[CleanPage]:
    """The cleaned pages of one doj-ogr file, read once for the tests below."""
    return strip_stamps(extract_text_file(shared / "doj-ogr/txt" / name))


def test_doj_ogr_00024001_page_13_bates_lost_by_ocr_is_inferred_from_neighbours(shared_corpus: Path) -> None:
    """Page 13 ends in exemption codes: the OCR read no Bates line at all."""
    pages = doj_ogr(shared_corpus, "DOJ-OGR-00024001_DOJ-OGR-00024100.txt")
    assert "OGR" not in extract_text_file(shared_corpus / "doj-ogr/txt/DOJ-OGR-00024001_DOJ-OGR-00024100.txt")[12].text
    assert pages[12].stamp.bates == ("DOJ-OGR-00024013",)
    assert pages[12].stamp.bates_inferred
    assert pages[11].stamp.bates == ("DOJ-OGR-00024012",) and not pages[11].stamp.bates_inferred


def test_doj_ogr_00027801_page_1_bates_with_space_is_read_and_removed(shared_corpus: Path) -> None:
    [first] = doj_ogr(shared_corpus, "DOJ-OGR-00027801_DOJ-OGR-00027900.txt")[:1]
    assert first.stamp.bates == ("DOJ-OGR-00027801",) and not first.stamp.bates_inferred
    assert "DOJ-OGR- 00027801" in first.stamp.raw
    assert "OGR" not in first.text


@pytest.mark.parametrize(
    ("page_number", "printed"),
    [(1, "Rn — DOTJ=OGR-00028901"), (6, "EDO T-OGR-00028906"), (36, "BO DOT OGR-00028936"), (77, "DOT-OGR-00028977")],
)
def test_doj_ogr_00028901_misread_bates_prefix_is_read_and_removed(
    shared_corpus: Path, page_number: int, printed: str
) -> None:
    page = doj_ogr(shared_corpus, "DOJ-OGR-00028901_DOJ-OGR-00029000.txt")[page_number - 1]
    assert page.stamp.bates == (f"DOJ-OGR-{28900 + page_number:08d}",)
    assert not page.stamp.bates_inferred
    assert printed not in page.text and "OGR-0" not in page.text


def test_doj_ogr_00029201_page_87_misread_number_is_corrected_from_neighbours(shared_corpus: Path) -> None:
    """`CT OO ~ Dog-OGR-00020287`: prefix and number both misread, between 29286 and 29288."""
    page = doj_ogr(shared_corpus, "DOJ-OGR-00029201_DOJ-OGR-00029300.txt")[86]
    assert page.stamp.bates == ("DOJ-OGR-00029287",)
    assert "00020287" not in page.text


def test_doj_ogr_00029301_page_41_bates_garbled_beyond_repair_is_inferred(shared_corpus: Path) -> None:
    """`] I I OF LOGR- 00039347` is too far from DOJ-OGR-00029341 to be read as it."""
    page = doj_ogr(shared_corpus, "DOJ-OGR-00029301_DOJ-OGR-00029400.txt")[40]
    assert page.stamp.bates == ("DOJ-OGR-00029341",)
    assert page.stamp.bates_inferred


def test_doj_ogr_bates_number_of_95_percent_of_pages_and_no_bates_line_left(shared_corpus: Path) -> None:
    """Against the ground truth, page by page (the scorer checks the 100-page documents)."""
    truth = list(csv.DictReader((shared_corpus / "doj-ogr/ground-truth.csv").open(encoding="utf-8")))
    right = sum(row["bates"] in doj_ogr(shared_corpus, row["file"])[int(row["page"]) - 1].stamp.bates for row in truth)
    left = [
        line
        for name in {row["file"] for row in truth}
        for page in doj_ogr(shared_corpus, name)
        for line in page.lines
        if re.search(r"DOJ\s*-\s*OGR\s*-\s*\d{8}", line)
    ]
    assert right >= 0.95 * len(truth)
    assert left == []


# --- Bates numbers through OCR: other releases -----------------------------------------------


def test_state_c05739545_page_1_bates_printed_5cb_is_normalized(shared_corpus: Path) -> None:
    [page] = strip_stamps(extract_pdf(shared_corpus / "state-f2015-04841/pdf/C05739545.pdf"))
    assert "STATE-5CB0045247" in page.stamp.raw
    assert page.stamp.bates == ("STATE-SCB0045247",)


def test_state_c05739755_page_1_bates_split_by_a_space_is_read_from_its_neighbours(shared_corpus: Path) -> None:
    """The agency's OCR printed `STATE-SCB00451 01` on the page before 0045102 and 0045103."""
    pages = strip_stamps(extract_pdf(shared_corpus / "state-f2015-04841/pdf/C05739755.pdf"))
    assert "STATE-SCB00451 01" in pages[0].stamp.raw
    assert [p.stamp.bates for p in pages] == [(f"STATE-SCB00451{n:02d}",) for n in range(1, len(pages) + 1)]
    assert not any(p.stamp.bates_inferred for p in pages)
    assert not any("STATE-SCB" in p.text for p in pages)


# --- request numbers of state and local agencies ---------------------------------------------


def test_chicago_cpd_foia_15_2549_reference_text_file_number_is_the_case_number(shared_corpus: Path) -> None:
    [page] = strip_stamps(extract_text_file(shared_corpus / "chicago-foia/reference-text/CPD FOIA 15-2549.txt"))
    assert page.stamp.case_number == "15-2549"
    assert "FOIA FILE NO.: 15-2549" in page.lines  # read, but left in the letter: not a page stamp


def test_chicago_cpd_foia_14_5298_request_email_gives_no_case_number(shared_corpus: Path) -> None:
    """A request emailed to CPD (`FOIA Request Hailstorm`, `Under FOIA, I request:`) has no number."""
    pages = strip_stamps(extract_text_file(shared_corpus / "chicago-foia/reference-text/CPD_FOIA14-5298Hailstorm.txt"))
    assert [p.stamp.case_number for p in pages] == [None] * len(pages)


@pytest.mark.parametrize(
    ("line", "case"),
    [
        ("FOIA FILE NO.: 15-2549", "15-2549"),
        ("Re: FOIA Request No. P-2015-00123", "P-2015-00123"),
        ("Request No.: 2015-04841", "2015-04841"),
        ("FOIPA Request No.: 1234567-000", "1234567-000"),
        ("Phone: 312-814-5526 or (877) 299-FOIA (1-877-299-3642)", None),
        ("In your request No. 15-2549 you asked for the following records.", None),
        ("FBI File No. 62-116395", None),
    ],
)
def test_request_numbers_are_case_numbers_only_as_a_heading(line: str, case: str | None) -> None:
    clean = strip_page(middle_of_long_page(line))
    assert clean.stamp.case_number == case
    assert line in clean.lines


def test_request_number_in_a_footer_with_its_page_count_is_the_case_number() -> None:
    """CPD's check lists end every page with `CPD FOIA 15-0599 Page 1 of 10`."""
    clean = strip_page(page("Check 05/11/2010 14775 ($73,615.88)", "CPD FOIA 15-0599 Page 1 of 10"))
    assert clean.stamp.case_number == "15-0599"
    assert clean.lines == ("Check 05/11/2010 14775 ($73,615.88)",)


@pytest.mark.usefixtures("tesseract")
def test_chicago_cpd_foia_15_2549_pdf_page_1_file_number_read_apart_from_its_label(shared_corpus: Path) -> None:
    """OCR of the scan sets label and number in two columns: `FOIA FILE NO.:        15-2549`."""
    clean = strip_page(ocr_page(shared_corpus / "chicago-foia/CPD FOIA 15-2549.pdf", 1))
    assert clean.stamp.case_number == "15-2549"
    assert any("15-2549" in line for line in clean.lines)


@pytest.mark.usefixtures("tesseract")
def test_chicago_cpd_jan10feb2015_checks_page_1_footer_request_number(shared_corpus: Path) -> None:
    """Page 1 of 10 of CPD's check list ends `CPD FOIA 15-0599   Page 1 of 10`."""
    clean = strip_page(ocr_page(shared_corpus / "chicago-foia/CPDJan10Feb2015ChecksAndAmounts.pdf", 1))
    assert clean.stamp.case_number == "15-0599"
    assert "CPD FOIA 15-0599" in clean.stamp.raw
