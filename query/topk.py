"""Exact top hits of a keyword query, scored a term at a time instead of a document at a time.

Whoosh scores a query document by document through a tree of matchers: several Python calls per
document and term. For a word in most documents of a large index that is the whole cost of a
search, and block-max pruning cannot help, because BM25 gives every block of such a word about the
same best score. Here each term's postings are read a block at a time, each document's score is
looked up by (weight, length byte), the only things a BM25 term score reads per document, and
And/Or/Not merge `{document: score}` dicts; an exact phrase reads its words rarest first and
compares positions only where every word is. Scores and order are Whoosh's (the same scorer
objects; a phrase scores the sum of its words), best first, then the lowest document number.
A query with much to read has the second half of every segment scored by a forked second process.

Loose phrases (`"a b"~3`), wildcards, fuzzy terms and ranges are left to Whoosh."""

from __future__ import annotations

import heapq
import os
import pickle
import threading
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress, repeat
from operator import add, mul
from pickle import UnpicklingError, loads
from typing import Any, TypeVar

from whoosh import query as wq
from whoosh.formats import Positions
from whoosh.scoring import BM25F, BM25FScorer, WeightScorer
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from .fast import postings_blocks, segments, term_bytes

_T = TypeVar("_T")
_P = TypeVar("_P")


class Unscorable(Exception):
    """A term whose score needs more than its weight and the document's length."""


Scores = dict[int, float]
"""Document number (in one segment) to its score."""

NOT_SCORE = 1.0
"""What a `Not` part of an And adds to each score (Whoosh's InverseMatcher weight)."""
_LENGTH_KEY = 256
"""Weights and length bytes become one lookup key: weight * 256 + length byte."""


def supported(q: wq.Query) -> bool:
    """Whether `top` can score this query: Terms and exact phrases under And, Or, AndNot, AndMaybe
    and Not."""
    if type(q) is wq.Term:
        return True
    if type(q) is wq.Phrase:
        return q.slop == 1 and bool(q.words)
    if type(q) in (wq.Or, wq.DefaultOr):
        return not q.minmatch and not q.scale and all(supported(c) for c in q.children())
    if type(q) is wq.And:
        return any(not isinstance(c, wq.Not) for c in q.children()) and all(
            supported(c.query if isinstance(c, wq.Not) else c) for c in q.children()
        )
    if type(q) in (wq.AndNot, wq.AndMaybe):
        return supported(q.a) and supported(q.b)
    return False


@dataclass(frozen=True)
class Ranked:
    """What `top` found: how many documents match, the best as (score, global document number),
    best first, and, when asked for, every matching document: each segment's own numbers (in no
    order), by the segment's first global number (segments without a match left out)."""

    total: int
    best: list[tuple[float, int]]
    docs: dict[int, array[int]] | None = None


def top(
    searcher: Searcher,
    q: wq.Query,
    limit: int,
    allow: dict[int, set[int]] | None = None,
    *,
    docs: bool = False,
) -> Ranked | None:
    """How many documents match `q` and the best `limit`; with `docs`, every matching document
    too (what facet counts need, so the query is not run again for them). None when the query is
    not `supported` or its weighting needs more than weight and length. `allow`: the only
    documents of each segment that may match, by the segment's first global number."""
    if not supported(q):
        return None
    try:
        return _top(searcher, q, limit, allow, docs)
    except Unscorable:
        return None


_SegmentTop = tuple[int, int, list[tuple[float, int]], "array[int] | None"]
"""A part's first global number, its number of matches, its best hits, its matches when asked."""


