"""Finding release files on disk and telling what they are by their content."""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import BadArgumentError

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


@dataclass(frozen=True)
class Unreadable:
    """An entry under a folder that cannot be read: a folder that cannot be listed, a symbolic
    link loop, a link to nothing; `reason` in a few words."""

    path: Path
    reason: str


@dataclass
class Found:
    """What `find_files` found under `roots` (the given paths, resolved): the files, in a stable
    order, and the entries it could not read."""

    roots: list[Path] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)


def path_problem(path: Path) -> str | None:
    """Why `path` cannot be opened, in a few words (`symbolic link loop`, `no such file or
    folder`, ...), or None."""
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
        if exc.errno == errno.ENOENT and path.is_symlink():
            return f"broken symbolic link (its target {os.readlink(path)} does not exist)"
        if exc.errno == errno.ENOENT:
            return "no such file or folder"
        return f"cannot read: {exc.strerror or exc}"
    return None


def find_files(paths: Iterable[Path]) -> Found:
    """Every regular file under the given files and folders, recursively, in a stable order, and
    what could not be read on the way (never skipped in silence). The given paths are resolved
    (absolute, links followed), so every path found is absolute. A given path that is missing, a
    symbolic link loop or not a file or folder raises BadArgumentError.

    Hidden files and folders (names starting with a dot) inside a folder are left out; links to
    folders inside a folder are not followed.
    """
    found = Found()
    for path in paths:
        if problem := path_problem(path):
            raise BadArgumentError(f"{path}: {problem}")
        path = path.resolve()
        found.roots.append(path)
        if path.is_dir():
            _walk(path, found)
        elif path.is_file():
            found.files.append(path)
        else:
            raise BadArgumentError(f"{path}: not a file or folder")
    return found


def _walk(folder: Path, found: Found) -> None:
    files: list[Path] = []
    unreadable: list[Unreadable] = []

    def cannot_list(exc: OSError) -> None:
        unreadable.append(Unreadable(Path(exc.filename), f"cannot read folder: {exc.strerror or exc}"))

    for top, folders, names in os.walk(folder, onerror=cannot_list):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue
            child = Path(top, name)
            if child.is_file():
                files.append(child)
            elif child.is_symlink() and (problem := path_problem(child)):
                unreadable.append(Unreadable(child, problem))
    found.files.extend(sorted(files))
    found.unreadable.extend(sorted(unreadable, key=lambda u: u.path))
