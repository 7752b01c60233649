"""Citations ready for a footnote, in the order the Chicago Manual of Style gives an archival
document: who wrote to whom, the title in quotation marks, the date, then where the document is
(releasing agency, FOIA case, doc or record number, page) and when it was released:

    Dana L. Rivera to Samuel Okafor, “FW: Harbor inspection schedule,” March 3, 2011, U.S.
    Department of State, FOIA case F-2099-00123, doc. C09900001, p. 2 (released March 14, 2099).

Parts a document lacks are left out; without a record or doc number its file name locates it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from indexer.names import Kind, read_written, tidy, well_written

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip


def citation(fields: Mapping[str, Any], page: int | None = None) -> str:
    """The citation of a stored document (its index fields), at `page` (default: its pages)."""
    parts = [
        _correspondents(fields),
        _quoted(fields.get("title") or fields.get("subject")),
        _day(fields.get("date")),
        fields.get("agency"),
        f"FOIA case {fields['case_number']}" if fields.get("case_number") else None,
        _locator(fields),
        _pages(fields, page),
    ]
    text = ""
    for part in filter(None, parts):
        text += (" " if text.endswith("”") else ", ") + part if text else part
    if released := _day(fields.get("release_date")):
        text += f" (released {released})"
    return text + "."


def cited_name(value: str) -> str:
    """A sender or recipient as a citation names them: a person's name as `First M. Last` when its
    words are written cleanly (`Mills, Cheryl 0 <MillsCD@state.gov>` is `Cheryl Mills`), else the
    value as written (`H <hrod17@clintonemail.com>`, `DIRECTOR, FBI`)."""
    written = read_written(value)
    words = f"{written.given} {written.surname}".split()
    if written.kind is Kind.person and len(written.given) > 1 and all(well_written(w) for w in words):
        return written.display()
    return tidy(value)


def _correspondents(fields: Mapping[str, Any]) -> str | None:
    """`Sender to Recipient`, `Sender to A and B`, `Sender to A et al.`; an inferred sender in
    brackets, as a citation marks what the document does not print."""
    names = [cited_name(r) for r in str(fields.get("recipients") or "").split("\n") if r.strip()]
    to = " and ".join(names) if len(names) <= 2 else f"{names[0]} et al."
    sender = fields.get("sender")
    if not sender:
        return f"To {to}" if to else None
    who = cited_name(str(sender))
    if "sender" in (fields.get("inferred") or ()):
        who = f"[{who}]"
    return f"{who} to {to}" if to else who


def _quoted(title: str | None) -> str | None:
    """A title in quotation marks with the comma that follows it inside (none after `?` or `!`)."""
    if not title or not title.strip():
        return None
    title = " ".join(title.split())
    return f"“{title}”" if title[-1] in "?!" else f"“{title},”"


def _day(value: date | None) -> str | None:
    return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}" if isinstance(value, date) else None


def _locator(fields: Mapping[str, Any]) -> str | None:
    """Where the document is in the release: its record number (NARA JFK records, rather than the
    DocId), else its doc number, else its file name."""
    if record := fields.get("record_number"):
        return f"record no. {record}"
    if doc := fields.get("doc_number"):
        return f"doc. {doc}"
    return Path(str(fields.get("source") or "")).name or None


def _pages(fields: Mapping[str, Any], page: int | None) -> str:
    first = fields.get("first_page") or 1
    last = fields.get("last_page") or first
    if page:
        return f"p. {page}"
    return f"p. {first}" if first == last else f"pp. {first}–{last}"
