"""Titles of documents that are not emails, and a line to show for any document.

A memo, letter or cable names itself on a labelled line near its top (`SUBJECT:`, `SUBJ:`, `RE:`,
`TITLE:`); a report, transcript or article under its first heading. `document_title` finds
either; `first_line` gives the first line with words in it, for lists, when a document has
neither title nor subject. Both read only the top of the document, skip what is not a title
(release and classification markings, exemption codes, dates, page markers, email header
lines, a page's metadata block), and decide from the text alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from .exemptions import only_exemptions

HEAD_LINES = 100
"""Lines with text read from the top of a document for a labelled title line (a NARA JFK record's
identification form fills about 80)."""
HEADING_LINES = 25
"""Lines with words read from the top for a heading; a heading comes before the body."""
MAX_TITLE = 200
"""Characters kept of a title (a wrapped subject line joined, then cut at a word)."""

_LABEL = re.compile(
    r"^(?P<indent>\W{0,3}?\s*)(?P<label>SUBJ(?:ECT)?|TITLE|CAPTION|RE|IN\s+RE|SUBJECTS|KEYWORDS)"
    r"(?:\s*[:;]|(?<!re)(?=\s{2,}\S))\s*(?P<value>.*)$",
    re.IGNORECASE,
)
"""A labelled title line: `SUBJECT: ...`, `SUBJ: ...`, `RE: ...`, `TITLE: ...` (`Subject  ...` in
a layout without the colon; `Subject to ...` is a sentence)."""
_FIELD = re.compile(r"^\W{0,3}(?P<label>[A-Za-z][A-Za-z0-9.#/&' -]{0,30}?)\s*[:;](?:\s+(?P<value>.*)|\s*$)")
_KEYWORD_LABELS = frozenset({"SUBJECTS", "KEYWORDS"})
_HEADER_LABELS = frozenset("from to sent date cc bcc subject subj attachments attachment importance re title".split())
_MARKINGS = re.compile(
    r"^(?:(?:TOP\s+)?SECRET|CONFIDENTIAL|UNCLASSIFIED|SENSITIVE|RESTRICTED|NOFORN|NODIS|EXDIS|LIMDIS|"
    r"(?:LIMITED\s+)?OFFICIAL\s+USE(?:\s+ONLY)?|FOR\s+OFFICIAL\s+USE\s+ONLY|DECLASSIFIED|CLASSIFIED|PART|FULL|"
    r"RELEASE(?:D)?(?:\s+IN(?:\s+(?:FULL|PART))?)?|(?:RELEASE\s+)?DENIED|COPY|DRAFT|URGENT|IMMEDIATE|PRIORITY|ROUTINE)"
    r"(?-i:(?:\s*(?://?|[-,;]|\s)\s*[A-Z0-9]+)*)\W*$",
    re.IGNORECASE,
)
"""Classification and release markings, alone on their line (with codes or caveats after them)."""
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE_LINE = re.compile(
    rf"^\W*(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}|{_MONTH},?\s+\d{{4}})"
    r"(?:[\s,]+\d{1,2}[:.]\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?)?\W*$",
    re.IGNORECASE,
)
_PAGE_LINE = re.compile(r"^\W*(?:page\s+\d+(?:\s+of\s+\d+)?|\d+\s+of\s+\d+|-\s*\d+\s*-|\d+)\W*$", re.IGNORECASE)
_ADDRESS = re.compile(r"^\W*(?:https?://|www\.)\S+\W*$|^\S+@\S+$", re.IGNORECASE)
_SALUTATION = re.compile(r"^\W*(?:Dear|Hi|Hello|Greetings)\b", re.IGNORECASE)
_GENERIC = frozenset(
    "memorandum memo for the of record dispatch cable telegram airtel teletype routing and sheet slip "
    "transmittal continuation page note notes form identification information agency document synopsis "
    "enclosure attachment action required references subject subjects number series file originator date "
    "review last criteria opening restrictions comments status current classification type pages processing "
    "return to from incoming outgoing message classified request requested".split()
)
"""Words of a heading that names only a kind of document or form (`MEMORANDUM FOR THE RECORD`)."""
_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*[A-Za-z]|[A-Za-z]")
_LETTERS = re.compile(r"[A-Za-z]")
_TOKEN_OK = re.compile(r"^[\"'‘“(\[]*(?:[A-Za-z][A-Za-z'’.&-]*|\d[\d,./:-]*|[&/–—-])[\"'’”)\],.:;!?]*$")
_FRONT_MATTER = re.compile(r"^\s*---\s*$")


def _lines(lines: Sequence[str], limit: int) -> Iterator[tuple[int, str]]:
    """(index, line) from the top until `limit` lines with text in them, a leading Markdown front
    matter block (`---` ... `---`) skipped."""
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    if start < len(lines) and _FRONT_MATTER.match(lines[start]):
        end = next((i for i in range(start + 1, min(len(lines), start + 60)) if _FRONT_MATTER.match(lines[i])), None)
        start = end + 1 if end is not None else start
    seen = 0
    for i in range(start, len(lines)):
        yield i, lines[i]
        seen += bool(lines[i].strip())
        if seen >= limit:
            return


def _clean(value: str) -> str:
    """A title value without margin marks beside it (exemption codes, release status) and noise."""
    keep: list[str] = []
    for segment in re.split(r"\s{3,}", value.strip()):
        if keep and (only_exemptions(segment) or _MARKINGS.match(segment)):
            break
        keep.append(segment)
    text = " ".join(" ".join(keep).split()).strip(" -–—|_:;")
    if len(text) > MAX_TITLE:
        text = text[:MAX_TITLE].rsplit(" ", 1)[0] + "…"
    return text


def _has_words(text: str, least: int = 1) -> bool:
    """At least `least` words of three letters or more."""
    return sum(len(w) >= 3 for w in _WORD.findall(text)) >= least


def _labelled(lines: Sequence[str], keywords: bool = False) -> str | None:
    """The value of the first SUBJECT / SUBJ / RE / TITLE line near the top, a wrapped value
    joined with its continuation lines (indented under it, or starting in lower case). With
    `keywords`, a form's SUBJECTS or KEYWORDS field instead, whose value may start on the next line."""
    numbered = [line for _, line in _lines(lines, HEAD_LINES)]
    for k, line in enumerate(numbered):
        m = _LABEL.match(line)
        if not m or (m.group("label").upper() in _KEYWORD_LABELS) != keywords:
            continue
        value = _clean(m.group("value"))
        if only_exemptions(m.group("value")) or not (_has_words(value) or (keywords and not value)):
            continue
        label_column = len(m.group("indent"))
        value_column = len(line) - len(m.group("value"))
        below = keywords and not value  # a form's value under its label
        for nxt in numbered[k + 1 : k + 4]:
            if not _continues(nxt, label_column, value_column, below):
                break
            value += " " + _clean(nxt)
            if not keywords and len(value) > MAX_TITLE:
                break
        cleaned = _clean(value)
        if _has_words(cleaned):
            return cleaned
    return None


