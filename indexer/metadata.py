"""Metadata read from a document's body: email headers, dates, release status, exemptions,
classification."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dateutil import parser as dateparser

from .exemptions import exemption_details, exemptions
from .exemptions import only_exemptions as _only_exemptions
from .stamps import RECORD_NUMBER, record_number
from .titles import document_title

_LABELS = {
    "from": "from", "prom": "from", "fram": "from", "frorn": "from",
    "sent": "sent", "date": "sent",
    "to": "to",
    "cc": "cc",
    "bcc": "bcc",
    "subject": "subject", "subj": "subject", "sublect": "subject", "subiect": "subject",
    "attachments": "attachments", "attachment": "attachments",
}  # fmt: skip
_HEADER = re.compile(
    r"^(?P<indent>\s*)(?P<label>" + "|".join(_LABELS) + r")(?:\s*[:;]|(?=\s{2,})|\s*$)\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_SEGMENTS = re.compile(r"\s{2,}")
_ORIGINAL_MESSAGE = re.compile(r"^\s*-*\s*(?:Original|Forwarded)\s+Message\s*-*\s*$", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+'-]+\s?[@©®]\s?[\w-]+(?:\s?\.\s?[\w-]+)+")
_STATUS_WORDS = re.compile(r"^(?:RELEASE\s+IN(?:\s+(?:FULL|PART))?|FULL|PART|DENIED|RELEASE\s+DENIED)\b", re.IGNORECASE)

_MARKING = re.compile(r"^\s*((?:TOP\s+)?SECRET|CONFIDENTIAL|UNCLASSIFIED)(?:\s*//?\s*[A-Z]+(?:\s*/\s*[A-Z]+)*)?\s*$")
_BLOCK_END = r"(?=\s+[—–-]+\s|\s+(?:Class|Reason|Declassify)\b|\s*$)"
_CLASSIFIED_BY = re.compile(rf"\bClassified\s+by\s*:?\s*(?P<value>[^\n]+?){_BLOCK_END}", re.IGNORECASE | re.MULTILINE)
_DECLASSIFY_ON = re.compile(rf"\bDeclassify\s+on\s*:?\s*(?P<value>[^\n]+?){_BLOCK_END}", re.IGNORECASE | re.MULTILINE)
_CLASS_LINE = re.compile(r"\bClass(?:ification)?\s*:\s*(?:TOP\s+)?(?:SECRET|CONFIDENTIAL)(?:\s*//?\s*[A-Z]+)*")
_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)|(?<!\d)\d{1,2}/\d{1,2}/\d{2}(?!\d)")
_GLUED_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d{1,2}:\d\d)")
_UNKNOWN_LABEL = re.compile(r"^\s*\W?[A-Za-z]{1,4}\s*:(?:\s{2,}|\s*$)")
_DOTTED_TIME = re.compile(r"(?<!\d)(\d{1,2})[.,;](\d{2})(?=\s*[AaPp]\.?\s?[Mm]\b)")
_NOT_DATE_WORDS = re.compile(r"[^\w:/,.\- ]")


@dataclass(frozen=True)
class Message:
    """One message of an email chain, as its header block gives it."""

    sender: str | None = None
    recipients: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    date: datetime | None = None
    subject: str | None = None
    attachments: tuple[str, ...] = ()


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
    title: str | None = None
    """What to call the document: an email's subject, a memo's SUBJECT or RE line, a cable's
    subject, a form's title or a report's first heading (see `titles`)."""
    exemption_details: tuple[str, ...] = ()
    """What the release adds to its exemption codes: `B3 CIA PERS/ORG` (the code is `B3`)."""


# --- dates -----------------------------------------------------------------------------------


def parse_date(text: str) -> datetime | None:
    """A date and time from a header value, tolerant of OCR noise and trailing junk.

    `Thursday, March 3, 2011 9:45 PM`, `Sent: 5.48 PM`-style dotted times and
    `Mon Jan 24 17:55:40 2011` all parse; a value with no recognizable year gives None.
    """
    text = _GLUED_YEAR.sub(r"\1 \2", text)
    text = _DOTTED_TIME.sub(r"\1:\2", text)
    text = re.sub(r",(?=\S)", ", ", text)
    text = _NOT_DATE_WORDS.sub(" ", text)
    if not _YEAR.search(text):
        return None
    words = text.split()
    for end in range(len(words), 0, -1):
        candidate = " ".join(words[:end])
        if not _YEAR.search(candidate):
            break
        try:
            return dateparser.parse(candidate, default=datetime(1900, 1, 1), ignoretz=True)
        except (ValueError, OverflowError):
            continue
    return None


# --- email headers ---------------------------------------------------------------------------


def _value_segments(value: str) -> list[str]:
    """A header value without the margin marks that share its line (exemption codes, status)."""
    keep = []
    for segment in _SEGMENTS.split(value.strip()):
        if not segment or _STATUS_WORDS.match(segment) or _only_exemptions(segment):
            continue
        keep.append(segment)
    return keep


def clean_person(text: str) -> str:
    """A sender or recipient tidied: OCR'd letters repaired, spaces inside addresses removed."""
    text = re.sub(r"(?<!\S)lvl", "M", text)
    text = re.sub(r"[\[(]?\s*\b(?:mailto|maitto|mallto|rnailto|mailt0)\b\s*[:;]?\s*", " [mailto:", text, flags=re.I)
    text = re.sub(r"\s+(?=[>\]])|(?<=[<\[])\s+", "", text)
    return " ".join(text.strip(" ,;'\"").split())


