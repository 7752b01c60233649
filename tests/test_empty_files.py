"""Empty input is a reason, not a document: zero bytes, blank text, a PDF with no text and no image."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import indexer
from indexer.extract import EMPTY_BYTES, EMPTY_PDF, EMPTY_TEXT
from indexer.manifest import Manifest
from indexer.pipeline import Options
from indexer.status import index_status
from query.cli import app

NO_OCR = Options(workers=1, ocr="never")
HRC_NDAS = "state-f2014-20439/txt/HRC_NDAS"
"""Three text files of two form feeds each (the same content)."""


def _copy(sources: list[Path], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for source in sources:
        shutil.copyfile(source, folder / source.name)
    return folder


def test_state_f2014_20439_hrc_ndas_form_feed_files_are_empty_not_copies(shared_corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    report = indexer.index_paths([shared_corpus / HRC_NDAS], index, options=NO_OCR)
    assert report.ok and report.documents == 0 and report.skipped == 0
    assert sorted((Path(e.path).name, e.reason) for e in report.empty) == [
        ("C05833708.txt", EMPTY_TEXT),
        ("C05833764.txt", EMPTY_TEXT),
        ("C05833787.txt", EMPTY_TEXT),
    ]
    status = index_status(index)
    assert (status.indexed, status.duplicates, len(status.failed), len(status.empty)) == (0, [], 0, 3)
    again = indexer.index_paths([shared_corpus / HRC_NDAS], index, options=NO_OCR)
    assert (again.skipped, again.empty) == (3, [])  # recorded: not read again while unchanged


def test_zero_bytes_and_a_pdf_with_no_text_and_no_image_are_empty(shared_corpus: Path, tmp_path: Path) -> None:
    robust = shared_corpus / "robustness-pdf"
    folder = _copy([robust / "simple2.pdf", robust / "contrib/pdf-with-jbig2.pdf"], tmp_path / "in")
    (folder / "zero.txt").write_bytes(b"")
    report = indexer.index_paths([folder], tmp_path / "ix", options=NO_OCR)
    assert sorted((Path(e.path).name, e.reason) for e in report.empty) == [
        ("simple2.pdf", EMPTY_PDF),  # shapes only
        ("zero.txt", EMPTY_BYTES),
    ]
    assert report.indexed == 1 and report.ocr_pages == 1  # the scan has an image: it waits for OCR


def test_indexed_file_that_becomes_empty_loses_its_documents(tmp_path: Path) -> None:
    memo = tmp_path / "in" / "memo.txt"
    memo.parent.mkdir()
    memo.write_text("MEMORANDUM\nSUBJECT: Harbor inspection schedule\n\nThe inspection is on Monday.\n")
    index = tmp_path / "ix"
    assert indexer.index_paths([memo.parent], index, options=NO_OCR).documents == 1
    memo.write_text("\f\n  \f\n")
    report = indexer.index_paths([memo.parent], index, options=NO_OCR)
    assert [(e.path, e.reason) for e in report.empty] == [(str(memo), EMPTY_TEXT)]
    status = index_status(index)
    assert (status.documents, [e.reason for e in status.empty]) == (0, [EMPTY_TEXT])
    manifest = Manifest(index / "manifest.sqlite")
    try:
        assert [(r.status, r.documents) for r in manifest.records()] == [("empty", 0)]
    finally:
        manifest.close()


def test_read_file_of_an_empty_file_raises_empty_file_error(shared_corpus: Path) -> None:
    with pytest.raises(indexer.EmptyFileError, match="empty file"):
        indexer.read_file(shared_corpus / HRC_NDAS / "C05833708.txt")


def test_status_command_lists_empty_files_with_their_reason(shared_corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    result = CliRunner().invoke(app, ["index", str(shared_corpus / HRC_NDAS), "--index", str(index), "-w", "1"])
    assert result.exit_code == 0, result.output  # empty is not a failure
    assert "3 empty" in result.output
    result = CliRunner().invoke(app, ["status", "--index", str(index)])
    assert "0 failed, 3 empty" in result.output
    assert f"empty: {(shared_corpus / HRC_NDAS / 'C05833708.txt').resolve()}: {EMPTY_TEXT}" in result.output
