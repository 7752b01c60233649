"""The reading room's thread view: the conversation a document belongs to, as a tree, in HTML
(`/thread/ID`) and JSON (`/api/threads/ID`), from one data function."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..threads import Thread, thread
from .params import Conf, DocId
from .views import render

html_router = APIRouter(default_response_class=HTMLResponse)
api_router = APIRouter()


def thread_page(index_dir: Path, doc_id: str) -> Thread:
    """The data of the thread view: the thread of a document (by id or doc number)."""
    return thread(index_dir, doc_id)


@html_router.get("/thread/{doc_id}")
def thread_html(request: Request, doc_id: DocId, conf: Conf) -> Response:
    return render(request, "thread.html", thread=thread_page(conf.index_dir, doc_id))


@api_router.get("/threads/{doc_id}", response_model=Thread, summary="The conversation a document belongs to")
def thread_api(doc_id: DocId, conf: Conf) -> Thread:
    """Its messages as a tree, depth first: each with sender, recipients, date, subject, the
    first words of its body, every document and page printing it, and the index of the message
    it answers (`parent`)."""
    return thread_page(conf.index_dir, doc_id)
