"""The reading room's JSON API under `/api/`: the data of each page (`pages`), page images, original
files, streamed exports, saved searches and batch search. FastAPI writes its OpenAPI document
from these declarations."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import IO, Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from ..batch import BATCH_FIELDS, BatchRow, batch_record
from ..export import CSV_FIELDS, export_records, write_csv, write_jsonl
from ..facets import FACETS
from ..search import search, similar
from ..watch import Watch, add_watch, new_hits, remove_watch
from . import pages
from .files import DEFAULT_WIDTH, MAX_WIDTH, MIN_WIDTH, open_original, page_image, recorded
from .params import (
    MAX_PAGE_SIZE,
    BatchIn,
    Conf,
    DocId,
    ExportFormat,
    PageNumber,
    State,
    WatchIn,
    WatchName,
    Window,
    filters_from,
)

router = APIRouter()


@router.get("/search", response_model=pages.SearchPage, summary="A search page: hits, facets, timeline")
def search_api(state: State, conf: Conf) -> pages.SearchPage:
    """One page of hits with snippets naming their page, counts of every facet over all
    matches, and matches by month (the timeline)."""
    return pages.search_page(conf.index_dir, state, conf.load_aliases())


@router.get("/facets", summary="Facet counts over every match")
def facets_api(
    state: State,
    conf: Conf,
    by: Annotated[list[str] | None, Query(max_length=len(FACETS), description=", ".join(FACETS))] = None,
    top: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> dict[str, Any]:
    result = search(conf.index_dir, state.q, state.filters, 1, facets=by or FACETS,
                    aliases=conf.load_aliases(), top_values=top)  # fmt: skip
    return {"total": result.total, "facets": result.facets}


@router.get("/documents/{doc_id}", response_model=pages.DocumentPage, summary="A document and its pages")
def document_api(doc_id: DocId, state: State, conf: Conf, p: Window = None) -> pages.DocumentPage:
    """Its metadata (the export record without the text), the pages (a window of
    50 holding page `p`) with the search's words marked, its original file, similar documents."""
    return pages.document_page(conf.index_dir, doc_id, state, p, conf.load_aliases())


@router.get("/documents/{doc_id}/pages/{number}", response_model=pages.PageView, summary="A page's text")
def page_api(doc_id: DocId, number: PageNumber, state: State, conf: Conf) -> pages.PageView:
    return pages.page_text(conf.index_dir, doc_id, number, state, conf.load_aliases())


@router.get(
    "/documents/{doc_id}/pages/{number}/image",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
    summary="A page's image, rendered from the original PDF",
)
def image_api(
    doc_id: DocId,
    number: PageNumber,
    conf: Conf,
    width: Annotated[int, Query(ge=MIN_WIDTH, le=MAX_WIDTH)] = DEFAULT_WIDTH,
) -> Response:
    image = page_image(conf.index_dir, recorded(conf.index_dir, doc_id), number, width)
    return Response(image, media_type="image/jpeg", headers={"cache-control": "private, max-age=86400"})


@router.get(
    "/documents/{doc_id}/file",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/pdf": {}, "text/plain": {}}}},
    summary="The original file, as indexed",
)
def file_api(doc_id: DocId, conf: Conf) -> StreamingResponse:
    fields = recorded(conf.index_dir, doc_id)
    handle = open_original(fields)
    head = handle.read(4096)
    handle.seek(0)
    media = "application/pdf" if b"%PDF-" in head[:1024] else "text/plain; charset=utf-8"
    name = Path(str(fields["source"])).name
    return StreamingResponse(_file_chunks(handle), media_type=media, headers={"content-disposition": _attachment(name)})


@router.get("/documents/{doc_id}/similar", summary="Documents most like one")
def similar_api(doc_id: DocId, conf: Conf, limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10) -> dict[str, Any]:
    result = similar(conf.index_dir, doc_id, limit)
    return {"total": result.total, "hits": result.hits}


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}},
    summary="Every match with its citation, streamed",
)
def export_api(state: State, conf: Conf, format: ExportFormat = ExportFormat.csv) -> StreamingResponse:
    """Every matching document (no cap) as CSV or JSON Lines, in the search's order, each
    citing the page of its match: `foia export`'s records."""
    records = export_records(conf.index_dir, state.q, state.filters, sort=state.sort,
                             aliases=conf.load_aliases())  # fmt: skip
    first = list(islice(records, 1))  # a bad query fails here, before the response starts
    rows = chain(first, records)
    if format is ExportFormat.csv:
        body, media = _csv_chunks(rows, CSV_FIELDS), "text/csv; charset=utf-8"
    else:
        body, media = _jsonl_chunks(rows), "application/x-ndjson"
    name = f"foia-export.{format.value}"
    return StreamingResponse(body, media_type=media, headers={"content-disposition": _attachment(name)})


@router.get("/watches", summary="Saved searches and their new hits")
def watches_api(conf: Conf) -> list[pages.WatchView]:
    return list(pages.watches_page(conf.index_dir, conf.load_aliases()))


@router.post("/watches", status_code=201, summary="Save a search")
def watch_add_api(watch: WatchIn, conf: Conf) -> Watch:
    return add_watch(conf.index_dir, watch.name, watch.q, filters_from(watch.filters))


@router.delete("/watches/{name}", status_code=204, response_class=Response, summary="Delete a saved search")
def watch_remove_api(name: WatchName, conf: Conf) -> Response:
    remove_watch(conf.index_dir, name)
    return Response(status_code=204)


@router.post("/watches/{name}/seen", summary="Mark a saved search's new hits seen")
def watch_seen_api(name: WatchName, conf: Conf) -> dict[str, int]:
    (news,) = new_hits(conf.index_dir, [name], mark=True, limit=0)
    return {"seen": news.total}


@router.post("/batch", response_model=pages.BatchPage, summary="Hit counts of a list of terms")
def batch_api(batch: BatchIn, conf: Conf, format: ExportFormat | None = None) -> Any:
    """Each term's number of matching documents and its three best; `format=csv` for a CSV."""
    data = pages.batch_page(conf.index_dir, "\n".join(batch.terms), batch.mode, aliases=conf.load_aliases())
    return batch_csv(data.rows) if format is ExportFormat.csv else data


def _attachment(name: str) -> str:
    """A Content-Disposition naming a download (ASCII only; others replaced)."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name) or "download"
    return f'attachment; filename="{safe}"'


def _file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        yield from iter(lambda: handle.read(1 << 16), b"")


def _csv_chunks(records: Iterable[dict[str, Any]], fields: tuple[str, ...], batch: int = 200) -> Iterator[str]:
    """CSV text in pieces of `batch` rows, written by `export.write_csv` (one header row)."""
    header = io.StringIO()
    csv.writer(header).writerow(fields)
    skip = len(header.getvalue())
    first = True
    it = iter(records)
    while chunk := list(islice(it, batch)):
        out = io.StringIO()
        write_csv(chunk, out, fields)
        yield out.getvalue() if first else out.getvalue()[skip:]
        first = False
    if first:
        yield header.getvalue()


def _jsonl_chunks(records: Iterable[dict[str, Any]], batch: int = 200) -> Iterator[str]:
    it = iter(records)
    while chunk := list(islice(it, batch)):
        out = io.StringIO()
        write_jsonl(chunk, out)
        yield out.getvalue()


def batch_csv(rows: Iterable[BatchRow]) -> Response:
    """A batch's rows as a CSV download."""
    out = io.StringIO()
    write_csv([batch_record(row) for row in rows], out, BATCH_FIELDS)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": _attachment("foia-batch.csv")})  # fmt: skip
