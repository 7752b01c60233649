"""The Whoosh schema, defined once and imported by both the indexer and the query side."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

from dateutil import parser as dateparser
from dateutil.relativedelta import relativedelta
from whoosh import query
from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    StripFilter,
    SubstitutionFilter,
    Token,
)
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from .errors import QueryError

SCHEMA_VERSION = 8
"""Bumped whenever a change makes older indexes unreadable or wrong; checked when opening."""


def fold_accents(text: str) -> str:
    """`text` in lower case without accents, as words are indexed and searched: marks split off
    (NFKD) and dropped, then letters that do not decompose (ø, ł, đ) mapped by Whoosh's accent
    table, which also lower-cases. `Bénghazi` -> `benghazi`, `ﬁnal` -> `final`."""
    if text.isascii():
        return text
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare.translate(accent_map))


class AccentFolder(Filter):  # type: ignore[misc]
    """Folds the accents of each token (`fold_accents`), so that `café` and `cafe` are one word."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold_accents(t.text)
            yield t


_WORDS = RegexTokenizer() | LowercaseFilter() | AccentFolder() | StopFilter()
"""Whoosh's StandardAnalyzer with accents folded: names, addresses, agencies."""
_STEMMED = _WORDS | StemFilter()
"""Whoosh's StemmingAnalyzer with accents folded (before stemming): text, subject, title."""
_EXEMPTION_ANALYZER = RegexTokenizer(r"[^,]+") | SubstitutionFilter(r"[^0-9A-Za-z]+", "") | LowercaseFilter()
_KEY = {"stored": True, "lowercase": True, "commas": True, "scorable": False, "sortable": True}
_NAMES = {"stored": True, "phrase": False, "analyzer": _WORDS}
_LINES = RegexTokenizer(r"[^\n]+") | StripFilter()
"""One token per line: a person as written, for facets."""

FACET_FIELDS = {
    "sender": "sender_key",
    "recipient": "recipient_keys",
    "case": "case_number",
    "year": "year",
    "month": "month",
    "exemption": "exemption_code",
    "status": "release_status",
    "classification": "classification",
    "agency": "agency",
}
"""Facet names users give (`--by sender`) and the index field counted for each."""


def build_schema() -> Schema:
    """Fields of one indexed document; list values are stored as comma- or newline-joined text."""
    return Schema(
        id=ID(stored=True, unique=True),
        source=ID(stored=True),
        sha256=ID(stored=True),
        first_page=NUMERIC(stored=True),
        last_page=NUMERIC(stored=True),
        case_number=KEYWORD(**_KEY),
        doc_number=KEYWORD(**_KEY),
        release_date=PeriodDate(stored=True),
        date=PeriodDate(stored=True, sortable=True),
        sender=TEXT(**_NAMES),
        recipients=TEXT(**_NAMES),
        cc=TEXT(**_NAMES),
        participants=TEXT(**_NAMES),
        subject=TEXT(stored=True, analyzer=_STEMMED, field_boost=2.0),
        title=TEXT(stored=True, analyzer=_STEMMED, field_boost=2.0),
        attachments=TEXT(**_NAMES),
        release_status=KEYWORD(stored=True, lowercase=True, scorable=False),
        exemptions=TEXT(analyzer=_EXEMPTION_ANALYZER, phrase=False),
        exemption_codes=STORED(),
        exemption_details=STORED(),
        classification=KEYWORD(**_KEY),
        classified_by=STORED(),
        declassify_on=STORED(),
        bates=KEYWORD(**_KEY),
        stamps=STORED(),
        ocr_pages=STORED(),
        provenance=STORED(),
        inferred=STORED(),
        record_number=KEYWORD(**_KEY),
        record_agency=KEYWORD(**_KEY),
        record_pages=NUMERIC(stored=True),
        text=TEXT(stored=True, analyzer=_STEMMED, phrase=True),
        # Derived fields (see `derived_fields`): facets, sorting and fast date filters.
        sender_key=ID(sortable=True),
        recipient_keys=TEXT(analyzer=_LINES, phrase=False),
        participant_keys=TEXT(analyzer=_LINES, phrase=False),
        exemption_code=KEYWORD(commas=True, scorable=False),
        agency=TEXT(stored=True, phrase=False, sortable=True, analyzer=_WORDS),
        year=ID(sortable=True),
        month=ID(sortable=True),
        day=ID(),
    )


