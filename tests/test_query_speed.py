"""query/fast.py: the fast search path gives exactly the totals, order and highlights of a full
Whoosh search, on a multi-segment index (where Whoosh's own count of a pruned search is wrong)."""

from __future__ import annotations

import os
import random
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from whoosh import highlight
from whoosh import query as wq
from whoosh.analysis import SimpleAnalyzer
from whoosh.searching import Searcher

from indexer.documents import Document
from indexer.metadata import Metadata
from indexer.schema import SentDate, build_schema, parse_period
from indexer.store import create_or_open, writing
from query import fast, topk
from query.engines.whoosh.search import _FRAGMENTER, make_hit, opened
from query.fast import DayRange, count, matched_tokens, text_words, with_day_ranges
from query.parse import Filters, combine
from query.people import directory
from query.search import search

SEGMENTS = 3
PER_SEGMENT = 700
START = datetime(2010, 1, 1)


def _vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnoprstuvw"
    return sorted({"".join(rng.choices(letters, k=rng.randint(4, 9))) for _ in range(600)})


def _documents(rng: random.Random, vocab: list[str], first: int, n: int) -> list[Document]:
    weights = [1 / (rank + 1) for rank in range(len(vocab))]  # a few common words, many rare ones
    docs = []
    for i in range(first, first + n):
        pages = tuple(" ".join(rng.choices(vocab, weights, k=rng.randint(20, 200))) for _ in range(rng.choice((1, 2))))
        meta = Metadata(
            sender=f"{rng.choice(vocab).title()}, {rng.choice(vocab[:20]).title()}",
            date=START + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)),
            subject=" ".join(rng.choices(vocab, k=3)),
        )
        docs.append(Document(id=f"d{i:06d}-p1", source=f"s/{i // 100}.txt", sha256=f"{i:064x}", first_page=1,
                             pages=pages, doc_number=f"C{i:08d}", meta=meta))  # fmt: skip
    return docs


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """An index written in SEGMENTS commits (so SEGMENTS segments), and its common words."""
    path = tmp_path_factory.mktemp("speed") / "foia-index"
    rng = random.Random(7)
    vocab = _vocabulary(rng)
    ix = create_or_open(path)
    for seg in range(SEGMENTS):
        with writing(ix) as writer:
            writer.add_file(_documents(rng, vocab, seg * PER_SEGMENT, PER_SEGMENT))
    ix.close()
    with opened(path) as (_, searcher):
        assert len(searcher.subsearchers) == SEGMENTS
    return path, vocab[:40]


SPANS = [("2010-02-11", "2010-09"), ("2011", "2011"), ("2010-06-30", "2012-01-02"), ("2011-03-05", "2011-03-05")]


def _reference(path: Path, text: str, filters: Filters) -> tuple[list[str], list[float], int]:
    """Ids, scores and total of a full (unpruned) Whoosh search of the same query (people
    resolved as `search` resolves them), date ranges as Whoosh's own constant-score DateRange."""
    with opened(path) as (ix, searcher):
        q = combine(text, filters, ix.schema, directory(path, ix))
        results = searcher.search(q, limit=None)
        return [h["id"] for h in results], [round(h.score, 4) for h in results], len(results)


@pytest.mark.parametrize("span", SPANS)
def test_totals_with_a_date_filter_are_exact_on_a_multi_segment_index(
    multi: tuple[Path, list[str]], span: tuple[str, str]
) -> None:
    path, words = multi
    for word in words[:12]:
        filters = Filters(since=span[0], until=span[1])
        ids, _, total = _reference(path, word, filters)
        result = search(path, word, filters, limit=10)
        assert result.total == total == len(ids), (word, span)


def test_whoosh_alone_miscounts_here_so_the_test_above_means_something(multi: tuple[Path, list[str]]) -> None:
    """A pruned top-10 Whoosh search of a term and a date range counts only what it looked at."""
    path, words = multi
    wrong = 0
    with opened(path) as (ix, searcher):
        for word in words[:12]:
            for since, until in SPANS:
                q = combine(word, Filters(since=since, until=until), ix.schema)
                exact = len(set(searcher.docs_for_query(q)))
                wrong += len(searcher.search(q, limit=10)) != exact
    assert wrong