def _top(searcher: Searcher, q: wq.Query, limit: int, allow: dict[int, set[int]] | None, docs: bool) -> Ranked:
    tables: dict[tuple[str, bytes, float, bool], _ScoreTable] = {}  # scores use index-wide statistics

    def segment_top(part: tuple[Searcher, int, range]) -> _SegmentTop:
        sub, offset, span = part
        only = None if allow is None else sorted(d for d in allow.get(offset, ()) if d in span)
        if only is not None and not only:
            return offset, 0, [], None
        scores = _Segment(sub, tables, span).scores(q, only)
        best = [(score, offset + docnum) for score, docnum in _best(scores, limit)]
        return offset, len(scores), best, array("I", scores) if docs and scores else None  # an array pickles small

    whole = [(sub, offset, range(sub.reader().doc_count_all())) for sub, offset in segments(searcher)]
    if _postings_to_read(searcher, q) >= PARALLEL_POSTINGS:
        found = _in_two_processes(segment_top, *_halves(whole))
    else:
        found = [segment_top(part) for part in whole]
    best = sorted((hit for _, _, hits, _ in found for hit in hits), key=lambda sd: (-sd[0], sd[1]))
    matching: dict[int, array[int]] | None = {} if docs else None
    if matching is not None:
        for offset, _, _, ids in found:
            if ids is not None:
                matching.setdefault(offset, array("I")).extend(ids)
    return Ranked(sum(total for _, total, _, _ in found), best[:limit], matching)


PARALLEL_POSTINGS = 50_000
"""From this many postings to read, a second process (forked) scores about half the documents:
about 30 ms of work on one core, far more than the few milliseconds a fork costs."""


def _postings_to_read(searcher: Searcher, q: wq.Query) -> int:
    """How many postings the query's words hold in the whole index."""
    total = 0
    for leaf in q.leaves() if not q.is_leaf() else [q]:
        for word in leaf.words if isinstance(leaf, wq.Phrase) else [getattr(leaf, "text", None)]:
            if word is not None and leaf.fieldname in searcher.schema:
                total += searcher.doc_frequency(leaf.fieldname, word)
    return total


def _in_two_processes(work: Callable[[_P], _T], mine: list[_P], theirs: list[_P]) -> list[_T]:
    """`work` of every part, `theirs` in a forked child (its results pickled back through a pipe)
    while this process does `mine`. Without fork (Windows), with other threads running (a fork
    copies only this one), or when the child fails, all of the work is done here."""
    if not theirs or not hasattr(os, "fork") or threading.active_count() > 1:
        return [work(part) for part in mine + theirs]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its half, pickled into the pipe, then gone without cleanup
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                out.write(pickle.dumps([work(part) for part in theirs]))
        finally:
            os._exit(0)
    os.close(write_end)
    pipe = os.fdopen(read_end, "rb")
    try:
        here = [work(part) for part in mine]
        data = pipe.read()
    finally:
        pipe.close()  # first, so a child still writing stops (broken pipe) instead of waiting
        os.waitpid(pid, 0)
    try:
        there = pickle.loads(data)
    except (pickle.UnpicklingError, EOFError):
        there = [work(part) for part in theirs]
    return here + there


def _halves(parts: list[tuple[Searcher, int, range]]) -> tuple[list[Any], list[Any]]:
    """Every segment's documents cut in two at the middle: the first halves and the second
    halves (as many documents on each side, however unequal the segments)."""
    first, second = [], []
    for sub, offset, span in parts:
        middle = (span.start + span.stop) // 2
        first.append((sub, offset, range(span.start, middle)))
        second.append((sub, offset, range(middle, span.stop)))
    return first, second


def _best(scores: Scores, limit: int) -> list[tuple[float, int]]:
    """The `limit` best (score, document number), ties to the lowest number."""
    if not scores or limit <= 0:
        return []
    floor = heapq.nlargest(limit, scores.values())[-1]
    tied = compress(scores.items(), map(floor.__le__, scores.values()))
    return sorted(((score, docnum) for docnum, score in tied), key=lambda sd: (-sd[0], sd[1]))[:limit]


