"""Text extraction: PDF pages through pdfminer.six, text files split into pages.

A page is a tuple of rows from top to bottom; a row holds the text segments found side by
side on one line, left to right, each with the column it starts at. Keeping segments apart lets
the stamp remover drop a stamp that shares a line with body text or with another banner; the
columns let the metadata reader tell a wrapped header value from the body below it.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import ftfy

from .errors import EmptyFileError, ExtractionError
from .sources import Source, sniff

if TYPE_CHECKING:  # pdfminer.six is imported when a PDF is read with it: start-up without it
    from pdfminer.layout import LTFigure, LTPage

log = logging.getLogger(__name__)

Segment = tuple[int, str]
"""A run of text on one line: (column where it starts, text)."""
Row = tuple[Segment, ...]

POINTS_PER_COLUMN = 5.0
"""Horizontal PDF points per text column, about one character of a 10-point font."""

_CID = re.compile(r"\(cid:\d+\)")
_SPACES = re.compile(r"[ \t\u00a0]+")
_PAGE_MARKER = re.compile(r"^\s*(?:-{2,}|={2,})?\s*\[?\s*page\s+\d+(?:\s+of\s+\d+)?\s*\]?\s*(?:-{2,}|={2,})?\s*$", re.I)
_COLUMN_GAP = re.compile(r"\S(?:.*?\S)?(?=\s{3,}|\s*$)")
_WORD = re.compile(r"[^\W\d_]{2}")
_PUNCTUATION = frozenset(".,;:!?'\"()[]{}-–—/\\&%$#@*+=<>_|~`’‘“”•§°")
_JUNK = re.compile("[^\\s\\w" + re.escape("".join(_PUNCTUATION)) + "]")
"""A visible character that is neither a letter, a digit nor common punctuation (`_` is punctuation)."""
_VISIBLE = re.compile(r"\S")
_TEXT_ENCODINGS = ("utf-8", "cp1252", "latin-1")
CHAR_MARGIN = 2.0
"""Characters further apart than this many character widths start a new line segment."""
WORD_MARGIN = 0.1
"""A gap wider than this share of a character's size is a space between words."""
LINE_OVERLAP = 0.5
"""Characters on one line overlap vertically by at least this share of the smaller height."""


@dataclass(frozen=True)
class Page:
    """One page of a file: its 1-based number, its rows, and, when OCR read the rows, the mean
    confidence of its words (0-100)."""

    number: int
    rows: tuple[Row, ...]
    ocr_confidence: float | None = None

    @property
    def origin(self) -> str:
        """Where the text comes from: `ocr` or `text layer`."""
        return "text layer" if self.ocr_confidence is None else "ocr"

    @functools.cached_property
    def needs_ocr(self) -> bool:
        """True for a page not OCR'd whose text layer is missing or junk (a scan): OCR is its own
        step. Computed once per page: the pipeline asks several times."""
        return self.ocr_confidence is None and not usable_text(self.text)

    @property
    def text(self) -> str:
        return "\n".join(render_row(row) for row in self.rows)


def usable_text(text: str) -> bool:
    """Whether a text layer is worth keeping: a word of two letters or more, and at least
    three quarters of its visible characters letters, digits or common punctuation (junk layers
    are mostly symbols, unmapped glyphs or replacement characters)."""
    if not _WORD.search(text):
        return False
    visible = len(_VISIBLE.findall(text))
    return visible - len(_JUNK.findall(text)) >= 0.75 * visible


def render_row(row: Row) -> str:
    """A row as one line of text, each segment at its column, at least two spaces apart."""
    line = ""
    for column, text in row:
        gap = column - len(line)
        line += " " * (gap if gap >= 2 or not line else 2) + text
    return line


def clean_segment(text: str) -> str:
    """Normalize one run of text: repair mojibake, drop pdfminer's (cid:N) noise, squeeze spaces."""
    text = _CID.sub(" ", text)
    if not (text.isascii() and text.isprintable() and "&" not in text):  # else ftfy has nothing to fix
        text = ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False)
    return _SPACES.sub(" ", text).strip()


PDF_ENGINES = ("pdfminer", "pdfium")
"""pdfminer.six is the reference; pdfium (pypdfium2) is several times faster."""


EMPTY_BYTES = "empty file (0 bytes)"
EMPTY_TEXT = "empty file (no text: only blank lines or form feeds)"
EMPTY_PDF = "empty file (a PDF with no text and no image)"
BLANK_CHECK_SIZE = 1 << 16
"""Text files up to this many bytes are checked for blankness before they are compared with
other files (a blank file is empty, not a copy of another blank file)."""


def check_not_empty(kind: str, size: int, pages: list[Page], path: Path) -> None:
    """Raise EmptyFileError when a file has nothing to index: zero bytes, a text file of blank
    lines or form feeds, a PDF with no text and no image (a scan has an image: OCR reads it)."""
    if size == 0:
        raise EmptyFileError(EMPTY_BYTES)
    if any(page.text.strip() for page in pages):
        return
    if kind == "text":
        raise EmptyFileError(EMPTY_TEXT)
    if kind == "pdf" and not pdf_has_images(path):
        raise EmptyFileError(EMPTY_PDF)


