"""Machine-readable records with fixed field names, and writers for JSON Lines and CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from typing import IO, Any

from .search import Hit, iso

DOCUMENT_FIELDS = (
    "id", "source", "first_page", "last_page", "case_number", "doc_number", "release_date", "date",
    "sender", "recipients", "cc", "subject", "release_status", "exemptions", "classification", "text",
    "participants", "attachments", "bates", "classified_by", "declassify_on", "ocr_pages", "stamps",
)  # fmt: skip
"""Keys of `foia export` records; the first sixteen are the stable contract, the rest may grow."""

HIT_FIELDS = (
    "id", "score", "case_number", "doc_number", "date", "sender", "subject", "page", "snippets",
    "source", "first_page", "last_page",
)  # fmt: skip
"""Keys of `foia search --format jsonl` records."""


def _lines(value: Any) -> list[str]:
    return [line for line in str(value or "").split("\n") if line]


def document_record(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The export record of one stored document."""
    return {
        "id": fields["id"],
        "source": fields.get("source"),
        "first_page": fields.get("first_page"),
        "last_page": fields.get("last_page"),
        "case_number": fields.get("case_number"),
        "doc_number": fields.get("doc_number"),
        "release_date": iso(released.date()) if (released := fields.get("release_date")) else None,
        "date": iso(fields.get("date")),
        "sender": fields.get("sender"),
        "recipients": _lines(fields.get("recipients")),
        "cc": _lines(fields.get("cc")),
        "subject": fields.get("subject"),
        "release_status": fields.get("release_status"),
        "exemptions": list(fields.get("exemption_codes") or []),
        "classification": fields.get("classification"),
        "text": fields.get("text", ""),
        "participants": _lines(fields.get("participants")),
        "attachments": _lines(fields.get("attachments")),
        "bates": [b for b in str(fields.get("bates") or "").split(",") if b],
        "classified_by": fields.get("classified_by"),
        "declassify_on": fields.get("declassify_on"),
        "ocr_pages": list(fields.get("ocr_pages") or []),
        "stamps": _lines(fields.get("stamps")),
    }


def hit_record(hit: Hit) -> dict[str, Any]:
    """The search record of one hit."""
    return {
        "id": hit.id,
        "score": hit.score,
        "case_number": hit.case_number,
        "doc_number": hit.doc_number,
        "date": iso(hit.date),
        "sender": hit.sender,
        "subject": hit.subject,
        "page": hit.page,
        "snippets": [{"page": s.page, "text": s.text} for s in hit.snippets],
        "source": hit.source,
        "first_page": hit.first_page,
        "last_page": hit.last_page,
    }


def write_jsonl(records: Iterable[Mapping[str, Any]], out: IO[str]) -> int:
    """One JSON object per line; returns how many were written."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(
            f"p{v['page']}: {v['text']}" if isinstance(v, dict) else str(v) for v in value
        )
    return str(value)


def write_csv(records: Iterable[Mapping[str, Any]], out: IO[str], fields: tuple[str, ...]) -> int:
    """CSV with a header row; lists are joined with `; `. Returns how many rows were written."""
    writer = csv.writer(out)
    writer.writerow(fields)
    count = 0
    for record in records:
        writer.writerow([_cell(record.get(f)) for f in fields])
        count += 1
    return count
