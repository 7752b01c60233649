"""Logical documents: a file's cleaned pages grouped where the doc-number stamp changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from .identifiers import edit_distance, ocr_variants
from .metadata import Metadata, jfk_form, read_metadata
from .sources import Source
from .stamps import CleanPage


@dataclass(frozen=True)
class PageOrigin:
    """Where one page's text comes from: `text layer`, `ocr` (with its mean word confidence,
    0-100), or `none` (no usable text layer, not OCR'd yet)."""

    page: int
    source: str
    confidence: float | None = None


def page_origin(page: CleanPage) -> PageOrigin:
    if page.ocr_confidence is not None:
        return PageOrigin(page.number, "ocr", page.ocr_confidence)
    return PageOrigin(page.number, "none" if page.needs_ocr else "text layer")


@dataclass(frozen=True)
class Document:
    """One searchable document: where it comes from, its stamp fields, metadata and page texts."""

    id: str
    source: str
    sha256: str
    first_page: int
    pages: tuple[str, ...]
    case_number: str | None = None
    doc_number: str | None = None
    release_date: date | None = None
    stamp_classification: str | None = None
    bates: tuple[str, ...] = ()
    stamps: tuple[str, ...] = ()
    ocr_pages: tuple[int, ...] = ()
    """Pages with no usable text layer that OCR has not read (Tesseract missing, `--ocr never`)."""
    origins: tuple[PageOrigin, ...] = ()
    record_number: str | None = None
    meta: Metadata = field(default_factory=Metadata)

    @property
    def last_page(self) -> int:
        return self.first_page + len(self.pages) - 1

    @property
    def text(self) -> str:
        """The body with stamps removed, pages joined by a form feed."""
        return "\f".join(self.pages)

    @property
    def classification(self) -> str | None:
        return self.stamp_classification or self.meta.classification


def document_id(sha256: str, first_page: int) -> str:
    """A stable id: the same file content and first page always give the same id."""
    return f"{sha256[:12]}-p{first_page}"


def split_documents(pages: Sequence[CleanPage]) -> list[list[CleanPage]]:
    """Group pages into documents, starting a new one where the stamped doc number changes.

    A number that is an OCR variant of the document's (`identifiers.ocr_variants`) starts no
    new document when the page says it is not a first page: its footer counts it as page 2 or
    later, the document began on a record page (record-number banner or JFK identification
    form) and this page is none, or the number has another length than the document's (a digit
    dropped or added). Pages come back with their document's number: the reading most of its
    pages carry (on a tie, the one nearest to all its readings)."""
    groups: list[list[CleanPage]] = []
    readings: list[str] = []
    for page in pages:
        number = page.stamp.doc_number
        if groups and (number is None or not readings or number in readings or _misread(page, readings, groups[-1])):
            groups[-1].append(page)
        else:
            groups.append([page])
            readings = []
        if number:
            readings.append(number)
    return [_one_number(group) for group in groups]


def _misread(page: CleanPage, readings: list[str], group: list[CleanPage]) -> bool:
    """Whether a page's doc number is the document's misread (see `split_documents`)."""
    number, stamp = page.stamp.doc_number or "", page.stamp
    close = [r for r in readings if ocr_variants(number, r)]
    if not close or _record_page(page):
        return False
    later_page = (stamp.page_in_doc or 0) > 1
    return later_page or _record_page(group[0]) or all(len(r) != len(number) for r in close)


def _record_page(page: CleanPage) -> bool:
    """A page that introduces a record: a record-number banner, or the JFK identification form."""
    return page.stamp.record_number is not None or jfk_form(page.lines) is not None


def _one_number(group: list[CleanPage]) -> list[CleanPage]:
    """The pages of one document, each with the document's number where its own is a misreading."""
    readings = [p.stamp.doc_number for p in group if p.stamp.doc_number]
    if len(set(readings)) < 2:
        return group
    counts = Counter(readings)
    best = min(counts, key=lambda r: (-counts[r], sum(edit_distance(r, o) * n for o, n in counts.items())))
    return [
        replace(p, stamp=replace(p.stamp, doc_number=best)) if p.stamp.doc_number not in (None, best) else p
        for p in group
    ]


def _first(values: Sequence[object]) -> object:
    return next((v for v in values if v), None)


def build_document(source: Source, pages: Sequence[CleanPage]) -> Document:
    """One Document from its pages: stamp fields from the pages, metadata from the body."""
    stamps = [p.stamp for p in pages]
    lines = [line for p in pages for line in p.lines]
    meta = read_metadata(lines, pages[0].text)
    return Document(
        id=document_id(source.sha256, pages[0].number),
        source=str(source.path),
        sha256=source.sha256,
        first_page=pages[0].number,
        pages=tuple(p.text for p in pages),
        case_number=_first([s.case_number for s in stamps]),  # type: ignore[arg-type]
        doc_number=_first([s.doc_number for s in stamps]),  # type: ignore[arg-type]
        release_date=_first([s.release_date for s in stamps]),  # type: ignore[arg-type]
        stamp_classification=_first([s.classification for s in stamps]),  # type: ignore[arg-type]
        bates=tuple(b for s in stamps for b in s.bates),
        stamps=tuple(raw for s in stamps for raw in s.raw),
        ocr_pages=tuple(p.number for p in pages if p.needs_ocr),
        origins=tuple(page_origin(p) for p in pages),
        record_number=meta.record_number or _first([s.record_number for s in stamps]),  # type: ignore[arg-type]
        meta=meta,
    )


def build_documents(source: Source, pages: Sequence[CleanPage]) -> list[Document]:
    """Every logical document of one file."""
    return [build_document(source, group) for group in split_documents(pages)]
