"""OCR: which pages are OCR'd, the cache, provenance, rotation, Tesseract missing, and stamps and
metadata read from OCR'd JFK and Chicago pages.

Scans are made here from the sample releases' text pages (rendered to images, so their own text
layer is the ground truth), or cut to one page from the real releases: Tesseract takes about
three seconds a page, so each test OCRs one or two pages.
"""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner

import indexer
import query
from indexer import ocr, pipeline
from indexer.cache import ExtractionCache
from indexer.errors import FoiaSearchError
from indexer.extract import Page, extract_pdf_pdfium, layout_rows
from indexer.manifest import Manifest
from indexer.schema import build_schema
from indexer.store import cache_of
from query.cli import app

ROOT = Path(__file__).resolve().parents[1]
EMAIL = ROOT / "corpus" / "releases" / "state-email-release.pdf"
runner = CliRunner()


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{3,}", text.lower()))


def stems(text: str) -> set[str]:
    """The words of a text as the index's text field holds them (stemmed)."""
    return {t.text for t in build_schema()["text"].analyzer(text)}


def recall(expected: str, got: str) -> float:
    want = words(expected)
    return len(want & words(got)) / len(want)


def scan_of(source: Path, index: int, turn: int = 0, dpi: int = 200, mode: str = "L") -> pdfium.PdfDocument:
    """A one-page image-only PDF of page `index` (0-based) of `source`, turned `turn` degrees, its
    image greyscale (`L`) or bilevel (`1`, stored as CCITT fax like many scanned releases)."""
    image = pdfium.PdfDocument(source)[index].render(scale=dpi / 72, grayscale=True).to_pil()
    buffer = io.BytesIO()
    image.rotate(turn, expand=True).convert(mode).save(buffer, "PDF", resolution=float(dpi))
    return pdfium.PdfDocument(buffer.getvalue())


def write_pdf(path: Path, parts: list[tuple[pdfium.PdfDocument, int]]) -> Path:
    """A PDF made of pages (document, 0-based index) of other PDFs."""
    out = pdfium.PdfDocument.new()
    for document, index in parts:
        out.import_pages(document, [index])
    out.save(path)
    return path


def mixed_pdf(folder: Path, scans: tuple[int, ...], turns: dict[int, int] | None = None) -> Path:
    """The sample email release (3 pages) with pages `scans` (1-based) replaced by image scans."""
    original = pdfium.PdfDocument(EMAIL)
    turns = turns or {}
    parts = [(scan_of(EMAIL, n - 1, turns.get(n, 0)), 0) if n in scans else (original, n - 1) for n in (1, 2, 3)]
    folder.mkdir(parents=True, exist_ok=True)
    return write_pdf(folder / "mixed.pdf", parts)


def provenance(index: Path) -> list[tuple[int, str]]:
    records = [json.loads(line) for line in runner.invoke(app, ["export", "--index", str(index)]).stdout.splitlines()]
    return sorted((p["page"], p["source"]) for r in records for p in r["provenance"])


def ocr_entries(index: Path) -> list[str]:
    return sorted(p.name.split(".", 1)[1] for p in cache_of(index).folder.rglob("*.ocr-*"))


# --- no Tesseract needed --------------------------------------------------------------------------


def test_words_of_one_line_far_apart_become_separate_segments() -> None:
    data = {
        "text": ["From:", "Rivera,", "Dana", "B6", ""],
        "conf": [95, 90, 91, 88, -1],
        "left": [100, 400, 560, 1900, 0],
        "top": [500, 502, 501, 500, 0],
        "width": [140, 150, 110, 60, 0],
        "height": [40, 42, 40, 40, 0],
        "block_num": [1, 1, 1, 1, 1],
        "par_num": [1, 1, 1, 1, 1],
        "line_num": [1, 1, 1, 1, 1],
    }
    found = ocr._words(data)
    rows = layout_rows(ocr._lines(found, 72 / ocr.DPI))
    assert [[text for _, text in row] for row in rows] == [["From:", "Rivera, Dana", "B6"]]
    assert sum(w.confidence for w in found) / len(found) == pytest.approx(91.0)


