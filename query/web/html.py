"""The reading room's HTML pages: each renders the data of its page function (`pages`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from indexer.errors import ExitCode, FoiaSearchError

from ..batch import BatchMode
from ..watch import add_watch, new_hits, remove_watch
from . import pages
from .api import batch_csv
from .params import Conf, DocId, Form, State, WatchName, Window, filters_from
from .state import FILTER_PARAMS
from .views import render

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
def document_html(request: Request, doc_id: DocId, state: State, conf: Conf, p: Window = None) -> Response:
    data = pages.document_page(conf.index_dir, doc_id, state, p, conf.load_aliases())
    return render(request, "document.html", doc=data, state=state)


@router.get("/watches")
def watches_html(request: Request, conf: Conf) -> Response:
    return render(request, "watches.html", watches=pages.watches_page(conf.index_dir, conf.load_aliases()))


@router.post("/watches")
def watch_add_html(form: Form, conf: Conf) -> Response:
    filters = filters_from({k: v for k, v in form.items() if k in FILTER_PARAMS and v})
    add_watch(conf.index_dir, form.get("name", "").strip(), form.get("q", ""), filters)
    return RedirectResponse("/watches", status_code=303)


@router.post("/watches/{name}/seen")
def watch_seen_html(name: WatchName, conf: Conf) -> Response:
    new_hits(conf.index_dir, [name], mark=True, limit=0)
    return RedirectResponse("/watches", status_code=303)


@router.post("/watches/{name}/remove")
def watch_remove_html(name: WatchName, conf: Conf) -> Response:
    remove_watch(conf.index_dir, name)
    return RedirectResponse("/watches", status_code=303)


@router.get("/batch")
def batch_form(request: Request) -> Response:
    return render(request, "batch.html", batch=None, terms="", mode=BatchMode.phrase, error=None)


@router.post("/batch")
def batch_html(request: Request, form: Form, conf: Conf) -> Response:
    terms = form.get("terms", "")
    try:
        mode = BatchMode(form.get("mode", "phrase"))
        data = pages.batch_page(conf.index_dir, terms, mode, aliases=conf.load_aliases())
    except (ValueError, FoiaSearchError) as exc:
        return render(request, "batch.html", 400, batch=None, terms=terms, mode=BatchMode.phrase, error=str(exc))
    if form.get("format") == "csv":
        return batch_csv(data.rows)
    return render(request, "batch.html", batch=data, terms=terms, mode=mode, error=None)
