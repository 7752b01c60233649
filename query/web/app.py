"""The reading room's web app: HTML pages and the JSON API under `/api/`, both served from the
same page functions (`pages`), described by the OpenAPI document at `/api/openapi.json`.

Read-only over the index: the only things it writes are the saved searches (`watches.sqlite`,
as `foia watch` does) and the page-image cache.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from itertools import chain, islice
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from indexer.errors import ExitCode, FoiaSearchError

from ..aliases import ALIAS_FILE, Aliases, load_aliases
from ..batch import BATCH_FIELDS, MAX_TERM_LENGTH, MAX_TERMS, BatchMode, batch_record
from ..export import DOCUMENT_FIELDS, export_records, write_csv, write_jsonl
from ..facets import FACETS
from ..parse import MAX_QUERY_LENGTH, STATUSES, Filters
from ..reading import METADATA_FIELDS
from ..search import MARK, Hit, Sort, get_document, search, similar
from ..watch import Watch, add_watch, new_hits, remove_watch
from . import pages
from .files import DEFAULT_WIDTH, MAX_WIDTH, MIN_WIDTH, open_original, page_image
from .guard import Guard
from .state import FILTER_PARAMS, SearchState, facet_active, facet_link, param_of

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100
MAX_FILTER_LENGTH = 200
MAX_BODY = 256 * 1024
"""The largest request body accepted (a batch of `MAX_TERMS` lines fits)."""
ID_PATTERN = r"^[\w.\-]{1,80}$"
"""What a document id or doc number looks like in a URL."""

STATUS_OF = {
    ExitCode.not_found: 404,
    ExitCode.no_index: 503,
    ExitCode.incompatible_index: 503,
    ExitCode.damaged_index: 503,
    ExitCode.index_busy: 503,
}
"""HTTP status of the project's errors (by their exit code); any other is a bad request (400)."""


@dataclass(frozen=True)
class Config:
    """What the app serves: the index folder and the alias file (read at each request)."""

    index_dir: Path
    aliases: Path | None = None

    def load_aliases(self) -> Aliases:
        return load_aliases(self.aliases or self.index_dir / ALIAS_FILE)


# --- request parameters --------------------------------------------------------------------------

Text = Annotated[str | None, Query(max_length=MAX_FILTER_LENGTH)]


