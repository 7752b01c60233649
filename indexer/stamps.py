"""Page stamps: find the lines an agency prints on every page, remove them, keep what they say.

Two mechanisms work together:

* Known formats, recognized on a single page: State Department case/doc/date stamps (one line
  or several), classification banners, production banners, Bates numbers, NARA JFK footers,
  CIA release stamps.
* Generic: a segment in the header or footer zone that repeats on most pages of a file once
  digits and spacing are normalized.

The unit is a row segment (see `extract`), so a stamp sharing a line with another banner or with
body text is removed without the rest.

Then, over the whole file, Bates numbers are put in sequence (`number_bates`): a line the OCR
damaged is found by the series' prefix and width, a misread number is corrected from its
neighbours, and a page whose stamp the OCR lost takes its number from them (`bates_inferred`).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from .extract import Page, Row, Segment, render_row
from .identifiers import (
    Bates,
    Found,
    Numbered,
    digits,
    dominant_series,
    edit_distance,
    find_bates,
    normalize_bates,
    parse_bates,
    prefix_key,
    sequence_numbers,
)

ZONE_ROWS = 6
"""How many rows at the top and at the bottom of a page count as its header and footer zone."""

RECORD_NUMBER = r"(?<![\w-])(?:\d{3}|[1Il|\\][0Oo][4Aa])\s?-\s?\d{5}\s?-\s?\d{5}(?![\d-])"
"""A NARA JFK record number, such as 104-10004-10143. OCR misreads the banner's CIA prefix 104
(the commonest) as `\\oa` or `1O4`; those are taken only before the two strict five-digit parts."""

_REQUEST_LABEL = (
    r"(?:RE\s*:\s*)?(?:(?:FOIA|FOIPA|FOIL)\s+(?:FILE\s+|REQUEST\s+|CASE\s+)?|REQUEST\s+)"
    r"(?:NO\b|NUMBER\b|\#)\s*[.:]?\s*:?"
)
"""The label of a request number heading a letter: `FOIA FILE NO.:`, `Request No.`, `FOIPA Request Number`."""
_REQUEST_NUMBER = r"(?:[A-Z]{1,4}-)?\d{2,7}(?:-\d{2,7}){1,2}"
"""A request number: two or three groups of digits, maybe after letters (`15-2549`, `P-2015-00123`)."""
_LABEL_ALONE = re.compile(rf"\s*{_REQUEST_LABEL}\s*", re.IGNORECASE)
_NUMBER_ALONE = re.compile(rf"\s*{_REQUEST_NUMBER}\s*", re.IGNORECASE)

_CLASS_WORDS = r"(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|TOP\s+SECRET|RESTRICTED)"
_CLASSIFICATION = rf"{_CLASS_WORDS}(?:\s*//?\s*[A-Z]+(?:\s*/\s*[A-Z]+)*)?"

# Components that are a stamp wherever they stand alone.
_STRONG = {
    "case": r"Case\s*No\s*[.,:]?\s*:?\s*(?P<case>[A-Z]{1,3}-\s?\d{2,4}-\s?\d{3,6})",
    "doc": r"Doc\s*No\s*[.,:]?\s*:?\s*(?P<doc>[A-Z](?=[\dOIl]*\d{4})[\dOIl]{6,10})\b",
    "request": rf"^\s*{_REQUEST_LABEL}\s*(?P<request>{_REQUEST_NUMBER})\b",
    "production_banner": r"[A-Z][A-Z. ]*-\s*PRODUCED\s+TO\s+(?:THE\s+)?HOUSE\s+[A-Z .]*?COMM(?:ITTEE|\.)?",
    "agreement_banner": (
        r"SUBJECT\s+TO\s+AGREEMENT\s+ON\s+SENSITIVE\s+INFORMATION\s*&\s*REDACTIONS\.?\s*NO\s+FOIA\s+WAIVER\.?"
    ),
    "nara": (
        r"(?:[A-Za-z]{1,3}[,.]?\s*)?(?:\d{3,6}\)?[\s.]+)?[\"“”'‘_|]?\s*"
        r"(?:D?B[ao]{1,2}c|D[ao]{1,2}c|Voe)\s*[IlLtT1|]{1,2}da?\s*[:;.=]?\s*"
        r"(?P<docid>\d(?=[\dOIlB]*\d{4})[\dOIlB]{4,9})[.,]*"
        r"(?:\s*Pa(?:ge)?\s*[-\s]?(?P<nara_page>[\dIl]+)-?)?"
    ),
    "cia": (
        r"Approved\s+For\s+Release\s+(?P<cia_date>\d{4}/\d{2}/\d{2})\s*:\s*"
        r"(?P<cia_doc>CIA-RDP[0-9A-Z]+-[0-9A-Z]+-\d)"
    ),
    "jfk_act": (
        r"\[?\s*\d{4}\s+RELEASE\s+UNDER\s+THE\s+PRESIDENT\s+JOHN\s+F\.?\s+KENNEDY\s+"
        r"ASSASSINATION\s+RECORDS\s+ACT\s+OF\s+1992\s*\]?"
    ),
    "unclassified": r"UNCLASSIFIED",
}
# Components that are a stamp only in the header/footer zone or beside a strong component.
_WEAK = {
    "agency": r"U\.\s?S\.\s+Department\s+of\s+(?:State|Justice|Defense|Homeland\s+Security|the\s+Treasury|Energy)",
    "stamp_date": r"Date\s*[:.;]?\s*(?P<stamp_date>\d{1,2}/\d{1,2}/\d{4})",
    "classification": rf"(?P<classification>{_CLASSIFICATION})",
    "bates": r"(?P<bates>(?=[A-Z0-9_=-]*[A-Z]{2})[A-Z][A-Z0-9]*(?:[-_=]+[A-Z0-9]+)*?(?:[-_=]+\s?)?\d{6,10})",
    "request_footer": r"(?:[A-Z]{2,6}\s+)?FOIA\s*\#?\s*(?P<request_ref>\d{2,4}-\d{3,6})(?:\s+Page\s+\d+\s+of\s+\d+)?",
    "record": rf"(?P<record>{RECORD_NUMBER})\)?",
}
_COMPONENTS = {**_STRONG, **_WEAK}
_LITERALS = {
    "case": ("case",),
    "doc": ("doc",),
    "production_banner": ("produced",),
    "agreement_banner": ("agreement",),
    "request": ("foi", "request"),
    "request_footer": ("foi",),
    "nara": ("doc", "voe", "dac", "boc", "aoc"),
    "cia": ("approved",),
    "jfk_act": ("release",),
    "unclassified": ("unclassified",),
    "agency": ("department",),
    "stamp_date": ("date",),
    "classification": ("unclassified", "confidential", "secret", "restricted"),
}
"""Words one of which (in any case) each component's pattern contains."""
_KINDS_OF: dict[str, set[str]] = {}
for _kind, _words in _LITERALS.items():
    for _word in _words:
        _KINDS_OF.setdefault(_word, set()).add(_kind)
