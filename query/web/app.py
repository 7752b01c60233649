"""The reading room's web app: HTML pages (`html`) and the JSON API under `/api/` (`api`), both
served from the same page functions (`pages`), described by the OpenAPI document at
`/api/openapi.json`, behind the `guard`.

Read-only over the index: the only things it writes are the saved searches (`watches.sqlite`,
as `foia watch` does) and the page-image cache.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from indexer.errors import ExitCode, FoiaSearchError

from ..search import keep_open
from . import api, html, threads, versions_diff
from .guard import Guard
from .params import MAX_BODY, Config
from .views import render

log = logging.getLogger(__name__)

STATUS_OF = {
    ExitCode.not_found: 404,
    ExitCode.no_index: 503,
    ExitCode.incompatible_index: 503,
    ExitCode.damaged_index: 503,
    ExitCode.index_busy: 503,
    ExitCode.unreachable: 503,
}
"""HTTP status of the project's errors (by their exit code); any other is a bad request (400)."""


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


def create_app(
    index_dir: Path, *, token: str | None = None, loopback: bool = True, aliases: Path | None = None
) -> FastAPI:
    """The reading room over the index at `index_dir`; `token` required on every request when
    given; `loopback` for a server bound to loopback only (Host checked)."""
    app = FastAPI(
        title="foia-search reading room",
        version="1",
        description="Search, read and export FOIA releases indexed by foia-search. Every HTML page "
        'has its JSON here; errors are `{"error": message}` with a 4xx status.',
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
    app.include_router(html.router, include_in_schema=False)
    app.include_router(api.router, prefix="/api")
    app.include_router(versions_diff.html_router, include_in_schema=False)
    app.include_router(versions_diff.api_router, prefix="/api")
    app.include_router(threads.html_router, include_in_schema=False)
    app.include_router(threads.api_router, prefix="/api")
    app.add_middleware(Guard, token=token, loopback=loopback)
    app.add_middleware(KeptSearchers)
    return app


class KeptSearchers:
    """ASGI middleware: requests use their worker thread's searcher of the index, kept open from
    one request to the next (see `search.keep_open`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with keep_open():
            await self.app(scope, receive, send)