_DEPARTMENT = re.compile(
    r"U\.\s?S\.\s+Department\s+of\s+(State|Justice|Defense|Homeland\s+Security|the\s+Treasury|Energy)",
    re.IGNORECASE,
)
_NARA = re.compile(r"KENNEDY\s+ASSASSINATION\s+RECORDS|(?:Doc|Voe|Dac)\s*[Il1|]da?\s*[:;.=]?\s*\d{5}", re.IGNORECASE)
_CIA = re.compile(r"CIA-RDP")
_STATE_CASE = re.compile(r"F-\d{4}-\d{5}")
_DOJ_BATES = re.compile(r"EFTA\d+")


def _from_stamp(line: str) -> str | None:
    if m := _DEPARTMENT.search(line):
        return "U.S. Department of " + " ".join(m.group(1).split()).title().replace("The ", "the ")
    if _NARA.search(line):
        return "National Archives (JFK records)"
    if _CIA.search(line):
        return "Central Intelligence Agency"
    return None


def agency_of(case_number: str | None, stamps: Iterable[str], bates: Iterable[str] = ()) -> str | None:
    """The releasing agency when a stamp says it: a `U.S. Department of ...` stamp line, a State
    case number (`F-2015-04841`), a NARA JFK footer, a CIA release stamp, a DOJ EFTA Bates number.
    None when nothing names it (no guessing from the text)."""
    for line in stamps:
        if found := _from_stamp(line):
            return found
    if case_number and _STATE_CASE.fullmatch(case_number.upper()):
        return "U.S. Department of State"
    if any(_DOJ_BATES.fullmatch(b) for b in bates):
        return "U.S. Department of Justice"
    return None


def derived_fields(
    sent: datetime | None,
    sender: str | None,
    recipients: Iterable[str],
    exemptions: Iterable[str],
    agency: str | None,
    participants: Iterable[str] = (),
) -> dict[str, object]:
    """Index-only fields computed from a document's metadata: facet keys, each person as written
    (the vocabulary people are grouped from), and date buckets."""
    fields: dict[str, object] = {
        "sender_key": " ".join(sender.split()) if sender else None,
        "recipient_keys": _one_a_line(recipients),
        "participant_keys": _one_a_line(participants),
        "exemption_code": ",".join(exemptions),
        "agency": agency,
    }
    if sent:
        fields |= {"year": _year(sent), "month": _month(sent), "day": _day(sent)}
    return {k: v for k, v in fields.items() if v}


def _one_a_line(people: Iterable[str]) -> str:
    """Distinct people, spaces made single, one a line."""
    return "\n".join(p for p in dict.fromkeys(" ".join(p.split()) for p in people) if p)


def _year(d: date) -> str:
    return f"{d.year:04d}"