_LITERAL = re.compile("(?=(" + "|".join(_KINDS_OF) + "))")
"""Every place where one of the words starts (a look-ahead, so overlapping words are all found)."""
_DIGIT_HINTS = {"bates": re.compile(r"\d{6}"), "record": re.compile(r"\d{5}\s?-\s?\d{5}")}
"""What the components made of digits contain, for those with no word."""
_READ_ONLY = {"request"}
"""Components read but left in the text: a letter's own heading (`FOIA FILE NO.: 15-2549`) is
part of the letter, printed once, not a stamp on every page."""
_CASE_SENSITIVE = {"production_banner", "agreement_banner", "classification", "unclassified", "bates"}
_FILLER = re.compile(r"^[\s.,;:|_\-–—]*$")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Stamp:
    """What the stamps of one page say, and their raw text. `page_in_doc` is the page's number
    within its document where a footer prints it (NARA's `Page 3`); `bates_inferred` says that
    the page's Bates number was not read but taken from its neighbours in the sequence."""

    case_number: str | None = None
    doc_number: str | None = None
    release_date: date | None = None
    classification: str | None = None
    bates: tuple[str, ...] = ()
    raw: tuple[str, ...] = ()
    record_number: str | None = None
    page_in_doc: int | None = None
    bates_inferred: bool = False


