"""The Whoosh schema, defined once and imported by both the indexer and the query side."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from dateutil import parser as dateparser
from dateutil.relativedelta import relativedelta
from whoosh import query
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemmingAnalyzer, SubstitutionFilter
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .errors import QueryError

SCHEMA_VERSION = 3
"""Bumped whenever a change makes older indexes unreadable or wrong; checked when opening."""

_EXEMPTION_ANALYZER = RegexTokenizer(r"[^,]+") | SubstitutionFilter(r"[^0-9A-Za-z]+", "") | LowercaseFilter()
_KEY = {"stored": True, "lowercase": True, "commas": True, "scorable": False}
_NAMES = {"stored": True, "phrase": False}


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
        subject=TEXT(stored=True, analyzer=StemmingAnalyzer(), field_boost=2.0),
        attachments=TEXT(**_NAMES),
        release_status=KEYWORD(stored=True, lowercase=True, scorable=False),
        exemptions=TEXT(analyzer=_EXEMPTION_ANALYZER, phrase=False),
        exemption_codes=STORED(),
        classification=KEYWORD(**_KEY),
        classified_by=STORED(),
        declassify_on=STORED(),
        bates=KEYWORD(**_KEY),
        stamps=STORED(),
        ocr_pages=STORED(),
        text=TEXT(stored=True, analyzer=StemmingAnalyzer(), phrase=True),
    )


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
    return start, start + length - timedelta(microseconds=1)


class PeriodDate(DATETIME):
    """A DATETIME field whose query values are natural periods (`date:2011-03`, `date:[2011 to 2012-06]`)."""

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> query.Query:
        start, end = parse_period(qstring)
        return query.DateRange(fieldname, start, end, boost=boost)

    def parse_range(
        self, fieldname: str, start: str | None, end: str | None, startexcl: bool, endexcl: bool, boost: float = 1.0
    ) -> query.Query:
        low = parse_period(start)[1 if startexcl else 0] if start else None
        high = parse_period(end)[0 if endexcl else 1] if end else None
        if low and high and low > high:
            raise QueryError(f"date range ends before it starts: {start} to {end}")
        return query.DateRange(fieldname, low, high, startexcl=startexcl, endexcl=endexcl, boost=boost)

