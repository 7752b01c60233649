"""query/parse.py: field aliases, natural dates, fuzzy and phrase queries, filters, and bad input."""

from __future__ import annotations

from datetime import datetime

import pytest
from whoosh import query as wq

from indexer.errors import ExitCode, QueryError
from indexer.schema import build_schema, parse_period
from query.parse import (
    ALIASES,
    MAX_QUERY_LENGTH,
    Filters,
    check_syntax,
    combine,
    filter_query,
    known_fields,
    parse_query,
)

SCHEMA = build_schema()
END_OF = datetime.max.time()  # 23:59:59.999999


def parse(text: str) -> wq.Query:
    return parse_query(text, SCHEMA)


def both(term: str) -> wq.Query:
    """What a bare word becomes: the same term in the text and the title."""
    return wq.Or([wq.Term("text", term), wq.Term("title", term)])


def date_range(q: wq.Query) -> tuple[str, datetime | None, datetime | None]:
    assert isinstance(q, wq.DateRange), repr(q)
    return q.fieldname, q.startdate, q.enddate


# --- plain words and the empty query -------------------------------------------------------------


def test_empty_and_blank_queries_match_everything() -> None:
    assert isinstance(parse(""), wq.Every)
    assert isinstance(parse("   \t\n  "), wq.Every)


def test_bare_word_searches_text_and_title_stemmed() -> None:
    assert parse("scanner") == both("scanner")
    assert parse("schedules") == both("schedul")


def test_boolean_operators() -> None:
    assert parse("harbor AND NOT dredging") == wq.And([both("harbor"), wq.Not(both("dredg"))])
    q = parse("harbor OR scanner")
    assert isinstance(q, wq.Or)
    assert set(q.children()) == {
        wq.Term("text", "harbor"),
        wq.Term("title", "harbor"),
        wq.Term("text", "scanner"),
        wq.Term("title", "scanner"),
    }


# --- field aliases -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from:rivera", wq.Term("sender", "rivera")),
        ("sender:rivera", wq.Term("sender", "rivera")),
        ("to:okafor", wq.Term("recipients", "okafor")),
        ("recipient:okafor", wq.Term("recipients", "okafor")),
        ("cc:lindqvist", wq.Term("cc", "lindqvist")),
        ("participant:haddad", wq.Term("participants", "haddad")),
        ("anyone:haddad", wq.Term("participants", "haddad")),
        ("case:F-2099-00123", wq.Term("case_number", "f-2099-00123")),
        ("case_number:F-2015-04841", wq.Term("case_number", "f-2015-04841")),
        ("doc:C09900012", wq.Term("doc_number", "c09900012")),
        ("status:part", wq.Term("release_status", "part")),
        ("status:FULL", wq.Term("release_status", "full")),
        ("bates:STATE-SMP0000203", wq.Term("bates", "state-smp0000203")),
        ("classification:Confidential", wq.Term("classification", "confidential")),
        ("subject:budgets", wq.Term("subject", "budget")),
        ("attachment:memo", wq.Term("attachments", "memo")),
    ],
)
def test_field_aliases(text: str, expected: wq.Query) -> None:
    assert parse(text) == expected


def test_every_alias_is_a_known_field() -> None:
    fields = known_fields(SCHEMA)
    for target, aliases in ALIASES.items():
        assert target in fields
        assert set(aliases) <= fields
    assert {"from", "to", "case", "doc", "exemption", "status", "released"} <= fields
    assert "stamps" not in fields  # stored only, not searchable


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("exemption:B7(C)", "b7c"),
        ("exemption:b7c", "b7c"),
        ("exemption:(b)(6)", "b6"),
        ("exemption:B6", "b6"),
        ('exemption:"B7(C)"', "b7c"),
        ("exemption:1.4(D)", "14d"),
        ("exemptions:(b)(7)(C)", "b7c"),
    ],
)
def test_exemption_codes_in_any_spelling(text: str, key: str) -> None:
    assert parse(text) == wq.Term("exemptions", key)


