"""What a search page's URL holds: the query, the filters, the order, the page and its size.

Every view is a link: the state is read from the URL's parameters and written back into the
links of the page (facets, chips, timeline bars, paging, export, document pages).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from urllib.parse import quote, urlencode

from ..parse import Filters
from ..search import Sort

PARAMS = {"sender": "from", "recipient": "to"}
"""URL parameter names of the filters that differ from their `Filters` field (the CLI's option names)."""

FILTER_PARAMS = tuple(PARAMS.get(f.name, f.name) for f in fields(Filters))
"""Every filter's URL parameter name, in `Filters` order."""

DEFAULT_SIZE = 20


def param_of(name: str) -> str:
    """The URL parameter of a `Filters` field."""
    return PARAMS.get(name, name)


_FILTER_FIELDS = tuple(f.name for f in fields(Filters))


def filter_values(filters: Filters) -> dict[str, str | None]:
    """The filters by field name (what `dataclasses.asdict` gives, without its deep copies: a
    search page makes hundreds of links)."""
    return {name: getattr(filters, name) for name in _FILTER_FIELDS}


@dataclass(frozen=True)
class Chip:
    """An active filter as shown above the hits, with the link that removes it."""

    label: str
    value: str
    remove: str


@dataclass(frozen=True)
class SearchState:
    """One search as a URL holds it."""

    q: str = ""
    filters: Filters = field(default_factory=Filters)
    sort: Sort = Sort.relevance
    page: int = 1
    size: int = DEFAULT_SIZE

    def params(self, **changes: object) -> list[tuple[str, str]]:
        """The URL parameters of this state with `changes` (Filters field names, or q, sort,
        page, size; None removes), defaults left out."""
        values: dict[str, object] = {"q": self.q, **filter_values(self.filters), "sort": self.sort.value}
        values |= {"page": self.page, "size": self.size} | changes
        defaults = {"sort": Sort.relevance.value, "page": 1, "size": DEFAULT_SIZE}
        out = []
        for name, value in values.items():
            if value in (None, "") or defaults.get(name) == value:
                continue
            out.append((param_of(name), str(value)))
        return out

    def link(self, path: str = "/", /, **changes: object) -> str:
        """A URL of `path` with this state's parameters and the changes."""
        query = urlencode(self.params(**changes))
        return f"{path}?{query}" if query else path

    def document(self, doc_id: str, page: int | None = None) -> str:
        """The link to a document opened from this search (its words marked), at `page`."""
        query = urlencode([*self.params(sort=None, page=None, size=None), *([("p", str(page))] if page else [])])
        path = f"/doc/{quote(doc_id)}"
        return (f"{path}?{query}" if query else path) + (f"#page={page}" if page else "")

    def refine(self, **filter_changes: str | None) -> str:
        """The search page with filters changed, from its first page."""
        return self.link(page=1, **filter_changes)

    @property
    def active(self) -> bool:
        return bool(self.q or any(filter_values(self.filters).values()))

    def chips(self) -> list[Chip]:
        """The active filters, each with the link that removes it (a date span is one chip)."""
        found = []
        f = self.filters
        if f.since and f.since == f.until:
            found.append(Chip("date", f.since, self.refine(since=None, until=None)))
        for name, value in filter_values(f).items():
            if not value or (name in ("since", "until") and f.since == f.until):
                continue
            found.append(Chip(param_of(name), value, self.refine(**{name: None})))
        return found

    def without_paging(self) -> SearchState:
        return replace(self, page=1, size=DEFAULT_SIZE)


FACET_FILTERS = {
    "sender": ("sender",),
    "recipient": ("recipient",),
    "case": ("case",),
    "year": ("since", "until"),
    "month": ("since", "until"),
    "exemption": ("exemption",),
    "status": ("status",),
    "classification": ("classification",),
    "agency": ("agency",),
}
"""The filters a click on a facet's value sets (a year or month sets a date span)."""


def facet_link(state: SearchState, facet: str, value: str) -> str:
    """The search page filtered to a facet's value."""
    return state.refine(**dict.fromkeys(FACET_FILTERS[facet], value))


def facet_active(state: SearchState, facet: str, value: str) -> bool:
    current = filter_values(state.filters)
    return all((current.get(name) or "").lower() == value.lower() for name in FACET_FILTERS[facet])
