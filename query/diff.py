"""What changed between two releases of one record: the passages a newer release reveals that an
older one withheld (or withholds again), with the exemption codes cited where the text was
withheld, and the differences two OCR runs make folded away.

The two texts are aligned as word sequences (difflib's `SequenceMatcher`, in the standard
library). OCR reads the same page differently each time (`qualified` and `qualifted`), so each
word one side lacks is first compared as its fuzzy equal on the other side (`rapidfuzz`'s
edit-distance ratios, in C: fast enough for every word of a long record). Each stretch that
still differs is weighed as a whole; one with words on both sides is realigned within itself
and cut to its parts that are not noise. Stretches that remain alike are OCR noise, folded; the
rest are passages.

Exemption codes (`indexer.exemptions`) are left out of the alignment, so a newer release printing
the text where an older one printed `(b)(6)` shows as a reveal, and codes printed within
`NEAR` characters of where the text was withheld are the passage's. Stamps are removed by the
indexer; what a page footer leaves behind (a `Page 3` line, a short line carrying a number of the
document's stamps) is left out too.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher
from enum import StrEnum
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from indexer.errors import BadArgumentError, foia_command
from indexer.exemptions import citations

from .search import StoredDocument, get_document, label

NOISE_RATIO = 60.0
"""Two differing stretches at least this alike (0-100, rapidfuzz's ratio of their words) are one
text read twice by OCR; two words this alike are one word."""
NOISE_RATIO_SAME_LENGTH = 40.0
"""Two differing stretches of about the same length (within half as long again) at least this
alike are OCR noise too: OCR misreads letters (`Somosa lo effent`, `Sarasis to ellent`), it
rarely adds or drops whole words."""
MIN_WORDS = 2
"""A passage holds at least this many words of three or more characters: fewer is OCR debris
(specks, a stray letter, a redaction box read as `BJ`)."""
CHANGED_WORDS = 4
"""A stretch with words on both sides is a change only when one side holds this many words of
three or more characters; shorter ones are two OCR runs misreading a word or two differently
(`This asias` and `Pate: once,`)."""
REVEAL_FACTOR = 3
"""A differing stretch where one side holds this many times the words of three or more
characters the other holds is a reveal (or a withholding): the few words on the other side are
what OCR made of the redaction box and the margin around it."""
JOIN_WORDS = 3
"""Passages with fewer shared words between them are one passage."""
NEAR = 300
"""How far (characters, on the same page) from where text was withheld a cited code counts as
the code it was withheld under."""
CONTEXT_WORDS = 6
"""Shared words shown before and after a passage."""

_PAGE_LINE = re.compile(r"^\W*page\s+\d+(?:\s+of\s+\d+)?\W*$", re.IGNORECASE)
_FOOTER_WORDS = 6
"""A line of at most this many words holding a number of the document's stamps is footer residue."""
_STAMP_NUMBER = re.compile(r"\d{4,}")


class PassageKind(StrEnum):
    revealed = "revealed"
    """In the newer release only: the older withheld it."""
    withheld = "withheld"
    """In the older release only: the newer withholds it."""
    changed = "changed"
    """Different text on each side, not only by OCR noise."""


@dataclass(frozen=True)
class Passage:
    """One difference: its kind, its text on each side ("" where absent) and the page on each
    side (where it stands, or where it would stand), the exemption codes cited near where it was
    withheld, and the shared words around it (from the newer side)."""

    kind: PassageKind
    older: str
    newer: str
    older_page: int
    newer_page: int
    exemptions: tuple[str, ...] = ()
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class DiffSide:
    """One side of a diff: the document's id, its label and its pages."""

    id: str
    label: str
    first_page: int
    last_page: int


@dataclass(frozen=True)
class Diff:
    """Two versions of a record aligned: the passages in reading order, how many words of the
    newer stand outside them, how many differing stretches were folded as OCR noise, and how many
    passages of each kind there are."""

    older: DiffSide
    newer: DiffSide
    passages: tuple[Passage, ...]
    shared_words: int
    folded: int
    revealed: int
    withheld: int
    changed: int


@dataclass(frozen=True)
class _Word:
    key: str
    """The word as compared: lower case, letters and digits only."""
    page: int
    start: int
    end: int


@dataclass(frozen=True)
class _Code:
    code: str
    page: int
    start: int
    end: int


@dataclass
class _Side:
    """A document read for the diff: its words in order, the codes it cites, its pages' text."""

    words: list[_Word]
    codes: list[_Code]
    pages: dict[int, str]


def _key(token: str) -> str:
    return re.sub(r"[\W_]+", "", token.casefold())


def _substantial(words: Sequence[_Word]) -> int:
    """How many words have three or more characters and a letter (not OCR specks)."""
    return sum(len(w.key) >= 3 and any(c.isalpha() for c in w.key) for w in words)


def _stamp_numbers(doc: StoredDocument) -> set[str]:
    stamps = doc.fields.get("stamps") or []
    lines = stamps if isinstance(stamps, list) else str(stamps).splitlines()
    return {n for line in lines for n in _STAMP_NUMBER.findall(str(line))}


def _footer(line: str, keys: list[str], numbers: set[str]) -> bool:
    """A page counter line, or a short line holding a number the document's stamps carry."""
    if _PAGE_LINE.match(line):
        return True
    return len(keys) <= _FOOTER_WORDS and any(n in k for k in keys for n in _STAMP_NUMBER.findall(k) if n in numbers)


def _read(doc: StoredDocument) -> _Side:
    """A document's words (exemption codes and footer residue left out) and its cited codes."""
    numbers = _stamp_numbers(doc)
    words: list[_Word] = []
    codes: list[_Code] = []
    pages: dict[int, str] = {}
    for offset, text in enumerate(doc.pages):
        page = doc.first_page + offset
        pages[page] = text
        cited = citations(text)
        codes.extend(_Code(c.code, page, c.start, c.end) for c in cited)
        at = 0
        for line in text.splitlines(keepends=True):
            tokens = [(m, _key(m.group())) for m in re.finditer(r"\S+", line)]
            tokens = [(m, k) for m, k in tokens if k]
            if tokens and not _footer(line, [k for _, k in tokens], numbers):
                for m, k in tokens:
                    start, end = at + m.start(), at + m.end()
                    if not any(c.start < end and start < c.end for c in cited):
                        words.append(_Word(k, page, start, end))
            at += len(line)
    return _Side(words, codes, pages)


def _fuzzy_keys(a: Sequence[_Word], b: Sequence[_Word]) -> list[str]:
    """The words of `a` as compared with `b`: each word `b` lacks taken as its most alike word of
    `b`, when one is at least `NOISE_RATIO` alike (OCR's `qualifted` is `qualified`)."""
    vocabulary = sorted({w.key for w in b})
    known = set(vocabulary)
    best: dict[str, str] = {}
    for word in {w.key for w in a} - known:
        found = process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=NOISE_RATIO)
        if found is not None:
            best[word] = found[0]
    return [best.get(w.key, w.key) for w in a]