@dataclass(frozen=True)
class CleanPage:
    """A page with its stamps removed: body lines, the stamp's fields, whether it still needs OCR,
    and the mean word confidence when OCR read it."""

    number: int
    lines: tuple[str, ...]
    stamp: Stamp = field(default_factory=Stamp)
    needs_ocr: bool = False
    ocr_confidence: float | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class _Match:
    kind: str
    groups: dict[str, str]
    text: str


def _components(segment: str) -> tuple[list[_Match], str]:
    """Stamp components found in a segment, and what is left once they are cut out."""
    pattern = _pattern(_possible(segment))
    if pattern is None:
        return [], segment
    found: list[_Match] = []
    rest: list[str] = []
    pos = 0
    for m in pattern.finditer(segment):
        kind = next(k[1:] for k, v in m.groupdict().items() if k.startswith("_") and v is not None)
        if kind in _CASE_SENSITIVE and not _case_ok(kind, m.group(0)):
            continue
        if kind == "bates" and not _standalone(segment, m.start(), m.end()):
            continue
        found.append(_Match(kind, {k: v for k, v in m.groupdict().items() if v and not k.startswith("_")}, m.group(0)))
        rest.append(segment[pos : m.start()])
        pos = m.end()
    rest.append(segment[pos:])
    return found, " ".join(rest)


def _possible(segment: str) -> frozenset[str]:
    """The components that can occur in a segment: those whose words it contains. Leaving the
    others out of the pattern cannot change a match, and most segments have none at all."""
    folded = segment.casefold().replace("ı", "i")  # the one letter `re.I` folds to ASCII and casefold does not
    kinds = {kind for word in set(_LITERAL.findall(folded)) for kind in _KINDS_OF[word]}
    kinds.update(kind for kind, hint in _DIGIT_HINTS.items() if hint.search(segment))
    return frozenset(kinds)


@functools.cache
def _pattern(kinds: frozenset[str]) -> re.Pattern[str] | None:
    """One alternation of the given components, in their fixed order (compiled once per set)."""
    alternatives = [f"(?P<_{name}>{rx})" for name, rx in _COMPONENTS.items() if name in kinds]
    return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


def _case_ok(kind: str, text: str) -> bool:
    """Banners and markings are upper case in releases; body words such as 'Secret' are not."""
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def _standalone(segment: str, start: int, end: int) -> bool:
    before, after = segment[:start], segment[end:]
    return (not before or before[-1].isspace()) and (not after or after[0].isspace())


def _norm(segment: str) -> str:
    return " ".join(_DIGITS.sub("#", segment).casefold().split())


