"""Finding release files on disk and telling what they are by their content."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Kind = Literal["pdf", "text", "unknown"]

_SNIFF_BYTES = 4096


@dataclass(frozen=True)
class Source:
    """One file of a release: where it is, what it is, and its content hash."""

    path: Path
    kind: Kind
    sha256: str
    size: int


def sniff(head: bytes) -> Kind:
    """Tell a PDF from a text file by the first bytes, whatever the file is called."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if not head or head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return "text"
    if b"\x00" in head:
        return "unknown"
    printable = sum(1 for b in head if b >= 32 or b in b"\t\n\r\f")
    return "text" if printable / len(head) > 0.95 else "unknown"


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's content, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe(path: Path) -> Source:
    """Read enough of one file to know its kind, size and hash."""
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    return Source(path=path.resolve(), kind=sniff(head), sha256=file_sha256(path), size=path.stat().st_size)


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every regular file under the given files and folders, recursively, in a stable order.

    Hidden files and folders (names starting with a dot) inside a folder are left out.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in rel.parts):
                    yield child
        elif path.is_file():
            yield path
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