def _stretches(a: Sequence[_Word], b: Sequence[_Word]) -> Iterator[tuple[int, int, int, int]]:
    """The differing stretches of two word sequences (a1, a2, b1, b2), in order: difflib's
    opcodes over the words, OCR's misreadings matched to their fuzzy equals, those fewer than
    `JOIN_WORDS` shared words apart taken as one."""
    keys = _fuzzy_keys(a, b)
    opcodes = SequenceMatcher(None, keys, [w.key for w in b], autojunk=False).get_opcodes()
    current: list[int] | None = None
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            if current is not None and i2 - i1 >= JOIN_WORDS:
                yield current[0], current[1], current[2], current[3]
                current = None
        elif current is None:
            current = [i1, i2, j1, j2]
        else:
            current[1], current[3] = i2, j2
    if current is not None:
        yield current[0], current[1], current[2], current[3]


def _trimmed(
    a: Sequence[_Word], b: Sequence[_Word], i1: int, i2: int, j1: int, j2: int
) -> tuple[int, int, int, int] | None:
    """A differing stretch cut to its parts that are not OCR noise: its words matched again
    within the stretch only (where OCR's misreadings find their own), each part that still
    differs weighed on its own, and the stretch cut from the first part that is not noise to
    the last; None when every part is noise."""
    matcher = SequenceMatcher(None, _fuzzy_keys(a[i1:i2], b[j1:j2]), [w.key for w in b[j1:j2]], autojunk=False)
    kept = [
        (k1, k2, l1, l2)
        for tag, k1, k2, l1, l2 in matcher.get_opcodes()
        if tag != "equal" and _kind(a[i1 + k1 : i1 + k2], b[j1 + l1 : j1 + l2]) is not None
    ]
    if not kept:
        return None
    return i1 + kept[0][0], i1 + kept[-1][1], j1 + kept[0][2], j1 + kept[-1][3]


