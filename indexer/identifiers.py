"""Identifiers read through OCR: Bates and document numbers compared with a tolerance for OCR's
usual confusions, and the Bates numbers of pages whose stamp the OCR lost taken from their
neighbours in the sequence.

Nothing here knows a release: a Bates series is learnt from the pages of one file (the prefix and
width most of its pages carry), and a number counts as misread only against its own neighbours.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_LETTER_FOR_DIGIT = str.maketrans("501", "SOI")
"""Digits OCR reads for letters: `5` for `S`, `0` for `O`, `1` for `I`."""
_DIGIT_FOR_LETTER = str.maketrans("OoQDIil|BSZ", "00001111852")
"""Letters OCR reads for digits (inside a run of digits)."""
_SEPARATORS = re.compile(r"[-_=]+")
_TRAILING_NUMBER = re.compile(r"(?P<prefix>.*?)(?P<number>\d+)")
_SEGMENT = re.compile(r"([-_])")

SERIES_TOLERANCE = 2
"""Edits allowed between a number read off the sequence and the number its neighbours give it."""


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions of one character."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def digits(text: str) -> str:
    """A number as OCR printed it, with letters misread for digits put back (`3230230B` is
    32302308, `0OO45` is 00045)."""
    return text.translate(_DIGIT_FOR_LETTER)


def ocr_variants(a: str, b: str) -> bool:
    """Whether two readings of a stamped identifier can be one number misread: OCR drops, adds
    and swaps a few characters, up to half of them (`32989` for 32989794, `3230427423` for
    32304242). Whether a close number is a misreading or the next document is for the caller
    to decide from the page around it."""
    a, b = digits(a.upper()), digits(b.upper())
    return a != b and edit_distance(a, b) <= max(2, max(len(a), len(b)) // 2)


def normalize_bates(text: str) -> str:
    """A Bates number with OCR's usual damage undone: spaces and a stray `=` gone, runs of
    separators made one, and inside the letters of the prefix `5`, `0`, `1` read as `S`, `O`,
    `I` (`STATE-5CB0045247` is STATE-SCB0045247, `DOJ=OGR- 00024083` is DOJ-OGR-00024083).
    A prefix part where digits are as many as letters (`R1` of `EFTA_R1_`) is left alone."""
    squeezed = _SEPARATORS.sub(lambda m: "_" if "_" in m.group() else "-", "".join(text.split()))
    m = _TRAILING_NUMBER.fullmatch(squeezed)
    if m is None:
        return squeezed
    parts = _SEGMENT.split(m.group("prefix"))
    return "".join(_letters(part) for part in parts) + m.group("number")


def _letters(part: str) -> str:
    letters = sum(c.isalpha() for c in part)
    return part.translate(_LETTER_FOR_DIGIT) if letters > len(part) - letters > 0 else part


def prefix_key(prefix: str) -> str:
    """A Bates prefix as compared through OCR: letters and digits only, digits read as letters."""
    return "".join(c for c in prefix.upper() if c.isalnum()).translate(_LETTER_FOR_DIGIT)


@dataclass(frozen=True)
class Bates:
    """A Bates number taken apart: prefix, number and the width it is printed at."""

    prefix: str
    number: int
    width: int

    def __str__(self) -> str:
        return f"{self.prefix}{self.number:0{self.width}d}"

    @property
    def series(self) -> tuple[str, int]:
        return self.prefix, self.width


def parse_bates(text: str) -> Bates | None:
    """A normalized Bates number taken apart; None when it does not end in digits."""
    m = _TRAILING_NUMBER.fullmatch(text)
    if m is None or not m.group("prefix"):
        return None
    return Bates(m.group("prefix"), int(m.group("number")), len(m.group("number")))


def dominant_series(readings: Sequence[Sequence[Bates]]) -> tuple[str, int] | None:
    """The (prefix, width) that most pages carry, when at least two pages carry it."""
    counts = Counter(series for page in readings for series in {b.series for b in page})
    if not counts:
        return None
    series, count = counts.most_common(1)[0]
    return series if count >= 2 else None


@dataclass(frozen=True)
class Numbered:
    """The number one page gets in its sequence: read, read and corrected from its neighbours,
    or inferred from them (no reading at all)."""

    number: int
    inferred: bool = False


def sequence_numbers(reads: Sequence[int | None], width: int, extrapolate: float = 0.5) -> list[Numbered | None]:
    """Each page's number in a sequence of consecutively numbered pages, from the numbers read
    on some of them (None: nothing read).

    A reading off the line of both neighbours, which agree with each other, is a misreading:
    within `SERIES_TOLERANCE` edits of the number they give it, it is corrected; further off it
    is kept as read (a page numbered apart). A page with no reading takes the number of the
    nearest reading's line (interpolated when the readings around it agree); before the first
    and after the last reading only when readings cover at least `extrapolate` of the pages."""
    anchors = [(i, n - i) for i, n in enumerate(reads) if n is not None]
    result: list[Numbered | None] = [None if n is None else Numbered(n) for n in reads]
    kept: list[tuple[int, int]] = []
    for k, (i, offset) in enumerate(anchors):
        expected = _expected_offset(anchors, k)
        if expected is None or expected == offset:
            kept.append((i, offset))
        elif edit_distance(f"{i + offset:0{width}d}", f"{i + expected:0{width}d}") <= SERIES_TOLERANCE:
            result[i] = Numbered(i + expected)
            kept.append((i, expected))
    if not kept:
        return result
    edges = len(anchors) >= extrapolate * len(reads)
    for i, n in enumerate(reads):
        if n is None and (shift := _offset_at(kept, i, edges)) is not None and i + shift >= 0:
            result[i] = Numbered(i + shift, inferred=True)
    return result


def _expected_offset(anchors: Sequence[tuple[int, int]], k: int) -> int | None:
    """The offset the neighbours of anchor k agree on (None when they do not, or it has none):
    both neighbours alike, or, for the first or last reading, its one neighbour with that
    neighbour's other neighbour, when the reading breaks their order (a last page numbered
    beyond its neighbour's line is a gap in the production, not a misreading). A number equal
    to a neighbour's is a page printed twice, not a misreading either."""
    i, offset = anchors[k]
    near = [anchors[j] for j in (k - 1, k + 1) if 0 <= j < len(anchors)]
    if any(j + o == i + offset for j, o in near):
        return None
    left = anchors[k - 1][1] if k > 0 else None
    right = anchors[k + 1][1] if k + 1 < len(anchors) else None
    if left is not None and right is not None:
        return left if left == right else None
    if left is not None and k > 1 and anchors[k - 2][1] == left and offset < left:
        return left
    if right is not None and k + 2 < len(anchors) and anchors[k + 2][1] == right and offset > right:
        return right
    return None


