"""Did you mean: spelling corrections for a query that found nothing, from the index vocabulary.

The body text is indexed stemmed, so Whoosh's corrector proposes stems (`detent`); each is turned
back into a word as written in a document holding it (`detention`). A typo in the suffix a stemmer
strips (`detentoin`, whose stem is itself) is out of the corrector's reach: the longest indexed stems
the typed word starts with are tried too, one kept when a word written with it is within two edits.
"""

from __future__ import annotations

import re
from itertools import islice

from whoosh import query as wq
from whoosh.analysis import RegexTokenizer, StemFilter
from whoosh.searching import Searcher
from whoosh.support.levenshtein import damerau_levenshtein

from indexer.schema import fold_accents

_LETTER = r"[^\W\d_]"
_WORD = re.compile(rf"(?<![\w:~*?])({_LETTER}(?:{_LETTER}|['-]){{2,}})(?![\w:~*?])")
_OPERATORS = {"AND", "OR", "NOT", "TO"}
_FIELD = "text"
_MAXDIST = 2
_SHORTEST_STEM = 4
_TRIES = 3
_TOKENS = RegexTokenizer()
_STEM = StemFilter()


def _stem(word: str) -> str:
    """The indexed form of a word: lower case, accents folded, stemmed."""
    folded = fold_accents(word.lower())
    tokens = [t.text for t in _STEM(_TOKENS(folded))]
    return tokens[0] if tokens else folded


def _as_written(searcher: Searcher, stem: str, typed: str) -> str | None:
    """A word of a document holding `stem` whose stem it is, the one fewest edits from `typed`."""
    docnum = next(iter(searcher.docs_for_query(wq.Term(_FIELD, stem))), None)  # any one: no scoring
    if docnum is None:
        return None
    text = searcher.stored_fields(docnum).get("text", "")
    words = {t.text for t in _TOKENS(text.lower()) if fold_accents(t.text[:1]) == stem[:1]}
    candidates = [w for w in words if _stem(w) == stem]
    return min(candidates, key=lambda w: (_distance(w, typed), abs(len(w) - len(typed)), w), default=None)


def _distance(written: str, typed: str) -> int:
    """Edits from a word as written to the typed word (lower case, accents folded)."""
    return int(damerau_levenshtein(fold_accents(written), typed))


def _suggested(searcher: Searcher, stem: str, typed: str) -> str | None:
    """The word as written of the first stem Whoosh's corrector proposes for `stem`."""
    for found in searcher.suggest(_FIELD, stem, limit=3, maxdist=_MAXDIST):
        written = _as_written(searcher, found, typed)
        if written:
            return written
    return None


def _cut_short(searcher: Searcher, typed: str) -> str | None:
    """A word as written, within two edits of `typed`, whose stem is one of the longest indexed
    ones `typed` starts with: `detentoin` → `detent` → `detention`."""
    cuts = (typed[:n] for n in range(len(typed) - 1, _SHORTEST_STEM - 1, -1))
    for stem in islice((c for c in cuts if searcher.doc_frequency(_FIELD, c)), _TRIES):
        written = _as_written(searcher, stem, typed)
        if written and _distance(written, typed) <= _MAXDIST:
            return written
    return None


def _correct(searcher: Searcher, word: str) -> str | None:
    typed = fold_accents(word.lower())
    stem = _stem(typed)
    if searcher.doc_frequency(_FIELD, stem) or not list(searcher.schema[_FIELD].analyzer(word)):
        return None  # an indexed word, or a stop word (never indexed, never searched)
    found = [w for w in (_suggested(searcher, stem, typed), _cut_short(searcher, typed)) if w]
    return min(found, key=lambda w: _distance(w, typed), default=None)


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