def _continues(line: str, label_column: int, value_column: int, below: bool) -> bool:
    """Whether a line goes on with the value of a labelled line above it: indented under the
    value (or, `below`, any line under an empty label), or starting in lower case; never another
    field or a form's label (`DOCUMENT TYPE ...`)."""
    text = line.strip()
    if not text or _field(text):
        return False
    if text[0].islower():
        return True
    indent = len(line) - len(line.lstrip())
    under = indent > label_column + 2 and abs(indent - value_column) <= 3
    return (under or below) and not _generic(" ".join(text.split()[:2]))


def _field(text: str) -> bool:
    """A `Label: value` line of a header or a form (`From: ...`, `AGENCY: FBI`, `Date:`), not a
    heading with a colon in it (`Chilcot Inquiry: Mandarins take revenge`)."""
    m = _FIELD.match(text.strip())
    if m is None:
        return False
    label, value = m.group("label").strip(), m.group("value") or ""
    return label.lower() in _HEADER_LABELS or label.isupper() or len(value.split()) <= 3


def _skipped(text: str) -> bool:
    """A line that is never a title and does not end the top of a document: markings, codes,
    dates, page markers, addresses, header and form fields, notes in brackets."""
    return bool(
        text.startswith(("(", "["))  # a note or instruction in brackets
        or _MARKINGS.match(text)
        or only_exemptions(text)
        or _DATE_LINE.match(text)
        or _PAGE_LINE.match(text)
        or _ADDRESS.match(text)
        or _field(text)
        or not _has_words(text)
    )