def test_exemption_codes_combine_with_operators() -> None:
    q = parse("exemption:B7(C) OR exemption:(b)(6)")
    assert q == wq.Or([wq.Term("exemptions", "b7c"), wq.Term("exemptions", "b6")])


def test_field_query_and_words_together() -> None:
    q = parse("from:rivera scanner")
    assert isinstance(q, wq.And)
    assert list(q.children()) == [wq.Term("sender", "rivera"), both("scanner")]


# --- natural dates -------------------------------------------------------------------------------


def test_date_year() -> None:
    assert date_range(parse("date:2011")) == ("date", datetime(2011, 1, 1), datetime(2011, 12, 31, 23, 59, 59, 999999))


def test_date_month() -> None:
    assert date_range(parse("date:2011-03")) == (
        "date",
        datetime(2011, 3, 1),
        datetime(2011, 3, 31, 23, 59, 59, 999999),
    )
    assert date_range(parse("date:2012-02")) == (
        "date",
        datetime(2012, 2, 1),
        datetime(2012, 2, 29, 23, 59, 59, 999999),
    )
    assert date_range(parse("date:2011-3"))[1:] == (datetime(2011, 3, 1), datetime(2011, 3, 31, 23, 59, 59, 999999))


def test_date_day() -> None:
    assert date_range(parse("date:2011-03-04")) == (
        "date",
        datetime(2011, 3, 4),
        datetime(2011, 3, 4, 23, 59, 59, 999999),
    )


def test_date_range_of_months() -> None:
    expected = ("date", datetime(2011, 1, 1), datetime(2011, 6, 30, 23, 59, 59, 999999))
    assert date_range(parse("date:[2011-01 to 2011-06]")) == expected
    assert date_range(parse("date:[2011-01 TO 2011-06]")) == expected


def test_open_date_ranges() -> None:
    assert date_range(parse("date:[2011-01 to]")) == ("date", datetime(2011, 1, 1), None)
    assert date_range(parse("date:[to 2011-06]")) == ("date", None, datetime(2011, 6, 30, 23, 59, 59, 999999))


def test_date_after() -> None:
    # after the day 2012-09-11: from its last instant on, with no end
    assert date_range(parse("date:>2012-09-11")) == ("date", datetime(2012, 9, 11, 23, 59, 59, 999999), None)
    assert date_range(parse("date:>=2011")) == ("date", datetime(2011, 1, 1), None)


def test_date_before_on_or_before() -> None:
    assert date_range(parse("date:<=2011-02")) == ("date", None, datetime(2011, 2, 28, 23, 59, 59, 999999))


def test_release_date_alias_reads_natural_dates() -> None:
    assert date_range(parse("released:2099-04")) == (
        "release_date",
        datetime(2099, 4, 1),
        datetime(2099, 4, 30, 23, 59, 59, 999999),
    )


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2011", datetime(2011, 1, 1), datetime(2011, 12, 31, 23, 59, 59, 999999)),
        ("2011-03", datetime(2011, 3, 1), datetime(2011, 3, 31, 23, 59, 59, 999999)),
        ("2011-03-04", datetime(2011, 3, 4), datetime(2011, 3, 4, 23, 59, 59, 999999)),
        ("March 2011", datetime(2011, 3, 1), datetime(2011, 3, 31, 23, 59, 59, 999999)),
        ("3/4/2011", datetime(2011, 3, 4), datetime(2011, 3, 4, 23, 59, 59, 999999)),
        ("4 March 2011", datetime(2011, 3, 4), datetime(2011, 3, 4, 23, 59, 59, 999999)),
    ],
)
def test_date_bounds_of_natural_dates(text: str, start: datetime, end: datetime) -> None:
    assert parse_period(text) == (start, end)


# --- fuzzy terms and phrases with slop --------------------------------------------------------------


