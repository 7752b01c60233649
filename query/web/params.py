"""The reading room's request parameters, with their limits: the search a URL holds, document ids
and page numbers in paths, posted forms and JSON bodies, and the app's configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from indexer.errors import BadArgumentError

from ..aliases import Aliases, index_aliases, load_aliases
from ..batch import MAX_TERM_LENGTH, MAX_TERMS, BatchMode
from ..parse import MAX_QUERY_LENGTH, Filters
from ..search import Sort
from .pages import MAX_DEPTH
from .state import FILTER_PARAMS, SearchState, param_of

MAX_PAGE_SIZE = 100
MAX_FILTER_LENGTH = 200
MAX_BODY = 256 * 1024
"""The largest request body accepted (a batch of `MAX_TERMS` lines fits)."""
ID_PATTERN = r"^[\w.\-]{1,80}$"
"""What a document id or doc number looks like in a URL."""
NAME_PATTERN = r"^[\w.\-]{1,64}$"
"""What a saved search's name looks like."""


@dataclass(frozen=True)
class Config:
    """What the app serves: the index folder and the alias file (read at each request)."""

    index_dir: Path
    aliases: Path | None = None

    def load_aliases(self) -> Aliases:
        """The alias file given (an error when it is missing), else the index folder's, if any."""
        return load_aliases(self.aliases) if self.aliases else index_aliases(self.index_dir)


def config(request: Request) -> Config:
    return request.app.state.config  # type: ignore[no-any-return]


Conf = Annotated[Config, Depends(config)]

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
    page: Annotated[int, Query(ge=1, le=MAX_DEPTH)] = 1,
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
WatchName = Annotated[str, PathParam(pattern=NAME_PATTERN, description="A saved search's name.")]
Window = Annotated[int | None, Query(ge=1, le=1_000_000, description="Show the window of pages holding page p.")]


async def form_fields(request: Request) -> dict[str, str]:
    """A posted form (`application/x-www-form-urlencoded`), the last value of each field."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return dict(parse_qsl(body, keep_blank_values=True))


Form = Annotated[dict[str, str], Depends(form_fields)]


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


class WatchIn(BaseModel):
    """A search to save: a name, a query, and filters by their URL names."""

    name: str = Field(pattern=NAME_PATTERN)
    q: str = Field(default="", max_length=MAX_QUERY_LENGTH)
    filters: dict[str, str] = Field(default_factory=dict, max_length=len(FILTER_PARAMS))


class BatchIn(BaseModel):
    """A batch search: the terms, and how each is searched."""

    terms: list[Annotated[str, Field(max_length=MAX_TERM_LENGTH)]] = Field(max_length=MAX_TERMS)
    mode: BatchMode = BatchMode.phrase


def filters_from(values: Mapping[str, str]) -> Filters:
    """Filters from their URL names (`from`, `to`, `case`, ...); an unknown name is an error."""
    names = {param_of(f): f for f in Filters.__dataclass_fields__}
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise BadArgumentError(f"unknown filter {unknown[0]!r}; filters: {', '.join(FILTER_PARAMS)}")
    for value in values.values():
        if len(value) > MAX_FILTER_LENGTH:
            raise BadArgumentError(f"a filter value of {len(value)} characters; the limit is {MAX_FILTER_LENGTH}")
    return Filters(**{names[k]: v or None for k, v in values.items()})
