"""Property tests of the query parser: any input parses or fails with a QueryError (never another
exception), well-formed queries always parse, and searching never raises anything else."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner
from whoosh import query as wq
from whoosh.analysis import STOP_WORDS

import indexer
from indexer.errors import QueryError
from indexer.schema import build_schema
from query.aliases import parse_aliases
from query.cli import app
from query.parse import Filters, combine, parse_query
from query.search import search

SCHEMA = build_schema()
KEYWORDS = frozenset({"and", "or", "not", "to"})
ALIASES = parse_aliases("Hillary Clinton = H = hrod17@clintonemail.com\n")
RELEASES = Path(__file__).resolve().parents[1] / "corpus" / "releases"
SYNTAX = st.sampled_from(list('"()[]{}:~*?^+-\\/<>=!&|') + ["AND", "OR", "NOT", "TO", " ", "date:", "from:", "to:"])
ODD = st.text(alphabet=st.characters(codec=None, exclude_categories=("Cs",)), max_size=60)
NASTY = st.lists(
    st.one_of(SYNTAX, ODD, st.sampled_from(["\u200b", "\ufeff", "\u0301", "ﬁ", "Ⅻ", "２０１１"])), max_size=25
).map("".join)

WORD = st.from_regex(r"[A-Za-z]{2,12}", fullmatch=True).filter(lambda w: w.lower() not in STOP_WORDS | KEYWORDS)
DAY = st.dates(min_value=date(1000, 1, 1), max_value=date(9998, 12, 31)).map(lambda d: d.isoformat())
PERIOD = st.one_of(DAY, DAY.map(lambda d: d[:7]), DAY.map(lambda d: d[:4]))
FIELD_VALUE = st.one_of(
    st.tuples(st.sampled_from(["from", "to", "cc", "participant", "subject", "agency"]), WORD).map(":".join),
    st.tuples(st.sampled_from(["case", "doc", "classification", "bates", "year", "month"]), WORD).map(":".join),
    st.sampled_from(["exemption:b6", "exemption:(b)(6)", "exemption:B7(C)", "status:part", "from:H", "to:H"]),
    PERIOD.map(lambda p: f"date:{p}"),
    st.tuples(PERIOD, PERIOD).map(lambda r: f"date:[{min(r)} to {max(r)}]"),
)
TERM = st.one_of(
    WORD,
    WORD.map(lambda w: w + "~"),
    WORD.map(lambda w: w[:2] + "*"),
    st.lists(WORD, min_size=1, max_size=4).map(lambda ws: '"' + " ".join(ws) + '"'),
    st.tuples(st.lists(WORD, min_size=2, max_size=4), st.integers(1, 5)).map(lambda t: f'"{" ".join(t[0])}"~{t[1]}'),
    FIELD_VALUE,
)
WELL_FORMED = st.recursive(
    TERM,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" AND ", " OR ", " AND NOT ", " "]), inner).map("".join),
        inner.map(lambda q: f"({q})"),
    ),
    max_leaves=6,
)


def parses_or_fails_clearly(text: str) -> None:
    try:
        q = parse_query(text, SCHEMA, ALIASES)
    except QueryError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
    else:
        assert isinstance(q, wq.Query)


@settings(max_examples=400, deadline=None)
@given(NASTY)
def test_any_input_parses_or_fails_with_a_query_error(text: str) -> None:
    parses_or_fails_clearly(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2500))
def test_any_unicode_text_parses_or_fails_with_a_query_error(text: str) -> None:
    parses_or_fails_clearly(text)


@settings(max_examples=300, deadline=None)
@given(WELL_FORMED)
def test_well_formed_queries_always_parse(text: str) -> None:
    assert isinstance(parse_query(text, SCHEMA, ALIASES), wq.Query)


@settings(max_examples=200, deadline=None)
@given(st.builds(Filters, since=st.one_of(st.none(), NASTY, PERIOD), until=st.one_of(st.none(), PERIOD), sender=ODD))
def test_any_filter_options_combine_or_fail_with_a_query_error(filters: Filters) -> None:
    try:
        combine("", filters, SCHEMA, ALIASES)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("props") / "ix"
    assert indexer.index_paths([RELEASES], path).ok
    return path


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(NASTY, WELL_FORMED))
def test_searching_any_input_returns_hits_or_a_query_error(index_dir: Path, text: str) -> None:
    try:
        result = search(index_dir, text, limit=3, facets=["sender", "exemption"], aliases=ALIASES)
    except QueryError:
        return
    whole = [h for h in result.hits if not h.missing]
    assert result.total >= len(whole) and result.total + result.partial >= len(result.hits)
    assert result.hits[: len(whole)] == tuple(whole)  # documents holding every word come first
    assert [len(h.missing) for h in result.hits] == sorted(len(h.missing) for h in result.hits)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(NASTY, WELL_FORMED))
def test_the_cli_never_shows_a_traceback(index_dir: Path, text: str) -> None:
    # after `--`: a query starting with `-` (`-"`) is the query, not an unknown option (exit 2)
    result = CliRunner().invoke(app, ["search", "--index", str(index_dir), "-f", "jsonl", "--", text])
    assert result.exit_code in (0, 7), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 7:
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