@pytest.mark.parametrize(
    "text_of",
    [
        lambda w: "",
        lambda w: w[0],
        lambda w: f"{w[1]} {w[2]}",
        lambda w: f"({w[3]} OR {w[4]}) AND NOT {w[5]}",
        lambda w: f'"{w[0]} {w[1]}"',
        lambda w: f"{w[6][:3]}*",
        lambda w: f"{w[7]} date:2011",
        lambda w: f"{w[8]} from:{w[0]}",
    ],
)
@pytest.mark.parametrize("span", [None, *SPANS[:2]])
def test_hits_order_scores_and_totals_match_a_full_search(
    multi: tuple[Path, list[str]], text_of: object, span: tuple[str, str] | None
) -> None:
    path, words = multi
    text = text_of(words)  # type: ignore[operator]
    filters = Filters(since=span[0], until=span[1]) if span else Filters()
    ids, scores, total = _reference(path, text, filters)
    for page in (1, 2):
        result = search(path, text, filters, limit=10, page=page)
        assert result.total == total, text
        assert [h.id for h in result.hits] == ids[(page - 1) * 10 : page * 10], text
        assert [h.score for h in result.hits] == scores[(page - 1) * 10 : page * 10], text


@pytest.mark.parametrize("text", ["{0}", "{1} OR {2}", "{3} NOT ({4} {5})", '"{0} {1}"', "{6:.3}*", "{7}~"])
def test_highlights_match_whooshs_from_recorded_terms(multi: tuple[Path, list[str]], text: str) -> None:
    path, words = multi
    text = text.format(*words)
    with opened(path) as (ix, searcher):
        results = searcher.search(combine(text, Filters(), ix.schema), limit=10, terms=True)
        field = ix.schema["text"]
        recorded = [frozenset(field.from_bytes(t) for f, t in h.matched_terms() if f == "text") for h in results]
        expected = [make_hit(h, words=words).snippets for h, words in zip(results, recorded, strict=True)]
    result = search(path, text, limit=10)
    assert [h.snippets for h in result.hits] == expected
    assert any(s for s in expected)


def test_highlight_words_leave_out_excluded_words(multi: tuple[Path, list[str]]) -> None:
    path, words = multi
    with opened(path) as (ix, searcher):
        q = combine(f"{words[0]} NOT ({words[1]} {words[2]})", Filters(), ix.schema)
        assert text_words(q, searcher.reader()) == {words[0]}


def test_fast_tokens_are_the_analyzers() -> None:
    analyzer = build_schema()["text"].analyzer
    text = "The Ambassador's meetings were re-scheduled; U.S. officials met 3 times.\fPage two: meeting again, running."
    reference = [
        (t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True, positions=True, removestops=False)
    ]
    words = frozenset({"meet", "run", "the"})
    for _ in range(2):  # the second time from the cache of filtered words
        fast = [(t.text, t.startchar, t.endchar, t.matched) for t in matched_tokens(analyzer, text, words)]
        assert [f[:3] for f in fast] == reference
        assert [f[3] for f in fast] == [r[0] in words for r in reference]


def _fragments(text: str, tokens: object) -> list[tuple[int, int, list[tuple[int, int, str]]]]:
    merged = highlight.Highlighter._merge_matched_tokens(tokens)
    return [
        (f.startchar, f.endchar, [(t.startchar, t.endchar, t.text) for t in f.matches])
        for f in _FRAGMENTER.fragment_tokens(text, merged)
    ]


