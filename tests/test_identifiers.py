"""indexer.identifiers: Bates and document numbers compared and repaired through OCR's confusions."""

from __future__ import annotations

import pytest

from indexer.identifiers import (
    Numbered,
    edit_distance,
    find_bates,
    normalize_bates,
    ocr_variants,
    parse_bates,
    sequence_numbers,
)


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
