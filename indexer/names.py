"""Reading a sender or recipient as written into a person's name and addresses.

A header value after OCR is rarely clean: `Mills, Cheryl 0 <MillsCDOstate.gov>`,
`Sullivan, Jacob J [mailto:Sullivanii@state.gov]`, `Fauci, Anthony (NIH/NIAID) [E] 7 @@>`,
`H <hrod17@clintonernail.com>`. `read_written` takes one apart into its name (surname, given name,
middle initials, in either `Last, First M` or `First M Last` order) and its addresses;
`name_key` and `address_key` reduce them to skeletons in which the letters OCR confuses (`rn`
and `m`, `cl` and `d`, `i`, `l` and `1`, `0` and `o`) are one letter, so that variants of one
name compare equal. The rules are about how names and OCR behave, not about any release.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum

_CHARS = str.maketrans({"©": "@", "®": "@", "‹": "<", "›": ">", "«": "<", "»": ">", "’": "'", "‘": "'", "`": "'"})
_AT_ADDRESS = re.compile(r"[\w.+'-]*\w\s?@\s?[\w-]+(?:\s?\.\s?[\w-]+|[,_][\w-]+)*")
"""An address with its `@` (spaces around the `@` and dots, commas or underscores for dots, as
OCR gives; a comma and a space end it: a list goes on)."""
_CONTAINER = re.compile(r"<([^<>]*)>?|\[\s*\w{3,9}\s*[:;]([^\]]*)\]?|\(([^()]*\.[^()]*)\)")
"""Where an address is written: `<...>`, `[mailto:...]` (whatever OCR made of `mailto`), `(...)`
with a dot."""
_BARE_ADDRESS = re.compile(r"^[\w.'+-]{2,}(?:\s|[@:.,_])[\w.,_-]*\w\.?\w{2,}$|^\w{10,}$")
"""Container text that is an address whose `@` OCR lost (`AbedinH state.gov`, `MillsCDOstate.gov`,
`HDR220clintonermitcom`)."""
_HEADER_LABEL = re.compile(
    r"\b(?:sent|date|to|cc|ce|bcc|subject|attachments|importance)\s*[:;]|\bon\s+behalf\s+of\b", re.IGNORECASE
)
_SEPARATOR = re.compile(r"^[\s-]*(?:(?:original|forwarded)\s+message|begin\s+forwarded\s+message\s*:?)[\s-]*", re.I)
_NAME_END = re.compile(r"[<>\[\]{}|\"“”;@]|\bma[il1t]{1,3}[t1]?o\b", re.IGNORECASE)
_PARENS = re.compile(r"\([^()]*\)")
_TITLES = {"dr", "mr", "mrs", "ms", "prof", "hon", "sen", "rep", "amb", "gen", "adm", "col", "sir", "secretary",
           "senator", "ambassador", "director", "president", "general"}  # fmt: skip
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "md", "m.d", "phd", "ph.d", "esq", "rn", "mph", "dds", "cpa"}
_PARTICLES = {"de", "la", "le", "van", "von", "der", "den", "du", "da", "di", "del", "della", "dos", "bin", "al", "st"}
_LETTERS = r"(?:[^\W\d_]|['-])"
_WORD = re.compile(rf"^(?=[^\W\d_])(?:{_LETTERS}*[^\W\d_A-Z]{_LETTERS}*\.?|{_LETTERS}+)$")
"""A word of a name as written, in any alphabet: letters with an apostrophe or hyphen (`Mills`,
`LaPook`, `O'Grady`, `Anne-Marie`, `Ibáñez`, `RIOUX`), capitalized (checked apart)."""
_CONNECTORS = {"of", "and", "for", "the", "on", "at", "&", "to", "in"}
"""Words that make a name an organization's (`Office of Port Affairs`)."""
_INITIAL = re.compile(r"^(?:[A-Z]\.?|[A-Z0-9.)\]|!/]{1,2}|\.?[A-Z0-9)\]|!/]\.?)$")
"""A middle initial, clean (`D`, `D.`) or as OCR damaged it (`0`, `.1`, `ID`, `)`, `3`)."""
_CAMEL_INITIAL = re.compile(r"^([A-Z][a-z]{2,})([A-Z])$")
_INITIAL_CLASS = str.maketrans("IJLT13)]|!/DOQ0B8S5G6Z2", "iiiiiiiiiiioooobbssggzz")
"""Letters OCR confuses in a middle initial, as one class each: `J`, `I`, `1`, `3`, `)` are one;
`D`, `O`, `0` are one."""