def _gaps(a: Sequence[_Word], b: Sequence[_Word]) -> Iterator[tuple[int, int, int, int, PassageKind | None]]:
    """The differing stretches of two word sequences (a1, a2, b1, b2, kind), in order; kind None
    for OCR noise. A stretch with words on both sides is cut to its parts that are not noise
    (a reveal beside misread words), then weighed again."""
    for i1, i2, j1, j2 in _stretches(a, b):
        kind = _kind(a[i1:i2], b[j1:j2])
        if i1 < i2 and j1 < j2 and (trimmed := _trimmed(a, b, i1, i2, j1, j2)) is not None:
            i1, i2, j1, j2 = trimmed
            kind = _kind(a[i1:i2], b[j1:j2])
        yield i1, i2, j1, j2, kind


def _text(words: Sequence[_Word]) -> str:
    return " ".join(w.key for w in words)


def _kind(a: Sequence[_Word], b: Sequence[_Word]) -> PassageKind | None:
    """What a differing stretch is (older words `a`, newer `b`), or None for OCR noise."""
    sa, sb = _substantial(a), _substantial(b)
    if sa < MIN_WORDS and sb < MIN_WORDS:
        return None
    ta, tb = _text(a), _text(b)
    if a and b and _alike(ta, tb):
        return None
    if sb >= REVEAL_FACTOR * sa or sa >= REVEAL_FACTOR * sb:
        return PassageKind.revealed if sb > sa else PassageKind.withheld
    shorter, longer = sorted((ta, tb), key=len)
    if len(shorter) * 2 <= len(longer) and fuzz.partial_ratio(shorter, longer) >= NOISE_RATIO:
        return PassageKind.revealed if longer is tb else PassageKind.withheld
    return PassageKind.changed if max(sa, sb) >= CHANGED_WORDS else None


def _alike(ta: str, tb: str) -> bool:
    """Whether two differing stretches are one text read twice by OCR."""
    ratio = fuzz.ratio(ta, tb)
    same_length = max(len(ta), len(tb)) * 2 <= min(len(ta), len(tb)) * 3
    return ratio >= NOISE_RATIO or (same_length and ratio >= NOISE_RATIO_SAME_LENGTH)


def _span(side: _Side, words: Sequence[_Word], i1: int, i2: int) -> tuple[int, int, int]:
    """(page, start, end) of words i1..i2 on their side, or where they would stand when none."""
    if i1 < i2:
        first, last = words[i1], words[i2 - 1]
        if first.page == last.page:
            return first.page, first.start, last.end
        return first.page, first.start, len(side.pages[first.page])
    if i1 > 0:
        prev = words[i1 - 1]
        nxt = words[i1] if i1 < len(words) and words[i1].page == prev.page else None
        return prev.page, prev.end, nxt.start if nxt else prev.end
    if words:
        return words[0].page, 0, words[0].start
    page = min(side.pages) if side.pages else 1
    return page, 0, 0


def _source(side: _Side, words: Sequence[_Word], i1: int, i2: int) -> str:
    """Words i1..i2 as printed, one space between them."""
    return " ".join(side.pages[w.page][w.start : w.end] for w in words[i1:i2])


def _codes_near(side: _Side, page: int, start: int, end: int) -> tuple[str, ...]:
    near = (c.code for c in side.codes if c.page == page and c.end >= start - NEAR and c.start <= end + NEAR)
    return tuple(dict.fromkeys(near))


def _joined(gaps: list[tuple[int, int, int, int, PassageKind]]) -> Iterator[tuple[int, int, int, int, PassageKind]]:
    """Passages fewer than `JOIN_WORDS` shared words apart as one (a reveal of several kinds is changed)."""
    current: list[int] | None = None
    kind = PassageKind.changed
    for a1, a2, b1, b2, k in gaps:
        if current is not None and a1 - current[1] < JOIN_WORDS and b1 - current[3] < JOIN_WORDS:
            current[1], current[3] = a2, b2
            kind = kind if kind is k else PassageKind.changed
            continue
        if current is not None:
            yield current[0], current[1], current[2], current[3], kind
        current, kind = [a1, a2, b1, b2], k
    if current is not None:
        yield current[0], current[1], current[2], current[3], kind