def split_people(text: str) -> tuple[str, ...]:
    """Names and addresses of a To or Cc value, split on semicolons."""
    return tuple(p for p in (clean_person(part) for part in re.split(r";", text)) if p and not _only_exemptions(p))


def header_blocks(lines: Sequence[str]) -> list[Message]:
    """Every email header block in a document, top message first."""
    messages: list[Message] = []
    fields: dict[str, list[str]] = {}
    last: str | None = None
    value_column = label_column = 0

    def close() -> None:
        nonlocal fields, last
        if "from" in fields or ("sent" in fields and ("to" in fields or "subject" in fields)):
            messages.append(_message(fields))
        fields, last = {}, None

    for line in lines:
        if _ORIGINAL_MESSAGE.match(line):
            close()
            continue
        m = _HEADER.match(line)
        if m:
            key = _LABELS[m.group("label").lower()]
            if key in fields and key != "to" or (key == "from" and fields):
                close()
            value = m.group("value")
            label_column = len(m.group("indent"))
            value_column = len(line) - len(value) if value.strip() else label_column + 10
            fields.setdefault(key, []).append(" ".join(_value_segments(value)))
            last = key
        elif last is not None and line.strip():
            indent = len(line) - len(line.lstrip())
            wrapped = indent >= value_column - 3 and indent > label_column + 3
            if not _value_segments(line) or (indent > label_column + 40 and "subject" not in fields):
                continue  # a margin mark (exemption code, release status) between header lines
            if last in ("subject", "to", "cc", "attachments") and wrapped:
                fields[last][-1] = (fields[last][-1] + " " + " ".join(_value_segments(line))).strip()
            elif "subject" not in fields and _UNKNOWN_LABEL.match(line):
                last = "unknown"  # a label garbled by OCR, such as `=To:` or `Tut:`
                fields.setdefault(last, []).append("")
            else:
                close()
        elif last is not None and not line.strip() and "subject" in fields:
            close()
    close()
    return messages


def _message(fields: dict[str, list[str]]) -> Message:
    def first(key: str) -> str:
        return next((v for v in fields.get(key, []) if v.strip()), "")

    sender = clean_person(first("from")) or None
    subject = " ".join(first("subject").split()) or None
    return Message(
        sender=sender,
        recipients=tuple(p for v in fields.get("to", []) for p in split_people(v)),
        cc=tuple(p for v in fields.get("cc", []) for p in split_people(v)),
        date=parse_date(first("sent")),
        subject=subject,
        attachments=tuple(a for v in fields.get("attachments", []) for a in split_people(v)),
    )


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
    for address in _EMAIL.findall(text):
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
        exemption_details=exemption_details(text),
    )