class Kind(StrEnum):
    """What the name part of a written value is."""

    person = "person"
    """A surname and a given name (or an initial): `Mills, Cheryl D`, `Sidney Blumenthal`."""
    single = "single"
    """One word: `H`, `Sid`, `Coordination`."""
    other = "other"
    """Something else: several people run together, too many words to tell the surname."""
    none = "none"
    """No name: an address alone, or only header residue."""


@dataclass(frozen=True)
class Address:
    """An email address as written, and its skeleton for comparing OCR variants."""

    text: str
    key: str
    local: str
    """The skeleton of the part before the `@`; empty when OCR lost the `@`."""


@dataclass(frozen=True)
class Written:
    """A sender or recipient as written, taken apart."""

    text: str
    kind: Kind
    name: str = ""
    surname: str = ""
    given: str = ""
    initials: str = ""
    """Middle initials as written, `?` for one OCR damaged (`0` for `D`)."""
    addresses: tuple[Address, ...] = ()
    ordered: bool = False
    """A comma told the surname (`Last, First`); without one, the order is `First Last`'s."""

    def swapped(self) -> Written:
        """The name read the other way round: `Hubbard Gloria K`, which OCR wrote without its
        comma, as `Hubbard, Gloria`."""
        return replace(self, surname=self.given, given=self.surname, initials="?", ordered=True)

    @property
    def well_formed(self) -> bool:
        """A clean person name: capitalized words, clean initials (a candidate display name)."""
        return (
            self.kind is Kind.person
            and len(self.given) > 1
            and all(well_written(w) for w in f"{self.given} {self.surname}".split())
            and all(c.isupper() for c in self.initials)
        )

    def display(self) -> str:
        """The name as `First M. Last` (one form for every person, whatever order it was written in)."""
        if self.kind is not Kind.person:
            return self.name
        middle = " ".join(f"{c}." for c in self.initials if c.isalpha())
        return " ".join(p for p in (self.given, middle, self.surname) if p)


def well_written(word: str) -> bool:
    """A name word written cleanly: capitalized letters (`Mills`, `LaPook`, `Anne-Marie`)."""
    return _name_word(word) and word[-1] != "." and not word.isupper()


def _name_word(word: str) -> bool:
    return bool(_WORD.match(word)) and word[0].isupper()