def _body(text: str) -> bool:
    """A line of running text (a salutation, a long line, a sentence, a line of mostly lower-case
    words): the body has begun, so no heading is coming."""
    words = text.split()
    if _SALUTATION.match(text) or len(words) >= 14 or (len(words) >= 7 and text.endswith((".", ",", ";"))):
        return True
    return len(words) >= 7 and _capitalized(text) < 0.4


def _capitalized(text: str) -> float:
    """The share of the words of four letters or more that start with a capital (1.0 without any)."""
    long_words = [w for w in _WORD.findall(text) if len(w) >= 4]
    return sum(w[0].isupper() for w in long_words) / len(long_words) if long_words else 1.0


def _generic(text: str) -> bool:
    """A line naming only a kind of document or a form's field (`MEMORANDUM`, `RECORD NUMBER`)."""
    words = _WORD.findall(text)
    return bool(words) and all(w.lower().strip(".") in _GENERIC for w in words)


def _heading_like(text: str) -> bool:
    """A short line of real words, capitalized like a heading, not a sentence, not a generic
    document-type label."""
    tokens = text.split()
    words = _WORD.findall(text)
    if not 2 <= len(tokens) <= 16 or len(text) > 120 or len(words) < 2 or text.endswith((".", ",", ";")):
        return False
    if text[0].islower() or not any(len(w) >= 4 for w in words):
        return False
    if sum(bool(_TOKEN_OK.match(t)) for t in tokens) < 0.8 * len(tokens):
        return False  # OCR noise
    if len(_LETTERS.findall(text)) < 0.6 * len(text.replace(" ", "")):
        return False
    return not _generic(text) and _capitalized(text) >= 0.6


def _heading(lines: Sequence[str]) -> str | None:
    """The first heading above the body: a short capitalized line that is not followed by a
    form's fields (the name of a form is the same on every copy of it)."""
    meaningful = [line.strip() for _, line in _lines(lines, HEAD_LINES) if line.strip()][:HEADING_LINES]
    for k, line in enumerate(meaningful):
        text = _clean(line.lstrip("#* "))
        if _skipped(text):
            continue
        if _body(text):
            return None
        if _heading_like(text):
            if sum(_field(f) or _generic(f) for f in meaningful[k + 1 : k + 7]) >= 2:
                continue  # the name of a form, above its fields
            return text
    return None


def document_title(lines: Sequence[str]) -> str | None:
    """The title a document gives itself near its top: a labelled SUBJECT / RE / TITLE line, else
    its first heading, else the SUBJECTS or KEYWORDS field of a form; None when it has none."""
    return _labelled(lines) or _heading(lines) or _labelled(lines, keywords=True)


def first_line(text: str) -> str | None:
    """The first line of a text with words in it, for lists of documents that have no title:
    markings, codes, dates, page markers and header fields skipped; None when there is none."""
    for _, line in _lines(text.splitlines(), HEAD_LINES):
        shown = _clean(line.lstrip("#* "))
        if shown and not _skipped(shown) and _has_words(shown, 2):
            return shown
    return None
