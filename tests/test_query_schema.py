"""Derived index fields: date buckets (fast date filters), facet keys, and the releasing agency."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from whoosh import query as wq

from indexer.schema import SentDate, agency_of, bucket_query, build_schema, derived_fields

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))


class FakeReader:
    schema = build_schema()


def _in_range(q: wq.TermRange, value: str) -> bool:
    low_ok = q.start is None or (value > q.start if q.startexcl else value >= q.start)
    high_ok = q.end is None or (value < q.end if q.endexcl else value <= q.end)
    return low_ok and high_ok


def matches(q: wq.Query, sent: date) -> bool:
    """Whether a document sent on `sent` matches a bucket query, evaluated without an index."""
    fields = derived_fields(datetime(sent.year, sent.month, sent.day, 13, 5), None, (), (), None)
    if isinstance(q, wq.Or):
        return any(matches(child, sent) for child in q.children())
    assert isinstance(q, wq.TermRange), q
    return _in_range(q, str(fields[q.fieldname]))


def whole_days(first: date, last: date) -> tuple[datetime, datetime]:
    return datetime(first.year, first.month, first.day), datetime(last.year, last.month, last.day, 23, 59, 59, 999999)


@given(DAYS, DAYS, DAYS)
def test_bucket_query_matches_exactly_the_days_in_range(a: date, b: date, sent: date) -> None:
    first, last = sorted((a, b))
    q = bucket_query(*whole_days(first, last))
    assert q is not None
    assert matches(q, sent) == (first <= sent <= last)


@given(DAYS, DAYS)
def test_open_bucket_ranges(bound: date, sent: date) -> None:
    start, end = whole_days(bound, bound)
    since, until = bucket_query(start, None), bucket_query(None, end)
    assert since is not None and until is not None
    assert matches(since, sent) == (sent >= bound)
    assert matches(until, sent) == (sent <= bound)


def test_bucket_query_uses_few_terms() -> None:
    q = bucket_query(*whole_days(date(2011, 3, 4), date(2013, 2, 10)))
    assert isinstance(q, wq.Or)
    assert [c.fieldname for c in q.children()] == ["day", "month", "year", "month", "day"]
    assert bucket_query(*whole_days(date(2011, 1, 1), date(2011, 12, 31))) == wq.TermRange("year", "2011", "2011")


def test_bounds_inside_a_day_are_not_bucketed() -> None:
    assert bucket_query(datetime(2011, 3, 4, 12), None) is None
    q = SentDate(datetime(2011, 3, 4, 12), None)._compile_query(FakeReader())  # the numeric trie
    assert "year" not in repr(q)
    assert "date" in repr(q)


def test_exclusive_bounds_move_to_the_next_whole_day() -> None:
    end_of_11th = datetime(2012, 9, 11) + timedelta(days=1) - timedelta(microseconds=1)
    q = SentDate(end_of_11th, None, startexcl=True)._compile_query(None)
    assert isinstance(q, wq.ConstantScoreQuery)
    assert not matches(q.child, date(2012, 9, 11))
    assert matches(q.child, date(2012, 9, 12))


def test_derived_fields() -> None:
    fields = derived_fields(
        datetime(2011, 3, 4, 9, 30),
        " Mills,  Cheryl D ",
        ("Abedin, Huma", "H", "Abedin,  Huma"),
        ("B6", "B3 CIA"),
        None,
    )
    assert fields == {
        "sender_key": "Mills, Cheryl D",
        "recipient_keys": "Abedin, Huma\nH",
        "exemption_code": "B6,B3 CIA",
        "year": "2011",
        "month": "2011-03",
        "day": "2011-03-04",
    }
    assert derived_fields(None, None, (), (), None) == {}


def test_agency_from_stamps_case_numbers_and_bates() -> None:
    assert (
        agency_of(None, ["UNCLASSIFIED U.S. Department of State Case No. F-2014-20439"]) == "U.S. Department of State"
    )
    assert agency_of(None, ["U.S.  Department of the Treasury"]) == "U.S. Department of the Treasury"
    assert agency_of("F-2015-04841", []) == "U.S. Department of State"
    assert agency_of(None, ["NW 68262 Docld:32308705 Page 1"]) == "National Archives (JFK records)"
    assert agency_of(None, ["Approved For Release 2001/03/04 : CIA-RDP80-00001A000100010001-1"]) == (
        "Central Intelligence Agency"
    )
    assert agency_of(None, [], ["EFTA01325326"]) == "U.S. Department of Justice"
    assert agency_of("15-2549", ["Page 3 of 9"], ["SDNY_GM_02743194"]) is None
