"""indexer.sources: telling PDFs from text by content, hashing, walking folders."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

import indexer
from indexer.errors import FoiaSearchError
from indexer.sources import describe, file_sha256, find_files, sniff

STATE_PDF = "state-f2015-04841/pdf/C05739545.pdf"


# --- sniff -----------------------------------------------------------------------------------


def test_sniff_recognizes_pdf_header_at_start() -> None:
    assert sniff(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n") == "pdf"


def test_sniff_recognizes_pdf_header_after_leading_junk_within_first_kilobyte() -> None:
    assert sniff(b"\x00" * 10 + b"garbage before the header\n" * 20 + b"%PDF-1.7\n") == "pdf"


def test_sniff_ignores_pdf_header_beyond_first_kilobyte() -> None:
    assert sniff(b"x" * 1100 + b"%PDF-1.4\n") == "text"


def test_sniff_calls_empty_file_text() -> None:
    assert sniff(b"") == "text"


def test_sniff_calls_ascii_with_tabs_and_form_feeds_text() -> None:
    assert sniff(b"From:\tH\r\nSubject: Libya\n\fPage two\n") == "text"


def test_sniff_calls_cp1252_bytes_text() -> None:
    assert sniff("Secretary’s office – “noted” café\n".encode("cp1252") * 20) == "text"


def test_sniff_calls_binary_with_nul_bytes_unknown() -> None:
    assert sniff(b"\x89PNG\r\n\x1a\n" + bytes(200)) == "unknown"


def test_sniff_calls_text_with_a_single_nul_byte_unknown() -> None:
    assert sniff(b"From: H\n" * 100 + b"\x00") == "unknown"


def test_sniff_calls_mostly_control_bytes_unknown() -> None:
    assert sniff(bytes(range(1, 32)) * 10 + b"abc") == "unknown"


def test_sniff_tolerates_a_few_control_bytes_in_text() -> None:
    assert sniff(b"a" * 98 + b"\x01\x02") == "text"  # 98 % printable


def test_sniff_needs_more_than_95_percent_printable_bytes_for_text() -> None:
    assert sniff(b"a" * 90 + b"\x01" * 10) == "unknown"


# --- describe / file_sha256 ------------------------------------------------------------------


def test_describe_reports_content_hash_size_and_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"UNCLASSIFIED\nFrom: H\nSubject: test\n"
    (tmp_path / "release.txt").write_bytes(data)
    monkeypatch.chdir(tmp_path)
    source = describe(Path("release.txt"))
    assert source.kind == "text"
    assert source.sha256 == hashlib.sha256(data).hexdigest()
    assert source.size == len(data)
    assert source.path == (tmp_path / "release.txt").resolve()
    assert source.path.is_absolute()


def test_file_sha256_hashes_files_larger_than_one_block(tmp_path: Path) -> None:
    data = bytes(range(256)) * (3 * 4096 + 17)  # about 3 MB: several 1 MB blocks and a partial one
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_describe_gives_same_hash_for_same_content_under_another_name(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("same content\n")
    (tmp_path / "b").write_text("same content\n")
    assert describe(tmp_path / "a.txt").sha256 == describe(tmp_path / "b").sha256


def test_describe_sniffs_text_named_pdf_as_text(tmp_path: Path) -> None:
    path = tmp_path / "not-really.pdf"
    path.write_text("From: H\nSubject: a text file with a .pdf name\n")
    assert describe(path).kind == "text"


@pytest.mark.parametrize("name", ["C05739545", "C05739545.PDF", "release.dat"])
def test_describe_sniffs_real_pdf_by_content_whatever_its_name(shared_corpus: Path, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    shutil.copyfile(shared_corpus / STATE_PDF, path)
    assert describe(path).kind == "pdf"


def test_pdf_named_without_suffix_is_read_as_pdf(shared_corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "C05739545"
    shutil.copyfile(shared_corpus / STATE_PDF, path)
    [doc] = indexer.read_file(path)
    assert doc.doc_number == "C05739545"
    assert doc.case_number == "F-2015-04841"
    assert doc.sha256 == hashlib.sha256((shared_corpus / STATE_PDF).read_bytes()).hexdigest()


# --- find_files ------------------------------------------------------------------------------


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(path.name)
    return path


def test_find_files_walks_folders_recursively_in_sorted_order(tmp_path: Path) -> None:
    for rel in ("b.txt", "a/z.pdf", "a/b/c.txt", "c"):
        _touch(tmp_path / rel)
    found = [p.relative_to(tmp_path).as_posix() for p in find_files([tmp_path]).files]
    assert found == ["a/b/c.txt", "a/z.pdf", "b.txt", "c"]


def test_find_files_leaves_out_hidden_files_and_folders_inside_a_folder(tmp_path: Path) -> None:
    _touch(tmp_path / "keep.txt")
    _touch(tmp_path / ".hidden.txt")
    _touch(tmp_path / ".git" / "config")
    _touch(tmp_path / "sub" / ".cache" / "x.txt")
    _touch(tmp_path / "sub" / "keep2.txt")
    found = [p.relative_to(tmp_path).as_posix() for p in find_files([tmp_path]).files]
    assert found == ["keep.txt", "sub/keep2.txt"]


def test_find_files_walks_a_folder_given_by_a_hidden_path(tmp_path: Path) -> None:
    _touch(tmp_path / ".releases" / "one.txt")
    assert [p.name for p in find_files([tmp_path / ".releases"]).files] == ["one.txt"]


def test_find_files_yields_an_explicitly_named_hidden_file(tmp_path: Path) -> None:
    path = _touch(tmp_path / ".hidden.txt")
    assert find_files([path]).files == [path]


def test_find_files_keeps_the_order_of_its_arguments(tmp_path: Path) -> None:
    single = _touch(tmp_path / "z-single.txt")
    _touch(tmp_path / "folder" / "a.txt")
    assert [p.name for p in find_files([single, tmp_path / "folder"]).files] == ["z-single.txt", "a.txt"]


def test_find_files_skips_folders_themselves(tmp_path: Path) -> None:
    (tmp_path / "empty" / "nested").mkdir(parents=True)
    assert find_files([tmp_path]).files == []


def test_find_files_raises_for_a_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(FoiaSearchError, match="nope: no such file or folder"):
        find_files([missing])


def test_utf16_text_with_byte_order_mark_is_text() -> None:
    assert sniff("From: H\nSubject: Libya\n".encode("utf-16")) == "text"