def repeated_segments(pages: Sequence[Page], zone: int = ZONE_ROWS) -> set[str]:
    """Normalized zone segments that appear on most pages of a file (at least three pages).

    A stamp stands once or twice on a page (top and bottom); a segment found more often on one
    page is a table row (`Check 01/04/2010 14425 ($9,423.80)` once digits are normalized) and
    never counts as repeated, whatever the other pages hold."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    crowded: set[str] = set()
    for page in pages:
        rows = [row for row in page.rows if row]
        rows = rows[:zone] + rows[-zone:] if len(rows) > 2 * zone else rows
        on_page = Counter(_norm(text) for row in rows for _, text in row if len(text) > 2)
        counts.update(on_page.keys())
        crowded.update(seg for seg, n in on_page.items() if n > 2)
    need = max(3, 0.6 * len(pages))
    return {seg for seg, n in counts.items() if n >= need and seg not in crowded}


def strip_page(page: Page, repeated: set[str] = frozenset()) -> CleanPage:  # type: ignore[assignment]
    """Remove the stamps of one page and read their fields."""
    n = sum(1 for row in page.rows if row)
    kept_rows: list[str] = []
    matches: list[_Match] = []
    raw: list[str] = []
    i = -1
    taken = 0
    for row in page.rows:
        if not row:
            if kept_rows and kept_rows[-1]:
                kept_rows.append("")
            continue
        i += 1
        in_zone = i < ZONE_ROWS or i >= n - ZONE_ROWS
        kept: list[Segment] = []
        for column, segment in row:
            found, rest = _components(segment)
            junk = len(rest.strip()) <= 4 and any(m.kind == "nara" for m in found)  # OCR specks by a footer
            whole = bool(found) and (_FILLER.match(rest) is not None or junk)
            strong = any(m.kind in _STRONG for m in found)
            if found and all(m.kind in _READ_ONLY for m in found):
                matches.extend(found)
                kept.append((column, segment))
            elif _norm(segment) in repeated or (whole and (strong or in_zone)):
                matches.extend(found)
                raw.append(segment)
            elif found and in_zone and strong:
                matches.extend(found)
                raw.append(segment)
                kept.append((column, " ".join(rest.split())))
            else:
                kept.append((column, segment))
        matches.extend(_footer_page(row, matches[taken:]) + _request_in_columns(row))
        taken = len(matches)
        if kept:
            kept_rows.append(render_row(tuple(kept)))
    while kept_rows and not kept_rows[-1]:
        kept_rows.pop()
    return CleanPage(page.number, tuple(kept_rows), _read_stamp(matches, raw), page.needs_ocr, page.ocr_confidence)


def _request_in_columns(row: Row) -> list[_Match]:
    """A request number whose label is a segment of its own, the number the next one, as OCR of
    a letter sets them (`FOIA FILE NO.:      15-2549`)."""
    for (_, label), (_, number) in zip(row, row[1:], strict=False):
        if _LABEL_ALONE.fullmatch(label) and _NUMBER_ALONE.fullmatch(number):
            return [_Match("request", {"request": number.strip()}, f"{label} {number}")]
    return []


_PAGE_COUNTER = re.compile(r"^\W*Pa(?:ge)?\s*[:*]?\s*(?P<nara_page>[\dIl]{1,4})\W*$", re.IGNORECASE)


def _footer_page(row: Row, found: list[_Match]) -> list[_Match]:
    """The page counter printed apart from a NARA footer on its row (`DocId: 32112623    Page 6`)."""
    if not any(m.kind == "nara" and "nara_page" not in m.groups for m in found):
        return []
    counters = (m for _, segment in row if (m := _PAGE_COUNTER.match(segment)))
    return [_Match("page_counter", m.groupdict(), m.group(0)) for m in counters][:1]


def strip_stamps(pages: Sequence[Page]) -> list[CleanPage]:
    """Remove stamps from every page of one file; then number its pages in their Bates series."""
    repeated = repeated_segments(pages)
    return number_bates([strip_page(page, repeated) for page in pages])


def number_bates(pages: Sequence[CleanPage]) -> list[CleanPage]:
    """Pages numbered in the Bates series most of them carry, with OCR damage repaired.

    A Bates line the stamp patterns missed (`} a DOJ-OGR-00024081`, `DO T-OGR-00028974`) is
    found in the header or footer zone by the series' prefix and width, cut out and read; a
    number off the sequence is corrected from its neighbours (see
    `identifiers.sequence_numbers`); a page with nothing read takes its number from them, marked
    `bates_inferred`, unless a line near that number is found on it."""
    readings = [[b for text in p.stamp.bates if (b := parse_bates(text))] for p in pages]
    series = dominant_series(readings)
    if series is None:
        return list(pages)
    prefix, width = series
    key = prefix_key(prefix)
    reads: list[int | None] = []
    found: dict[int, tuple[int, Found]] = {}
    for i, (page, bates) in enumerate(zip(pages, readings, strict=True)):
        number = next((b.number for b in bates if _in_series(b, key, width)), None)
        if number is None and (hit := _find_in_zone(page.lines, prefix, width)):
            found[i] = hit
            number = int(hit[1].number)
        reads.append(number)
    numbered = sequence_numbers(reads, width)
    out = []
    for i, (page, bates, place) in enumerate(zip(pages, readings, numbered, strict=True)):
        hit = found.get(i)
        if place is not None and place.inferred:
            hit = _find_in_zone(page.lines, prefix, width, place.number)
        out.append(_numbered(page, [b for b in bates if not _in_series(b, key, width)], series, place, hit))
    return out


def _in_series(bates: Bates, key: str, width: int) -> bool:
    """A reading of the series, maybe with a misread prefix (`DOT-OGR-` in a `DOJ-OGR-` series)."""
    return bates.width == width and edit_distance(prefix_key(bates.prefix), key) <= len(key) // 3


def _find_in_zone(
    lines: Sequence[str], prefix: str, width: int, expected: int | None = None
) -> tuple[int, Found] | None:
    """The best damaged Bates number in the header or footer zone: (line index, what was found)."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    zone = filled if len(filled) <= 2 * ZONE_ROWS else filled[:ZONE_ROWS] + filled[-ZONE_ROWS:]
    hits = [(i, hit) for i in zone if (hit := find_bates(lines[i], prefix, width, expected))]
    return min(hits, key=lambda h: h[1].distance, default=None)