def _offset_at(kept: Sequence[tuple[int, int]], i: int, edges: bool) -> int | None:
    """The offset of page i: its neighbours' when they agree, else the nearer one's (the earlier
    on a tie); past the first or last reading, that reading's when `edges`."""
    k = bisect.bisect_left(kept, (i, 0))
    before = kept[k - 1] if k > 0 else None
    after = kept[k] if k < len(kept) else None
    if before and after:
        (li, lo), (ri, ro) = before, after
        return lo if lo == ro or i - li <= ri - i else ro
    if not edges:
        return None
    return before[1] if before else after[1] if after else None


@dataclass(frozen=True)
class Found:
    """A Bates number found in a line of text: its number as read, the span it takes (from the
    start of its prefix), and how far prefix and number are from what was looked for."""

    number: str
    start: int
    end: int
    distance: int


_DIGIT_RUN = re.compile(r"\d[\dOoIl]*")


def find_bates(line: str, prefix: str, width: int, expected: int | None = None) -> Found | None:
    """A damaged Bates number of a known series in a line (`] I I OF LOGR- 00039347`,
    `dog=0GR200029320`, `DO TJ-OGR-00029218`): a run of digits preceded by something close to
    the series' prefix. Without `expected`, the number must have the series' width and the prefix
    be within a third of its letters; with it, the number may be up to `SERIES_TOLERANCE` edits
    away and the prefix within half, three edits at most in all."""
    key = prefix_key(prefix)
    best: Found | None = None
    for m in _DIGIT_RUN.finditer(line):
        if m.end() < len(line) and line[m.end()].isalnum():
            continue
        number = digits(m.group())
        if expected is None:
            if len(number) != width or not number.isdigit():
                continue
            number_distance, prefix_limit = 0, len(key) // 3
        else:
            number_distance = edit_distance(number, f"{expected:0{width}d}")
            prefix_limit = min(len(key) // 2, 3 - number_distance)
            if number_distance > SERIES_TOLERANCE:
                continue
        start, distance = _prefix_before(line[: m.start()], key)
        if distance <= prefix_limit and (best is None or distance + number_distance < best.distance):
            best = Found(number, start, m.end(), distance + number_distance)
    return best


def _prefix_before(text: str, key: str) -> tuple[int, int]:
    """Where the end of text best matches a prefix key, and how many edits off it is."""
    best = (len(text), len(key))
    for start in range(len(text) - 1, max(-1, len(text) - 3 * len(key) - 8), -1):
        tail = prefix_key(text[start:])
        if len(tail) > len(key) + 3:
            break
        distance = edit_distance(tail, key)
        if distance <= best[1]:
            best = (start, distance)
    return best