def blank_text_file(path: Path, size: int) -> str | None:
    """Why a small file is empty (zero bytes, or text with nothing but blank space), or None;
    files over BLANK_CHECK_SIZE bytes are left to extraction."""
    if size == 0:
        return EMPTY_BYTES
    if size > BLANK_CHECK_SIZE:
        return None
    data = path.read_bytes()
    return EMPTY_TEXT if sniff(data[:4096]) == "text" and not decode(data).strip() else None


def pdf_has_images(path: Path) -> bool:
    """Whether any page of a PDF draws an image (in forms too); True when PDFium cannot tell."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError:
        return True
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                if next(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]), None) is not None:
                    return True
            finally:
                page.close()
        return False
    except pdfium.PdfiumError:
        return True
    finally:
        pdf.close()


def extract(source: Source, engine: str = "pdfminer") -> list[Page]:
    """Pages of one file, by its sniffed kind. Raises ExtractionError with a one-line reason."""
    if source.kind == "pdf":
        return extract_pdf_pdfium(source.path) if engine == "pdfium" else extract_pdf(source.path)
    if source.kind == "text":
        return extract_text_file(source.path)
    raise ExtractionError("not a PDF or text file")


# --- PDF -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    top: float
    bottom: float
    x1: float = 0.0


def _char_lines(container: LTPage | LTFigure, height: float) -> Iterator[Line]:
    """Text lines from characters in content order, joined as pdfminer.six's own layout analysis
    joins them (same margins), without its text-box clustering, which the rows do not use.

    Written with plain comparisons rather than min/max: it runs once per character."""
    from pdfminer.layout import LTChar, LTFigure

    text: list[str] = []
    x0 = x1 = y0 = y1 = 0.0  # the line so far
    p0 = p1 = q0 = q1 = 0.0  # the previous character
    for item in container:
        if isinstance(item, LTFigure):
            yield from _char_lines(item, height)
            continue
        if not isinstance(item, LTChar):
            continue
        c0, d0, c1, d1 = item.bbox
        width, tall = c1 - c0, d1 - d0
        if text and _joins(p0, q0, p1, q1, c0, d0, c1, d1):
            if p1 < c0 - WORD_MARGIN * (width if width > tall else tall):
                text.append(" ")
            text.append(item.get_text())
            x0 = c0 if c0 < x0 else x0
            x1 = c1 if c1 > x1 else x1
            y0 = d0 if d0 < y0 else y0
            y1 = d1 if d1 > y1 else y1
        else:
            if text:
                yield Line("".join(text), x0, height - y1, height - y0, x1)
            text = [item.get_text()]
            x0, y0, x1, y1 = c0, d0, c1, d1
        p0, q0, p1, q1 = c0, d0, c1, d1
    if text:
        yield Line("".join(text), x0, height - y1, height - y0, x1)


def _joins(p0: float, q0: float, p1: float, q1: float, c0: float, d0: float, c1: float, d1: float) -> bool:
    """Whether character box c follows box p on one line: they overlap vertically by half the
    smaller height and stand less than two character widths apart."""
    if q0 == d0 and q1 == d1:  # same baseline and size: the usual case
        overlap_ok = d1 > d0
    else:
        overlap = (q1 if q1 < d1 else d1) - (q0 if q0 > d0 else d0)
        overlap_ok = overlap > LINE_OVERLAP * (q1 - q0 if q1 - q0 < d1 - d0 else d1 - d0)
    gap = (p0 if p0 > c0 else c0) - (p1 if p1 < c1 else c1)
    return overlap_ok and gap < CHAR_MARGIN * (p1 - p0 if p1 - p0 > c1 - c0 else c1 - c0)


def _pdfminer_lines(page: LTPage) -> list[Line]:
    return [
        Line(text, line.x0, line.top, line.bottom, line.x1)
        for line in _char_lines(page, page.height)
        if (text := clean_segment(line.text))
    ]


def _pdfminer_pages(path: Path) -> Iterator[LTPage]:
    """Each page's characters and figures, laid out by nothing but the PDF itself."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    with path.open("rb") as fp:
        resources = PDFResourceManager(caching=True)
        device = PDFPageAggregator(resources, laparams=None)
        interpreter = PDFPageInterpreter(resources, device)
        for page in PDFPage.get_pages(fp, caching=True):
            interpreter.process_page(page)
            yield device.get_result()