@pytest.mark.parametrize("name", ["C05739674", "C05739647", "C05739545"])
@pytest.mark.parametrize("analyzer", [build_schema()["text"].analyzer, SimpleAnalyzer(r"[\s,.;:]+", gaps=True)])
def test_passages_from_the_tokens_near_matches_are_whooshs_from_every_token(
    shared_corpus: Path, name: str, analyzer: Any
) -> None:
    """Snippets make tokens only for the words near a match (`fast._near`): the passages cut are
    those Whoosh's fragmenter cuts from every token of the analyzer, for rare and common words, one
    or several, on long State release documents; page marks make tokens only for the matches. Both
    for the index's analyzer (read in C) and for another (tokens read one by one)."""
    text = (shared_corpus / "state-f2015-04841" / "pdftotext-layout" / f"{name}.txt").read_text(encoding="utf-8")
    counts = Counter(t.text for t in analyzer(text, removestops=False))
    ranked = [w for w, _ in counts.most_common() if len(w) > 2]
    choices = [ranked[:1], ranked[:3], ranked[len(ranked) // 2 : len(ranked) // 2 + 2], ranked[-1:], ranked[::7]]
    for chosen in choices:
        words = frozenset(chosen)
        whole = []
        for t in analyzer(text, positions=True, chars=True, mode="index", removestops=False):
            t.matched = t.text in words
            whole.append(t.copy())
        expected = _fragments(text, iter(whole))
        assert expected, chosen
        assert _fragments(text, matched_tokens(analyzer, text, words, _FRAGMENTER.surround)) == expected, chosen
        assert [(t.startchar, t.endchar) for t in whole if t.matched] == [
            (t.startchar, t.endchar) for t in matched_tokens(analyzer, text, words, 0) if t.matched
        ]


def test_day_ranges_match_whooshs_date_range(multi: tuple[Path, list[str]]) -> None:
    path, _ = multi
    rng = random.Random(3)
    with opened(path) as (_, searcher):
        for _ in range(30):
            first = parse_period(f"{rng.randint(2009, 2013)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")[0]
            last = first + timedelta(days=rng.randint(0, 500))
            end = parse_period(last.strftime("%Y-%m-%d"))[1]
            for start_excl, end_excl in ((False, False), (True, True)):
                plain = set(searcher.docs_for_query(wq.DateRange("date", first, end, start_excl, end_excl)))
                ours = DayRange(first, end, start_excl, end_excl)
                assert set(searcher.docs_for_query(ours)) == plain
                assert count(searcher, ours) == len(plain)
                assert len(searcher.search(ours, limit=None)) == len(plain)


def test_date_ranges_in_queries_and_filters_become_day_ranges(multi: tuple[Path, list[str]]) -> None:
    path, words = multi
    with opened(path) as (ix, _):
        q = with_day_ranges(combine(f"{words[0]} date:2011-03", Filters(since="2010"), ix.schema))
    ranges = [leaf for leaf in q.leaves() if isinstance(leaf, SentDate)]
    assert len(ranges) == 2
    assert all(isinstance(r, DayRange) for r in ranges)


def test_a_date_range_matching_nothing_gives_no_hits(multi: tuple[Path, list[str]]) -> None:
    path, words = multi
    result = search(path, words[0], Filters(since="1990", until="1991"), limit=10, facets=["year"])
    assert (result.total, result.hits, result.facets) == (0, (), {"year": []})


def test_facets_count_every_match_not_only_the_shown_ones(multi: tuple[Path, list[str]]) -> None:
    path, words = multi
    result = search(path, words[0], Filters(since="2010-02-11", until="2011-09"), limit=10, facets=["year"])
    assert sum(f.count for f in result.facets["year"]) == result.total > 10


def _check_top(searcher: Searcher, q: wq.Query) -> int:
    """query.topk scores a match as Whoosh scores that document alone (a search filtered to it;
    checked for the best 10 and 40 others), counts every match, and puts the best first."""
    matches = sorted(searcher.docs_for_query(q))
    found = topk.top(searcher, q, len(matches))
    assert found is not None
    total, ranked = found.total, found.best
    assert total == len(matches) == len(ranked)
    assert ranked == sorted(ranked, key=lambda sd: (-sd[0], sd[1]))
    assert topk.top(searcher, q, 10) == topk.Ranked(total, ranked[:10])
    with_docs = topk.top(searcher, q, 10, docs=True)
    assert with_docs is not None and with_docs.docs is not None
    assert {offset + d for offset, docs in with_docs.docs.items() for d in docs} == set(matches)
    assert (with_docs.total, with_docs.best) == (total, ranked[:10])
    checked = ranked[:10] + random.Random(3).sample(ranked[10:], max(0, min(40, len(ranked) - 10)))
    for score, docnum in checked:
        assert score == pytest.approx(searcher.search(q, filter={docnum}, limit=1)[0].score, rel=1e-9)
    return total


@pytest.mark.parametrize(
    "text", ["{0}", "({3} OR {4}) AND from:{0}", "{1} {9} NOT {2}", "({5} OR {6} OR {7}) AND {8}", '"{0} {1}"']
)
def test_term_at_a_time_scores_are_each_documents_own_whoosh_score(multi: tuple[Path, list[str]], text: str) -> None:
    path, words = multi
    with opened(path) as (ix, searcher):
        assert _check_top(searcher, combine(text.format(*words), Filters(), ix.schema))


def test_term_at_a_time_phrases_of_three_words(multi: tuple[Path, list[str]]) -> None:
    """Phrases taken from documents' text (so they match), one with a word repeated."""
    path, _ = multi
    with opened(path) as (ix, searcher):
        for docnum in (3, 800, 1500):
            words = searcher.stored_fields(docnum)["text"].split()
            assert _check_top(searcher, combine('"' + " ".join(words[4:7]) + '"', Filters(), ix.schema))
            _check_top(searcher, combine(f'"{words[9]} {words[10]} {words[9]}"', Filters(), ix.schema))


def test_term_at_a_time_leaves_wildcards_fuzzy_terms_and_loose_phrases_to_whoosh(multi: tuple[Path, list[str]]) -> None:
    path, words = multi
    with opened(path) as (ix, searcher):
        for text in (f'"{words[0]} {words[1]}"~3', f"{words[2][:3]}*", f"{words[3]}~", f"{words[0]} date:2011"):
            q = combine(text, Filters(), ix.schema)
            assert topk.top(searcher, with_day_ranges(q), 10) is None, text


def test_two_processes_give_the_same_hits(multi: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Scoring half of every segment in a forked process changes nothing: neither the hits nor the
    matching documents sent back."""
    path, words = multi
    with opened(path) as (ix, searcher):
        queries = [
            combine(t, Filters(), ix.schema) for t in (words[0], f'"{words[0]} {words[1]}"', f"{words[2]} {words[3]}")
        ]
        alone = [_found(topk.top(searcher, q, 10, docs=True)) for q in queries]
        assert all(docs for _, _, docs in alone)
        monkeypatch.setattr(topk, "PARALLEL_POSTINGS", 0)
        forked = []
        monkeypatch.setattr(topk.os, "fork", lambda real=os.fork: forked.append(1) or real())
        assert [_found(topk.top(searcher, q, 10, docs=True)) for q in queries] == alone
        assert len(forked) == len(queries)


def _found(ranked: topk.Ranked | None) -> tuple[int, list[tuple[float, int]], set[int]]:
    """Total, best hits, and the matching documents as global numbers."""
    assert ranked is not None and ranked.docs is not None
    return ranked.total, ranked.best, {offset + d for offset, docs in ranked.docs.items() for d in docs}


def test_work_the_child_fails_is_done_here() -> None:
    parent = os.getpid()

    def work(n: int) -> int:
        if os.getpid() != parent:
            raise RuntimeError("child failed")
        return n * n

    assert topk._in_two_processes(work, [5, 3], [8]) == [25, 9, 64]


def test_segments_are_cut_in_two_at_their_middle(multi: tuple[Path, list[str]]) -> None:
    """Both processes get half of every segment, however unequal the segments are."""
    path, _ = multi
    with opened(path) as (_, searcher):
        whole = [(sub, offset, range(sub.reader().doc_count_all())) for sub, offset in searcher.subsearchers]
        first, second = topk._halves(whole)
        for (_, _, a), (_, _, b), (_, _, span) in zip(first, second, whole, strict=True):
            assert a.start == span.start and a.stop == b.start and b.stop == span.stop
            assert abs(len(a) - len(b)) <= 1


def test_postings_kept_decoded_give_the_same_hits(
    multi: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Common terms' postings, kept decoded from one search to the next, give the same hits,
    totals and scores as postings read from the index, with date filters (only some documents),
    in two processes (half of each segment), and from the kept blocks the second time."""
    path, words = multi
    texts = [words[0], f"{words[1]} {words[2]}", f"({words[3]} OR {words[4]}) NOT {words[5]}"]
    texts.append(f'"{words[0]} {words[1]}"')
    spans = [Filters(), Filters(since="2010-02-11", until="2011-09")]

    def run() -> list[tuple[int, list[tuple[str, float | None]]]]:
        return [
            (r.total, [(h.id, h.score) for h in r.hits])
            for r in (search(path, t, f, limit=10) for t in texts for f in spans)
        ]

    monkeypatch.setattr(fast, "DECODED_MIN", 10**9)
    read = run()
    monkeypatch.setattr(fast, "DECODED_MIN", 1)
    monkeypatch.setattr(fast, "_DECODED", type(fast._DECODED)())
    monkeypatch.setattr(fast, "_decoded_size", [0])
    assert run() == read
    assert fast._DECODED
    assert run() == read  # from the kept blocks
    monkeypatch.setattr(topk, "PARALLEL_POSTINGS", 0)
    assert run() == read
    monkeypatch.setattr(fast, "DECODED_KEPT", 1)  # room for one term: the others dropped
    fast._DECODED.clear()
    assert run() == read
    assert len(fast._DECODED) == 1