def test_fuzzy_term_default_distance() -> None:
    q = parse("scaner~")
    assert isinstance(q, wq.Or)
    fuzzy = list(q.children())
    assert [type(f) for f in fuzzy] == [wq.FuzzyTerm, wq.FuzzyTerm]
    assert [(f.fieldname, f.text, f.maxdist) for f in fuzzy] == [("text", "scaner", 1), ("title", "scaner", 1)]


def test_fuzzy_term_with_distance() -> None:
    fuzzy = list(parse("scaner~2").children())
    assert [(f.fieldname, f.text, f.maxdist) for f in fuzzy] == [("text", "scaner", 2), ("title", "scaner", 2)]


def test_phrase_and_phrase_with_slop() -> None:
    exact = list(parse('"harbor inspection schedule"').children())
    assert [(p.fieldname, p.words, p.slop) for p in exact] == [
        ("text", ["harbor", "inspect", "schedul"], 1),
        ("title", ["harbor", "inspect", "schedul"], 1),
    ]
    slop = list(parse('"harbor schedule"~3').children())
    assert all(isinstance(p, wq.Phrase) for p in slop)
    assert [(p.fieldname, p.words, p.slop) for p in slop] == [
        ("text", ["harbor", "schedul"], 3),
        ("title", ["harbor", "schedul"], 3),
    ]


def test_wildcards() -> None:
    assert parse("scan*") == wq.Or([wq.Prefix("text", "scan"), wq.Prefix("title", "scan")])
    assert parse("sca?ner") == wq.Or([wq.Wildcard("text", "sca?ner"), wq.Wildcard("title", "sca?ner")])


# --- bad input -------------------------------------------------------------------------------------


def bad(text: str) -> str:
    with pytest.raises(QueryError) as info:
        parse(text)
    assert info.value.exit_code == ExitCode.bad_query
    return str(info.value)


@pytest.mark.parametrize("text", ['"harbor schedule', 'from:rivera "harbor', '"a" "b'])
def test_unbalanced_quotes(text: str) -> None:
    assert bad(text) == 'unbalanced quote: every " needs a closing "'


@pytest.mark.parametrize("text", ["(harbor OR scanner", "harbor)", ")(", "((a) b"])
def test_unbalanced_parentheses(text: str) -> None:
    assert bad(text) == "unbalanced brackets: every ( needs a matching )"


@pytest.mark.parametrize("text", ["date:[2011 to 2012", "date:2011 to 2012]", "]["])
def test_unbalanced_square_brackets(text: str) -> None:
    assert bad(text) == "unbalanced brackets: every [ needs a matching ]"


def test_brackets_inside_quotes_are_words() -> None:
    assert parse('"harbor (north"') == wq.Or(
        [wq.Phrase("text", ["harbor", "north"]), wq.Phrase("title", ["harbor", "north"])]
    )


@pytest.mark.parametrize("name", ["foo", "author", "http"])
def test_unknown_field(name: str) -> None:
    message = bad(f"{name}:bar")
    assert message.startswith(f"unknown field {name!r}; known fields: ")
    listed = message.split("known fields: ")[1].split(", ")
    assert {"from", "to", "case", "doc", "date", "exemption", "status", "subject", "title"} <= set(listed)
    assert listed == sorted(listed)


@pytest.mark.parametrize(
    "text",
    [
        "date:2011-13",
        "date:2011-02-30",
        "date:2011-00",
        "date:notadate",
        "date:99999",
        "date:>2011-13",
        "date:[2011-13 to 2012]",
        "released:2099-13",
    ],
)
def test_impossible_dates(text: str) -> None:
    message = bad(text)
    value = text.split(":", 1)[1].lstrip("[>").split(" ")[0]
    assert message == f"cannot read {value!r} as a date; write 2011, 2011-03, 2011-03-04 or March 2011"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [("date:[2012 to 2011]", "2012", "2011"), ("date:[2011-06 to 2011-01]", "2011-06", "2011-01")],
)
def test_reversed_date_ranges(text: str, start: str, end: str) -> None:
    assert bad(text) == f"date range ends before it starts: {start} to {end}"