class _Segment:
    """Scoring the documents of one segment's searcher in `span` (document numbers)."""

    def __init__(
        self, searcher: Searcher, tables: dict[tuple[str, bytes, float, bool], _ScoreTable], span: range
    ) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self._tables = tables
        self._span = span
        self._lengths: dict[str, bytes | None] = {}
        self._deleted = self.reader.deleted_docs_set if self.reader.has_deletions() else frozenset()

    def scores(self, q: wq.Query, only: Sequence[int] | None) -> Scores:
        """Scores of the documents matching `q`; `only`: sorted documents to consider (None: all)."""
        if type(q) is wq.Term:
            found = self._term(q, only)
        elif type(q) is wq.Phrase:
            found = self._phrase(q, only)
        elif isinstance(q, wq.Or):
            found = self._or(list(q.children()), only)
        elif type(q) is wq.And:
            found = self._and(list(q.children()), only)
        elif type(q) is wq.AndNot:
            found = self.scores(q.a, only)
            if found:
                for docnum in self.scores(q.b, sorted(found)):
                    del found[docnum]
            return found
        elif type(q) is wq.AndMaybe:
            found = self.scores(q.a, only)
            if found:
                for docnum, score in self.scores(q.b, sorted(found)).items():
                    found[docnum] += score
            return found
        else:
            raise Unscorable(f"cannot score {q!r} term by term")
        if q.boost != 1.0 and type(q) not in (wq.Term, wq.Phrase):
            found = {docnum: score * q.boost for docnum, score in found.items()}
        return found

    def _or(self, children: Sequence[wq.Query], only: Sequence[int] | None) -> Scores:
        parts = sorted((self.scores(c, only) for c in children), key=len, reverse=True)
        found = parts[0] if parts else {}
        for part in parts[1:]:
            get = found.get
            for docnum, score in part.items():
                found[docnum] = get(docnum, 0.0) + score
        return found

    def _and(self, children: Sequence[wq.Query], only: Sequence[int] | None) -> Scores:
        required = sorted((c for c in children if not isinstance(c, wq.Not)), key=self._estimate)
        excluded = [c.query for c in children if isinstance(c, wq.Not)]
        found = self.scores(required[0], only)
        for child in required[1:]:
            if not found:
                return found
            more = self.scores(child, sorted(found))
            found = {docnum: score + more[docnum] for docnum, score in found.items() if docnum in more}
        for child in excluded:
            if not found:
                return found
            dropped = self.scores(child, sorted(found))
            found = {docnum: score + NOT_SCORE for docnum, score in found.items() if docnum not in dropped}
        return found

    def _estimate(self, q: wq.Query) -> int:
        return int(q.estimate_size(self.reader))

    def _table(self, fieldname: str, btext: bytes, boost: float) -> tuple[_ScoreTable, bytes | None]:
        """A term's scores (shared by all segments: BM25 reads index-wide statistics) and the lengths."""
        lengths = self._length_bytes(fieldname)
        key = (fieldname, btext, boost, lengths is not None)
        if key not in self._tables:
            self._tables[key] = _ScoreTable(_scorer(self.searcher, fieldname, btext), boost, lengths is not None)
        return self._tables[key], lengths

    def _term(self, q: wq.Term, only: Sequence[int] | None) -> Scores:
        btext = term_bytes(self.searcher, q.fieldname, q.text)
        if btext is None:
            return {}
        lookup, lengths = self._table(q.fieldname, btext, q.boost)
        found: Scores = {}
        for ids, weights, _ in postings_blocks(self.reader, q.fieldname, btext, only, self._span):
            keys = map(mul, weights, repeat(_LENGTH_KEY))  # all in C: no Python code per document
            if lengths is not None:
                keys = map(add, keys, map(lengths.__getitem__, ids))
            found.update(zip(ids, map(lookup.__getitem__, keys), strict=True))
        if only is not None:
            found = {d: found[d] for d in found.keys() & set(only)}
        for docnum in self._deleted:
            found.pop(docnum, None)
        return found

    def _phrase(self, q: wq.Phrase, only: Sequence[int] | None) -> Scores:
        """Documents holding the words one after the other, scored as Whoosh scores a phrase: the
        sum of its words' scores. Words are read rarest first, each only where the ones before
        all are; positions are compared only for documents holding every word."""
        field = self.searcher.schema[q.fieldname] if q.fieldname in self.searcher.schema else None
        if field is None or not field.format.supports("positions"):
            raise Unscorable(f"{q.fieldname} keeps no positions")
        words = [term_bytes(self.searcher, q.fieldname, word) for word in q.words]
        if any(w is None for w in words):
            return {}
        known = [w for w in words if w is not None]
        postings: dict[bytes, dict[int, tuple[float, bytes]]] = {}
        for btext in sorted(set(known), key=lambda w: self.reader.doc_frequency(q.fieldname, w)):
            read: dict[int, tuple[float, bytes]] = {}
            for ids, weights, values in postings_blocks(self.reader, q.fieldname, btext, only, self._span, values=True):
                read.update(zip(ids, zip(weights, values or (), strict=True), strict=True))
            if only is not None:
                read = {d: read[d] for d in read.keys() & set(only)}
            postings[btext] = read
            only = sorted(read)
            if not only:
                return {}
        tables = [self._table(q.fieldname, btext, 1.0) for btext in known]
        candidates = only or []
        found: Scores = {}
        for docnum in _in_sequence(field.format, [[postings[w][d][1] for d in candidates] for w in known], candidates):
            found[docnum] = q.boost * sum(
                table[postings[btext][docnum][0] * _LENGTH_KEY + (lengths[docnum] if lengths else 0)]
                for btext, (table, lengths) in zip(known, tables, strict=True)
            )
        for docnum in self._deleted:
            found.pop(docnum, None)
        return found

    def _length_bytes(self, fieldname: str) -> bytes | None:
        """One length byte per document of a field (None when the field keeps no lengths)."""
        if fieldname not in self._lengths:
            self._lengths[fieldname] = _length_column(self.reader, fieldname)
        return self._lengths[fieldname]


