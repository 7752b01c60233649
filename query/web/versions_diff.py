"""The reading room's diff page: two releases of one record side by side, the passages one
reveals that the other withheld (`query.diff`), as HTML at `/diff/{id}/{other}` and as JSON at
`/api/diff/{id}/{other}`."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..diff import Diff, compare
from .params import Conf, DocId
from .views import render

html_router = APIRouter(default_response_class=HTMLResponse)
api_router = APIRouter()


def diff_page(index_dir: Path, doc_id: str, other: str) -> Diff:
    """The diff of two documents (ids or doc numbers), the first taken as the older."""
    return compare(index_dir, doc_id, other)


@html_router.get("/diff/{doc_id}/{other}")
def diff_html(request: Request, doc_id: DocId, other: DocId, conf: Conf) -> Response:
    return render(request, "diff.html", diff=diff_page(conf.index_dir, doc_id, other))


@api_router.get("/diff/{doc_id}/{other}", response_model=Diff, summary="What one release reveals that another withheld")
def diff_api(doc_id: DocId, other: DocId, conf: Conf) -> Diff:
    """Two versions of a record aligned: the passages present in one and withheld in the other,
    in order, each with its kind (revealed, withheld, changed), its text and page on each side
    and the exemption codes cited where it was withheld; OCR noise folded (counted)."""
    return diff_page(conf.index_dir, doc_id, other)