def test_same_period_range_is_not_reversed() -> None:
    assert date_range(parse("date:[2011 to 2011]"))[1:] == (
        datetime(2011, 1, 1),
        datetime(2011, 12, 31, 23, 59, 59, 999999),
    )


def test_over_long_query() -> None:
    text = "harbor " * 400
    assert len(" ".join(text.split())) > MAX_QUERY_LENGTH
    assert bad(text) == f"query is too long ({len(' '.join(text.split()))} characters; the limit is 2000)"
    assert bad("x" * 2001) == "query is too long (2001 characters; the limit is 2000)"
    assert parse("x" * 2000) == both("x" * 2000)


@pytest.mark.parametrize(
    "text", ["\u200b", "😀", "\x00", "\u202e", "\ud800", "AND", "NOT", "()", "[]", '"  "']
)
def test_odd_unicode_and_empty_queries(text: str) -> None:
    assert bad(text) == f"nothing searchable in {' '.join(text.split())!r}"


@pytest.mark.parametrize(
    ("typed", "term"), [("Jose\u0301", "jose"), ("ｓｃａｎｎｅｒ", "scanner"), ("\ufb01le", "file")]
)
def test_query_text_is_unicode_normalized(typed: str, term: str) -> None:
    assert parse(typed) == both(term)


def test_invisible_characters_around_words_are_ignored() -> None:
    assert parse("\ufeffscanner") == both("scanner")
    assert parse("scanner\x00") == both("scanner")


def test_accented_words_are_folded_as_the_index_folds_them() -> None:
    assert parse("José") == both("jose")
    assert parse("café") == both("cafe")


def test_check_syntax_accepts_good_input() -> None:
    check_syntax('from:rivera "harbor (north)" date:[2011 to 2012] (a OR b)', SCHEMA)


def test_query_error_is_a_clear_one_liner() -> None:
    for text in ('"x', "(x", "foo:bar", "date:2011-13", "date:[2012 to 2011]", "x" * 2001, "😀"):
        message = bad(text)
        assert "\n" not in message
        assert "Traceback" not in message


# --- filter options --------------------------------------------------------------------------------


def test_no_filters_give_no_filter_query() -> None:
    assert filter_query(Filters(), SCHEMA) is None


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(case=" F-2015-04841 "), wq.Term("case_number", "f-2015-04841")),
        (Filters(doc="C05739545"), wq.Term("doc_number", "c05739545")),
        (Filters(sender="Rivera"), wq.Term("sender", "rivera")),
        (Filters(exemption="B7(C)"), wq.Term("exemptions", "b7c")),
        (Filters(exemption="(b)(6)"), wq.Term("exemptions", "b6")),
        (Filters(status="Part"), wq.Term("release_status", "part")),
        (Filters(status=" denied "), wq.Term("release_status", "denied")),
    ],
)
def test_single_filters(filters: Filters, expected: wq.Query) -> None:
    assert filter_query(filters, SCHEMA) == expected


def test_recipient_filter_searches_to_and_cc() -> None:
    assert filter_query(Filters(recipient="lindqvist"), SCHEMA) == wq.Or(
        [wq.Term("recipients", "lindqvist"), wq.Term("cc", "lindqvist")]
    )


def test_since_and_until_filters() -> None:
    q = filter_query(Filters(since="2011-02", until="2011-03"), SCHEMA)
    assert date_range(q) == ("date", datetime(2011, 2, 1), datetime(2011, 3, 31, 23, 59, 59, 999999))
    assert date_range(filter_query(Filters(since="2012"), SCHEMA)) == ("date", datetime(2012, 1, 1), None)
    assert date_range(filter_query(Filters(until="2011-01-25"), SCHEMA)) == (
        "date",
        None,
        datetime(2011, 1, 25, 23, 59, 59, 999999),
    )


