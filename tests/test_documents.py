"""indexer.documents: a file's cleaned pages grouped into documents with stable ids."""

from __future__ import annotations

import csv
import hashlib
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

import indexer
from indexer.documents import build_document, build_documents, document_id, split_documents
from indexer.metadata import Metadata
from indexer.sources import Source
from indexer.stamps import CleanPage, Stamp

SHA = hashlib.sha256(b"release").hexdigest()
SOURCE = Source(path=Path("/releases/production.pdf"), kind="pdf", sha256=SHA, size=7)


def clean(number: int, doc: str | None, *lines: str, **stamp: object) -> CleanPage:
    return CleanPage(number, lines or (f"body of page {number}",), Stamp(doc_number=doc, **stamp))  # type: ignore[arg-type]


def numbers(groups: list[list[CleanPage]]) -> list[list[int]]:
    return [[p.number for p in group] for group in groups]


# --- ids -------------------------------------------------------------------------------------


def test_document_id_is_hash_prefix_and_first_page() -> None:
    assert document_id("0123456789abcdef" * 4, 17) == "0123456789ab-p17"


def test_document_id_is_stable_for_same_content_and_page() -> None:
    assert document_id(SHA, 3) == document_id(SHA, 3)
    assert document_id(SHA, 3) != document_id(SHA, 4)
    assert document_id(SHA, 3) != document_id(hashlib.sha256(b"other").hexdigest(), 3)


# --- splitting -------------------------------------------------------------------------------


def test_new_document_starts_where_doc_number_changes() -> None:
    pages = [clean(1, "C01"), clean(2, "C01"), clean(3, "C02"), clean(4, "C03"), clean(5, "C03")]
    assert numbers(split_documents(pages)) == [[1, 2], [3], [4, 5]]


def test_unstamped_pages_stay_with_the_document_before_them() -> None:
    pages = [clean(1, "C01"), clean(2, None), clean(3, None), clean(4, "C02"), clean(5, None)]
    assert numbers(split_documents(pages)) == [[1, 2, 3], [4, 5]]


def test_leading_unstamped_page_joins_the_first_stamped_document() -> None:
    assert numbers(split_documents([clean(1, None), clean(2, "C01"), clean(3, "C01")])) == [[1, 2, 3]]


def test_doc_number_coming_back_starts_another_document() -> None:
    assert numbers(split_documents([clean(1, "C01"), clean(2, "C02"), clean(3, "C01")])) == [[1], [2], [3]]


def test_file_without_any_doc_number_is_one_document() -> None:
    assert numbers(split_documents([clean(1, None), clean(2, None)])) == [[1, 2]]


def test_no_pages_give_no_documents() -> None:
    assert split_documents([]) == []


# --- building --------------------------------------------------------------------------------


def test_build_document_takes_stamp_fields_from_its_pages() -> None:
    pages = [
        CleanPage(4, ("RELEASE IN FULL", "From: Sid"), Stamp(raw=("TOP",), bates=("STATE-SCB0045004",))),
        CleanPage(
            5,
            ("Sent: Thursday, March 3, 2011 9:45 PM",),
            Stamp("F-2015-04841", "C05739546", date(2015, 5, 13), "UNCLASSIFIED", ("STATE-SCB0045005",), ("A", "B")),
        ),
        CleanPage(6, (), Stamp(doc_number="C05739546"), needs_ocr=True),
    ]
    doc = build_document(SOURCE, pages)
    assert doc.id == f"{SHA[:12]}-p4"
    assert doc.source == "/releases/production.pdf"
    assert doc.sha256 == SHA
    assert (doc.first_page, doc.last_page) == (4, 6)
    assert doc.pages == ("RELEASE IN FULL\nFrom: Sid", "Sent: Thursday, March 3, 2011 9:45 PM", "")
    assert doc.text == "RELEASE IN FULL\nFrom: Sid\fSent: Thursday, March 3, 2011 9:45 PM\f"
    assert doc.case_number == "F-2015-04841"
    assert doc.doc_number == "C05739546"
    assert doc.release_date == date(2015, 5, 13)
    assert doc.stamp_classification == "UNCLASSIFIED"
    assert doc.bates == ("STATE-SCB0045004", "STATE-SCB0045005")
    assert doc.stamps == ("TOP", "A", "B")
    assert doc.ocr_pages == (6,)
    assert doc.meta.sender == "Sid"
    assert doc.meta.date == datetime(2011, 3, 3, 21, 45)  # header lines read across the page break
    assert doc.meta.release_status == "full"