def tidy(text: str) -> str:
    """Unicode-normalized, with the look-alike signs OCR gives for `@`, `<`, `>` and quotes replaced."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_CHARS).split())


def read_written(value: str) -> Written:
    """A written sender or recipient taken apart into its name and addresses."""
    text = _own_part(tidy(value))
    addresses = _addresses(text)
    part = _name_part(text)
    if len(part) >= 8 and re.fullmatch(r"[\w.'+-]+\.[A-Za-z]{2,4}", part):  # an address that lost its @
        addresses, part = (*addresses, *_addresses(f"<{part}>")), ""
    kind, name, surname, given, initials = _read_name(part)
    if kind is Kind.none and addresses[1:]:  # a list of addresses: the first one's person
        addresses = tuple(a for a in addresses if not a.local or levenshtein(a.local, addresses[0].local, 2) <= 2)
    ordered = kind is Kind.person and not name.startswith(f"{given} ")
    return Written(value, kind, name, surname, given, initials, addresses, ordered)


def _own_part(text: str) -> str:
    """The part of a value about its first person: after a message separator run into it
    (`Original Message ---`), before a header label (`Sent:`, `Cc:`), up to the first closing
    `>`, before a quoted name that follows (`", "`)."""
    text = _SEPARATOR.sub("", text)
    if m := _HEADER_LABEL.search(text):
        text = text[: m.start()]
    if (close := text.find(">")) >= 0:
        text = text[: close + 1]
    return re.split(r"[\"”]\s*[,;]", text, maxsplit=1)[0]


# --- addresses -------------------------------------------------------------------------------


def _addresses(text: str) -> tuple[Address, ...]:
    found: dict[str, Address] = {}
    for m in _AT_ADDRESS.finditer(text):
        _add(found, m.group())
    for m in _CONTAINER.finditer(text):
        inside = next((g for g in m.groups() if g is not None), "").strip(" '.,;:()[]{}")
        if inside and "@" not in inside and _BARE_ADDRESS.match(inside):
            _add(found, inside)
    return tuple(found.values())


def _add(found: dict[str, Address], written: str) -> None:
    text = re.sub(r"\s+", "", written).strip("'.,;:_-")
    local, at, domain = text.partition("@")
    key = address_key(text)
    if len(key) >= 5 and key not in found and re.search(r"\w[.,_]\w{2,}|[^\W\d_]{6}", domain or local):
        found[key] = Address(text, key, address_key(local) if at and domain else "")


def _unaccented(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def address_key(text: str) -> str:
    """An address reduced to the letters OCR keeps apart: lower case, `i`/`l`/`1`/`j`/`t`/`!`/`|`
    as one letter, `0`→`o`, `y`→`v`, `rn` and `nn`→`m`, `cl`→`d`, `vv`→`w`, punctuation dropped
    (so `MillsCD@state.gov`, `MilisCD@state,gov` and `millscd@stategov` are one key)."""
    text = _unaccented(text).lower().translate(str.maketrans("l1j!|t0y", "iiiiiiov"))
    text = text.replace("rn", "m").replace("nn", "m").replace("ci", "d").replace("vv", "w")
    return re.sub(r"[^a-z0-9]", "", text)


# --- names -----------------------------------------------------------------------------------


def _name_part(text: str) -> str:
    """The text before any address, bracket or other residue, without
    parenthesized groups (`(NIH/NIAID)`, `(Jackie)`)."""
    text = text.lstrip("'\"( -")
    if m := _AT_ADDRESS.search(text):
        text = text[: m.start()]
    while (stripped := _PARENS.sub(" ", text)) != text:
        text = stripped
    end = _NAME_END.search(text)
    text = text[: end.start()] if end else text
    text = re.sub(r"\S*[:;]\s*$", "", text.split("(", 1)[0])  # a garbled `mailto:` before an address
    return text.strip(" ,.'-_:")


def _read_name(part: str) -> tuple[Kind, str, str, str, str]:
    words = [w for w in part.split() if "/" not in w] if "/" not in part.split(",")[0] else []
    words = _without_titles(words)
    if not words:
        return Kind.none, "", "", "", ""
    name = " ".join(words)
    comma = next((i for i, w in enumerate(words) if w.endswith(",")), None)
    if comma is None and len(words) > 2 and re.fullmatch(r"[A-Z][a-z]{2,}\.", words[0]):
        comma = 0  # `Mills. Cheryl 0`: a comma read as a period
    if comma is not None:
        return _last_first(name, words[: comma + 1], words[comma + 1 :])
    return _first_last(name, words)


def _without_titles(words: list[str]) -> list[str]:
    """The words without titles before the name and suffixes in it, and the comma with the suffix
    (`Corey MD, Larry` is `Corey, Larry`; `Alex Wolf, Esq.` is `Alex Wolf`)."""
    while words and words[0].strip(".,").lower() in _TITLES:
        words = words[1:]
    kept: list[str] = []
    for word in words:
        if word.strip(".,").lower() not in _SUFFIXES or len(words) == 1:
            kept.append(word)
        elif word.endswith(",") and kept and not kept[-1].endswith(","):
            kept[-1] += ","
        elif kept and kept[-1].endswith(","):
            kept[-1] = kept[-1].rstrip(",")  # `Alex Wolf, Esq.`: the comma was the suffix's
    if kept and kept[-1].endswith(","):
        kept[-1] = kept[-1].rstrip(",")  # `Barton Haynes, M.D.`
    return kept


def _last_first(name: str, last: list[str], rest: list[str]) -> tuple[Kind, str, str, str, str]:
    """`Last, First M` (the surname may be several words: `Del Rio, Carlos`)."""
    surname = " ".join(last).strip(" ,.")
    if not rest or len(last) > 3 or not _is_surname(surname):
        return (Kind.single if len(last) == 1 and not rest else Kind.other), name.strip(" ,."), "", "", ""
    given, initials = _given(rest[0])
    if given == "" and initials == "":
        return Kind.other, name, "", "", ""
    for word in rest[1:]:
        if not _INITIAL.match(word):
            break
        initials += _initial(word)
    return Kind.person, name, surname, given, initials


def _first_last(name: str, words: list[str]) -> tuple[Kind, str, str, str, str]:
    """`First M Last` (a `Last First M` that lost its comma, `Hubbard Gloria K`, is read so too:
    see `Written.swapped`)."""
    words = _name_words(words)
    if len(words) == 1:
        return Kind.single, words[0].strip(".'"), "", "", ""
    if len(words) > 2 and (len(words[-1]) <= 3 or (words[-1].isupper() and not words[0].isupper())):
        words = words[:-1]  # trailing residue: `Jon LaPook Py`, `Anthony Fauci MOO`
    surname = words[-1].strip(".")
    if len(words) < 2 or len(words) > 4 or _INITIAL.match(words[-1]) or not _is_surname(surname):
        return Kind.other, " ".join(words), "", "", ""
    given, initials = _given(words[0])
    if not all(_INITIAL.match(w) for w in words[1:-1]):
        return Kind.other, " ".join(words), "", "", ""  # `Mary Ann Smith`, `White House Press Office`
    initials += "".join(_initial(w) for w in words[1:-1])
    if not given or (given.isupper() and not surname.isupper()):
        return Kind.other, " ".join(words), "", "", ""
    return Kind.person, " ".join(words), surname, given, initials


def _name_words(words: list[str]) -> list[str]:
    """The leading words that can be part of a name (residue such as `ee`, `yyy`, `oe-` ends it)."""
    kept: list[str] = []
    for word in words:
        if _name_word(word) or _INITIAL.match(word) or (kept and word.lower() in _PARTICLES):
            kept.append(word)
        elif word.lower() in _CONNECTORS:
            return words  # an organization: kept whole, read as no person's name
        else:
            break
    return kept or words[:1]


def _is_surname(text: str) -> bool:
    return sum(c.isalpha() for c in text) >= 2 and text[:1].isalpha()


def _given(word: str) -> tuple[str, str]:
    """A given name and any initial glued to it or damaged after it (`JacobJ`, `Jacob.)`, `Jacobi`
    stays as written); a lone letter is an initial."""
    if m := _CAMEL_INITIAL.match(word):
        return m.group(1), m.group(2)
    letters = re.match(f"{_LETTERS}*", word)
    given = letters.group().strip("'-") if letters else ""
    rest = word[len(given) :].strip("',.")
    if len(given) < 2:
        return "", _initial(word) if _INITIAL.match(word) else ""
    return given, "?" if rest else ""


def _initial(word: str) -> str:
    word = word.strip(".")
    return word if re.fullmatch(r"[A-Z]", word) else "?"


def initial_class(initials: str) -> str:
    """The first middle initial as a class of letters OCR confuses; empty when unknown."""
    first = initials[:1]
    return "" if first in ("", "?") else first.translate(_INITIAL_CLASS)


def person_key(value: str) -> tuple[str, str] | None:
    """(surname, first letter of the given name) of a written person, reduced as `name_key` does:
    `Fauci, Anthony (NIH/NIAID) [E]` and `Anthony Fauci <af@x.gov>` give ('fauci', 'a'); None for
    a value that names no one person (an address alone, several people, a single word)."""
    written = read_written(value)
    if written.kind is not Kind.person or not written.given:
        return None
    return name_key(written.surname), name_key(written.given)[:1]


def name_key(text: str) -> str:
    """A name reduced for comparing OCR variants: lower case, `rn`/`nn`/`rri`→`m`, `vv`→`w`, `i`/`l`/`1`
    as one letter, `0`→`o`, `3`→`j`, everything but letters dropped (`Bums` and `Burns`,
    `Cheryi` and `Cheryl`, `3oseph` and `Joseph`, `José` and `Jose` are one key)."""
    text = _unaccented(text).lower().replace("rri", "m").replace("rn", "m").replace("nn", "m").replace("vv", "w")
    text = text.translate(str.maketrans("l1!|03", "iiiioj"))
    return re.sub(r"[^a-z]", "", text)


def levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance, or `limit + 1` once it is certainly above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