def search_state(
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH, description="The query, in the query language.")] = "",
    sender: Annotated[str | None, Query(alias="from", max_length=MAX_FILTER_LENGTH, description="Sender.")] = None,
    recipient: Annotated[str | None, Query(alias="to", max_length=MAX_FILTER_LENGTH, description="To or Cc.")] = None,
    participant: Text = None,
    case: Text = None,
    doc: Text = None,
    since: Annotated[str | None, Query(max_length=40, description="2011, 2011-03, 2011-03-04.")] = None,
    until: Annotated[str | None, Query(max_length=40)] = None,
    exemption: Text = None,
    status: Text = None,
    agency: Text = None,
    classification: Text = None,
    sort: Sort = Sort.relevance,
    page: Annotated[int, Query(ge=1, le=pages.MAX_DEPTH)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> SearchState:
    """The search a URL holds (the CLI's filter options, by the same names)."""
    filters = Filters(
        case=case, doc=doc, sender=sender, recipient=recipient, since=since, until=until, exemption=exemption,
        status=status, participant=participant, agency=agency, classification=classification,
    )  # fmt: skip
    return SearchState(q, filters, sort, page, size)


State = Annotated[SearchState, Depends(search_state)]
DocId = Annotated[str, PathParam(pattern=ID_PATTERN, description="Document id, or a doc number.")]
PageNumber = Annotated[int, PathParam(ge=1, le=1_000_000, description="Page number in the source file.")]


def config(request: Request) -> Config:
    return request.app.state.config  # type: ignore[no-any-return]


Conf = Annotated[Config, Depends(config)]


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


class WatchIn(BaseModel):
    """A search to save: a name, a query, and filters by their URL names."""

    name: str = Field(pattern=r"^[\w.\-]{1,64}$")
    q: str = Field(default="", max_length=MAX_QUERY_LENGTH)
    filters: dict[str, str] = Field(default_factory=dict, max_length=len(FILTER_PARAMS))


class BatchIn(BaseModel):
    """A batch search: terms one a line (or a list), and how each is searched."""

    terms: list[Annotated[str, Field(max_length=MAX_TERM_LENGTH)]] = Field(max_length=MAX_TERMS)
    mode: BatchMode = BatchMode.phrase


def filters_from(values: Mapping[str, str]) -> Filters:
    """Filters from their URL names (`from`, `to`, `case`, ...); an unknown name is an error."""
    names = {param_of(f): f for f in Filters.__dataclass_fields__}
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise FoiaSearchError(f"unknown filter {unknown[0]!r}; filters: {', '.join(FILTER_PARAMS)}")
    for value in values.values():
        if len(value) > MAX_FILTER_LENGTH:
            raise FoiaSearchError(f"a filter value of {len(value)} characters; the limit is {MAX_FILTER_LENGTH}")
    return Filters(**{names[k]: v or None for k, v in values.items()})


def filter_items(filters: Filters) -> list[tuple[str, str]]:
    """The filters set, by their URL names."""
    return [(param_of(k), v) for k, v in asdict(filters).items() if v]


# --- templates -----------------------------------------------------------------------------------


def marked(text: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """Release text, escaped, with the spans in `<mark>`."""
    out, at = [], 0
    for start, end in spans:
        out.append(escape(text[at:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


def snippet(text: str) -> Markup:
    """A snippet, escaped, its matches (between `**`) in `<mark>`."""
    parts = text.split(MARK)
    return Markup("").join(
        Markup("<mark>") + escape(p) + Markup("</mark>") if i % 2 else escape(p) for i, p in enumerate(parts)
    )


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("query.web", "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)  # fmt: skip
    env.filters |= {"marked": marked, "snippet": snippet}
    env.globals |= {
        "facet_link": facet_link, "facet_active": facet_active, "statuses": STATUSES, "sorts": list(Sort),
        "modes": list(BatchMode), "filter_params": FILTER_PARAMS, "param_of": param_of,
        "max_query": MAX_QUERY_LENGTH, "max_terms": MAX_TERMS, "metadata_fields": METADATA_FIELDS,
        "filter_items": filter_items,
    }  # fmt: skip
    return env


TEMPLATES = Jinja2Templates(env=_environment())


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)


# --- errors --------------------------------------------------------------------------------------


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    return render(request, "error.html", status, status=status, message=message)


async def project_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FoiaSearchError)
    return _error(request, STATUS_OF.get(exc.exit_code, 400), str(exc))


async def invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for problem in exc.errors():
        where = ".".join(str(part) for part in problem.get("loc", ()) if part not in ("query", "path", "body"))
        problems.append(f"{where or 'request'}: {problem.get('msg', 'invalid')}")
    message = "bad request: " + "; ".join(problems)
    return _error(request, 422 if _wants_json(request) else 400, message)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error(request, exc.status_code, str(exc.detail))


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("error serving %s", request.url.path)
    return _error(request, 500, "internal error (the server's log has the details)")


# --- the app -------------------------------------------------------------------------------------


def create_app(
    index_dir: Path, *, token: str | None = None, loopback: bool = True, aliases: Path | None = None
) -> FastAPI:
    """The reading room over the index at `index_dir`; `token` required on every request when
    given; `loopback` for a server bound to loopback only (Host checked)."""
    app = FastAPI(
        title="foia-search reading room",
        version="1",
        description="Search, read and export FOIA releases indexed by foia-search. Every HTML page "
        "has its JSON here; errors are `{\"error\": message}` with a 4xx status.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        max_body_size=MAX_BODY,
    )
    app.state.config = Config(index_dir, aliases)
    app.add_exception_handler(FoiaSearchError, project_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
    app.mount("/static", StaticFiles(packages=[("query.web", "static")]), name="static")
    app.include_router(_html_routes(), include_in_schema=False)
    app.include_router(_api_routes(), prefix="/api")
    app.add_middleware(Guard, token=token, loopback=loopback)
    return app


def _html_routes() -> Any:
    from fastapi import APIRouter

    router = APIRouter(default_response_class=HTMLResponse)

    @router.get("/")
    def search_html(request: Request, state: State, conf: Conf) -> Response:
        try:
            data = pages.search_page(conf.index_dir, state, conf.load_aliases())
        except FoiaSearchError as exc:
            if exc.exit_code not in (ExitCode.bad_query, ExitCode.bad_args):
                raise
            return render(request, "search.html", 400, state=state, page=None, error=str(exc))
        return render(request, "search.html", state=state, page=data, error=None)

    @router.get("/doc/{doc_id}")
    def document_html(
        request: Request, doc_id: DocId, state: State, conf: Conf, p: Annotated[int | None, Query(ge=1)] = None
    ) -> Response:
        data = pages.document_page(conf.index_dir, doc_id, state, p, conf.load_aliases())
        return render(request, "document.html", doc=data, state=state)

    @router.get("/watches")
    def watches_html(request: Request, conf: Conf) -> Response:
        return render(request, "watches.html", watches=pages.watches_page(conf.index_dir, conf.load_aliases()))

    @router.post("/watches")
    async def watch_add_html(request: Request, conf: Conf) -> Response:
        form = await _form(request)
        name = form.pop("name", "")
        q = form.pop("q", "")
        filters = filters_from({k: v for k, v in form.items() if k in FILTER_PARAMS and v})
        add_watch(conf.index_dir, name.strip(), q, filters)
        return RedirectResponse("/watches", status_code=303)

    @router.post("/watches/{name}/seen")
    def watch_seen_html(name: Annotated[str, PathParam(pattern=r"^[\w.\-]{1,64}$")], conf: Conf) -> Response:
        new_hits(conf.index_dir, [name], mark=True, limit=0)
        return RedirectResponse("/watches", status_code=303)

    @router.post("/watches/{name}/remove")
    def watch_remove_html(name: Annotated[str, PathParam(pattern=r"^[\w.\-]{1,64}$")], conf: Conf) -> Response:
        remove_watch(conf.index_dir, name)
        return RedirectResponse("/watches", status_code=303)

    @router.get("/batch")
    def batch_form(request: Request) -> Response:
        return render(request, "batch.html", batch=None, terms="", mode=BatchMode.phrase, error=None)

    @router.post("/batch")
    async def batch_html(request: Request, conf: Conf) -> Response:
        form = await _form(request)
        terms = form.get("terms", "")
        try:
            mode = BatchMode(form.get("mode", "phrase"))
            data = pages.batch_page(conf.index_dir, terms, mode, aliases=conf.load_aliases())
        except (ValueError, FoiaSearchError) as exc:
            return render(request, "batch.html", 400, batch=None, terms=terms, mode=BatchMode.phrase, error=str(exc))
        if form.get("format") == "csv":
            return _batch_csv(data.rows)
        return render(request, "batch.html", batch=data, terms=terms, mode=mode, error=None)

    return router


async def _form(request: Request) -> dict[str, str]:
    """A posted form (`application/x-www-form-urlencoded`), last value of each field."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return dict(parse_qsl(body, keep_blank_values=True))


def _api_routes() -> Any:
    from fastapi import APIRouter

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
    def document_api(
        doc_id: DocId, state: State, conf: Conf, p: Annotated[int | None, Query(ge=1)] = None
    ) -> pages.DocumentPage:
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
        doc = get_document(conf.index_dir, doc_id)
        image = page_image(conf.index_dir, doc.fields, number, width)
        return Response(image, media_type="image/jpeg", headers={"cache-control": "private, max-age=86400"})

    @router.get(
        "/documents/{doc_id}/file",
        response_class=StreamingResponse,
        responses={200: {"content": {"application/pdf": {}, "text/plain": {}}}},
        summary="The original file, as indexed",
    )
    def file_api(doc_id: DocId, conf: Conf) -> StreamingResponse:
        doc = get_document(conf.index_dir, doc_id)
        handle = open_original(doc.fields)
        head = handle.read(4096)
        handle.seek(0)
        media = "application/pdf" if b"%PDF-" in head[:1024] else "text/plain; charset=utf-8"
        name = Path(str(doc.fields["source"])).name
        return StreamingResponse(
            _chunks(handle), media_type=media, headers={"content-disposition": _attachment(name)}
        )

    @router.get("/documents/{doc_id}/similar", summary="Documents most like one")
    def similar_api(
        doc_id: DocId, conf: Conf, limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10
    ) -> dict[str, Any]:
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
            body, media = _csv_chunks(rows, DOCUMENT_FIELDS), "text/csv; charset=utf-8"
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
    def watch_remove_api(name: Annotated[str, PathParam(pattern=r"^[\w.\-]{1,64}$")], conf: Conf) -> Response:
        remove_watch(conf.index_dir, name)
        return Response(status_code=204)

    @router.post("/watches/{name}/seen", summary="Mark a saved search's new hits seen")
    def watch_seen_api(name: Annotated[str, PathParam(pattern=r"^[\w.\-]{1,64}$")], conf: Conf) -> dict[str, int]:
        (news,) = new_hits(conf.index_dir, [name], mark=True, limit=0)
        return {"seen": news.total}

    @router.post("/batch", response_model=pages.BatchPage, summary="Hit counts of a list of terms")
    def batch_api(batch: BatchIn, conf: Conf, format: ExportFormat | None = None) -> Any:
        """Each term's number of matching documents and its three best; `format=csv` for a CSV."""
        data = pages.batch_page(conf.index_dir, "\n".join(batch.terms), batch.mode, aliases=conf.load_aliases())
        return _batch_csv(data.rows) if format is ExportFormat.csv else data

    return router


def _attachment(name: str) -> str:
    """A Content-Disposition naming a download (ASCII only; others replaced)."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name) or "download"
    return f'attachment; filename="{safe}"'


def _chunks(handle: io.BufferedReader | Any) -> Iterator[bytes]:
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


def _batch_csv(rows: Iterable[Any]) -> Response:
    out = io.StringIO()
    write_csv([batch_record(row) for row in rows], out, BATCH_FIELDS)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": _attachment("foia-batch.csv")})  # fmt: skip


__all__ = ["Config", "Hit", "create_app"]
