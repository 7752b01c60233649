"""The HTML side: the Jinja2 environment (escaping everything by default), the filters that mark
matches in release text, and rendering a page's data through its template."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from ..batch import MAX_TERMS, BatchMode
from ..parse import MAX_QUERY_LENGTH, STATUSES, Filters
from ..reading import METADATA_FIELDS
from ..search import MARK, Sort
from .state import facet_active, facet_link, filter_values, param_of


def filter_items(filters: Filters) -> list[tuple[str, str]]:
    """The filters set, by their URL names."""
    return [(param_of(k), v) for k, v in filter_values(filters).items() if v]


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
                      lstrip_blocks=True, auto_reload=False)  # fmt: skip  # package files: no stat per include
    env.filters |= {"marked": marked, "snippet": snippet}
    env.globals |= {
        "facet_link": facet_link, "facet_active": facet_active, "statuses": STATUSES, "sorts": list(Sort),
        "modes": list(BatchMode), "param_of": param_of,
        "max_query": MAX_QUERY_LENGTH, "max_terms": MAX_TERMS, "metadata_fields": METADATA_FIELDS,
        "filter_items": filter_items,
    }  # fmt: skip
    return env


TEMPLATES = Jinja2Templates(env=_environment())


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)