def layout_rows(lines: list[Line], join: bool = False) -> tuple[Row, ...]:
    """Group positioned lines into rows: lines that overlap vertically by half their height.

    With `join`, runs closer than a character on one row are joined (PDFium cuts words into
    runs where pdfminer.six does not); a vertical gap of more than one and a
    half line heights becomes an empty row, as a blank line.
    """
    lines = sorted(lines, key=lambda ln: (ln.top, ln.x0))
    groups: list[list[Line]] = []
    for line in lines:
        if groups:
            last = groups[-1]
            top, bottom = min(ln.top for ln in last), max(ln.bottom for ln in last)
            if min(bottom, line.bottom) - max(top, line.top) >= 0.5 * min(line.bottom - line.top, bottom - top):
                last.append(line)
                continue
        groups.append([line])
    rows: list[Row] = []
    previous_bottom = None
    for group in groups:
        top, bottom = min(ln.top for ln in group), max(ln.bottom for ln in group)
        if previous_bottom is not None and top - previous_bottom > 1.5 * (bottom - top):
            rows.append(())
        previous_bottom = bottom
        group.sort(key=lambda ln: ln.x0)
        rows.append(_join_runs(group) if join else tuple((round(ln.x0 / POINTS_PER_COLUMN), ln.text) for ln in group))
    return tuple(rows)


def _join_runs(group: list[Line]) -> Row:
    segments: list[tuple[float, float, str]] = []
    for line in group:
        if segments and -1.0 < line.x0 - segments[-1][1] < POINTS_PER_COLUMN:
            x0, _, text = segments[-1]
            joiner = "" if line.x0 - segments[-1][1] < 1.0 else " "
            segments[-1] = (x0, line.x1, text + joiner + line.text)
        else:
            segments.append((line.x0, line.x1, line.text))
    return tuple((round(x0 / POINTS_PER_COLUMN), text) for x0, _, text in segments)


def extract_pdf(path: Path) -> list[Page]:
    """Pages of a PDF with their rows; a clear ExtractionError for PDFs that cannot be read."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfexceptions import PDFException, PSException
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pages = [
            Page(number, layout_rows(_pdfminer_lines(page))) for number, page in enumerate(_pdfminer_pages(path), 1)
        ]
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ExtractionError(f"encrypted PDF that needs a password ({type(exc).__name__})") from exc
    except PDFSyntaxError as exc:
        raise ExtractionError(f"damaged PDF: {exc}") from exc
    except (PDFException, PSException) as exc:
        raise ExtractionError(f"unreadable PDF: {type(exc).__name__}: {exc}") from exc
    except (KeyError, ValueError, TypeError, AttributeError, IndexError, AssertionError, RecursionError) as exc:
        raise ExtractionError(f"unreadable PDF (parser error {type(exc).__name__}: {exc})") from exc
    if not pages:
        raise ExtractionError("PDF has no pages")
    return pages


def extract_pdf_pdfium(path: Path) -> list[Page]:
    """Pages of a PDF read with PDFium (pypdfium2): the same rows, several times faster."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise ExtractionError("encrypted PDF that needs a password") from exc
        raise ExtractionError(f"damaged PDF: {reason}") from exc
    try:
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            height = page.get_height()
            textpage = page.get_textpage()
            lines = []
            for i in range(textpage.count_rects()):
                left, bottom, right, top = textpage.get_rect(i)
                text = clean_segment(textpage.get_text_bounded(left, bottom, right, top))
                if text:
                    lines.append(Line(text, left, height - top, height - bottom, right))
            pages.append(Page(index + 1, layout_rows(lines, join=True)))
            textpage.close()
            page.close()
    except pdfium.PdfiumError as exc:
        raise ExtractionError(f"unreadable PDF: {exc}") from exc
    finally:
        pdf.close()
    if not pages:
        raise ExtractionError("PDF has no pages")
    return pages


# --- plain text ------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Decode bytes trying UTF-8, then cp1252, then latin-1; then repair mojibake."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        for encoding in _TEXT_ENCODINGS:
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    return text.removeprefix("\ufeff")


def split_pages(text: str) -> list[str]:
    """Split text into pages on form feeds, or else on lines such as `Page 3` or `--- page 3 ---`."""
    pages: list[str] = []
    current: list[str] = []
    if "\f" in text:
        pages = text.split("\f")
    else:
        for line in text.splitlines():
            if _PAGE_MARKER.match(line) and any(ln.strip() for ln in current):
                pages.append("\n".join(current))
                current = []
            else:
                current.append(line)
        pages.append("\n".join(current))
    while len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    return pages


def extract_text_file(path: Path) -> list[Page]:
    """Pages of a plain-text release, one row per line."""
    try:
        text = decode(path.read_bytes())
    except OSError as exc:
        raise ExtractionError(f"cannot read file: {exc.strerror}") from exc
    pages = []
    for number, page in enumerate(split_pages(text), 1):
        rows = tuple(_text_row(line) for line in page.expandtabs().splitlines())
        pages.append(Page(number, rows))
    return pages


def _text_row(line: str) -> Row:
    """A text line as a row: runs of text set apart by three or more spaces become segments."""
    return tuple((m.start(), text) for m in _COLUMN_GAP.finditer(line) if (text := clean_segment(m.group())))
