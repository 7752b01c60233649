"""Wildcards on stemmed fields: `negotiat*` must find `negotiation`, indexed as its stem `negoti`.

Whoosh matches a wildcard against the indexed terms as typed. In a field indexed by stem, a
pattern whose letters run past the stem of the words it stands for (`inspecti*` for
`inspection`, stem `inspect`) finds nothing. So a wildcard also matches the stems of the words
it could stand for: the pattern finished with the common English endings that stemming removes
(or the rest of one it already began), each `?` tried as every letter. It can match a little
more than the pattern (`inspecti*` also finds `inspected`, which has the same stem), as any
search of a stemmed field does.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from itertools import product
from string import ascii_lowercase
from typing import Any

from whoosh import query as wq
from whoosh.analysis import StemFilter

ENDINGS = (
    "ation", "ations", "ion", "ions", "ing", "ings", "ed", "es", "s", "e", "er", "ers", "ence", "ences",
    "ance", "ances", "ment", "ments", "ity", "ities", "ive", "ives", "al", "ally", "ly", "ness", "ous",
    "ize", "izes", "ized", "ise", "y", "ies", "ied", "able", "ible", "ism", "ist", "ists", "ent", "ant",
)  # fmt: skip
"""Endings a stemmer removes; a pattern may stop anywhere inside one (`negotiat|ion`)."""
MAX_WORDS = 1200
"""Patterns standing for more words than this (26 letters a `?`) are matched as typed."""


def stems_too(node: wq.Query, analyzer: Any) -> wq.Query:
    """A Prefix or Wildcard query widened to the stems of the words it stands for, when `analyzer`
    stems; other queries, and patterns with an inner `*` or many `?`, as they are."""
    if not isinstance(node, (wq.Prefix, wq.Wildcard)) or not _stems(analyzer):
        return node
    pattern = node.text + "*" if isinstance(node, wq.Prefix) else node.text
    body, open_end = (pattern[:-1], True) if pattern.endswith("*") else (pattern, False)
    if not body or "*" in body or "[" in body or 26 ** body.count("?") * (len(ENDINGS) if open_end else 1) > MAX_WORDS:
        return node
    stems = {stem for word in _words(body, open_end) for stem in _analyzed(analyzer, word)}
    extra = sorted(s for s in stems if not fnmatchcase(s, pattern))  # what the pattern misses
    if not extra:
        return node
    return wq.Or([node, *(wq.Term(node.fieldname, s, boost=node.boost) for s in extra)], boost=1.0)


def _stems(analyzer: Any) -> bool:
    return any(isinstance(f, StemFilter) for f in getattr(analyzer, "items", ()))


def _words(body: str, open_end: bool) -> set[str]:
    """The words the pattern may stand for: each `?` as every letter, and with an open end,
    finished by each ending (or by the rest of an ending the pattern already began)."""
    slots = [ascii_lowercase if c == "?" else c for c in body]
    words = set()
    for letters in product(*slots):
        word = "".join(letters)
        words.add(word)
        if open_end:
            words.update(word + end[cut:] for end in ENDINGS for cut in range(len(end)) if word.endswith(end[:cut]))
    return words


def _analyzed(analyzer: Any, word: str) -> list[str]:
    return [t.text for t in analyzer(word, mode="query")]
