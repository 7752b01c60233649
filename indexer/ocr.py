"""OCR of pages with no usable text layer: render with PDFium at 300 dpi, read with Tesseract.

Tesseract (Debian package `tesseract-ocr`) runs through pytesseract, one page per call, with
`OMP_THREAD_LIMIT=1`: pages are spread over the worker processes instead, which on a few cores
is several times faster than Tesseract's own threads. A bilevel (1-bit) scan is smoothed before
it is read (see `smooth`). A page that reads poorly is checked for orientation (Tesseract's OSD)
and read again turned upright when it was sideways or upside down.

OCR'd text comes back as the same rows of (column, text) segments the PDF extractors give, so
stamps and metadata read it like any other page.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import FoiaSearchError
from .extract import Line, Page, Row, layout_rows

if TYPE_CHECKING:
    from PIL.Image import Image
    from pypdfium2 import PdfPage

log = logging.getLogger(__name__)

OCR_MODES = ("auto", "always", "never")
"""`auto`: pages without usable text; `always`: every PDF page; `never`: none (marked as pending)."""
DPI = 300
DEFAULT_LANG = "eng"
TESSERACT_PACKAGE = "tesseract-ocr"
GAP_HEIGHTS = 1.5
"""Words further apart than this many line heights start a new segment (a new column)."""
POOR_CONFIDENCE = 60.0
"""Below this mean word confidence a page is checked for orientation."""
MIN_ROTATE_CONFIDENCE = 1.5
"""Least OSD orientation confidence for turning a page."""
SMOOTH_RADIUS = 1.0
"""Gaussian blur radius, in pixels at `DPI`, for bilevel scans (see `smooth`)."""
_LANG = re.compile(r"[a-z]{3}(?:_[a-z]+)?(?:\+[a-z]{3}(?:_[a-z]+)?)*", re.IGNORECASE)


class OcrUnavailableError(FoiaSearchError):
    """Tesseract, or a language asked for, is not installed."""


def check_ocr(mode: str, lang: str) -> None:
    """Raise FoiaSearchError for an OCR mode or language that cannot be right."""
    if mode not in OCR_MODES:
        raise FoiaSearchError(f"unknown OCR mode {mode!r}; use one of {', '.join(OCR_MODES)}")
    if not _LANG.fullmatch(lang):
        raise FoiaSearchError(f"bad OCR language {lang!r}; write Tesseract codes such as eng or eng+spa")


def usable_mode(mode: str, lang: str) -> tuple[str, str]:
    """The OCR mode a run can use here, and why OCR cannot run ("" when it can). `always`
    without Tesseract raises OcrUnavailableError; `auto` falls back to `never` with the reason."""
    if mode == "never":
        return mode, ""
    reason = unavailable_reason(lang)
    if reason is None:
        return mode, ""
    if mode == "always":
        raise OcrUnavailableError(reason)
    return "never", reason


def unavailable_reason(lang: str = DEFAULT_LANG) -> str | None:
    """Why OCR cannot run in `lang` here (tesseract or a language pack missing), or None."""
    return _unavailable_reason(lang)


@lru_cache(maxsize=8)
def _unavailable_reason(lang: str) -> str | None:
    if shutil.which("tesseract") is None:
        return f"tesseract is not installed (install the Debian package {TESSERACT_PACKAGE})"
    import pytesseract

    try:
        installed = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractError, OSError) as exc:
        return f"tesseract does not run: {exc}"
    missing = [code for code in lang.split("+") if code not in installed]
    if missing:
        packages = " ".join(f"{TESSERACT_PACKAGE}-{code.replace('_', '-').lower()}" for code in missing)
        return f"tesseract has no {'+'.join(missing)} language data (install the Debian package {packages})"
    return None


def require(lang: str = DEFAULT_LANG) -> None:
    """Raise OcrUnavailableError naming the package to install when OCR cannot run."""
    reason = unavailable_reason(lang)
    if reason:
        raise OcrUnavailableError(reason)


def render(path: Path, number: int, dpi: int = DPI) -> Image:
    """Page `number` (1-based) of a PDF as a grayscale image, its /Rotate applied, smoothed when
    the page is a bilevel scan."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        page = pdf[number - 1]
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
        if bilevel(page):
            image = smooth(image)
        page.close()
        return image
    finally:
        pdf.close()


