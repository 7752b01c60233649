"""Facet counts for any query, by Whoosh's facet machinery (`whoosh.sorting`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from whoosh import sorting

from indexer.errors import QueryError
from indexer.schema import FACET_FIELDS

from .aliases import PersonNames

FACETS = tuple(FACET_FIELDS)
"""Facet names, in the order they are documented."""

_MULTI = {"recipient", "exemption"}
"""Facets whose field holds several values per document (a document counts once in each)."""
_PEOPLE = {"sender", "recipient"}
_UPPER = {"case"}


@dataclass(frozen=True)
class FacetCount:
    """One value of a facet and how many matching documents have it."""

    value: str
    count: int


def check_facets(names: Iterable[str]) -> tuple[str, ...]:
    """The facet names, checked; QueryError names the known ones."""
    chosen = tuple(dict.fromkeys(n.strip().lower() for n in names))
    for name in chosen:
        if name not in FACET_FIELDS:
            raise QueryError(f"unknown facet {name!r}; use one of {', '.join(FACETS)}")
    return chosen


def facet_spec(names: Iterable[str]) -> sorting.Facets:
    """The Whoosh facets counting the named facets (for `Searcher.search(groupedby=...)`)."""
    facets = sorting.Facets()
    for name in names:
        field = FACET_FIELDS[name]
        maptype = sorting.UnorderedList if name in _MULTI and name in _PEOPLE else sorting.Count
        facets.add_facet(name, sorting.FieldFacet(field, allow_overlap=name in _MULTI, maptype=maptype))
    return facets


def _shown(name: str, value: object, aliases: PersonNames) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    if name in _PEOPLE:
        return aliases.canonical(text)
    return text.upper() if name in _UPPER else text


def tally(
    name: str, groups: Mapping[object, int | Sequence[int]], aliases: PersonNames, top: int | None = None
) -> list[FacetCount]:
    """A facet's Whoosh groups (counts, or for recipients the documents, so that a document naming
    one person twice counts once) as values, most frequent first (ties by value); documents
    without a value are left out; the forms of one person are merged."""
    counts: Counter[str] = Counter()
    documents: defaultdict[str, set[int]] = defaultdict(set)
    for value, found in groups.items():
        shown = _shown(name, value, aliases)
        if shown is None:
            continue
        if isinstance(found, int):
            counts[shown] += found
        else:
            documents[shown].update(found)
    counts.update({shown: len(docs) for shown, docs in documents.items()})
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [FacetCount(value, count) for value, count in ranked[:top]]