def grey_pixels(image: object) -> int:
    histogram = image.histogram()  # type: ignore[attr-defined]
    return sum(histogram[32:224])


def test_bilevel_scans_are_smoothed_and_greyscale_scans_are_not(tmp_path: Path) -> None:
    """`smooth` blurs 1-bit scans (their black and white edges turn grey); a greyscale scan is
    rendered as PDFium renders it."""
    bilevel = write_pdf(tmp_path / "bilevel.pdf", [(scan_of(EMAIL, 0, dpi=300, mode="1"), 0)])
    grey = write_pdf(tmp_path / "grey.pdf", [(scan_of(EMAIL, 0), 0)])
    assert ocr.bilevel(pdfium.PdfDocument(bilevel)[0]) and not ocr.bilevel(pdfium.PdfDocument(grey)[0])
    assert not ocr.bilevel(pdfium.PdfDocument(EMAIL)[0])  # text, no image
    plain = pdfium.PdfDocument(bilevel)[0].render(scale=ocr.DPI / 72, grayscale=True).to_pil()
    smoothed = ocr.render(bilevel, 1)
    assert smoothed.size == plain.size
    assert grey_pixels(smoothed) > 5 * grey_pixels(plain)
    unchanged = pdfium.PdfDocument(grey)[0].render(scale=ocr.DPI / 72, grayscale=True).to_pil()
    assert ocr.render(grey, 1).tobytes() == unchanged.tobytes()


