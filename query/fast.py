"""What makes a top-10 search fast on a large index without changing its results.

Whoosh finds the best hits quickly when it may skip documents that cannot make the top N
(block-quality optimizations and matcher pruning), but then its count of matching documents is
wrong (it counts what it looked at; on a multi-segment index `And([term, date range])` gave 291
for 1,950). So `query.search` lets Whoosh skip, and counts here, exactly, from the documents of
each segment as sets: postings are read a block at a time, and And/Or/Not are set operations.

Date ranges of whole days (`--since`, `--until`, `date:2011-03`) are matched through the
`year`/`month`/`day` bucket fields (see `indexer.schema.bucket_query`): the document numbers of
every bucket term, read a block at a time and sorted, are the range's documents, with a constant
score as Whoosh's own DateRange gives.
"""

from __future__ import annotations

import re
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, chain, compress
from typing import Any

from whoosh import query as wq
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter, Token
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.searching import Searcher

from indexer.schema import AccentFolder, SentDate, bucket_query

from .parse import positive_leaves

_TICK_US = 1


def postings_blocks(
    reader: Any,
    fieldname: str,
    btext: bytes,
    only: Sequence[int] | None = None,
    span: range | None = None,
    values: bool = False,
) -> Iterator[tuple[Sequence[int], Sequence[float], Sequence[Any] | None]]:
    """(document numbers, weights, values or None) of a term's postings in `span` (default: all),
    a block at a time, read whole (Whoosh's matchers step through them one by one); with `only`,
    just the blocks that may hold one of those (sorted) documents. Deleted documents are not
    removed."""
    span = range(reader.doc_count_all()) if span is None else span
    m = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format) if hasattr(reader, "_terms") else None
    if m is None or not hasattr(m, "_read_data"):
        m = m or reader.postings(fieldname, btext)
        ids, weights, raw = [], [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            raw.append(m.value() if values else None)
            m.next()
        yield _within(span, ids, weights, raw)
        return
    if not values and (decoded := _decoded(reader, fieldname, btext, m)) is not None:
        yield from _kept_blocks(decoded, only, span)
        return
    i, n = 0, len(only) if only is not None else 0
    while m.is_active():
        last = m.block_max_id()
        if last < span.start or only is not None and i < n and only[i] > last:
            m._next_block()
            continue
        if only is not None:
            if i >= n:
                return
            i = bisect_right(only, last, i)
        if m._data is None:
            m._read_data()
        raw = m._data[0]
        ids = raw if m._byteids else list(accumulate(raw))
        if ids[0] >= span.stop:
            return
        if m._weights is None:
            m._read_weights()
        if values and m._values is None:
            m._read_values()
        block = (ids, m._weights, m._values if values else None)
        yield _within(span, *block) if ids[0] < span.start or last >= span.stop else block
        m._next_block()


DECODED_MIN = 1_000
"""Terms in at least this many documents of a segment keep their postings decoded (Whoosh's blocks
are pickled and compressed: reading them is most of the time of a search for a common word)."""
DECODED_KEPT = 4_000_000
"""Decoded postings kept in all (about 8 bytes each), the least recently used dropped first."""
_DECODED: OrderedDict[tuple[str, str, bytes], list[tuple[int, array[int], Sequence[float]]]] = OrderedDict()
_DECODED_LOCK = threading.Lock()
_decoded_size = [0]


def _decoded(reader: Any, fieldname: str, btext: bytes, m: Any) -> list[tuple[int, array[int], Sequence[float]]] | None:
    """A common term's postings in one segment as (last document, documents, weights) blocks, kept
    for the next search (a segment never changes; deletions are left to the caller); None for a
    rare term. A reading room's searches repeat their words: each facet or timeline click runs
    the same words with one more filter."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None or reader.doc_frequency(fieldname, btext) < DECODED_MIN:
        return None
    key = (segment.segment_id(), fieldname, btext)
    with _DECODED_LOCK:
        found = _DECODED.get(key)
        if found is not None:
            _DECODED.move_to_end(key)
            return found
    found = []
    while m.is_active():
        if m._data is None:
            m._read_data()
        raw = m._data[0]
        if m._weights is None:
            m._read_weights()
        found.append((m.block_max_id(), array("I", raw if m._byteids else accumulate(raw)), m._weights))
        m._next_block()
    with _DECODED_LOCK:
        if key not in _DECODED:
            _DECODED[key] = found
            _decoded_size[0] += sum(len(ids) for _, ids, _ in found)
        while _decoded_size[0] > DECODED_KEPT and len(_DECODED) > 1:
            _decoded_size[0] -= sum(len(ids) for _, ids, _ in _DECODED.popitem(last=False)[1])
    return found


def _kept_blocks(
    blocks: list[tuple[int, array[int], Sequence[float]]], only: Sequence[int] | None, span: range
) -> Iterator[tuple[Sequence[int], Sequence[float], None]]:
    """`postings_blocks` from decoded blocks: the same blocks, cut the same way."""
    i, n = 0, len(only) if only is not None else 0
    for last, ids, weights in blocks:
        if last < span.start or only is not None and i < n and only[i] > last:
            continue
        if only is not None:
            if i >= n:
                return
            i = bisect_right(only, last, i)
        if ids[0] >= span.stop:
            return
        yield _within(span, ids, weights, None) if ids[0] < span.start or last >= span.stop else (ids, weights, None)


def _within(span: range, ids: Sequence[int], weights: Sequence[float], values: Sequence[Any] | None) -> Any:
    """A block's postings cut to the documents in `span` (ids sorted)."""
    start, stop = bisect_left(ids, span.start), bisect_left(ids, span.stop)
    return ids[start:stop], weights[start:stop], values[start:stop] if values is not None else None


def term_bytes(searcher: Searcher, fieldname: str, text: str | bytes) -> bytes | None:
    """A word's bytes in a field, or None when the index does not hold it there."""
    if fieldname not in searcher.schema:
        return None
    try:
        btext = searcher.schema[fieldname].to_bytes(text) if isinstance(text, str) else text
    except ValueError:
        return None
    return btext if (fieldname, btext) in searcher.reader() else None


def _postings(reader: Any, fieldname: str, btext: bytes) -> list[int]:
    """Document numbers holding a term (deleted documents left out)."""
    ids: list[int] = []
    try:
        for block, _, _ in postings_blocks(reader, fieldname, btext):
            ids.extend(block)
    except KeyError:  # TermNotFound
        return []
    if reader.has_deletions():
        deleted = reader.deleted_docs_set
        return [d for d in ids if d not in deleted]
    return ids


class _SortedIds(ListMatcher):  # type: ignore[misc]
    """Sorted document numbers with one score: skips by bisection; when it is the whole query,
    Whoosh may stop at the first `limit` documents (no later one can score higher)."""

    def __init__(self, ids: array[int], score: float, standalone: bool) -> None:
        super().__init__(ids, all_weights=score)
        self._i: int = 0
        self._standalone = standalone

    def skip_to(self, id: int) -> None:
        if self._i < len(self._ids) and self._ids[self._i] < id:
            self._i = bisect_left(self._ids, id, self._i)

    def supports_block_quality(self) -> bool:
        return self._standalone

    def max_quality(self) -> float:
        return float(self._all_weights)

    def block_quality(self) -> float:
        return float(self._all_weights)

    def skip_to_quality(self, minquality: float) -> int:
        if self._standalone and self._all_weights <= minquality and self.is_active():
            self._i = len(self._ids)
            return 1
        return 0

    def copy(self) -> _SortedIds:
        other = _SortedIds(self._ids, self._all_weights, self._standalone)
        other._i = self._i
        return other


class DayRange(SentDate):
    """A date range on `date` matched through the bucket fields as one sorted list of documents per
    segment; ranges that are not whole days fall back to SentDate. `standalone`: the range is the
    whole query (not inside another), so its matcher may skip what cannot enter the top hits."""

    standalone = False

    def day_ids(self, reader: Any) -> array[int] | None:
        """Sorted document numbers of the range in one segment's reader, or None when the range
        cannot be matched through the buckets."""
        if not self.constantscore:
            return None
        segment = reader.segment() if hasattr(reader, "segment") else None
        key = (segment.segment_id(), reader.doc_count()) if segment is not None else None
        cache: dict[Any, array[int] | None] = self.__dict__.setdefault("_ids", {})
        if key is not None and key in cache:
            return cache[key]
        ids = self._read_ids(reader)
        if key is not None:
            cache[key] = ids
        return ids

    def _read_ids(self, reader: Any) -> array[int] | None:
        start, end = _bounds(self)
        buckets = bucket_query(start, end)
        if buckets is None:
            return None
        ids: list[int] = []
        for part in buckets.children() if isinstance(buckets, wq.Or) else [buckets]:
            for fieldname, btext in part.expanded_terms(reader):
                ids.extend(_postings(reader, fieldname, btext))
        ids.sort()
        return array("I", ids)

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        ids = self.day_ids(searcher.reader())
        if ids is None:
            return super().matcher(searcher, context)
        if not ids:
            return NullMatcher()
        return _SortedIds(ids, self.boost, self.standalone)

    def docs(self, searcher: Searcher) -> Iterator[int]:
        ids = self.day_ids(searcher.reader())
        return iter(ids) if ids is not None else super().docs(searcher)


def _bounds(q: SentDate) -> tuple[Any, Any]:
    from datetime import timedelta

    tick = timedelta(microseconds=_TICK_US)
    start = q.startdate + tick if q.startdate and q.startexcl else q.startdate
    end = q.enddate - tick if q.enddate and q.endexcl else q.enddate
    return start, end


def with_day_ranges(q: wq.Query) -> wq.Query:
    """The query with every date range on `date` as a DayRange."""

    def swap(node: wq.Query) -> wq.Query:
        if isinstance(node, SentDate) and not isinstance(node, DayRange):
            return DayRange(node.startdate, node.enddate, node.startexcl, node.endexcl, node.boost)
        return node

    return q.accept(swap)


def split_dates(q: wq.Query) -> tuple[wq.Query | None, list[DayRange]]:
    """A query as (the rest, its top-level date ranges): the date ranges of a top-level And (or the
    query itself) only add a constant to every score, so they can filter instead of score."""
    parts = list(q.children()) if isinstance(q, wq.And) else [q]
    dates = [p for p in parts if isinstance(p, DayRange) and p.constantscore]
    rest = [p for p in parts if not (isinstance(p, DayRange) and p.constantscore)]
    if not dates:
        return q, []
    if not rest:
        return None, dates
    return (rest[0] if len(rest) == 1 else wq.And(rest, boost=q.boost)), dates


def segments(searcher: Searcher) -> list[tuple[Searcher, int]]:
    """(searcher of one segment, its first global document number) for every segment."""
    return list(searcher.subsearchers) if searcher.subsearchers else [(searcher, 0)]


def by_segment(searcher: Searcher, docnums: set[int]) -> dict[int, set[int]]:
    """Global document numbers as each segment's own, by the segment's first global number (the
    `allow` of `count`)."""
    return {
        offset: {d - offset for d in docnums if offset <= d < offset + sub.reader().doc_count_all()}
        for sub, offset in segments(searcher)
    }


def doc_set(q: wq.Query | None, searcher: Searcher) -> set[int]:
    """Document numbers (of one segment's searcher) matching a query, deleted ones left out."""
    reader = searcher.reader()
    if q is None or isinstance(q, wq.Every) and not q.fieldname:
        return set(reader.all_doc_ids())
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return set()
    if isinstance(q, wq.Term):
        btext = term_bytes(searcher, q.fieldname, q.text)
        return set() if btext is None else set(_postings(reader, q.fieldname, btext))
    if isinstance(q, DayRange):
        ids = q.day_ids(reader)
        if ids is not None:
            return set(ids)
    if isinstance(q, wq.And):
        return _intersect(doc_set(c, searcher) for c in q.children())
    if isinstance(q, wq.Or) and not getattr(q, "minmatch", 0):
        found: set[int] = set()
        for c in q.children():
            found |= doc_set(c, searcher)
        return found
    if isinstance(q, wq.AndMaybe):
        return doc_set(q.a, searcher)
    if isinstance(q, wq.AndNot):
        return doc_set(q.a, searcher) - doc_set(q.b, searcher)
    if isinstance(q, wq.Not):
        return set(reader.all_doc_ids()) - doc_set(q.query, searcher)
    if isinstance(q, wq.ConstantScoreQuery):
        return doc_set(q.child, searcher)
    return set(q.docs(searcher))


def _intersect(sets: Iterable[set[int]]) -> set[int]:
    result: set[int] | None = None
    for each in sets:
        result = each if result is None else result & each
        if not result:
            return set()
    return result if result is not None else set()


def count(searcher: Searcher, q: wq.Query | None, allow: dict[int, set[int]] | None = None) -> int:
    """How many documents match `q` (None: every document) and, when given, are in `allow` (the
    allowed document numbers of each segment, by the segment's first global number)."""
    total = 0
    for sub, offset in segments(searcher):
        if allow is not None and not allow.get(offset):
            continue
        if q is None and allow is not None:
            total += len(allow[offset])
            continue
        if allow is not None:
            total += len(keep(q, sub, sorted(allow[offset])))
        else:
            total += _count_segment(q, sub)
    return total


def _count_segment(q: wq.Query | None, searcher: Searcher) -> int:
    """Matches of `q` in one segment: a term's document frequency, a union of terms as the most
    frequent one's plus the others' documents it lacks, an And as its rarest part's documents
    that the other parts keep; sets otherwise."""
    reader = searcher.reader()
    if q is None or reader.has_deletions():
        return len(doc_set(q, searcher))
    terms = [q] if isinstance(q, wq.Term) else list(q.children()) if type(q) is wq.Or and not q.minmatch else []
    if terms and all(isinstance(t, wq.Term) for t in terms):
        known = [(t, b) for t in terms if (b := term_bytes(searcher, t.fieldname, t.text)) is not None]
        if not known:
            return 0
        known.sort(key=lambda tb: reader.doc_frequency(tb[0].fieldname, tb[1]))
        biggest, btext = known[-1]
        others: set[int] = set()
        for t, b in known[:-1]:
            others.update(_postings(reader, t.fieldname, b))
        return (
            int(reader.doc_frequency(biggest.fieldname, btext))
            + len(others)
            - len(keep(biggest, searcher, sorted(others)))
        )
    if isinstance(q, wq.And):
        parts = sorted(q.children(), key=lambda c: c.estimate_size(reader))
        candidates = sorted(doc_set(parts[0], searcher))
        for part in parts[1:]:
            if not candidates:
                break
            candidates = keep(part, searcher, candidates)
        return len(candidates)
    return len(doc_set(q, searcher))


def keep(q: wq.Query | None, searcher: Searcher, candidates: list[int]) -> list[int]:
    """The candidates (sorted document numbers of one segment) that `q` matches; a term is checked
    in only the postings blocks that may hold a candidate, not by reading them all."""
    if q is None or not candidates:
        return candidates
    reader = searcher.reader()
    if isinstance(q, wq.Term) and not reader.has_deletions():
        btext = term_bytes(searcher, q.fieldname, q.text)
        if btext is None:
            return []
        blocks = postings_blocks(reader, q.fieldname, btext, candidates)
        return sorted(set(candidates).intersection(chain.from_iterable(block for block, _, _ in blocks)))
    if isinstance(q, wq.And):
        for part in sorted(q.children(), key=lambda c: c.estimate_size(reader)):
            candidates = keep(part, searcher, candidates)
        return candidates
    if type(q) is wq.Or and not q.minmatch:
        found: set[int] = set()
        for part in q.children():
            found.update(keep(part, searcher, [d for d in candidates if d not in found]))
        return [d for d in candidates if d in found]
    matching = doc_set(q, searcher)
    return [d for d in candidates if d in matching]


def allowed(searcher: Searcher, dates: list[DayRange]) -> dict[int, set[int]]:
    """The documents of every segment in all the date ranges, by the segment's first global number."""
    return {offset: _intersect(doc_set(d, sub) for d in dates) for sub, offset in segments(searcher)}


def text_words(q: wq.Query, reader: Any, fieldname: str = "text") -> frozenset[str]:
    """The words of `fieldname` a query matches and the index holds (wildcards and fuzzy terms
    expanded), leaving out what it excludes (NOT): the words to highlight in its hits."""
    field = reader.schema[fieldname]
    words: set[str] = set()
    for leaf in positive_leaves(q):
        if leaf.field() != fieldname:
            continue
        for name, text in leaf.expanded_terms(reader, phrases=True):
            btext = field.to_bytes(text) if isinstance(text, str) else text
            if name == fieldname and (name, btext) in reader:
                words.add(field.from_bytes(btext))
    return frozenset(words)


_PER_TOKEN = (LowercaseFilter, AccentFolder, StopFilter, StemFilter)
_FINAL_TEXT: list[tuple[Any, dict[str, str]]] = []
"""For each analyzer seen (compared by its settings), each word as written and its text after the filters."""


def _final_texts(analyzer: Any) -> dict[str, str]:
    for known, texts in _FINAL_TEXT:
        if known == analyzer:
            if len(texts) > 200_000:
                texts.clear()
            return texts
    texts = {}
    _FINAL_TEXT.append((analyzer, texts))
    return texts


def matched_tokens(analyzer: Any, text: str, words: frozenset[str], near: int | None = None) -> Iterator[Any]:
    """The tokens of `text` as `analyzer` gives them for highlighting (index mode, stop words
    kept), each marked `matched` when its text is one of `words`; with `near`, only the tokens a
    Whoosh `ContextFragmenter` with that `surround` reads to cut passages around the matches (see
    `_near`; 0: the matched tokens alone).

    For the stemming analyzer (a regular-expression tokenizer, then filters that change each token
    on its own) the tokenizer's expression finds the words in C, each distinct word goes through
    the filters once, and tokens are made only for the words kept. As Whoosh's tokenizers do, one
    token object is yielded again and again, changed each time: copy a token to keep it."""
    items = getattr(analyzer, "items", None) or [None]
    tokenizer, filters = items[0], items[1:]
    per_token = all(isinstance(f, _PER_TOKEN) for f in filters)
    if not isinstance(tokenizer, RegexTokenizer) or tokenizer.gaps or not per_token:
        yield from _windowed(_analyzed(analyzer, text, words), near)
        return
    found = list(tokenizer.expression.finditer(text))
    final = _final_texts(analyzer)
    forms = list(map(re.Match.group, found))
    for form in set(forms).difference(final):
        final[form] = _filtered(analyzer, form)
    texts = list(map(final.__getitem__, forms))
    matched = list(map(words.__contains__, texts))
    spans = list(map(re.Match.span, found))
    kept = range(len(spans)) if near is None else _near(list(compress(range(len(spans)), matched)), spans, near)
    t = Token(positions=True, chars=True, removestops=False, mode="index")
    for i in kept:
        t.text, t.pos, t.matched, t.stopped = texts[i], i, matched[i], False
        t.startchar, t.endchar = spans[i]
        yield t


def _analyzed(analyzer: Any, text: str, words: frozenset[str]) -> Iterator[Any]:
    for t in analyzer(text, positions=True, chars=True, mode="index", removestops=False):
        t.matched = t.text in words
        yield t


def _windowed(tokens: Iterable[Any], near: int | None) -> Iterator[Any]:
    """`_near` over a stream of tokens (copies of them, since a token is reused)."""
    if near is None:
        yield from tokens
        return
    listed = [t.copy() for t in tokens]
    hits = [i for i, t in enumerate(listed) if t.matched]
    for i in _near(hits, [(t.startchar, t.endchar) for t in listed], near):
        yield listed[i]


def _near(hits: list[int], spans: list[tuple[int, int]], surround: int) -> Iterator[int]:
    """The numbers of the tokens (`spans`: their characters) that a Whoosh `ContextFragmenter`
    with this `surround` reads to cut the passages of the matched ones (`hits`, sorted), in order;
    it cuts the same passages from them as from every token.

    Before a match it keeps the tokens starting at most `surround` characters before the end of the
    token before the match (and forgets the earlier ones as it reads that token); a passage ends
    once its tokens from its last match on hold 2 x `surround` characters (without the spaces
    between them), or sooner."""
    starts = [start for start, _ in spans]
    lengths = list(accumulate((end - start for start, end in spans), initial=0))
    n, done = len(spans), 0
    for hit in hits:
        first = bisect_left(starts, spans[hit - 1][1] - surround) if hit else 0
        last = min(n, max(hit + 1, bisect_left(lengths, lengths[hit] + 2 * surround) + 1))
        yield from range(max(done, first), max(done, last))
        done = max(done, last)


def _filtered(analyzer: Any, word: str) -> str:
    token = Token(positions=False, chars=False, removestops=False, mode="index", text=word, stopped=False)
    tokens: Iterator[Any] = iter([token])
    for f in analyzer.items[1:]:
        tokens = f(tokens)
    return str(next(tokens).text)


class _View:
    """A read-only file over a buffer (a memory map's view) that reads without copying the rest."""

    def __init__(self, buf: Any) -> None:
        self._buf = buf
        self._pos = 0
        self._len = len(buf)

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = offset if whence == 0 else self._pos + offset if whence == 1 else self._len + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        end = self._len if size is None or size < 0 else min(self._len, self._pos + size)
        data = bytes(self._buf[self._pos : end])
        self._pos = max(self._pos, end)
        return data

    def peek(self, size: int = 0) -> bytes:
        """The next bytes (at most 1 KiB) without moving: lets `pickle.load` of a posting block's
        small header read ahead in C instead of calling `read` for every few bytes."""
        return bytes(self._buf[self._pos : self._pos + min(max(size, 1), 1024)])

    def readinto(self, target: Any) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        limit = self._len if size is None or size < 0 else min(self._len, self._pos + size)
        start = end = self._pos
        while end < limit:
            chunk = bytes(self._buf[end : min(limit, end + 256)])
            found = chunk.find(b"\n")
            if found >= 0:
                end += found + 1
                break
            end += len(chunk)
        self._pos = end
        return bytes(self._buf[start:end])

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def close(self) -> None:
        self._buf = b""


def _uncopied_buffer_files() -> None:
    """Whoosh opens each file of a segment as a `BufferFile` over the index's memory map, and its
    constructor copies the whole file into a BytesIO: every search copied the whole index
    (hundreds of MB at 100,000 documents). Read through the map instead."""
    from whoosh.filedb.structfile import BufferFile

    if getattr(BufferFile, "_foia_uncopied", False):
        return

    def __init__(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = _View(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    BufferFile.__init__ = __init__  # type: ignore[method-assign]
    BufferFile._foia_uncopied = True  # type: ignore[attr-defined]


_uncopied_buffer_files()