class _ScoreTable(dict[float, float]):
    """A term's scores by `weight * 256 + length byte`, each computed once with its scorer."""

    def __init__(self, scorer: Any, boost: float, has_lengths: bool) -> None:
        super().__init__()
        self._scorer = scorer
        self._boost = boost
        self._has_lengths = has_lengths

    def __missing__(self, key: float) -> float:
        weight, lbyte = divmod(key, _LENGTH_KEY)
        if isinstance(self._scorer, WeightScorer):
            score = weight
        else:
            score = self._scorer._score(weight, byte_to_length(int(lbyte)) if self._has_lengths else 1)
        self[key] = score * self._boost
        return self[key]


def _in_sequence(format_: Any, values: list[list[bytes]], docnums: Sequence[int]) -> list[int]:
    """The documents whose words (`values[k][i]`: the encoded positions of word k in document i)
    stand one after the other somewhere."""
    if type(format_) is Positions and len(values) == 2:
        try:  # two words, Whoosh's own format (a 4-byte count, then the pickled gaps): all in C
            shift = (-1).__add__
            return [
                docnum
                for docnum, first, second in zip(docnums, values[0], values[1], strict=True)
                if not set(accumulate(loads(first[4:]))).isdisjoint(map(shift, accumulate(loads(second[4:]))))
            ]
        except UnpicklingError:  # gaps written without pickle's stop byte
            pass
    positions = format_.decode_positions
    last = len(values) - 1
    shifts = [(-k).__add__ for k in range(last + 1)]
    found = []
    for i, docnum in enumerate(docnums):
        starts = set(positions(values[0][i]))
        for k in range(1, last + 1):
            starts.intersection_update(map(shifts[k], positions(values[k][i])))
        if starts:
            found.append(docnum)
    return found


def _scorer(searcher: Searcher, fieldname: str, btext: bytes) -> Any:
    """Whoosh's scorer of a term, or Unscorable when its score needs more than weight and length."""
    weighting = searcher.weighting
    field = searcher.schema[fieldname]
    integral = float(getattr(field.format, "field_boost", 1.0)).is_integer()
    if type(weighting) is not BM25F or weighting.use_final or not integral:
        raise Unscorable(f"{weighting!r} on {fieldname}")
    scorer = weighting.scorer(searcher, fieldname, btext)
    if not isinstance(scorer, (WeightScorer, BM25FScorer)):
        raise Unscorable(f"{scorer!r}")
    return scorer


def _length_column(reader: Any, fieldname: str) -> bytes | None:
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if hasattr(reader, "_perdoc") else None
    if column is None:
        return None
    if not hasattr(column, "_dbfile"):
        raise Unscorable(f"lengths of {fieldname} in {column!r}")
    count = reader.doc_count_all()
    stored = column._dbfile.get(column._basepos, column._count) if column._count else b""
    return bytes(stored) + bytes(max(0, count - len(stored)))