def test_release_status_is_read_from_the_first_page_only() -> None:
    pages = [CleanPage(1, ("From: Sid",)), CleanPage(2, ("RELEASE IN FULL",))]
    assert build_document(SOURCE, pages).meta.release_status is None


def test_classification_falls_back_to_body_marking() -> None:
    body_only = build_document(SOURCE, [CleanPage(1, ("SECRET//NOFORN", "text"))])
    assert (body_only.stamp_classification, body_only.classification) == (None, "SECRET//NOFORN")
    stamped = build_document(SOURCE, [CleanPage(1, ("SECRET//NOFORN",), Stamp(classification="UNCLASSIFIED"))])
    assert stamped.classification == "UNCLASSIFIED"


def test_document_without_anything_has_empty_defaults() -> None:
    doc = build_document(SOURCE, [CleanPage(1, ())])
    assert (doc.case_number, doc.doc_number, doc.release_date, doc.bates, doc.stamps) == (None, None, None, (), ())
    assert doc.meta == Metadata()


def test_build_documents_gives_one_document_per_doc_number() -> None:
    docs = build_documents(SOURCE, [clean(1, "C01"), clean(2, "C01"), clean(3, "C02")])
    assert [(d.id, d.doc_number, d.first_page, d.last_page) for d in docs] == [
        (f"{SHA[:12]}-p1", "C01", 1, 2),
        (f"{SHA[:12]}-p3", "C02", 3, 3),
    ]


# --- whole files -----------------------------------------------------------------------------

PRODUCTION = (
    "UNCLASSIFIED U.S. Department of State Case No. F-2015-04841 Doc No. C05739546 Date: 05/13/2015\n"
    "RELEASE IN FULL\nFrom: Sid\nSent: Thursday, March 3, 2011 9:45 PM\nTo: H\nSubject: Libya\n\nFirst memo.\n"
    "UNCLASSIFIED U.S. Department of State Case No. F-2015-04841 Doc No. C05739546 Date: 05/13/2015\n"
    "\f"
    "UNCLASSIFIED U.S. Department of State Case No. F-2015-04841 Doc No. C05739546 Date: 05/13/2015\n"
    "Second page of the first memo.\n"
    "UNCLASSIFIED U.S. Department of State Case No. F-2015-04841 Doc No. C05739546 Date: 05/13/2015\n"
    "\f"
    "UNCLASSIFIED U.S. Department of State Case No. F-2015-04841 Doc No. C05739547 Date: 05/14/2015\n"
    "RELEASE IN PART B6\nFrom: H\nSent: Friday, March 4, 2011 1:00 AM\nTo: Sid\nSubject: RE: Libya\n\nReply.\n"
    "UNCLASSIFIED U.S. Department of State Case No. F-2015-04841 Doc No. C05739547 Date: 05/14/2015\n"
)


def test_text_production_splits_into_documents_where_doc_number_changes(tmp_path: Path) -> None:
    path = tmp_path / "production.txt"
    path.write_text(PRODUCTION)
    sha = hashlib.sha256(PRODUCTION.encode()).hexdigest()
    first, second = indexer.read_file(path)
    assert (first.id, first.doc_number, first.first_page, first.last_page) == (f"{sha[:12]}-p1", "C05739546", 1, 2)
    assert (second.id, second.doc_number, second.first_page, second.last_page) == (f"{sha[:12]}-p3", "C05739547", 3, 3)
    assert first.text == (
        "RELEASE IN FULL\nFrom: Sid\nSent: Thursday, March 3, 2011 9:45 PM\nTo: H\nSubject: Libya\n\nFirst memo."
        "\fSecond page of the first memo."
    )
    assert (first.meta.subject, first.meta.release_status) == ("Libya", "full")
    assert (second.meta.subject, second.meta.release_status, second.meta.exemptions) == ("RE: Libya", "part", ("B6",))
    assert second.release_date == date(2015, 5, 14)
    assert {first.case_number, second.case_number} == {"F-2015-04841"}