@pytest.mark.parametrize(
    ("mode", "lang", "message"),
    [
        ("sometimes", "eng", "unknown OCR mode 'sometimes'; use one of auto, always, never"),
        ("auto", "eng;rm -rf", "bad OCR language 'eng;rm -rf'"),
        ("auto", "", "bad OCR language ''"),
    ],
)
def test_bad_ocr_options_are_refused_before_any_work(mode: str, lang: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(FoiaSearchError, match=re.escape(message)):
        indexer.index_paths([EMAIL], tmp_path / "ix", options=indexer.Options(ocr=mode, ocr_lang=lang))
    assert not (tmp_path / "ix").exists()


def test_missing_tesseract_is_named_with_its_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    ocr._unavailable_reason.cache_clear()
    try:
        assert ocr.unavailable_reason() == "tesseract is not installed (install the Debian package tesseract-ocr)"
        scanned = mixed_pdf(tmp_path / "in", scans=(2,))
        result = runner.invoke(app, ["index", str(scanned), "--index", str(tmp_path / "ix"), "--workers", "1"])
        assert result.exit_code == 0, result.output
        assert result.stderr.splitlines()[-1] == (
            "1 page has no text layer and needs OCR: tesseract is not installed (install the Debian package "
            f"tesseract-ocr); then run `foia index {scanned} --index {tmp_path / 'ix'}` again"
        )
        assert provenance(tmp_path / "ix") == [(1, "text layer"), (2, "none"), (3, "text layer")]
        always = runner.invoke(app, ["index", str(scanned), "--index", str(tmp_path / "ix2"), "--ocr", "always"])
        assert always.exit_code == 2
        assert always.stderr == "error: tesseract is not installed (install the Debian package tesseract-ocr)\n"
    finally:
        ocr._unavailable_reason.cache_clear()


def test_missing_language_names_its_package(tesseract: None) -> None:
    assert ocr.unavailable_reason("eng+xyz") == (
        "tesseract has no xyz language data (install the Debian package tesseract-ocr-xyz)"
    )


def test_text_pdfs_need_no_ocr(shared_corpus: Path) -> None:
    """`auto` leaves text PDFs alone: no page of the State release (agency OCR text) is OCR'd."""
    pdfs = sorted((shared_corpus / "state-f2015-04841" / "pdf").glob("*.pdf"))
    pages = [page for path in pdfs for page in extract_pdf_pdfium(path)]
    assert (len(pdfs), len(pages)) == (138, sum(len(pdfium.PdfDocument(path)) for path in pdfs))
    assert [(p.number, p.text[:60]) for p in pages if p.needs_ocr] == []


# --- with Tesseract -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, indexer.IndexReport]:
    """The sample email with page 2 scanned upright and page 3 scanned upside down, indexed with
    two workers (its pages OCR'd in parallel)."""
    if ocr.unavailable_reason():
        pytest.skip(f"OCR tests need Tesseract: {ocr.unavailable_reason()}")
    folder = tmp_path_factory.mktemp("mixed")
    pdf = mixed_pdf(folder / "in", scans=(2, 3), turns={3: 180})
    report = indexer.index_paths([pdf], folder / "ix", options=indexer.Options(workers=2))
    return pdf, folder / "ix", report


def test_mixed_pdf_ocrs_only_its_scanned_pages(mixed_index: tuple[Path, Path, indexer.IndexReport]) -> None:
    _, index, report = mixed_index
    assert (report.ocr_read, report.ocr_pages, report.failed, report.warnings) == (2, 0, [], [])
    assert provenance(index) == [(1, "text layer"), (2, "ocr"), (3, "ocr")]
    assert ocr_entries(index) == ["ocr-eng.p2.json.gz", "ocr-eng.p3.json.gz"]


def test_ocr_text_matches_the_page_it_was_scanned_from_even_upside_down(
    mixed_index: tuple[Path, Path, indexer.IndexReport],
) -> None:
    _, index, _ = mixed_index
    [doc] = query.iter_hits(index, "")
    [original] = indexer.read_file(EMAIL, ocr="never")
    truth = original.pages  # stamps removed, as from the OCR'd pages
    pages = str(doc["text"]).split("\f")
    assert recall(truth[1], pages[1]) >= 0.9
    assert recall(truth[2], pages[2]) >= 0.9  # read after turning it upright
    assert all(conf > 70 for _, source, conf in doc["provenance"] if source == "ocr")


def test_stamps_of_ocr_pages_are_removed_and_read(mixed_index: tuple[Path, Path, indexer.IndexReport]) -> None:
    _, index, _ = mixed_index
    [doc] = query.iter_hits(index, "")
    assert (doc["doc_number"], doc["case_number"]) == ("C09900001", "F-2099-00123")
    assert "Doc No." not in str(doc["text"])


def test_ocr_pages_are_searchable_and_shown_with_provenance(
    mixed_index: tuple[Path, Path, indexer.IndexReport],
) -> None:
    _, index, _ = mixed_index
    truth = extract_pdf_pdfium(EMAIL)[2].text
    word = max(words(truth) - words(extract_pdf_pdfium(EMAIL)[0].text), key=len)  # only on the scanned page 3
    [hit] = query.search(index, word).hits
    assert hit.page == 3
    shown = runner.invoke(app, ["show", hit.id, "--index", str(index)])
    assert re.search(r"── page 3 \(ocr, confidence \d+\) ──", shown.stdout)
    assert re.search(r"provenance\s+p1 text layer, p2 ocr \(confidence \d+\), p3 ocr", shown.stdout)


def test_rebuild_reads_ocr_from_the_cache_and_never_ocrs_twice(
    mixed_index: tuple[Path, Path, indexer.IndexReport], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, index, _ = mixed_index
    before = [json.loads(line) for line in runner.invoke(app, ["export", "--index", str(index)]).stdout.splitlines()]

    def no_ocr(*args: object) -> None:
        raise AssertionError("a cached page was OCR'd again")

    monkeypatch.setattr(pipeline, "ocr_page", no_ocr)
    report = indexer.reindex(index, options=indexer.Options(workers=1))
    assert (report.ocr_read, report.warnings) == (2, [])
    after = [json.loads(line) for line in runner.invoke(app, ["export", "--index", str(index)]).stdout.splitlines()]
    assert after == before


def test_ocr_never_then_auto_ocrs_the_page_left_pending(tesseract: None, tmp_path: Path) -> None:
    """`--ocr never` records the scanned page as pending without poisoning the cache; the next
    `foia index` (file unchanged) OCRs it and makes it searchable."""
    pdf = mixed_pdf(tmp_path / "in", scans=(2,))
    index = tmp_path / "ix"
    first = indexer.index_paths([pdf], index, options=indexer.Options(workers=1, ocr="never"))
    assert (first.ocr_pages, first.ocr_read) == (1, 0)
    manifest = Manifest(index / "manifest.sqlite")
    assert manifest.get(str(pdf)).ocr_pages == 1  # type: ignore[union-attr]
    manifest.close()
    assert provenance(index) == [(1, "text layer"), (2, "none"), (3, "text layer")]
    assert ocr_entries(index) == []

    second = indexer.index_paths([pdf], index, options=indexer.Options(workers=1))
    assert (second.replaced, second.skipped, second.ocr_pages, second.ocr_read) == (1, 0, 0, 1)
    assert provenance(index) == [(1, "text layer"), (2, "ocr"), (3, "text layer")]
    truth = extract_pdf_pdfium(EMAIL)[1].text
    elsewhere = stems(extract_pdf_pdfium(EMAIL)[0].text + extract_pdf_pdfium(EMAIL)[2].text)
    word = max((w for w in words(truth) if not stems(w) & elsewhere), key=len)  # its stem only on page 2
    assert [h.page for h in query.search(index, word).hits] == [2]

    third = indexer.index_paths([pdf], index, options=indexer.Options(workers=1))
    assert (third.skipped, third.replaced) == (1, 0)  # nothing pending any more


def test_ocr_always_reads_text_pages_too(tesseract: None, tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "one.pdf", [(pdfium.PdfDocument(EMAIL), 0)])
    [doc] = indexer.read_file(pdf, ocr="always")
    assert [o.source for o in doc.origins] == ["ocr"]
    assert recall(extract_pdf_pdfium(EMAIL)[0].text, doc.text) >= 0.8


def test_jfk_identification_form_read_from_ocr(shared_corpus: Path, tesseract: None, tmp_path: Path) -> None:
    source = shared_corpus / "jfk-nara" / "scanned-pdf" / "124-90158-10062.pdf"
    first = write_pdf(tmp_path / "form.pdf", [(pdfium.PdfDocument(source), 0)])
    [doc] = indexer.read_file(first)
    assert (doc.record_number, doc.meta.record_agency, doc.meta.record_pages) == ("124-90158-10062", "FBI", 2)
    assert (doc.meta.sender, doc.meta.recipients, doc.meta.date) == ("CIA", ("HQ",), datetime(1973, 1, 31))
    assert doc.doc_number == "32340405"  # from the NARA footer `NW 50953 DocId:32340405 Page 1`
    assert "DocId" not in doc.text and "Docld" not in doc.text


def test_bilevel_scan_reads_like_its_page(tesseract: None, tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "bilevel.pdf", [(scan_of(EMAIL, 1, dpi=300, mode="1"), 0)])
    [doc] = indexer.read_file(pdf)
    assert recall(extract_pdf_pdfium(EMAIL)[1].text, doc.text) >= 0.9


def test_issue_4_smoothing_reads_the_comment_line_of_a_faint_jfk_cable(
    shared_corpus: Path, tesseract: None, tmp_path: Path
) -> None:
    """104-10077-10136 is a nearly illegible 1-bit cable: read without `smooth`, Tesseract lost
    its whole `SAS COMMENT: Ref requested coordination with State regarding expediting U S Visas
    for wife and daughter` line."""
    source = shared_corpus / "jfk-nara" / "scanned-pdf" / "104-10077-10136.pdf"
    page = ocr.ocr_page(source, 1)
    assert {"requested", "state", "regarding", "visas", "wife", "daughter"} <= words(page.text)


def test_upside_down_chicago_letter_reads_upright(shared_corpus: Path, tesseract: None, tmp_path: Path) -> None:
    source = shared_corpus / "chicago-foia" / "16-0007_Donahue.pdf"
    first = write_pdf(tmp_path / "letter.pdf", [(pdfium.PdfDocument(source), 0)])
    [doc] = indexer.read_file(first)
    assert "NOTICE OF RESPONSE TO FOIA REQUEST" in doc.text
    assert "16-0007" in doc.text
    assert doc.origins[0].confidence is not None and doc.origins[0].confidence > 80


def test_unreadable_page_is_a_warning_and_stays_pending(
    tesseract: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: Path, number: int, lang: str) -> None:
        raise OSError("tesseract crashed")

    monkeypatch.setattr(pipeline, "ocr_page", broken)
    pdf = mixed_pdf(tmp_path / "in", scans=(2,))
    report = indexer.index_paths([pdf], tmp_path / "ix", options=indexer.Options(workers=1))
    assert report.failed == []
    assert report.warnings == [indexer.FileFailure(str(pdf), "page 2: OCR failed: OSError: tesseract crashed")]
    assert (report.documents, report.ocr_pages) == (1, 1)
    assert provenance(tmp_path / "ix") == [(1, "text layer"), (2, "none"), (3, "text layer")]


def test_cache_keeps_ocr_apart_by_language(tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path)
    page = Page(2, (((0, "hola"),),), ocr_confidence=88.5)
    cache.put_ocr("ab" * 32, "spa", page)
    assert cache.get_ocr("ab" * 32, "spa", 2) == page
    assert cache.get_ocr("ab" * 32, "eng", 2) is None
    assert cache.get_ocr("ab" * 32, "spa", 3) is None
    assert cache.get("ab" * 32, "pdfminer") is None


def test_cache_gives_a_page_in_the_language_it_was_read_in_when_none_is_asked(tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path)
    cache.put_ocr("ab" * 32, "spa", Page(3, (((0, "hola"),),), ocr_confidence=90.0))
    assert cache.get_ocr("ab" * 32, None, 3) == Page(3, (((0, "hola"),),), ocr_confidence=90.0)
    assert cache.get_ocr("ab" * 32, None, 30) is None and cache.get_ocr("ab" * 32, "eng", 3) is None
    cache.put_ocr("ab" * 32, "eng", Page(3, (((0, "hello"),),), ocr_confidence=80.0))
    assert cache.get_ocr("ab" * 32, None, 3) == Page(3, (((0, "hello"),),), ocr_confidence=80.0)  # eng first


def test_reindex_without_a_language_keeps_the_one_pages_were_read_in(
    tesseract: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages OCR'd with `--ocr-lang spa` are not OCR'd again by a plain `foia reindex` (which
    once read them again in English); `--ocr-lang eng` asks for an English reading."""
    index = tmp_path / "ix"
    pdf = mixed_pdf(tmp_path / "in", scans=(2,))
    assert indexer.index_paths([pdf], index, options=indexer.Options(workers=1, ocr_lang="spa")).ok

    def no_ocr(*args: object) -> None:
        raise AssertionError("a cached page was OCR'd again")

    monkeypatch.setattr(pipeline, "ocr_page", no_ocr)
    report = indexer.reindex(index, options=indexer.Options(workers=1))
    assert (report.ocr_read, report.ocr_pages, report.warnings) == (1, 0, [])
    report = indexer.reindex(index, options=indexer.Options(workers=1, ocr_lang="eng"))
    assert report.warnings and "a cached page was OCR'd again" in report.warnings[0].reason
