"""Machine-readable records with fixed field names, citations, and streaming writers for JSON
Lines and CSV (no cap on how many)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from indexer.errors import BadArgumentError
from indexer.versions import Group, groups_of

from .aliases import Aliases
from .citations import citation
from .engines import engine_for
from .parse import Filters
from .results import Hit, Sort, iso
from .threads import thread_ids

DOCUMENT_FIELDS = (
    "id", "source", "first_page", "last_page", "case_number", "doc_number", "release_date", "date",
    "sender", "recipients", "cc", "subject", "release_status", "exemptions", "classification", "text",
    "participants", "attachments", "bates", "classified_by", "declassify_on", "ocr_pages", "stamps",
    "agency", "page", "citation", "provenance", "record_number", "record_agency", "record_pages", "title",
    "exemption_details", "inferred", "thread", "versions", "group",
)  # fmt: skip
"""Keys of `foia export` records; the first sixteen are the stable contract, the rest may grow."""

CSV_FIELDS = tuple(f for f in DOCUMENT_FIELDS if f not in ("text", "stamps"))
"""The columns of `foia export --format csv` by default: every field but the whole text and the
raw stamp lines, which JSON Lines keeps (`--fields` picks others)."""

CELL_LIMIT = 32_767
"""The most characters a spreadsheet cell holds (Excel, LibreOffice); a longer CSV cell is cut."""

HIT_FIELDS = (
    "id", "score", "case_number", "doc_number", "date", "sender", "subject", "page", "snippets",
    "source", "first_page", "last_page", "agency", "citation", "title", "versions", "group", "missing",
)  # fmt: skip
"""Keys of `foia search --format jsonl` records."""


def _lines(value: Any) -> list[str]:
    return [line for line in str(value or "").split("\n") if line]


def provenance(fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Where each page's text comes from: `text layer`, `ocr` (with mean word confidence) or
    `none` (no usable text layer, not OCR'd)."""
    return [
        {"page": page, "source": source, "confidence": confidence}
        for page, source, confidence in fields.get("provenance") or []
    ]


def document_record(
    fields: Mapping[str, Any], page: int | None = None, thread: str | None = None, group: Group | None = None
) -> dict[str, Any]:
    """The export record of one stored document; `page` is the page cited (the first match's),
    `thread` the id of the conversation it belongs to (see `threads`), `group` its group of
    versions (`versions` counts them, 1 for a document alone)."""
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
        "agency": fields.get("agency"),
        "page": page or fields.get("first_page"),
        "citation": citation(fields, page),
        "provenance": provenance(fields),
        "record_number": fields.get("record_number"),
        "record_agency": fields.get("record_agency"),
        "record_pages": fields.get("record_pages"),
        "title": fields.get("title"),
        "exemption_details": list(fields.get("exemption_details") or []),
        "inferred": list(fields.get("inferred") or []),
        "thread": thread,
        "versions": group.size if group else 1,
        "group": group.name if group else None,
    }


def export_records(
    index_dir: Path,
    text: str = "",
    filters: Filters | None = None,
    *,
    sort: Sort = Sort.relevance,
    aliases: Aliases | None = None,
) -> Iterator[dict[str, Any]]:
    """The export record of every matching document, streamed; each cites the page `foia search`
    cites (see `search.cited_page`; the document's first page when the query has no words in the
    text); `thread` names its conversation (`foia thread`)."""
    batch: list[tuple[dict[str, Any], int | None]] = []
    for cited in engine_for(index_dir).cited(text, filters, sort, aliases):
        batch.append(cited)
        if len(batch) == THREAD_BATCH:
            yield from _threaded(index_dir, batch)
            batch = []
    yield from _threaded(index_dir, batch)


THREAD_BATCH = 500
"""Records whose threads are looked up at once while exporting."""


def _threaded(index_dir: Path, batch: list[tuple[dict[str, Any], int | None]]) -> Iterator[dict[str, Any]]:
    """The records of a batch, with their threads and groups of versions looked up at once."""
    ids = [str(fields["id"]) for fields, _ in batch]
    threads, groups = thread_ids(index_dir, ids), groups_of(index_dir, ids)
    for (fields, page), key in zip(batch, ids, strict=True):
        yield document_record(fields, page, threads.get(key), groups.get(key))


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
        "agency": hit.agency,
        "citation": hit.citation,
        "title": hit.title,
        "versions": hit.versions,
        "group": hit.group or None,
        "missing": list(hit.missing),
    }


def pick_fields(spec: str) -> tuple[str, ...]:
    """The export fields a comma-separated list names, in its order (`id,doc_number,citation`);
    an unknown name is an error that lists the valid ones."""
    names = tuple(dict.fromkeys(name.strip() for name in spec.split(",") if name.strip()))
    unknown = [name for name in names if name not in DOCUMENT_FIELDS] or ([] if names else [spec])
    if unknown:
        raise BadArgumentError(f"unknown field {unknown[0]!r} in --fields; valid fields: {', '.join(DOCUMENT_FIELDS)}")
    return names


def write_jsonl(records: Iterable[Mapping[str, Any]], out: IO[str], fields: Sequence[str] | None = None) -> int:
    """One JSON object per line, whole (only `fields`, in their order, when given); returns how
    many were written."""
    count = 0
    for record in records:
        shown = record if fields is None else {f: record.get(f) for f in fields}
        out.write(json.dumps(shown, ensure_ascii=False) + "\n")
        count += 1
    return count


def _page_cell(value: Mapping[str, Any]) -> str:
    """A per-page item (snippet, provenance) as `p3: its other values`."""
    return f"p{value['page']}: " + " ".join(str(v) for k, v in value.items() if k != "page" and v is not None)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_page_cell(v) if isinstance(v, dict) else str(v) for v in value)
    return str(value)


_WHOLE = "--format jsonl writes them all"


def _capped(cell: str) -> str:
    """A cell cut to `CELL_LIMIT` characters, the cut said at its end."""
    if len(cell) <= CELL_LIMIT:
        return cell
    mark = f" [cut: {len(cell):,} characters in all; a spreadsheet cell holds {CELL_LIMIT:,}; {_WHOLE}]"
    return cell[: CELL_LIMIT - len(mark)] + mark


def write_csv(records: Iterable[Mapping[str, Any]], out: IO[str], fields: Sequence[str]) -> int:
    """CSV with a header row; lists are joined with `; `, a cell over `CELL_LIMIT` characters is
    cut with a marker. Returns how many rows were written."""
    writer = csv.writer(out)
    writer.writerow(fields)
    count = 0
    for record in records:
        writer.writerow([_capped(_cell(record.get(f))) for f in fields])
        count += 1
    return count
