"""Did you mean: spelling corrections for a query that found nothing, from the index vocabulary.

The body text is indexed stemmed, so the engine's corrector proposes stems (`detent`); each is
turned back into a word as written in a document holding it (`detention`). Each engine gives its
vocabulary (`Vocabulary`): Whoosh's searcher, or the OpenSearch index's term suggester. A typo in the suffix a stemmer
strips (`detentoin`, whose stem is itself) is out of the corrector's reach: the longest indexed stems
the typed word starts with are tried too, one kept when a word written with it is within two edits.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Protocol

from whoosh.analysis import RegexTokenizer, StemFilter
from whoosh.support.levenshtein import damerau_levenshtein

from indexer.schema import build_schema, fold_accents

_LETTER = r"[^\W\d_]"
_WORD = re.compile(rf"(?<![\w:~*?])({_LETTER}(?:{_LETTER}|['-]){{2,}})(?![\w:~*?])")
_OPERATORS = {"AND", "OR", "NOT", "TO"}
_FIELD = "text"
_MAXDIST = 2
_SHORTEST_STEM = 4
_TRIES = 3
_TOKENS = RegexTokenizer()
_STEM = StemFilter()
_ANALYZER = build_schema()[_FIELD].analyzer


class Vocabulary(Protocol):
    """The indexed words (stems) of the body text, as an engine knows them."""

    def frequency(self, stem: str) -> int:
        """How many documents hold the stem."""
        ...

    def near(self, stem: str, limit: int, maxdist: int) -> list[str]:
        """Indexed stems within `maxdist` edits of `stem`, the most likely first."""
        ...

    def text_holding(self, stem: str) -> str:
        """The text of one document holding the stem ("" when none does)."""
        ...


def _stem(word: str) -> str:
    """The indexed form of a word: lower case, accents folded, stemmed."""
    folded = fold_accents(word.lower())
    tokens = [t.text for t in _STEM(_TOKENS(folded))]
    return tokens[0] if tokens else folded


def _as_written(vocabulary: Vocabulary, stem: str, typed: str) -> str | None:
    """A word of a document holding `stem` whose stem it is, the one fewest edits from `typed`."""
    text = vocabulary.text_holding(stem)
    words = {t.text for t in _TOKENS(text.lower()) if fold_accents(t.text[:1]) == stem[:1]}
    candidates = [w for w in words if _stem(w) == stem]
    return min(candidates, key=lambda w: (_distance(w, typed), abs(len(w) - len(typed)), w), default=None)


def _distance(written: str, typed: str) -> int:
    """Edits from a word as written to the typed word (lower case, accents folded)."""
    return int(damerau_levenshtein(fold_accents(written), typed))


def _suggested(vocabulary: Vocabulary, stem: str, typed: str) -> str | None:
    """The word as written of the first stem the engine's corrector proposes for `stem`."""
    for found in vocabulary.near(stem, 3, _MAXDIST):
        written = _as_written(vocabulary, found, typed)
        if written:
            return written
    return None


def _cut_short(vocabulary: Vocabulary, typed: str) -> str | None:
    """A word as written, within two edits of `typed`, whose stem is one of the longest indexed
    ones `typed` starts with: `detentoin` → `detent` → `detention`."""
    cuts = (typed[:n] for n in range(len(typed) - 1, _SHORTEST_STEM - 1, -1))
    for stem in islice((c for c in cuts if vocabulary.frequency(c)), _TRIES):
        written = _as_written(vocabulary, stem, typed)
        if written and _distance(written, typed) <= _MAXDIST:
            return written
    return None


def _correct(vocabulary: Vocabulary, word: str) -> str | None:
    typed = fold_accents(word.lower())
    stem = _stem(typed)
    if not list(_ANALYZER(word)) or vocabulary.frequency(stem):
        return None  # a stop word (never indexed, never searched), or an indexed word
    found = [w for w in (_suggested(vocabulary, stem, typed), _cut_short(vocabulary, typed)) if w]
    return min(found, key=lambda w: _distance(w, typed), default=None)


def did_you_mean(vocabulary: Vocabulary, text: str) -> str | None:
    """The query with its unknown words replaced by the closest indexed words, or None when no
    word could be corrected. Field values, operators, wildcards and fuzzy terms are left alone."""
    changed = False

    def fix(m: re.Match[str]) -> str:
        nonlocal changed
        word = m.group(1)
        if word in _OPERATORS:
            return word
        better = _correct(vocabulary, word)
        if better is None:
            return word
        changed = True
        return better

    corrected = _WORD.sub(fix, text)
    return corrected if changed else None
