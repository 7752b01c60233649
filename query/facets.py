"""Facet counts for any query: each facet field's values in each segment read once into a table
(from the field's column or its postings) and kept, then counted over the matching documents.

Whoosh's own facets (`whoosh.sorting`) read every segment's values again at each search and
count through its collectors, a document at a time: seconds on 100,000 documents; a table read
once makes the count a C-level tally of the matching documents' value numbers.
"""

from __future__ import annotations

import heapq
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter

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
_NONE, _SEVERAL = -1, -2


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
    """A facet field's values in one segment: the distinct values, and each document's value as an
    index into them (`_NONE`; `_SEVERAL` for a document holding several, listed in `several`)."""

    values: tuple[str, ...]
    of_doc: array[int]
    several: dict[int, tuple[int, ...]]
    shown: dict[object, tuple[str | None, ...]] = field(default_factory=dict, compare=False)
    """The values as shown, by what showing them depends on (see `_shown_values`)."""
    grouped: dict[tuple[str | None, ...], dict[int, tuple[int, ...]]] = field(default_factory=dict, compare=False)
    """`several` as distinct shown values, by the values shown (see `_grouped`)."""
    totals: dict[int, Counter[int]] = field(default_factory=dict, compare=False)
    """How many live documents hold each value number, by the number of live documents."""


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
    stored), else from its terms' postings (a document may hold several)."""
    field = reader.schema[fieldname]
    count = reader.doc_count_all()
    numbers: dict[str, int] = {}
    of_doc = array("i", [_NONE]) * count
    several: dict[int, list[int]] = {}
    if reader.has_column(fieldname) and not field.column_type.stores_lists():
        column = reader.column_reader(fieldname, translate=False)
        for doc in range(count):
            value = field.from_column_value(column[doc])
            if value not in (None, "", b""):
                of_doc[doc] = numbers.setdefault(str(value), len(numbers))
    else:
        for btext in field.sortable_terms(reader, fieldname):
            number = numbers.setdefault(str(field.from_bytes(btext)), len(numbers))
            for doc in reader.postings(fieldname, btext).all_ids():
                current = of_doc[doc]
                if current == _NONE:
                    of_doc[doc] = number
                else:
                    several.setdefault(doc, [] if current == _SEVERAL else [current]).append(number)
                    of_doc[doc] = _SEVERAL
    return _Values(tuple(numbers), of_doc, {doc: tuple(values) for doc, values in several.items()})


def _grouped(table: _Values, shown: tuple[str | None, ...]) -> dict[int, tuple[int, ...]]:
    """The documents of `table` holding several values, each as its distinct shown values (the
    first value number of each), so that a document naming two forms of one person counts once."""
    found = table.grouped.get(shown)
    if found is None:
        first: dict[str | None, int] = {}
        for number, value in enumerate(shown):
            first.setdefault(value, number)
        found = {
            doc: tuple({first[shown[n]] for n in numbers if shown[n] is not None})
            for doc, numbers in table.several.items()
        }
        if len(table.grouped) > 4:  # the aliases changed several times: keep the latest
            table.grouped.clear()
        table.grouped[shown] = found
    return found


def _shown_values(name: str, table: _Values, aliases: PersonNames) -> tuple[str | None, ...]:
    """A table's values as the facet shows them: people by their name of the moment (from the
    aliases and the index's groups, `cache_key` telling when they change), cases in capitals."""
    key = (name, getattr(aliases, "cache_key", aliases)) if name in _PEOPLE else name
    found = table.shown.get(key)
    if found is None:
        if len(table.shown) > 8:
            table.shown.clear()
        found = table.shown[key] = tuple(_shown(name, value, aliases) for value in table.values)
    return found


def _numbers(table: _Values, shown: tuple[str | None, ...], docs: set[int], live: set[int]) -> Counter[int]:
    """How many of `docs` hold each value number. A one-value field matched by most of the
    segment is counted from the other side: its counts over every live document (kept) less the
    counts of the documents not matched."""
    if table.several:
        several = _grouped(table, shown)
        numbers = Counter(map(table.of_doc.__getitem__, docs - several.keys()))
        numbers.update(chain.from_iterable(map(several.__getitem__, docs & several.keys())))
        return numbers
    if len(docs) * 2 <= len(live):
        return Counter(map(table.of_doc.__getitem__, docs))
    everything = table.totals.get(len(live))
    if everything is None:
        table.totals.clear()
        everything = table.totals[len(live)] = Counter(map(table.of_doc.__getitem__, live))
    return everything - Counter(map(table.of_doc.__getitem__, live - docs))


_LIVE: OrderedDict[tuple[str, int], set[int]] = OrderedDict()


def _live(reader: IndexReader) -> set[int]:
    """The document numbers of a segment that are not deleted (a segment only ever loses
    documents, so its count of live ones tells its state)."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:
        return set(reader.all_doc_ids())
    key = (segment.segment_id(), reader.doc_count())
    found = _LIVE.get(key)
    if found is None:
        found = _LIVE[key] = set(reader.all_doc_ids())
        while len(_LIVE) > _TABLES_KEPT // 8:
            _LIVE.popitem(last=False)
    return found


Top = int | None | Mapping[str, int | None]
"""How many values of each facet to keep: the most frequent N, all (None), or by facet name
(a facet not named: all)."""


def facet_counts(
    searcher: Searcher,
    q: wq.Query,
    names: Iterable[str],
    aliases: PersonNames,
    top: Top = 20,
    matched: Mapping[int, set[int]] | None = None,
) -> dict[str, list[FacetCount]]:
    """Counts of the named facets over every document matching `q`: the `top` most frequent values
    of each, ties by value; documents without a value are left out. `matched`: the documents matching
    `q` when the search already has them (each segment's own numbers, by the segment's first global
    number, as `topk.top` gives them), so the query is not run again."""
    if matched is None:
        matching = [(sub.reader(), found) for sub, _ in segments(searcher) if (found := doc_set(q, sub))]
    else:
        matching = [(sub.reader(), ours) for sub, offset in segments(searcher) if (ours := matched.get(offset))]
    result = {}
    for name in names:
        counts: Counter[str] = Counter()
        for reader, docs in matching:
            table = _table(reader, FACET_FIELDS[name])
            shown = _shown_values(name, table, aliases)
            for number, n in _numbers(table, shown, docs, _live(reader)).items():
                if number >= 0 and (value := shown[number]) is not None:
                    counts[value] += n
        keep = top.get(name) if isinstance(top, Mapping) else top
        if keep is None:
            ranked = sorted(sorted(counts.items()), key=itemgetter(1), reverse=True)  # ties by value
        else:
            ranked = heapq.nsmallest(keep, counts.items(), key=lambda item: (-item[1], item[0]))
        result[name] = [FacetCount(value, count) for value, count in ranked]
    return result
