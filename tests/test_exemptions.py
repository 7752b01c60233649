"""indexer.exemptions: exemption codes in every written form, codes and details, weak forms in runs."""

from __future__ import annotations

from pathlib import Path

import pytest

import indexer
from indexer.exemptions import citations, exemption_details, exemptions, only_exemptions, parent_codes
from indexer.store import exemption_terms


def _page(path: Path, number: int) -> str:
    """One page of a text release whose pages are separated by form feeds."""
    return path.read_text(encoding="utf-8", errors="replace").split("\f")[number - 1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(b)(6)", "B6"),
        ("b6", "B6"),
        ("B6", "B6"),
        ("(b)(7)(C)", "B7(C)"),
        ("(b) (7) (C)", "B7(C)"),
        ("(b)(7)(c)", "B7(C)"),
        ("b7C", "B7(C)"),
        ("b7c", "B7(C)"),
        ("B7(C)", "B7(C)"),
        ("b7 (c)", "B7(C)"),
        ("1.4(D)", "1.4(D)"),
        ("1.4(d)", "1.4(D)"),
        ("1.4 (b)", "1.4(B)"),
        ("B3 CIA PERS/ORG", "B3"),
        ("B3 NSA", "B3"),
        ("3.3(b)(1)", "3.3(b)(1)"),
        ("3.5(c)", "3.5(c)"),
        ("5 ILCS 140/7(1)(c)", "5 ILCS 140/7(1)(c)"),
        ("5 ILCS 140/ 7 (1) (c)", "5 ILCS 140/7(1)(c)"),
        ("5 ILCS 140/7 (l)(d)", "5 ILCS 140/7(1)(d)"),  # OCR's l for 1
        ("5 U.S.C. § 552(b)(6)", "B6"),
        ("(b)(7XC)", "B7(C)"),  # OCR's X for )(
    ],
)
def test_exemption_code_is_normalized(text: str, expected: str) -> None:
    assert exemptions(text) == (expected,)


def test_exemptions_in_order_of_first_appearance_without_duplicates() -> None:
    text = "withheld under (b)(6) and b7C; see also B6, B7(C) and 1.4(D)\nB5"
    assert exemptions(text) == ("B6", "B7(C)", "1.4(D)", "B5")


def test_exemptions_from_comma_separated_release_marking() -> None:
    assert exemptions("RELEASE IN PART\n1.4(B),B1,B5,1.4(D)") == ("1.4(B)", "B1", "B5", "1.4(D)")


def test_agency_qualifier_is_a_detail_of_the_b3_code() -> None:
    text = "B3 CIA PERS/ORG B6"
    assert exemptions(text) == ("B3", "B6")
    assert exemption_details(text) == ("B3 CIA PERS/ORG",)
    assert (exemptions("B6 STATE"), exemption_details("B6 STATE")) == (("B6",), ())


def test_exemption_qualifier_stops_at_and_and_must_be_upper_case() -> None:
    assert exemption_details("B3 NSA AND B6") == ("B3 NSA",)
    assert (exemptions("B3 Subject"), exemption_details("B3 Subject")) == (("B3",), ())


@pytest.mark.parametrize(
    "text", ["AB6", "web6", "B10", "Bb6", "x.b6", "Route B62", "version 21.4(b)", "Rule 26(b)(1) says", "95/B3D"]
)
def test_exemption_like_text_inside_words_is_not_a_code(text: str) -> None:
    assert exemptions(text) == ()


def test_exemption_margin_codes_on_header_lines_are_found() -> None:
    text = "From:                                   B6\nTo: H                                    B7(C)"
    assert exemptions(text) == ("B6", "B7(C)")


def test_letter_the_exemption_has_no_subparagraph_for_is_dropped() -> None:
    assert exemptions("(b)(6)(C) and (b)(6)(b)(7)(c)") == ("B6", "B7(C)")


def test_code_cut_short_beside_its_complete_form_is_left_out() -> None:
    assert exemptions("(b) (6), (b) (7)(C) ... (b) (6), (b) (7)") == ("B6", "B7(C)")
    assert exemptions("(b) (7)") == ("B7",)


@pytest.mark.parametrize(
    "text",
    [
        "I am reaching out to you b/c I am noticing",  # b/c: because
        "vitamin b6 levels were low",  # a bare code inside a sentence
        "plan b 6 times",  # letters and digits apart, alone
        "TECS RECORD ID (1) (7) (E)",  # an OCR'd (b) alone
        "Section 7(1)(c) of the bylaws",  # an Illinois section where the Act is not cited
    ],
)
def test_weak_forms_alone_are_not_codes(text: str) -> None:
    assert exemptions(text) == ()


def test_weak_forms_in_a_run_are_codes() -> None:
    assert exemptions("under b6 and b7c we withheld") == ("B6", "B7(C)")
    assert exemptions("b 6 b 7 C") == ("B6", "B7(C)")
    assert exemptions("(0) (7) (E) (0) (7) (E)") == ("B7(E)",)


def test_illinois_sections_count_where_the_act_is_cited() -> None:
    text = "5 ILCS 140/7(1)(b) Private information\nInformation withheld under §7(l )(d)(V)(Vi)- and §7(1)(c)"
    assert exemptions(text) == ("5 ILCS 140/7(1)(b)", "5 ILCS 140/7(1)(d)", "5 ILCS 140/7(1)(c)")
    assert exemption_details(text) == ("5 ILCS 140/7(1)(d)(v)(vi)",)


def test_only_exemptions() -> None:
    assert only_exemptions("  B6, B7(C) ")
    assert not only_exemptions("Smith B6")
    assert not only_exemptions("b/c")
    assert not only_exemptions("")