def _numbered(
    page: CleanPage,
    others: list[Bates],
    series: tuple[str, int],
    place: Numbered | None,
    hit: tuple[int, Found] | None,
) -> CleanPage:
    """A page with its number in the series put first among its Bates numbers, and the line it
    was read from (when found only now) cut out of its text."""
    lines, raw = page.lines, page.stamp.raw
    if place is not None and hit is not None:
        lines, cut = _cut(page.lines, *hit)
        raw = (*raw, cut)
    inferred = place is not None and place.inferred and hit is None
    number = [str(Bates(series[0], place.number, series[1]))] if place is not None else []
    bates = tuple(dict.fromkeys([*number, *(str(b) for b in others)]))
    stamp = replace(page.stamp, bates=bates, raw=raw, bates_inferred=inferred)
    return replace(page, lines=lines, stamp=stamp)


_WORD_LIKE = re.compile(r"[A-Za-z][a-z]{2,}")


def _cut(lines: tuple[str, ...], index: int, found: Found) -> tuple[tuple[str, ...], str]:
    """Lines with a found Bates number cut out of its line (the whole line when what is left is
    OCR specks), and the text cut."""
    line = lines[index]
    rest = (line[: found.start] + line[found.end :]).strip()
    junk = len(_WORD_LIKE.findall(rest)) <= 1 and len("".join(rest.split())) <= 24
    kept = [*lines[:index], *([] if junk else [rest]), *lines[index + 1 :]]
    while kept and not kept[-1]:
        kept.pop()
    return tuple(kept), line.strip() if junk else line[found.start : found.end].strip()


def _read_stamp(matches: list[_Match], raw: list[str]) -> Stamp:
    groups: dict[str, str] = {}
    bates: list[str] = []
    classification = None
    for m in matches:
        for key, value in m.groups.items():
            groups.setdefault(key, value)
        if "bates" in m.groups:
            bates.append(normalize_bates(m.groups["bates"]))
        if m.kind in ("classification", "unclassified") and classification is None:
            classification = " ".join(m.text.split()).upper()
    case = groups.get("case") or groups.get("request") or groups.get("request_ref")
    return Stamp(
        case_number=case.replace(" ", "").upper() if case else None,
        doc_number=_doc_number(groups),
        release_date=_stamp_date(groups.get("stamp_date") or groups.get("cia_date")),
        classification=classification,
        bates=tuple(bates),
        record_number=record_number(groups["record"]) if "record" in groups else None,
        raw=tuple(raw),
        page_in_doc=_page_number(groups.get("nara_page")),
    )


def _doc_number(groups: dict[str, str]) -> str | None:
    """The stamped document number, letters OCR read for its digits put back: a NARA DocId
    `3230230B` is 32302308, a State `Doc No. CO5739546` is C05739546 (after its letter)."""
    if doc := groups.get("doc"):
        return doc[0].upper() + digits(doc[1:].upper())
    if cia := groups.get("cia_doc"):
        return cia.upper()
    return digits(groups["docid"].upper()) if "docid" in groups else None


def _page_number(text: str | None) -> int | None:
    number = digits(text) if text else ""
    return int(number) if number.isdigit() else None


def record_number(text: str) -> str:
    """A matched RECORD_NUMBER written plainly: `\\oa-10077-10136` becomes `104-10077-10136`."""
    prefix, rest = "".join(text.split()).split("-", 1)
    return f"{prefix if prefix.isdigit() else '104'}-{rest}"


def _stamp_date(text: str | None) -> date | None:
    if not text:
        return None
    parts = [int(p) for p in re.split(r"[/]", text)]
    try:
        if parts[0] > 999:
            return date(parts[0], parts[1], parts[2])
        return date(parts[2], parts[0], parts[1])
    except ValueError:
        return None