def bilevel(page: PdfPage) -> bool:
    """Whether the page has images and all of them are 1 bit per pixel (fax-like scans: CCITT,
    JBIG2, as in most NARA JFK releases)."""
    import pypdfium2.raw as pdfium_c

    images = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
    return bool(images) and all(image.get_metadata().bits_per_pixel == 1 for image in images)


def smooth(image: Image) -> Image:
    """A bilevel scan blurred by about a pixel (at 300 dpi), for Tesseract's LSTM model, which
    learned from anti-aliased text: jagged 1-bit edges turn grey and one-pixel breaks in faint
    typewriter strokes close. On the JFK scans this read lines plain rendering lost (the comment
    line of 104-10077-10136) and raised word recall by about 0.01 (bench/ocr_rate.py); greyscale
    scans are left alone, as blurring them lowered Tesseract's confidence."""
    from PIL import ImageFilter

    return image.filter(ImageFilter.GaussianBlur(SMOOTH_RADIUS))


def ocr_page(path: Path, number: int, lang: str = DEFAULT_LANG) -> Page:
    """Render and read one PDF page; sideways or upside-down pages are read upright."""
    image = render(path, number)
    rows, confidence = recognize(image, lang)
    turn = 0
    if confidence < POOR_CONFIDENCE and (turn := orientation(image)):
        turned_rows, turned_confidence = recognize(image.rotate(-turn, expand=True), lang)
        if turned_confidence > confidence:
            rows, confidence = turned_rows, turned_confidence
        else:
            turn = 0
    if turn:
        log.info("%s page %d read turned %d degrees", path.name, number, turn)
    return Page(number, rows, round(confidence, 1))


def orientation(image: Image) -> int:
    """Degrees clockwise that turn the page upright (0, 90, 180, 270), by Tesseract's OSD."""
    import pytesseract

    _one_thread()
    try:
        osd = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractError:
        return 0  # too little text to tell
    if float(osd.get("orientation_conf", 0)) < MIN_ROTATE_CONFIDENCE:
        return 0
    return int(osd.get("rotate", 0)) % 360


def _one_thread() -> None:
    """Tesseract, run as a child process, inherits this: one thread per page, pages in parallel."""
    os.environ["OMP_THREAD_LIMIT"] = "1"


def recognize(image: Image, lang: str = DEFAULT_LANG) -> tuple[tuple[Row, ...], float]:
    """Rows of an image's text and the mean confidence of its words."""
    import pytesseract

    _one_thread()
    data = pytesseract.image_to_data(image, lang=lang, output_type=pytesseract.Output.DICT)
    words = _words(data)
    confidence = sum(w.confidence for w in words) / len(words) if words else 0.0
    return layout_rows(_lines(words, 72 / DPI)), confidence


@dataclass(frozen=True)
class _Word:
    text: str
    line: tuple[int, int, int]
    left: int
    top: int
    right: int
    bottom: int
    confidence: float


def _words(data: dict[str, list[Any]]) -> list[_Word]:
    words = []
    for i, text in enumerate(data["text"]):
        text = str(text).strip()
        confidence = float(data["conf"][i])
        if not text or confidence < 0:
            continue
        left, top = int(data["left"][i]), int(data["top"][i])
        line = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        right, bottom = left + int(data["width"][i]), top + int(data["height"][i])
        words.append(_Word(text, line, left, top, right, bottom, confidence))
    return words


def _lines(words: Sequence[_Word], scale: float) -> list[Line]:
    """Tesseract's lines in PDF points, cut into segments where words stand far apart."""
    lines: list[Line] = []
    segment: list[_Word] = []
    for word in words:
        far = bool(segment) and word.left - segment[-1].right > GAP_HEIGHTS * _height(segment)
        if segment and (word.line != segment[-1].line or far):
            lines.append(_segment_line(segment, scale))
            segment = []
        segment.append(word)
    if segment:
        lines.append(_segment_line(segment, scale))
    return lines


def _height(words: Sequence[_Word]) -> float:
    return max(w.bottom - w.top for w in words)


def _segment_line(words: Sequence[_Word], scale: float) -> Line:
    return Line(
        " ".join(w.text for w in words),
        min(w.left for w in words) * scale,
        min(w.top for w in words) * scale,
        max(w.bottom for w in words) * scale,
        max(w.right for w in words) * scale,
    )