def test_parent_codes_and_index_terms() -> None:
    assert parent_codes("B7(C)") == ["B7"]
    assert parent_codes("5 ILCS 140/7(1)(c)") == ["5 ILCS 140/7(1)", "5 ILCS 140/7"]
    assert parent_codes("B6") == []
    assert exemption_terms(("B3", "B7(C)"), ("B3 CIA PERS/ORG",)) == "B3,B7(C),B7,B3 CIA PERS/ORG"


# --- real releases ---------------------------------------------------------------------------

ICE = "dhs-ice-i213/3866f3-1789-1791.pdf"
FBI_FILE = "doj-ogr/txt/DOJ-OGR-00028901_DOJ-OGR-00029000.txt"


@pytest.fixture(scope="module")
def ice_i213(shared_corpus: Path) -> indexer.Document:
    [doc] = indexer.read_file(shared_corpus / ICE, ocr="never")
    return doc


def test_dhs_ice_i213_page_1_letters_and_digits_apart(ice_i213: indexer.Document) -> None:
    # `b 6 b 7 C` in the name field, `(b)(6), (b)(7)(C)` in the address, `b 6 b 7` cut short
    assert exemptions(ice_i213.pages[0]) == ("B6", "B7(C)")


def test_dhs_ice_i213_page_2_spaced_parentheses_and_b7e(ice_i213: indexer.Document) -> None:
    assert exemptions(ice_i213.pages[1]) == ("B6", "B7(C)", "B7(E)")


def test_dhs_ice_i213_three_spellings_give_the_same_codes(ice_i213: indexer.Document) -> None:
    assert ice_i213.meta.exemptions == ("B6", "B7(C)", "B7(E)")  # no bare B7 from `(b) (7)` cut short
    assert ice_i213.meta.exemption_details == ()


def test_doj_ogr_00028932_deleted_page_sheet_ocr_variants(shared_corpus: Path) -> None:
    # `Page 2 ~ b3 - 1; b6 - 3; b?c - 3;`, `Page 3 ~ ... b6é - 2,-3; blc - 2,-3;`, `bé - 3; bYC - 3;`
    sheet = _page(shared_corpus / FBI_FILE, 32).splitlines()
    lines = [line for line in sheet if "~" in line and line.count(";") >= 2]  # not `Duplicate;`, not `b3 - 2;` alone
    assert len(lines) == 37
    for line in lines:
        assert exemptions(line)[-2:] == ("B6", "B7(C)"), line


def test_doj_ogr_00029201_deleted_page_sheet_b7d_variants(shared_corpus: Path) -> None:
    # `bc - 3,-5; bYD - 1;`, `b6é - 3,-5; b?Cc —- 3,-5; b’D —- 1;`, `bID —- 1;`
    page = _page(shared_corpus / "doj-ogr/txt/DOJ-OGR-00029201_DOJ-OGR-00029300.txt", 1)
    lines = [line for line in page.splitlines() if "~" in line]
    assert len(lines) >= 25
    for line in lines[:-1]:  # the last one is cut off at the foot of the page
        assert exemptions(line) == ("B3", "B6", "B7(C)", "B7(D)"), line


def test_doj_ogr_00028919_margin_codes_beside_the_text(shared_corpus: Path) -> None:
    # `b3 -1`, `b6 -1, -3`, `b7D -2`, `b7E -1` down the margin of an FBI report
    assert exemptions(_page(shared_corpus / FBI_FILE, 19)) == ("B6", "B7(C)", "B7(D)", "B7(E)", "B3")


def test_doj_ogr_00027801_cbp_tecs_key_and_ocr_zero_for_b(shared_corpus: Path) -> None:
    # `(0) (7) (E) (0) (7) (E)` then `*A - (b) (7) (E)`, `*B - (b) (6), (b) (7) (C)`
    page = _page(shared_corpus / "doj-ogr/txt/DOJ-OGR-00027801_DOJ-OGR-00027900.txt", 1)
    assert exemptions(page) == ("B7(E)", "B6", "B7(C)")


def test_nih_000763_because_written_b_slash_c_is_no_code(shared_corpus: Path) -> None:
    page = _page(shared_corpus / "hhs-nih-fauci/txt/NIH-000760_NIH-000865.txt", 4)
    assert "b/c" in page
    assert exemptions(page) == ()


def test_chicago_15_6586_illinois_codes_with_ocr_l(shared_corpus: Path) -> None:
    text = (shared_corpus / "chicago-foia/reference-text/CPD_FOIA15-6586_RequestForChecks_Part2.txt").read_text()
    assert exemptions(text) == ("5 ILCS 140/7(1)(b)", "5 ILCS 140/7(1)(d)")
    assert exemption_details(text) == ("5 ILCS 140/7(1)(d)(v)(vi)",)


def test_state_c05739634_b3_cia_facets_under_b3_with_its_detail(shared_corpus: Path) -> None:
    text = (shared_corpus / "state-f2015-04841/pdftotext-layout/C05739634.txt").read_text()
    assert exemptions(text) == ("B3", "B6")
    assert exemption_details(text) == ("B3 CIA PERS/ORG",)


def test_nih_000505_vitamin_doses_are_no_fbi_margin_codes(shared_corpus: Path) -> None:
    # `Vitamin B6 - 50-100 mg` / `Vitamin B12 - 200-1,000 mcg`: a dose, not a count of redactions
    page = _page(shared_corpus / "hhs-nih-fauci/txt/NIH-000445_NIH-000551.txt", 61)
    assert [c.counted for c in citations(page)] == [False]
    assert "B1" not in exemptions(page)