def test_ids_depend_on_content_not_on_file_name(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(PRODUCTION)
    (tmp_path / "copy-elsewhere.txt").write_text(PRODUCTION)
    (tmp_path / "changed.txt").write_text(PRODUCTION.replace("First memo.", "First memo, edited."))
    ids = {
        name: [d.id for d in indexer.read_file(tmp_path / name)]
        for name in ("a.txt", "copy-elsewhere.txt", "changed.txt")
    }
    assert ids["a.txt"] == ids["copy-elsewhere.txt"]
    assert ids["a.txt"] == [d.id for d in indexer.read_file(tmp_path / "a.txt")]  # same again on a second read
    assert not set(ids["a.txt"]) & set(ids["changed.txt"])


# --- real releases ---------------------------------------------------------------------------

STAMP_WORDS = ("Case No", "Doc No", "UNCLASSIFIED", "PRODUCED TO HOUSE", "NO FOIA WAIVER", "05/13/2015", "STATE-SCB")


def _ground_truth(corpus: Path, doc_no: str) -> dict[str, str]:
    with (corpus / "state-f2015-04841/ground-truth.csv").open(newline="") as fh:
        return next(row for row in csv.DictReader(fh) if row["doc_no"] == doc_no)


@pytest.mark.parametrize(
    ("doc_no", "bates"),
    [
        ("C05739545", ("STATE-SCB0045247",)),  # printed STATE-5CB0045247 by the agency's OCR
        ("C05739560", ("STATE-SCB0045252", "STATE-SCB0045253")),
        ("C05739562", ("STATE-SCB0045254", "STATE-SCB0045255", "STATE-SCB0045256")),
    ],
)
def test_state_pdf_is_one_document_with_stamps_gone_and_fields_read(
    shared_corpus: Path, doc_no: str, bates: tuple[str, ...]
) -> None:
    path = shared_corpus / f"state-f2015-04841/pdf/{doc_no}.pdf"
    [doc] = indexer.read_file(path)
    assert doc.doc_number == doc_no
    assert doc.case_number == "F-2015-04841"
    assert doc.release_date == date(2015, 5, 13)
    assert doc.stamp_classification == "UNCLASSIFIED"
    assert doc.bates == bates
    assert len(doc.pages) == len(bates)  # one Bates number per page
    assert doc.id == f"{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}-p1"
    for word in STAMP_WORDS:
        assert word not in doc.text, f"stamp text {word!r} left in {doc_no}"
    assert "Department of State" not in doc.text.splitlines()[0]


def test_state_pdf_metadata_matches_agency_ground_truth(shared_corpus: Path) -> None:
    [doc] = indexer.read_file(shared_corpus / "state-f2015-04841/pdf/C05739560.pdf")
    truth = _ground_truth(shared_corpus, "C05739560")
    assert doc.meta.sender == "Mills, Cheryl D <MillsCD@state.gov>"
    assert doc.meta.sender.startswith(truth["from"])
    assert doc.meta.date == datetime(2012, 9, 12, 16, 0)
    assert doc.meta.date.date().isoformat() == truth["doc_date_utc"]
    assert doc.meta.subject == "FW: Anti-Muslim film director in hiding, following Libya, Egypt violence"
    assert doc.meta.subject.upper().endswith(truth["subject"])
    assert doc.meta.release_status == "full"  # `RELEASE IN` / `FULL` on two lines


def test_state_text_release_is_one_document(shared_corpus: Path) -> None:
    [doc] = indexer.read_file(shared_corpus / "state-f2014-20439/txt/HRCEmail_DecWeb/C05779658.txt")
    assert (doc.doc_number, doc.case_number, doc.release_date) == ("C05779658", "F-2014-20439", date(2015, 12, 31))
    assert (doc.first_page, doc.last_page) == (1, 3)
    stamp = "UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C05779658 Date: 12/31/2015"
    assert doc.stamps.count(stamp) == 6  # top and bottom of three pages
    assert "Case No." not in doc.text
    assert "Latter is what they appear to have in mind." in doc.text


def test_jfk_text_record_takes_docid_as_doc_number(shared_corpus: Path) -> None:
    [doc] = indexer.read_file(shared_corpus / "jfk-nara/text/2022/docid-32308705.md")
    assert doc.doc_number == "32308705"
    assert "DocId" not in doc.text and "Docld" not in doc.text


def test_scanned_pdf_read_without_ocr_is_one_document_marked_for_ocr(shared_corpus: Path) -> None:
    [doc] = indexer.read_file(shared_corpus / "jfk-nara/scanned-pdf/104-10077-10136.pdf", ocr="never")
    assert doc.ocr_pages == (1,)
    assert doc.text == ""


def test_pdf_with_upper_case_suffix_is_read(shared_corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "C05739560.PDF"
    shutil.copyfile(shared_corpus / "state-f2015-04841/pdf/C05739560.pdf", path)
    [doc] = indexer.read_file(path)
    assert (doc.doc_number, doc.bates) == ("C05739560", ("STATE-SCB0045252", "STATE-SCB0045253"))
    assert doc.source == str(path.resolve())
