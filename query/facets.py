"""Facet counts for any query: each facet field's values in each segment read once into a table
(from the field's column or its postings) and kept, then counted over the matching documents.

Whoosh's own facets (`whoosh.sorting`) read every segment's values again at each search and
count through its collectors, a document at a time: seconds on 100,000 documents. Here a table
holds a segment's (document, value) pairs as numpy arrays, and a count is one `bincount` of the
values of the pairs whose document matches: a few milliseconds for every facet over 100,000
documents, however many match.
"""

from __future__ import annotations

import heapq
from collections import Counter, OrderedDict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from indexer.errors import QueryError
from indexer.schema import FACET_FIELDS

from .aliases import PersonNames
from .fast import doc_set, segments

FACETS = tuple(FACET_FIELDS)
"""Facet names, in the order they are documented."""

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


def _shown(name: str, value: object, aliases: PersonNames) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    if name in _PEOPLE:
        return aliases.canonical(text)
    return text.upper() if name in _UPPER else text


@dataclass(frozen=True)
class _Values:
    """A facet field's values in one segment: the distinct values, and the (document, value number)
    pairs of the documents that hold one or several (`docs[i]` holds `numbers[i]`)."""

    values: tuple[str, ...]
    docs: np.ndarray[Any, Any]
    numbers: np.ndarray[Any, Any]
    shown: dict[object, _Shown] = field(default_factory=dict, compare=False)
    """The values as shown, by what showing them depends on (see `_shown_values`)."""


@dataclass(frozen=True)
class _Shown:
    """A table's values as a facet shows them: the distinct shown values, and the table's pairs as
    (document, shown value number), each pair once (a document naming two forms of one person
    counts once for that person)."""

    names: tuple[str, ...]
    docs: np.ndarray[Any, Any]
    numbers: np.ndarray[Any, Any]


_TABLES: OrderedDict[tuple[str, str], _Values] = OrderedDict()
_TABLES_KEPT = 512
"""Value tables kept (segments times facet fields). A segment never changes, so a table read
once serves every later search of the process (the reading room's server above all)."""


def _table(reader: IndexReader, fieldname: str) -> _Values:
    """The value table of a field in one segment, from the cache or read now."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:
        return _read_table(reader, fieldname)
    key = (segment.segment_id(), fieldname)
    found = _TABLES.get(key)
    if found is None:
        found = _TABLES[key] = _read_table(reader, fieldname)
        while len(_TABLES) > _TABLES_KEPT:
            _TABLES.popitem(last=False)
    return found


def _read_table(reader: IndexReader, fieldname: str) -> _Values:
    """A field's values by document: from its column when it has one (one value a document, as
    stored), else from its terms' postings (a document may hold several). Deleted documents are
    kept: they never match."""
    field = reader.schema[fieldname]
    numbers: dict[str, int] = {}
    docs: list[int] = []
    of_docs: list[int] = []
    if reader.has_column(fieldname) and not field.column_type.stores_lists():
        column = reader.column_reader(fieldname, translate=False)
        for doc in range(reader.doc_count_all()):
            value = field.from_column_value(column[doc])
            if value not in (None, "", b""):
                docs.append(doc)
                of_docs.append(numbers.setdefault(str(value), len(numbers)))
    else:
        for btext in field.sortable_terms(reader, fieldname):
            number = numbers.setdefault(str(field.from_bytes(btext)), len(numbers))
            held = list(reader.postings(fieldname, btext).all_ids())
            docs.extend(held)
            of_docs.extend([number] * len(held))
    return _Values(tuple(numbers), np.array(docs, dtype=np.int64), np.array(of_docs, dtype=np.int64))


def _shown_values(name: str, table: _Values, aliases: PersonNames) -> _Shown:
    """A table's values as the facet shows them: people by their name of the moment (from the
    aliases and the index's groups, `cache_key` telling when they change), cases in capitals."""
    key = (name, getattr(aliases, "cache_key", aliases)) if name in _PEOPLE else name
    found = table.shown.get(key)
    if found is None:
        if len(table.shown) > 8:
            table.shown.clear()
        found = table.shown[key] = _grouped(table, [_shown(name, value, aliases) for value in table.values])
    return found


def _grouped(table: _Values, shown: list[str | None]) -> _Shown:
    """The table's pairs as (document, shown value number), each once, values shown as None left out."""
    names = list(dict.fromkeys(value for value in shown if value is not None))
    number = {value: n for n, value in enumerate(names)}
    of_value = np.array([-1 if value is None else number[value] for value in shown] or [-1], dtype=np.int64)
    grouped = of_value[table.numbers] if len(table.numbers) else np.empty(0, dtype=np.int64)
    kept = grouped >= 0
    pairs = np.unique(table.docs[kept] * max(1, len(names)) + grouped[kept])  # sorted: each pair once
    return _Shown(tuple(names), pairs // max(1, len(names)), pairs % max(1, len(names)))


def _mask(docs: Collection[int], size: int) -> np.ndarray[Any, Any]:
    """A segment's matching documents (its own numbers) as a mask over its `size` documents."""
    mask = np.zeros(size, dtype=bool)
    if isinstance(docs, (set, frozenset)):
        mask[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
    else:  # an array, read in place
        mask[np.asarray(docs)] = True
    return mask


Top = int | None | Mapping[str, int | None]
"""How many values of each facet to keep: the most frequent N, all (None), or by facet name
(a facet not named: all)."""


def facet_counts(
    searcher: Searcher,
    q: wq.Query,
    names: Iterable[str],
    aliases: PersonNames,
    top: Top = 20,
    matched: Mapping[int, Collection[int]] | None = None,
) -> dict[str, list[FacetCount]]:
    """Counts of the named facets over every document matching `q`: the `top` most frequent values
    of each, ties by value; documents without a value are left out. `matched`: the documents matching
    `q` when the search already has them (each segment's own numbers, by the segment's first global
    number, as `topk.top` gives them), so the query is not run again."""
    matching: dict[int, Collection[int]]
    if matched is None:
        matching = {offset: found for sub, offset in segments(searcher) if (found := doc_set(q, sub))}
    else:
        matching = {offset: ours for offset, ours in matched.items() if len(ours)}
    masks = [
        (sub.reader(), _mask(matching[offset], sub.reader().doc_count_all()))
        for sub, offset in segments(searcher)
        if offset in matching
    ]
    result = {}
    for name in names:
        counts: Counter[str] = Counter()
        for reader, mask in masks:
            shown = _shown_values(name, _table(reader, FACET_FIELDS[name]), aliases)
            tally = np.bincount(shown.numbers[mask[shown.docs]], minlength=len(shown.names))
            held = np.flatnonzero(tally)
            for number, n in zip(held.tolist(), tally[held].tolist(), strict=True):
                counts[shown.names[number]] += n
        keep = top.get(name) if isinstance(top, Mapping) else top
        if keep is None:
            ranked = sorted(sorted(counts.items()), key=itemgetter(1), reverse=True)  # ties by value
        else:
            ranked = heapq.nsmallest(keep, counts.items(), key=lambda item: (-item[1], item[0]))
        result[name] = [FacetCount(value, count) for value, count in ranked]
    return result