def test_several_filters_all_apply() -> None:
    q = filter_query(Filters(case="F-2099-00123", status="full", sender="nakamura"), SCHEMA)
    assert q == wq.And(
        [
            wq.Term("case_number", "f-2099-00123"),
            wq.Term("sender", "nakamura"),
            wq.Term("release_status", "full"),
        ]
    )


def test_combine_query_and_filters() -> None:
    assert combine("scanner", Filters(), SCHEMA) == both("scanner")
    assert combine("", Filters(status="full"), SCHEMA) == wq.Term("release_status", "full")
    assert combine("scanner", Filters(status="full"), SCHEMA) == wq.And(
        [both("scanner"), wq.Term("release_status", "full")]
    )
    assert isinstance(combine("", Filters(), SCHEMA), wq.Every)


def bad_filter(filters: Filters) -> str:
    with pytest.raises(QueryError) as info:
        filter_query(filters, SCHEMA)
    assert info.value.exit_code == ExitCode.bad_query
    return str(info.value)


def test_unknown_status_filter() -> None:
    assert bad_filter(Filters(status="released")) == "unknown release status 'released'; use one of full, part, denied"


def test_reversed_since_until() -> None:
    assert bad_filter(Filters(since="2012", until="2011")) == "--since 2012 is after --until 2011"


@pytest.mark.parametrize("field", ["since", "until"])
def test_impossible_filter_dates(field: str) -> None:
    message = bad_filter(Filters(**{field: "2011-13"}))
    assert message == "cannot read '2011-13' as a date; write 2011, 2011-03, 2011-03-04 or March 2011"


@pytest.mark.parametrize(("field", "value"), [("sender", "  "), ("sender", '"'), ("recipient", "(")])
def test_filters_with_nothing_to_match(field: str, value: str) -> None:
    message = bad_filter(Filters(**{field: value}))
    target = "sender" if field == "sender" else "recipients"
    assert message == f"nothing to match in {value!r} for {target}"


def test_bad_filter_fails_combine_even_with_a_good_query() -> None:
    with pytest.raises(QueryError, match="unknown release status"):
        combine("scanner", Filters(status="maybe"), SCHEMA)


@pytest.mark.parametrize(
    ("pattern", "stem"),
    [("negotiat*", "negoti"), ("inspecti*", "inspect"), ("communicati*", "commun"), ("det?ntion", "detent")],
)
def test_wildcards_on_stemmed_fields_also_match_the_stems_of_their_words(pattern: str, stem: str) -> None:
    """The text is indexed by stem: `negotiation` as `negoti`, which `negotiat*` alone cannot match."""
    q = parse(pattern)
    assert wq.Term("text", stem) in set(q.leaves()), q
    assert wq.Term("title", stem) in set(q.leaves()), q


def test_wildcards_elsewhere_are_left_as_typed() -> None:
    assert parse("doc:C0573*") == wq.Prefix("doc_number", "c0573")
    assert parse("harbo*") == wq.Or([wq.Prefix("text", "harbo"), wq.Prefix("title", "harbo")])  # harbor: its own stem
    assert parse("d?t?n?ion*") == wq.Or([wq.Wildcard("text", "d?t?n?ion*"), wq.Wildcard("title", "d?t?n?ion*")])


def test_an_exemption_code_as_text_points_to_the_exemption_filter() -> None:
    """(b)(6) has no word of two letters: searching it as text finds nothing, so say what does."""
    assert bad('"(b)(6)"') == "nothing searchable in '\"(b)(6)\"'; for documents citing it, search exemption:B6"
    assert bad("a") == "nothing searchable in 'a'"


@pytest.mark.parametrize(
    ("query", "expected"),
    [("bates:STATE-5CB0045247", "state-scb0045247"), ('bates:"DOJ-OGR- 00024083"', "doj-ogr-00024083")],
)
def test_bates_query_is_normalized_as_the_index_stores_it(query: str, expected: str) -> None:
    assert parse_query(query) == wq.Term("bates", expected)
