"""The reading room's diff page: two releases of one record side by side, the passages one
reveals that the other withheld (`query.diff`), as HTML at `/diff/{id}/{other}` and as JSON at
`/api/diff/{id}/{other}`; `/diff/{id}` compares the oldest and the newest release of its record."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..diff import Diff, compare, versions_to_compare
from .params import Conf, DocId
from .views import render

html_router = APIRouter(default_response_class=HTMLResponse)
api_router = APIRouter()


def diff_page(index_dir: Path, doc_id: str, other: str | None = None) -> Diff:
    """The diff of two documents (ids or doc numbers), the first taken as the older; without
    `other`, the oldest and the newest release of the record `doc_id` belongs to."""
    if other is None:
        doc_id, other = versions_to_compare(index_dir, doc_id)
    return compare(index_dir, doc_id, other)


@html_router.get("/diff/{doc_id}")
def record_diff_html(request: Request, doc_id: DocId, conf: Conf) -> Response:
    return render(request, "diff.html", diff=diff_page(conf.index_dir, doc_id))


@api_router.get("/diff/{doc_id}", response_model=Diff, summary="What the newest release of a record reveals")
def record_diff_api(doc_id: DocId, conf: Conf) -> Diff:
    """The oldest and the newest release of the record a document belongs to, aligned as in
    `/api/diff/{doc_id}/{other}`; 400 when the record has no other release in the index."""
    return diff_page(conf.index_dir, doc_id)


@html_router.get("/diff/{doc_id}/{other}")
def diff_html(request: Request, doc_id: DocId, other: DocId, conf: Conf) -> Response:
    return render(request, "diff.html", diff=diff_page(conf.index_dir, doc_id, other))


@api_router.get("/diff/{doc_id}/{other}", response_model=Diff, summary="What one release reveals that another withheld")
def diff_api(doc_id: DocId, other: DocId, conf: Conf) -> Diff:
    """Two versions of a record aligned: the passages present in one and withheld in the other,
    in order, each with its kind (revealed, withheld, changed), its text and page on each side
    and the exemption codes cited where it was withheld; OCR noise folded (counted)."""
    return diff_page(conf.index_dir, doc_id, other)
