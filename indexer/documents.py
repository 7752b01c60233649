"""Logical documents: a file's cleaned pages grouped where the doc-number stamp changes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from .emails import SEPARATOR, Message, bodiless, header_blocks, reply_prefix, starts_page, subject_key
from .identifiers import edit_distance, ocr_variants
from .metadata import Metadata, jfk_form, read_metadata
from .names import person_key
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
    inferred_bates: tuple[str, ...] = ()

    @property
    def last_page(self) -> int:
        return self.first_page + len(self.pages) - 1

    @property
    def text(self) -> str:
        """The body with stamps removed, pages joined by a form feed."""
        return "\f".join(self.pages)

    @property
    def inferred(self) -> tuple[str, ...]:
        """What the document does not print but was inferred: `sender`, `bates NIH-000123` (a Bates
        number taken from the neighbouring pages where OCR lost the page's own)."""
        return self.meta.inferred + tuple(f"bates {b}" for b in self.inferred_bates)

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


def split_emails(pages: Sequence[CleanPage]) -> list[list[CleanPage]]:
    """Split a run of pages holding a sequence of printed emails (a production) into one run per
    top-level email: a new email starts on a page whose header block opens it, unless that block
    is indented deeper than the email's own header or is not tabular where it is (Outlook prints
    its top header as a table, quoted ones inline), a quote separator ends the page before, or it
    continues the thread above (same subject, not newer than the last message)."""
    groups: list[list[CleanPage]] = []
    last: Message | None = None
    head: tuple[int, bool] | None = None
    for page in pages:
        blocks = header_blocks(page.lines)
        top = starts_page(page.lines, blocks)
        new = not groups or (top is not None and _new_email(page, top, head, groups[-1], last))
        if new:
            groups.append([page])
            head = (_indent(page, top), top.tabular) if top is not None else None
        else:
            groups[-1].append(page)
        last = blocks[-1] if blocks else last
    return groups


INDENT_TOLERANCE = 3
"""Columns a header may stand right of the email's first header and still be a new email's."""


def _new_email(
    page: CleanPage, top: Message, head: tuple[int, bool] | None, group: Sequence[CleanPage], last: Message | None
) -> bool:
    """Whether the header block opening a page starts a new email after the email `group` holds."""
    if head is None:
        return not _continues(group, top, last)
    indent, tabular = head
    if _indent(page, top) > indent + INDENT_TOLERANCE or (tabular and not top.tabular):
        return False
    return tabular or not _continues(group, top, last)


def _indent(page: CleanPage, message: Message) -> int:
    line = page.lines[message.line]
    return len(line) - len(line.lstrip())


def _continues(group: Sequence[CleanPage], top: Message, last: Message | None) -> bool:
    """Whether a header block opening a page is a message quoted by the email on the pages before."""
    tail = [line for line in group[-1].lines if line.strip()][-1:]
    if tail and SEPARATOR.match(tail[0]):
        return True
    if last is None or not top.subject or subject_key(top.subject) != subject_key(last.subject):
        return False
    return top.date is None or last.date is None or top.date <= last.date


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
        inferred_bates=tuple(b for s in stamps if s.bates_inferred for b in s.bates),
    )


def build_documents(source: Source, pages: Sequence[CleanPage]) -> list[Document]:
    """Every logical document of one file: split where the stamped doc number changes, and pages
    without one where a new printed email starts."""
    groups = split_documents(pages)
    if any(p.stamp.doc_number for p in pages):
        return [build_document(source, group) for group in groups]
    groups = [run for group in groups for run in split_emails(group)]
    return redacted_senders(canned_replies([build_document(source, group) for group in groups]))


REPLY_WORDS = 3
"""Words a reply run onto subject lines holds at least (`Thank you for your note.`)."""


def canned_replies(docs: list[Document]) -> list[Document]:
    """A reply sent in the same words to several emails of a production, with nothing else in its
    body, that OCR ran onto their subject lines (`Re: X Thank you for your note.`) is cut from
    them: a sentence ending the subjects of two or more such replies to different subjects."""
    heads: dict[str, set[str]] = {}
    for doc in docs:
        for head, tail in _sentence_tails(doc.meta.subject):
            heads.setdefault(tail, set()).add(head)
    shared = {tail for tail, seen in heads.items() if len(seen) >= 2}
    out = []
    for doc in docs:
        cut = next((head for head, tail in _sentence_tails(doc.meta.subject) if tail in shared), None)
        if cut is not None and bodiless(lines := doc.text.splitlines(), header_blocks(lines)):
            prefix = reply_prefix(doc.meta.subject or "")
            subject = prefix + cut
            doc = replace(doc, meta=replace(doc.meta, subject=subject, title=subject))
        out.append(doc)
    return out


def _sentence_tails(subject: str | None) -> list[tuple[str, str]]:
    """A reply's subject cut before each capitalized word that leaves two words or more before
    it and REPLY_WORDS or more after it: (the words before, the words after in a comparable form),
    longest tail first."""
    prefix = reply_prefix(subject or "")
    if not prefix:
        return []
    words = (subject or "")[len(prefix) :].split()
    return [
        (" ".join(words[:n]), re.sub(r"\W+", " ", " ".join(words[n:])).strip().casefold())
        for n in range(2, len(words) - REPLY_WORDS + 1)
        if re.match(r"[A-Z][a-z]", words[n])
    ]


CUSTODIAN_SHARE = 0.25
"""The share of a production's emails one person must write or receive to be its custodian..."""
CUSTODIAN_LEAD = 2
"""... and how many times more often than anyone else."""
CUSTODIAN_EMAILS = 10
"""How many emails a file must hold to be read as one person's mailbox."""


def custodian(docs: Sequence[Document]) -> str | None:
    """The person whose mailbox a production of emails comes from, as most often written: the one
    who takes part in a good share of its emails (writes, receives or is quoted), far more than
    anyone else; None when nobody does."""
    emails = [d for d in docs if d.meta.sender or d.meta.recipients]
    counts: Counter[tuple[str, str]] = Counter()
    forms: dict[tuple[str, str], Counter[str]] = {}
    for doc in emails:
        people = {p: person_key(p) for p in (doc.meta.sender, *doc.meta.recipients, *doc.meta.participants) if p}
        for person, key in people.items():
            if key:
                forms.setdefault(key, Counter())[person] += 1
        counts.update({key for key in people.values() if key})
    if not counts or len(emails) < CUSTODIAN_EMAILS:
        return None
    (key, n), *rest = counts.most_common(2)
    second = rest[0][1] if rest else 0
    lead = n >= CUSTODIAN_SHARE * len(emails) and n >= CUSTODIAN_LEAD * second
    return forms[key].most_common(1)[0][0] if lead else None


def redacted_senders(docs: list[Document]) -> list[Document]:
    """In a production of one person's mailbox, an email whose sender was redacted or lost and
    that was not sent to that person was sent by them: its sender is inferred (and says so)."""
    owner = custodian(docs)
    if owner is None:
        return docs
    key = person_key(owner)
    out = []
    for doc in docs:
        m = doc.meta
        received = any(person_key(p) == key for p in (*m.recipients, *m.cc))
        lost = m.sender is None or len(re.sub(r"\W", "", m.sender)) < 2  # a redaction box read as `E`
        if lost and (m.recipients or m.subject) and not received:
            doc = replace(doc, meta=replace(m, sender=owner, inferred=(*m.inferred, "sender")))
        out.append(doc)
    return out
