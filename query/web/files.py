"""Original files and page images, found by document id from what the index recorded.

No path ever comes from a request: a document's stored `source` (the absolute path it was indexed
from) is opened without following a link in its last part, and used only while its content is
the content indexed (the stored SHA-256; the check is remembered per file identity, size and
modification time). A file moved, changed or replaced by a link since indexing is not served.

Page images are rendered by PDFium (pypdfium2, the project's PDF engine) and cached in the index
folder under `pages/`, named by content hash, page and width, so a cached image stays right
whatever happens to the file and costs one read.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import stat
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from indexer.errors import BadArgumentError, DocumentNotFoundError
from indexer.sources import sniff
from indexer.store import changed_at

from ..search import get_document

IMAGE_DIR = "pages"
MIN_WIDTH, DEFAULT_WIDTH, MAX_WIDTH = 200, 1000, 2000
"""Page image widths in pixels; others are refused, and widths are rounded to 100."""
MAX_PIXELS = 8_000_000
"""The largest image rendered, whatever the page's shape (a long strip is rendered narrower)."""
JPEG_QUALITY = 85

_HEX = re.compile(r"[0-9a-f]{64}")
_VERIFIED: dict[tuple[str, int, int, int, int], bool] = {}
_PDFIUM = threading.Lock()
"""PDFium is not thread-safe: one render at a time in this process."""


def clear_page_images(index_dir: Path) -> int:
    """Delete the page images the reading room cached for an index; how many there were."""
    folder = index_dir / IMAGE_DIR
    if not folder.is_dir():
        return 0
    count = sum(1 for path in folder.rglob("*") if path.is_file())
    shutil.rmtree(folder)
    return count


class OriginalUnavailable(DocumentNotFoundError):
    """The file a document was indexed from is gone, changed, or not a regular file."""


@dataclass(frozen=True)
class Original:
    """A document's original file as the reading room offers it: its name, kind (`pdf`, `text`),
    size, and the problem that keeps it from being shown (None when it can be)."""

    name: str
    kind: str | None
    size: int
    problem: str | None = None


_RECORDED = ("id", "source", "sha256", "first_page", "last_page")
_RECORDS: OrderedDict[tuple[Path, str], tuple[int, dict[str, Any]]] = OrderedDict()
_RECORDS_KEPT = 4096


def recorded(index_dir: Path, key: str) -> dict[str, Any]:
    """What the index records of a document's file (`_RECORDED`), by id or doc number; kept while
    the index is unchanged (see `store.changed_at`),
    so a cached page image is answered without opening the index."""
    state = changed_at(index_dir)
    found = _RECORDS.get((index_dir, key))
    if found is not None and found[0] == state:
        return found[1]
    fields = get_document(index_dir, key).fields
    record = {name: fields.get(name) for name in _RECORDED}
    _RECORDS[(index_dir, key)] = (state, record)
    while len(_RECORDS) > _RECORDS_KEPT:
        _RECORDS.popitem(last=False)
    return record


def _recorded(fields: Mapping[str, Any]) -> tuple[str, str]:
    source, sha = str(fields.get("source") or ""), str(fields.get("sha256") or "")
    if not os.path.isabs(source) or not _HEX.fullmatch(sha):
        raise OriginalUnavailable(f"{fields.get('id')}: the index records no original file for it")
    return source, sha


def open_original(fields: Mapping[str, Any]) -> IO[bytes]:
    """The document's original file, opened, when it holds the content indexed."""
    source, sha = _recorded(fields)
    name = Path(source).name
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise OriginalUnavailable(f"the original file {name} is not where it was indexed ({exc.strerror})") from None
    handle = os.fdopen(fd, "rb")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OriginalUnavailable(f"the original file {name} is no longer a regular file")
        key = (source, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        if key not in _VERIFIED:
            digest = hashlib.sha256()
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
            _VERIFIED[key] = digest.hexdigest() == sha
            handle.seek(0)
        if not _VERIFIED[key]:
            raise OriginalUnavailable(f"the original file {name} has changed since it was indexed")
    except BaseException:
        handle.close()
        raise
    return handle


def original(fields: Mapping[str, Any]) -> Original:
    """What the reading room can offer of a document's original file."""
    name = Path(str(fields.get("source") or "")).name
    try:
        with open_original(fields) as handle:
            head = handle.read(4096)
            size = os.fstat(handle.fileno()).st_size
    except OriginalUnavailable as exc:
        return Original(name, None, 0, str(exc))
    return Original(name, sniff(head), size)


def checked_width(width: int) -> int:
    """A requested image width, rounded to 100 pixels; outside the limits a clear error."""
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise BadArgumentError(f"image width {width}: use {MIN_WIDTH} to {MAX_WIDTH} pixels")
    return round(width / 100) * 100


def page_image(index_dir: Path, fields: Mapping[str, Any], number: int, width: int = DEFAULT_WIDTH) -> bytes:
    """The JPEG image of page `number` of a document's PDF, `width` pixels wide, from the cache in
    the index folder or rendered by PDFium (and cached, when the folder is writable)."""
    width = checked_width(width)
    first = int(fields.get("first_page") or 1)
    last = int(fields.get("last_page") or first)
    if not first <= number <= last:
        raise DocumentNotFoundError(f"{fields.get('id')} has pages {first} to {last}, not {number}")
    _, sha = _recorded(fields)
    cached = index_dir / IMAGE_DIR / f"{sha}-{number}-{width}.jpg"
    try:
        fd = os.open(cached, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)  # a link planted there is no image
    except OSError:
        pass
    else:
        with os.fdopen(fd, "rb") as handle:
            return handle.read()
    with open_original(fields) as handle:
        image = _render(handle, number, width)
    _store(cached, image)
    return image


def _render(handle: IO[bytes], number: int, width: int) -> bytes:
    import pypdfium2 as pdfium  # imported on first use: `foia serve` starts without it

    with _PDFIUM:
        try:
            pdf = pdfium.PdfDocument(handle)
        except pdfium.PdfiumError as exc:
            raise OriginalUnavailable(f"the original file cannot be read as a PDF: {exc}") from None
        try:
            if number > len(pdf):
                raise OriginalUnavailable(f"the original file has {len(pdf)} pages, not {number}")
            page = pdf[number - 1]
            page_width, page_height = page.get_size()
            scale = min(width / page_width, (MAX_PIXELS / (page_width * page_height)) ** 0.5)
            picture = page.render(scale=scale).to_pil()
            page.close()
        finally:
            pdf.close()
    out = io.BytesIO()
    picture.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def _store(path: Path, data: bytes) -> None:
    """Write an image to the cache in one step (a reader sees all of it or none); a read-only
    index folder is left as it is."""
    try:
        path.parent.mkdir(exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except OSError:
        Path(temp).unlink(missing_ok=True)
