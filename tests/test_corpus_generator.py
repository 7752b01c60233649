"""The sample corpus: the generator reproduces the committed files, and they read as intended."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LTContainer, LTImage, LTTextLine

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "releases"
GENERATOR = CORPUS.parent / "make_samples.py"
SAMPLES = (
    "state-email-release.pdf",
    "production-several-documents.pdf",
    "plain-text-release.txt",
    "scanned-page.pdf",
)
PDFS = [name for name in SAMPLES if name.endswith(".pdf")]
STAMP_LINE = "UNCLASSIFIED U.S. Department of State Case No. F-2099-00123 Doc No. {doc} Date: {date}"


def page_text(name: str, page: int) -> str:
    """Text of one page (0-based) as pdfminer.six reads it."""
    return extract_text(CORPUS / name, page_numbers=[page])


def page_count(name: str) -> int:
    return sum(1 for _ in extract_pages(CORPUS / name))


def walk(item: object) -> Iterator[object]:
    """An item of a pdfminer layout and everything inside it."""
    yield item
    if isinstance(item, LTContainer):
        for child in item:
            yield from walk(child)


def text_lines(name: str, page: int) -> list[LTTextLine]:
    layout = next(extract_pages(CORPUS / name, page_numbers=[page]))
    return [item for item in walk(layout) if isinstance(item, LTTextLine)]


def baseline_of(lines: list[LTTextLine], text: str) -> float:
    matches = [line.y0 for line in lines if line.get_text().strip() == text]
    assert len(matches) == 1, f"{text!r} found {len(matches)} times"
    return matches[0]


# --- (a) determinism ------------------------------------------------------------------------


def test_generator_reproduces_committed_files(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(SAMPLES)
    for name in SAMPLES:
        assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes(), f"{name} differs: rerun the generator"


@pytest.mark.parametrize("name", SAMPLES)
def test_samples_are_small(name: str) -> None:
    assert (CORPUS / name).stat().st_size < 20_000


# --- (b) pdfminer reads the PDFs --------------------------------------------------------------


@pytest.mark.parametrize("name", PDFS)
def test_pdfminer_reads_without_warnings(name: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        extract_text(CORPUS / name)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_email_release_text() -> None:
    name = "state-email-release.pdf"
    assert page_count(name) == 3
    for page, bates in enumerate(("STATE-SMP0000101", "STATE-SMP0000102", "STATE-SMP0000103")):
        text = page_text(name, page)
        assert text.count("Doc No. C09900001") == 2  # top and bottom stamp
        assert text.count("Case No. F-2099-00123") == 2
        assert "Date: 03/14/2099" in text
        assert bates in text
    first = page_text(name, 0)
    for expected in (
        "RELEASE IN",
        "PART B6",
        "Rivera, Dana L <RiveraDL@example.gov>",
        "Thursday, March 3, 2011 9:45 PM",
        "Lindqvist, Petra; Haddad, Omar",
        "FW: Harbor inspection schedule for the\nnorthern terminals",
        "container scanning backlog",
        "dredging",
        "-----Original Message-----",
        "From: Haddad, Omar [mailto:HaddadO@example.gov]",
        "Subject: Harbor inspection schedule for the northern terminals",
    ):
        assert expected in first
    assert "(b)(6)" in page_text(name, 2)
    assert "(b)(6)" not in page_text(name, 1)


def test_email_header_labels_and_values_share_a_baseline() -> None:
    lines = text_lines("state-email-release.pdf", 0)
    for label, value in (
        ("From:", "Rivera, Dana L <RiveraDL@example.gov>"),
        ("Sent:", "Thursday, March 3, 2011 9:45 PM"),
        ("To:", "Okafor, Samuel"),
        ("Subject:", "FW: Harbor inspection schedule for the"),
    ):
        assert baseline_of(lines, label) == pytest.approx(baseline_of(lines, value), abs=0.5)
    assert baseline_of(lines, "B6") == pytest.approx(baseline_of(lines, "To:"), abs=0.5)
    labels_x = {round(line.x0) for line in lines if line.get_text().strip() in ("From:", "Sent:", "To:", "Cc:")}
    assert labels_x == {50}


def test_production_text() -> None:
    name = "production-several-documents.pdf"
    assert page_count(name) == 5
    docs = ("C09900011", "C09900011", "C09900012", "C09900013", "C09900013")
    for page, doc in enumerate(docs):
        text = page_text(name, page)
        assert text.count(STAMP_LINE.format(doc=doc, date="04/02/2099")) == 2
        assert f"STATE-SMP0000{201 + page}" in text
    first, third, fourth, fifth = (page_text(name, p) for p in (0, 2, 3, 4))
    assert "RELEASE IN FULL" in first
    assert "Nakamura, Kenji <NakamuraK@example.gov>" in first
    assert "Monday, January 24, 2011 5:55 PM" in first
    assert "Doc No. C09900012" in third
    assert "RELEASE IN PART\nB5, B6" in third
    assert "Tue Jan 25 09:12:40 2011" in third
    assert "RE: Port security budget" in third
    assert "RELEASE IN PART B1,1.4(D)" in fourth
    assert "CONFIDENTIAL" in fourth
    assert "Sent:" not in fourth + fifth  # the memo is not an email
    for line in (
        "Classified by: Deputy Director, Office of Port Affairs",
        "Reason: 1.4(D)",
        "Declassify on: 03/01/2026",
    ):
        assert line in fifth


def test_scanned_page_has_no_text_layer() -> None:
    name = "scanned-page.pdf"
    assert page_count(name) == 2
    cover = page_text(name, 0)
    assert "FOIA request 99-0042" in cover
    assert "enclosed one scanned page" in cover
    assert page_text(name, 1).strip() == ""
    scan = next(extract_pages(CORPUS / name, page_numbers=[1]))
    images = [item for item in walk(scan) if isinstance(item, LTImage)]
    assert len(images) == 1
    assert (images[0].srcsize, images[0].bits) == ((200, 260), 8)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
def test_pdftotext_layout_keeps_header_rows() -> None:
    out = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(CORPUS / "state-email-release.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [" ".join(line.split()) for line in out.splitlines()]
    assert "From: Rivera, Dana L <RiveraDL@example.gov>" in rows
    assert "To: Okafor, Samuel B6" in rows
    assert "Subject: FW: Harbor inspection schedule for the" in rows
    assert "UNCLASSIFIED RELEASE IN" in rows


# --- (c) the text release ---------------------------------------------------------------------


def test_plain_text_release_pages() -> None:
    text = (CORPUS / "plain-text-release.txt").read_bytes().decode("utf-8")
    pages = text.split("\f")
    assert len(pages) == 3
    stamp = " " * 6 + STAMP_LINE.format(doc="C09900021", date="05/20/2099")
    for page in pages:
        lines = page.strip("\n").split("\n")
        assert lines[0] == stamp
        assert lines[-1] == stamp
    first = pages[0].split("\n")
    assert "RELEASE IN FULL" in [line.strip() for line in first]
    assert next(line for line in first if "RELEASE IN FULL" in line).startswith("    ")
    for label in ("From:", "Sent:", "To:", "Subject:"):
        row = next(line for line in first if line.startswith(label))
        assert row[29] == " " and row[30] != " ", row
    assert "•" in text
    assert "José Ibáñez" in text
    assert "desalination plant" in text
    assert "tariff schedule" in text