def diff_documents(older: StoredDocument, newer: StoredDocument) -> Diff:
    """Align two versions of a record and list what one holds and the other withheld."""
    a, b = _read(older), _read(newer)
    kept: list[tuple[int, int, int, int, PassageKind]] = []
    folded = 0
    for a1, a2, b1, b2, kind in _gaps(a.words, b.words):
        if kind is None:
            folded += 1
        else:
            kept.append((a1, a2, b1, b2, kind))
    passages = []
    differing = 0
    for a1, a2, b1, b2, kind in _joined(kept):
        differing += b2 - b1
        older_page, *older_span = _span(a, a.words, a1, a2)
        newer_page, *newer_span = _span(b, b.words, b1, b2)
        codes: tuple[str, ...] = ()
        if kind in (PassageKind.revealed, PassageKind.changed):
            codes += _codes_near(a, older_page, *older_span)
        if kind in (PassageKind.withheld, PassageKind.changed):
            codes += _codes_near(b, newer_page, *newer_span)
        before = _source(b, b.words, max(0, b1 - CONTEXT_WORDS), b1)
        after = _source(b, b.words, b2, min(len(b.words), b2 + CONTEXT_WORDS))
        passages.append(
            Passage(kind, _source(a, a.words, a1, a2), _source(b, b.words, b1, b2), older_page, newer_page,
                    tuple(dict.fromkeys(codes)), before, after)
        )  # fmt: skip
    kinds = Counter(p.kind for p in passages)
    return Diff(_side(older), _side(newer), tuple(passages), len(b.words) - differing, folded,
                kinds[PassageKind.revealed], kinds[PassageKind.withheld], kinds[PassageKind.changed])  # fmt: skip


def _side(doc: StoredDocument) -> DiffSide:
    return DiffSide(doc.id, label(doc.fields), doc.first_page, doc.first_page + len(doc.pages) - 1)


def compare(index_dir: Path, older_id: str, newer_id: str) -> Diff:
    """The diff of two indexed documents (ids or doc numbers). The first is taken as the older
    unless both carry release dates that say otherwise."""
    older, newer = get_document(index_dir, older_id), get_document(index_dir, newer_id)
    if older.id == newer.id:
        raise BadArgumentError(f"{older_id!r} and {newer_id!r} are the same document ({older.id}); name two versions")
    dates = older.fields.get("release_date"), newer.fields.get("release_date")
    if dates[0] and dates[1] and dates[0] > dates[1]:
        older, newer = newer, older
    return diff_documents(older, newer)


def versions_to_compare(index_dir: Path, doc_id: str) -> tuple[str, str]:
    """The ids of the oldest and the newest release of the record `doc_id` belongs to (its
    copies and versions, not the emails that quote it), for `foia diff ID` with one id."""
    from .versions import versions  # versions reads groups; diff works without them

    found = [v for v in versions(index_dir, doc_id) if v.relation in RECORD_RELATIONS]
    if len(found) < 2:
        raise BadArgumentError(
            f"{doc_id} has no other release in this index to compare with; name two documents: "
            f"{foia_command('diff', doc_id, 'OTHER')} (see {foia_command('versions', doc_id)})"
        )
    return found[0].id, found[-1].id


RECORD_RELATIONS = frozenset({"self", "copy", "version"})
"""The versions `foia diff ID` chooses from: releases of one record, not quoting emails."""


def diff_record(diff: Diff) -> dict[str, Any]:
    """A diff as plain JSON-ready data (what `foia diff --format json` prints and the API serves)."""
    return asdict(diff)


def diff_lines(diff: Diff, width: int = 80) -> list[str]:
    """A diff as lines of at most `width` characters for a terminal: the two versions, the
    counts, then each passage with its pages and codes, the shared words around it (`…`), what
    the older held (`-`) and what the newer holds (`+`)."""
    lines = []
    for name, v in (("older", diff.older), ("newer", diff.newer)):
        pages = f"p. {v.first_page}" if v.first_page == v.last_page else f"pp. {v.first_page}-{v.last_page}"
        lines += textwrap.wrap(f"{name}  {v.id}  {v.label} ({pages})", width, subsequent_indent=" " * 7)
    counts = f"{diff.revealed} revealed, {diff.withheld} withheld, {diff.changed} changed"
    noise = f"{diff.folded} differences folded as OCR noise; {diff.shared_words} words alike"
    lines += textwrap.wrap(f"{counts}; {noise}", width)
    for n, p in enumerate(diff.passages, 1):
        codes = f"  cited: {', '.join(p.exemptions)}" if p.exemptions else ""
        lines += ["", f"{n}. {p.kind.value}  older p. {p.older_page}, newer p. {p.newer_page}{codes}"]
        for mark, text in (("…", p.before), ("-", p.older), ("+", p.newer), ("…", p.after)):
            if text:
                lines += textwrap.wrap(text, width, initial_indent=f"  {mark} ", subsequent_indent="    ")
    return lines