def _month(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _day(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def _month_end(d: date) -> date:
    return d + relativedelta(day=31)


def _bucket_ranges(first: date, last: date) -> list[query.Query]:
    """Whole years, then whole months, then days, covering first..last (inclusive)."""
    parts: list[query.Query] = []
    while first <= last:
        if (first.month, first.day) == (1, 1) and last >= date(first.year, 12, 31):
            years = last.year if (last.month, last.day) == (12, 31) else last.year - 1
            parts.append(query.TermRange("year", _year(first), f"{years:04d}"))
            first = date(years + 1, 1, 1) if years < 9999 else last + timedelta(days=1)
        elif first.day == 1 and last >= _month_end(first):
            end = min(last, date(first.year, 12, 31))
            end = end if end == _month_end(end) else end.replace(day=1) - timedelta(days=1)
            parts.append(query.TermRange("month", _month(first), _month(end)))
            first = end + timedelta(days=1)
        else:
            end = min(last, _month_end(first))
            parts.append(query.TermRange("day", _day(first), _day(end)))
            first = end + timedelta(days=1)
    return parts


def bucket_query(start: datetime | None, end: datetime | None) -> query.Query | None:
    """Documents sent from `start` to `end` (inclusive, None is open) as a few term ranges over the
    `year`, `month` and `day` fields; None when a bound is not a whole day."""
    if (start and start.time() != datetime.min.time()) or (end and end.time() != datetime.max.time()):
        return None
    parts: list[query.Query] = []
    if start is None and end is None:
        return query.TermRange("year", None, None)
    if start is None and end is not None:
        parts.append(query.TermRange("year", None, _year(end), endexcl=True))
        start = datetime(end.year, 1, 1)
    if end is None and start is not None:
        parts.append(query.TermRange("year", _year(start), None, startexcl=True))
        end = datetime(start.year, 12, 31)
    assert start is not None and end is not None
    parts += _bucket_ranges(start.date(), end.date())
    return parts[0] if len(parts) == 1 else query.Or(parts)


class SentDate(query.DateRange):
    """A DateRange on `date` that matches through the year/month/day bucket fields when its bounds
    are whole days (several times faster than Whoosh's numeric trie); otherwise a plain DateRange."""

    def __init__(self, start: datetime | None, end: datetime | None, startexcl: bool = False, endexcl: bool = False,
                 boost: float = 1.0) -> None:  # fmt: skip
        super().__init__("date", start, end, startexcl=startexcl, endexcl=endexcl, boost=boost)

    def _compile_query(self, ixreader: object) -> query.Query:
        tick = timedelta(microseconds=1)
        start = self.startdate + tick if self.startdate and self.startexcl else self.startdate
        end = self.enddate - tick if self.enddate and self.endexcl else self.enddate
        buckets = bucket_query(start, end)
        if buckets is None:
            return super()._compile_query(ixreader)  # type: ignore[no-any-return]
        return query.ConstantScoreQuery(buckets, self.boost) if self.constantscore else buckets


def _date_range(fieldname: str, start: datetime | None, end: datetime | None, startexcl: bool = False,
                endexcl: bool = False, boost: float = 1.0) -> query.Query:  # fmt: skip
    if fieldname == "date":
        return SentDate(start, end, startexcl, endexcl, boost)
    return query.DateRange(fieldname, start, end, startexcl=startexcl, endexcl=endexcl, boost=boost)


def parse_period(text: str) -> tuple[datetime, datetime]:
    """The first and last instant of a date written naturally: `2011`, `2011-03`, `2011-03-04`,
    `March 2011`, `3/4/2011`, `4 March 2011`. Raises QueryError for anything else."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})", text)
    month_only = m is not None or re.fullmatch(r"[A-Za-z]+\.?,?\s+\d{4}", text) is not None
    try:
        if re.fullmatch(r"\d{4}", text):
            start = datetime(int(text), 1, 1)
            return start, start + relativedelta(years=1) - timedelta(microseconds=1)
        if m:
            start = datetime(int(m.group(1)), int(m.group(2)), 1)
        else:
            first = dateparser.parse(text, default=datetime(1900, 1, 1))
            second = dateparser.parse(text, default=datetime(1904, 2, 2))
            if first.year != second.year:
                raise ValueError("no year")
            start = datetime(first.year, first.month, 1 if month_only else first.day)
    except (ValueError, OverflowError) as exc:
        raise QueryError(f"cannot read {text!r} as a date; write 2011, 2011-03, 2011-03-04 or March 2011") from exc
    length = relativedelta(months=1) if month_only else relativedelta(days=1)
    if start.year > 9998:
        raise QueryError(f"{text!r} is too far in the future; dates go up to the year 9998")
    return start, start + length - timedelta(microseconds=1)


class PeriodDate(DATETIME):
    """A DATETIME field whose query values are natural periods (`date:2011-03`, `date:[2011 to 2012-06]`)."""

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> query.Query:
        start, end = parse_period(qstring)
        return _date_range(fieldname, start, end, boost=boost)

    def parse_range(
        self, fieldname: str, start: str | None, end: str | None, startexcl: bool, endexcl: bool, boost: float = 1.0
    ) -> query.Query:
        low = parse_period(start)[1 if startexcl else 0] if start else None
        high = parse_period(end)[0 if endexcl else 1] if end else None
        if low and high and low > high:
            raise QueryError(f"date range ends before it starts: {start} to {end}")
        return _date_range(fieldname, low, high, startexcl, endexcl, boost)
