"""Did you mean: spelling corrections for a query that found nothing, from the index vocabulary.

The body text is indexed stemmed, so Whoosh's corrector proposes stems (`detent`); each is turned
back into a word as written in a document holding it (`detention`).
"""

from __future__ import annotations

import re

from whoosh import query as wq
from whoosh.analysis import RegexTokenizer, StemFilter
from whoosh.searching import Searcher

_WORD = re.compile(r"(?<![\w:~*?])([A-Za-z][A-Za-z'-]{2,})(?![\w:~*?])")
_OPERATORS = {"AND", "OR", "NOT", "TO"}
_FIELD = "text"
_TOKENS = RegexTokenizer()
_STEM = StemFilter()


def _stem(word: str) -> str:
    tokens = [t.text for t in _STEM(_TOKENS(word.lower()))]
    return tokens[0] if tokens else word.lower()


def _as_written(searcher: Searcher, stem: str, typed: str) -> str | None:
    """A word of a document holding `stem` whose stem it is, the one sharing most letters with `typed`."""
    results = searcher.search(wq.Term(_FIELD, stem), limit=1)
    if not results:
        return None
    text = results[0].get("text", "")
    words = {t.text for t in _TOKENS(text.lower()) if t.text[:1] == stem[:1]}
    candidates = [w for w in words if _stem(w) == stem]
    return min(candidates, key=lambda w: (abs(len(w) - len(typed)), w), default=None)


def _correct(searcher: Searcher, word: str) -> str | None:
    stem = _stem(word)
    if searcher.doc_frequency(_FIELD, stem):
        return None
    for found in searcher.suggest(_FIELD, stem, limit=3, maxdist=2):
        written = _as_written(searcher, found, word)
        if written:
            return written
    return None


def did_you_mean(searcher: Searcher, text: str) -> str | None:
    """The query with its unknown words replaced by the closest indexed words, or None when no
    word could be corrected. Field values, operators, wildcards and fuzzy terms are left alone."""
    changed = False

    def fix(m: re.Match[str]) -> str:
        nonlocal changed
        word = m.group(1)
        if word in _OPERATORS:
            return word
        better = _correct(searcher, word)
        if better is None:
            return word
        changed = True
        return better

    corrected = _WORD.sub(fix, text)
    return corrected if changed else None
