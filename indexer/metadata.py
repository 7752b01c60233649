"""Metadata read from a document's body: email headers, dates, release status, exemptions,
classification."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .dates import parse_date
from .emails import Message, addresses, header_blocks
from .exemptions import exemption_details, exemptions
from .stamps import RECORD_NUMBER, record_number
from .titles import document_title

_MARKING = re.compile(r"^\s*((?:TOP\s+)?SECRET|CONFIDENTIAL|UNCLASSIFIED)(?:\s*//?\s*[A-Z]+(?:\s*/\s*[A-Z]+)*)?\s*$")
_BLOCK_END = r"(?=\s+[—–-]+\s|\s+(?:Class|Reason|Declassify)\b|\s*$)"
_CLASSIFIED_BY = re.compile(rf"\bClassified\s+by\s*:?\s*(?P<value>[^\n]+?){_BLOCK_END}", re.IGNORECASE | re.MULTILINE)
_DECLASSIFY_ON = re.compile(rf"\bDeclassify\s+on\s*:?\s*(?P<value>[^\n]+?){_BLOCK_END}", re.IGNORECASE | re.MULTILINE)
_CLASS_LINE = re.compile(r"\bClass(?:ification)?\s*:\s*(?:TOP\s+)?(?:SECRET|CONFIDENTIAL)(?:\s*//?\s*[A-Z]+)*")


@dataclass(frozen=True)
class Metadata:
    """What the body of one document says about it."""

    sender: str | None = None
    recipients: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    date: datetime | None = None
    subject: str | None = None
    attachments: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    release_status: str | None = None
    exemptions: tuple[str, ...] = ()
    classification: str | None = None
    classified_by: str | None = None
    declassify_on: str | None = None
    record_number: str | None = None
    record_agency: str | None = None
    record_pages: int | None = None
    inferred: tuple[str, ...] = ()
    """Fields not printed in the document but inferred from the release around it (`sender`)."""
    title: str | None = None
    """What to call the document: an email's subject, a memo's SUBJECT or RE line, a cable's
    subject, a form's title or a report's first heading (see `titles`)."""
    exemption_details: tuple[str, ...] = ()
    """What the release adds to its exemption codes: `B3 CIA PERS/ORG` (the code is `B3`)."""


# --- release status, exemptions, classification ----------------------------------------------


def release_status(text: str) -> str | None:
    """`full`, `part` or `denied` from a first page's release marking, or None."""
    m = re.search(r"RELEASE\s+IN\b(?:\s+\S+){0,12}?\s+(FULL|PART)\b", text)
    if m:
        return m.group(1).lower()
    if re.search(r"^\s*(?:RELEASE\s+)?DENIED\b|\bDENIED\s+IN\s+FULL\b|\bDENY\s+IN\s+FULL\b", text, re.MULTILINE):
        return "denied"
    m = re.search(r"^\s*(?:\S.*\s{2,})?(FULL|PART\s+[Bb1(])", text[:3000], re.MULTILINE)
    if m:
        return "full" if m.group(1) == "FULL" else "part"
    return None


def classification(text: str) -> tuple[str | None, str | None, str | None]:
    """(marking, classified by, declassify on) from a body's classification lines."""
    marking = next((" ".join(m.group(0).split()) for m in map(_MARKING.match, text.splitlines()) if m), None)
    if marking is None and (line := _CLASS_LINE.search(text)):
        marking = "".join(line.group(0).split(":", 1)[1].split())
    by = _CLASSIFIED_BY.search(text)
    on = _DECLASSIFY_ON.search(text)
    return marking, by and by.group("value"), on and on.group("value")


# --- JFK Assassination Records identification form -----------------------------------------

_FORM_TITLE = re.compile(
    r"Identification\s+Form|JFK\s+Assassination\s+System|Final\s+Determination\s+Notification", re.IGNORECASE
)
"""The titles of the JFK identification form and of the Review Board's notification (same labels)."""
_FORM_FIELD = re.compile(
    r"^\W{0,3}(?P<label>AGENCY(?!\s+INFORMATION)|RECORD\s*NUMBER|FROM|TO|TITLE|DATE|PAG(?:ES?)?)\s*[:;.]?(?P<value>(?:\s.*)?)$"
)
_FORM_NOISE = " \t—–=-|»«:;.,_'\"‘’“”"
_RECORD_NUMBER = re.compile(RECORD_NUMBER)


@dataclass(frozen=True)
class JfkForm:
    """The fields of a NARA JFK identification form (or Review Board notification), as OCR read them."""

    agency: str | None = None
    record_number: str | None = None
    sender: str | None = None
    recipient: str | None = None
    title: str | None = None
    date: datetime | None = None
    pages: int | None = None


def jfk_form(lines: Sequence[str]) -> JfkForm | None:
    """The identification form at the head of a JFK record, or None when the text has none.

    Tolerates what OCR does to it: dashes or `=` between label and value, a lost colon, `PAG`
    for `PAGES`; only the first 60 lines are read."""
    head = list(lines[:60])
    if not any(_FORM_TITLE.search(line) for line in head):
        return None
    values: dict[str, str] = {}
    for line in head:
        m = _FORM_FIELD.match(line.strip())
        if m:
            label = re.sub(r"\s+", " ", m.group("label"))
            key = "PAGES" if label.startswith("PAG") else label.replace("RECORD NUMBER", "RECORDNUMBER")
            values.setdefault(key, m.group("value").strip(_FORM_NOISE))
    record = _RECORD_NUMBER.search(values.get("RECORDNUMBER", ""))
    pages = re.search(r"\d+", values.get("PAGES", ""))
    return JfkForm(
        agency=values.get("AGENCY") or None,
        record_number=record_number(record.group()) if record else None,
        sender=values.get("FROM") or None,
        recipient=values.get("TO") or None,
        title=values.get("TITLE") or None,
        date=parse_date(values.get("DATE", "")),
        pages=int(pages.group()) if pages else None,
    )


# --- all together ----------------------------------------------------------------------------


def read_metadata(lines: Sequence[str], first_page: str = "") -> Metadata:
    """Metadata of one document from its body lines (stamps already removed)."""
    text = "\n".join(lines)
    messages = header_blocks(lines)
    top = messages[0] if messages else Message()
    participants: dict[str, None] = {}
    for msg in messages:
        for person in (msg.sender, *msg.recipients, *msg.cc):
            if person:
                participants.setdefault(person, None)
    for address in addresses(text):
        participants.setdefault(re.sub(r"\s", "", address).replace("©", "@").replace("®", "@"), None)
    marking, by, on = classification(text)
    form = jfk_form(lines) or JfkForm()
    return Metadata(
        sender=top.sender or form.sender,
        recipients=top.recipients or ((form.recipient,) if form.recipient else ()),
        cc=top.cc,
        date=top.date or form.date,
        subject=top.subject or form.title,
        attachments=top.attachments,
        participants=tuple(participants),
        release_status=release_status(first_page or text),
        exemptions=exemptions(text),
        classification=marking,
        classified_by=by,
        declassify_on=on,
        record_number=form.record_number,
        record_agency=form.agency,
        record_pages=form.pages,
        title=top.subject or form.title or document_title(lines),
        inferred=("sender",) if top.sender_inferred else (),
        exemption_details=exemption_details(text),
    )
