"""People: the senders and recipients of an index grouped into persons.

One person is written many ways in a release: `Mills, Cheryl D`, `Cheryl Mills`,
`Mills, Cheryl 0 <MillsCD@state.gov>`, `MilisCD@state.gov`. `group_people` reads every distinct
sender, recipient, Cc and participant value of an index (see `names.read_written`) and joins the
values that are one person, conservatively:

- values sharing an address (compared by its OCR skeleton, `address_key`);
- values with one name: same surname and given name (OCR skeletons, `name_key`), or one of
  them off by a letter OCR confuses (`Huma`/`Hume`, `Fettman`/`Feltman`), middle initials
  agreeing where both are legible (`D`, `0` and `O` agree; `D` and `A` do not);
- values with near addresses (one or two letters apart), only when both carry a name and the
  names agree: a one-letter name such as `H` joins only another `H`;
- a bare address whose local part spells exactly one grouped person's name (`MillsCD`,
  `marv.shear`).

A join never makes a group hold two names that disagree (different surnames or given names,
different legible initials, one-word names that differ), however the values are chained. The
groups are computed once per change of the index (see `current_people`), not per query.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .names import Kind, Written, address_key, initial_class, levenshtein, name_key, read_written, tidy, well_written

if TYPE_CHECKING:
    from .backend import DocumentStore

log = logging.getLogger(__name__)

PEOPLE_FILE = "people.json"
"""The groups of an index, in its folder, with the state of the index they were computed from."""
_FORMAT = 2
_CONFUSED = {frozenset(p) for p in ("ae", "ao", "eo", "ce", "co", "hb", "hn", "nu", "uv", "vy", "gq", "ft", "it", "mn")}
"""Letter pairs OCR confuses (after `name_key`, which already joins `i`, `l` and `1`)."""
_THIN = set("iftjr")
"""Letters OCR adds or drops."""
_GOOD_ADDRESS = re.compile(r"^[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,4}$")


@dataclass(frozen=True)
class Person:
    """One person: the name shown, every form written in the index, addresses, and name keys."""

    name: str
    forms: tuple[str, ...]
    """The values as stored in the index, most frequent first."""
    addresses: tuple[str, ...] = ()
    mentions: int = 0
    """Documents naming each form, summed over the forms."""
    names: tuple[str, ...] = ()
    """The name parts of the forms, tidied (`Mills, Cheryl D`)."""
    keys: tuple[str, ...] = ()
    """Name keys: `surname given` skeletons, or one word for a one-word name."""
    headed: tuple[str, ...] = ()
    """The forms written as a sender, recipient or Cc somewhere (the others only in a quoted
    message or the text): the ones `from:` and `to:` match exactly."""


@dataclass(frozen=True)
class People:
    """Every person of an index, and `key`, the state of the index they were computed from."""

    persons: tuple[Person, ...] = ()
    key: str = ""

    @cached_property
    def _exact(self) -> dict[str, list[int]]:
        found: defaultdict[str, list[int]] = defaultdict(list)
        for i, person in enumerate(self.persons):
            for text in {person.name, *person.forms, *person.addresses, *person.names}:
                found[_fold(text)].append(i)
        return found

    @cached_property
    def _by_key(self) -> dict[str, list[tuple[int, str]]]:
        """Persons by the first word of each name key (a surname, or a one-word name), with the
        rest of the key (a given name, or nothing)."""
        found: defaultdict[str, list[tuple[int, str]]] = defaultdict(list)
        for i, person in enumerate(self.persons):
            for key in person.keys:
                first, _, given = key.partition(" ")
                found[first].append((i, given))
        return found

    @cached_property
    def _of_form(self) -> dict[str, Person]:
        return {form: person for person in self.persons for form in person.forms}

    def person_of(self, form: str) -> Person | None:
        """The person a stored value (exactly as stored) belongs to."""
        return self._of_form.get(form)

    def find(self, value: str) -> tuple[Person, ...]:
        """The persons a name typed by a user names: a form, name or address of theirs (any case),
        their name in either order (`Cheryl Mills` for `Mills, Cheryl D`), or their surname alone."""
        hits = self._exact.get(_fold(value))
        if not hits:
            written = read_written(value)
            wanted = None if written.addresses else _profile(written)
            if wanted is None:
                return ()
            keyed = self._by_key.get(wanted[1], [])
            hits = [i for i, given in keyed if (given and _given_match(wanted[2], given)) or wanted[0] == "single"]
        return tuple(self.persons[i] for i in dict.fromkeys(hits))


def _fold(text: str) -> str:
    return " ".join(tidy(text).split()).casefold()


# --- name agreement --------------------------------------------------------------------------

Profile = tuple[str, str, str, str]
"""A name reduced for agreement: ("person", surname key, given key, initial class) or
("single", word key, "", "")."""


def _profile(w: Written) -> Profile | None:
    if w.kind is Kind.person:
        return ("person", name_key(w.surname), name_key(w.given), initial_class(w.initials))
    if w.kind is Kind.single and name_key(w.name):
        return ("single", name_key(w.name) if len(w.name) > 1 else w.name.casefold(), "", "")
    return None


def _one_edit(a: str, b: str) -> tuple[str, str] | None:
    """The letters that differ when `a` and `b` are one edit apart (`""` for an added letter)."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return None
    if len(a) == len(b):
        diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        return diff[0] if len(diff) == 1 else None
    short, long = sorted((a, b), key=len)
    for i, char in enumerate(long):
        if long[:i] + long[i + 1 :] == short:
            return ("", char)
    return None


def _ocr_variant(a: str, b: str, shortest: int) -> bool:
    """Whether `a` and `b` differ by one letter OCR plausibly confuses, adds or drops."""
    if min(len(a), len(b)) < shortest:
        return False
    edit = _one_edit(a, b)
    if edit is None:
        return False
    x, y = edit
    return (x == "" and y in _THIN) or frozenset((x, y)) in _CONFUSED


def _surname_match(a: str, b: str) -> bool:
    """Surnames agree: equal, an OCR variant of 5+ letters, or cut short by a letter or two at
    the page's edge (`Hurwit`, `Hurwitz`)."""
    short, long = sorted((a, b), key=len)
    cut_short = len(short) >= 5 and len(long) - len(short) <= 2 and long.startswith(short)
    return a == b or cut_short or _ocr_variant(a, b, 5)


def _given_match(a: str, b: str) -> bool:
    """Given names agree: equal, one letter longer (`Jacob`/`Jacobi`), or an OCR variant of 4+ letters."""
    if a == b:
        return True
    if min(len(a), len(b)) >= 4 and a[0] == b[0] and abs(len(a) - len(b)) == 1 and (a.startswith(b) or b.startswith(a)):
        return True
    return a[:1] == b[:1] and _ocr_variant(a, b, 4)


def _respelled(name: Profile, group: set[Profile]) -> Profile:
    """`name` spelled as a name of `group` whose surname or given name is two letters from its
    own, the other part agreeing: for values written from one address (`Hartley, Monica R` and
    `Hanley, Monica R`; `Mills, Chey 0` and `Mills, Cheryl D`)."""
    for other in group:
        if not (name[0] == other[0] == "person" and name[2] and other[2]) or name[1:3] == other[1:3]:
            continue
        if name[2] == other[2] and _close(name[1], other[1], 5):
            return (name[0], other[1], name[2], name[3])
        if _surname_match(name[1], other[1]) and _close(name[2], other[2], 4):
            return (name[0], name[1], other[2], name[3])
    return name


def _close(a: str, b: str, shortest: int) -> bool:
    """Two edits apart at most, both at least `shortest` letters long."""
    return min(len(a), len(b)) >= shortest and levenshtein(a, b, 2) <= 2


def _conflict(a: Profile, b: Profile) -> bool:
    """Whether two names cannot be one person."""
    if a[0] == "single" and b[0] == "single":
        return a[1] != b[1]
    if a[0] == "single" or b[0] == "single":
        word, person = (a, b) if a[0] == "single" else (b, a)
        return len(word[1]) < 2 or word[1] not in (person[1], person[2])
    if not _surname_match(a[1], b[1]):
        return True
    if a[2] and b[2] and not _given_match(a[2], b[2]):
        return True
    return bool(a[3] and b[3] and a[3] != b[3])


# --- grouping --------------------------------------------------------------------------------


@dataclass
class _Groups:
    """Union-find over the values, each group keeping its names so that no join mixes people."""

    written: list[Written]
    counts: list[int]
    """Documents naming each value."""
    parent: list[int] = field(default_factory=list)
    profiles: list[set[Profile]] = field(default_factory=list)
    addresses: list[set[str]] = field(default_factory=list)
    names: list[bool] = field(default_factory=list)
    """Whether a group holds a name of any kind (a person's, one word, an organization's)."""

    def __post_init__(self) -> None:
        self.parent = list(range(len(self.written)))
        self.profiles = [{p} if (p := _profile(w)) else set() for w in self.written]
        self.addresses = [{a.key for a in w.addresses} for w in self.written]
        self.names = [w.kind is not Kind.none for w in self.written]

    def root(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int, check_addresses: bool = False, shared_address: bool = False) -> bool:
        """Join the groups of `i` and `j` unless their names disagree (or, with
        `check_addresses`, both have addresses and none is near one of the other's);
        `shared_address`: `i` and `j` write from one address (see `_conflict`)."""
        a, b = self.root(i), self.root(j)
        if a == b:
            return True
        theirs = {_respelled(q, self.profiles[a]) for q in self.profiles[b]} if shared_address else self.profiles[b]
        if any(_conflict(p, q) for p in self.profiles[a] for q in theirs):
            return False
        ours, others = self.addresses[a], self.addresses[b]
        if check_addresses and ours and others and not any(_address_near(x, y) for x in ours for y in others):
            return False
        self.parent[b] = a
        self.profiles[a] |= theirs
        self.addresses[a] |= self.addresses[b]
        self.names[a] = self.names[a] or self.names[b]
        return True

    def named(self, i: int) -> bool:
        """Whether the group of `i` holds a name of any kind."""
        return self.names[self.root(i)]

    def groups(self) -> list[list[int]]:
        found: defaultdict[int, list[int]] = defaultdict(list)
        for i in range(len(self.written)):
            found[self.root(i)].append(i)
        return list(found.values())


def _address_near(a: str, b: str) -> bool:
    """Address keys close enough to be OCR variants of one address: one edit from 8 letters,
    two from 14."""
    limit = 2 if min(len(a), len(b)) >= 14 else 1 if min(len(a), len(b)) >= 8 else 0
    return a == b or (limit > 0 and levenshtein(a, b, limit) <= limit)


def _deletions(key: str, most: int = 1) -> set[str]:
    """`key` and every string made from it by deleting up to `most` letters."""
    found = {key}
    for _ in range(most):
        found |= {k[:i] + k[i + 1 :] for k in found for i in range(len(k))}
    return found


def _by_address(groups: _Groups) -> list[list[int]]:
    """The values holding each address (by its key), for addresses held more than once."""
    by_key: defaultdict[str, list[int]] = defaultdict(list)
    for i, w in enumerate(groups.written):
        for a in w.addresses:
            by_key[a.key].append(i)
    return [members for members in by_key.values() if len(members) > 1]


def _link_addresses(groups: _Groups) -> None:
    """Named values sharing an address."""
    for members in _by_address(groups):
        named = [i for i in members if groups.written[i].kind is not Kind.none]
        for j in named[1:]:
            groups.join(named[0], j, shared_address=True)


def _link_bare_addresses(groups: _Groups) -> None:
    """An address alone joins the person most of the named values holding it are (more than half
    of their documents): a Cc list run into one value can give a name someone else's address
    (`Conrad, Patricia ... <VerdugoA@cbsnews.com>` beside `Verdugo, Adam <VerdugoA@...>`); with
    no majority it joins nobody."""
    for members in _by_address(groups):
        named: Counter[int] = Counter()
        for i in members:
            if groups.written[i].kind is not Kind.none:
                named[groups.root(i)] += groups.counts[i]
        owner, most = named.most_common(1)[0] if named else (members[0], 1)
        if most * 2 <= sum(named.values()):
            continue
        for j in (i for i in members if groups.written[i].kind is Kind.none):
            groups.join(owner, j)


def _link_names(groups: _Groups) -> None:
    """Values with one name (exact skeletons first, then OCR variants of the given name or the
    surname, which must not bring together two groups whose addresses all differ)."""
    by_name: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
    for i, w in enumerate(groups.written):
        p = _profile(w)
        if p and p[0] == "person" and p[2]:
            by_name[(p[1], p[2])].append(i)
    for members in by_name.values():
        for j in members[1:]:
            groups.join(members[0], j)
    by_surname: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
    for surname, given in by_name:
        for variant in _deletions(surname) if len(surname) >= 5 else (surname,):
            by_surname[variant].append((surname, given))
    for names in by_surname.values():
        for x, first in enumerate(names):
            for second in names[x + 1 :]:
                if first != second and _names_agree(first, second):
                    groups.join(by_name[first][0], by_name[second][0], check_addresses=True)


def _names_agree(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Surname and given name agree, at most one of them by an OCR variant."""
    if a[0] == b[0]:
        return _given_match(a[1], b[1])
    return a[1] == b[1] and _surname_match(a[0], b[0])


def _link_near_addresses(groups: _Groups) -> None:
    """Named values whose addresses are a letter or two apart (`hrod17@clintonemail.com`,
    `brod17@clintonernail.com`, `hrod17@clintoneniail.com`); not when the part before the `@`
    is under 4 letters, as redaction residue often leaves it (`EI@bop.gov`, `Oi@bop.gov`)."""
    holders: defaultdict[str, list[int]] = defaultdict(list)
    buckets: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for i, w in enumerate(groups.written):
        if w.kind is Kind.none:
            continue
        for a in w.addresses:
            holders[a.key].append(i)
            if len(a.key) < 8 or (len(a.local) < 4 and (a.local or len(a.key) < 12)):
                continue
            for variant in _deletions(a.key):  # the whole address a letter apart
                buckets[("", variant)].add(a.key)
            if a.local:  # one part as written, the other up to two letters apart
                buckets[("@", a.local)].add(a.key)
                for variant in _deletions(a.local, 2):
                    buckets[(a.key[len(a.local) :], variant)].add(a.key)
    for keys in buckets.values():
        ordered = sorted(keys)
        for x, first in enumerate(ordered):
            for second in ordered[x + 1 :]:
                i, j = holders[first][0], holders[second][0]
                if _address_near(first, second) and _both_named(groups.written[i], groups.written[j]):
                    groups.join(i, j, shared_address=True)


def _both_named(a: Written, b: Written) -> bool:
    """Both values carry a name, and a name that is neither a person's nor one word (`PA Clips`)
    is the same in both."""
    if Kind.other in (a.kind, b.kind):
        return _fold(a.name) == _fold(b.name)
    return True


def _local_patterns(w: Written) -> Iterator[tuple[str, bool]]:
    """Address local parts made from a name, each with whether it holds the given name too:
    `MillsCD`, `AbedinH`, `cheryl.mills`, `cmills`, `marv.shear` (a given name cut to 3 letters
    or more); `Hurwitz` (the surname alone)."""
    if w.kind is not Kind.person or not w.given:
        return
    initials = "".join(c for c in w.initials if c.isalpha())
    surname, given = w.surname.replace(" ", ""), w.given
    for pattern in (surname + given[0] + initials, surname + given[0], given[0] + surname, surname + given):
        yield address_key(pattern), True
    for end in range(3, len(given) + 1):
        yield address_key(given[:end] + surname), True
    yield address_key(surname), False


def _link_local_parts(groups: _Groups) -> None:
    """A value that is an address alone, or an address after one word, joins the one person whose
    name its local part spells: `MillsCD@state.gov`; `Hugh <Hurwitz@bop.gov>` (the word and the
    local part spell the name between them; a surname alone never joins a bare address)."""
    spelled: defaultdict[str, set[tuple[int, bool]]] = defaultdict(set)
    for i, w in enumerate(groups.written):
        for pattern, full in _local_patterns(w):
            if len(pattern) >= 4:
                for variant in _deletions(pattern) if len(pattern) >= 8 else (pattern,):
                    spelled[variant].add((i, full))
    for i, w in enumerate(groups.written):
        if w.kind not in (Kind.none, Kind.single) or (w.kind is Kind.none and groups.named(i)):
            continue
        for a in w.addresses:
            if len(a.local) < 4:
                continue
            variants = _deletions(a.local) if len(a.local) >= 8 else (a.local,)
            found = {(groups.root(j), full) for v in variants for j, full in spelled.get(v, ())}
            candidates = {root for root, full in found if full or w.kind is Kind.single}
            if len(candidates) == 1 and groups.join(i, candidates.pop()):
                break


def group_people(values: Mapping[str, int], key: str = "", headed: Collection[str] | None = None) -> People:
    """The persons of an index from its distinct person values and how many documents name each;
    `headed`: the values written as a sender, recipient or Cc (all of them when None)."""
    ordered = sorted(values, key=lambda v: (-values[v], v))
    groups = _Groups(_in_written_order([read_written(v) for v in ordered]), [values[v] for v in ordered])
    _link_addresses(groups)
    _link_names(groups)
    _link_near_addresses(groups)
    _link_bare_addresses(groups)
    _link_local_parts(groups)
    headers = set(values if headed is None else headed)
    persons = [_person([groups.written[i] for i in members], values, headers) for members in groups.groups()]
    persons.sort(key=lambda p: (-p.mentions, p.name))
    return People(tuple(_distinct_names(persons)), key)


def _in_written_order(written: list[Written]) -> list[Written]:
    """Names written without a comma read `Last First` when the index writes that person
    `Last, First` somewhere and nobody `First, Last` (`Hubbard Gloria K` beside `Hubbard, Gloria K`;
    `Amy Agrawal M` stays Amy Agrawal)."""
    with_comma = {(name_key(w.surname), name_key(w.given)) for w in written if w.kind is Kind.person and w.ordered}

    def read(w: Written) -> Written:
        if w.kind is not Kind.person or w.ordered or (name_key(w.surname), name_key(w.given)) in with_comma:
            return w
        return w.swapped() if (name_key(w.given), name_key(w.surname)) in with_comma else w

    return [read(w) for w in written]


def _person(members: list[Written], counts: Mapping[str, int], headed: set[str]) -> Person:
    members.sort(key=lambda w: (-counts[w.text], w.text))
    addresses: Counter[str] = Counter()
    for w in members:
        for a in w.addresses:
            addresses[a.text] += counts[w.text]
    ranked = sorted(addresses, key=lambda a: (not _GOOD_ADDRESS.match(a), -addresses[a], a))
    keys = {" ".join(p[1:3]).strip() for w in members if (p := _profile(w))}
    return Person(
        name=_display(members, counts, ranked),
        forms=tuple(w.text for w in members),
        addresses=tuple(ranked),
        mentions=sum(counts[w.text] for w in members),
        names=tuple(dict.fromkeys(w.name for w in members if w.name)),
        keys=tuple(sorted(keys)),
        headed=tuple(w.text for w in members if w.text in headed),
    )


def _display(members: list[Written], counts: Mapping[str, int], addresses: list[str]) -> str:
    """The name shown: the most frequent well-formed person name as `First M. Last`; else the
    most frequent name (with the first address after a one-word name); else an address."""
    if any(w.well_formed for w in members):
        return _voted_name([w for w in members if w.kind is Kind.person], counts, addresses)
    for kind in (Kind.person, Kind.single, Kind.other):
        names = [w for w in members if w.kind is kind]
        if names:
            name = names[0].display()
            return f"{name} <{addresses[0]}>" if kind is Kind.single and addresses else name
    return addresses[0] if addresses else tidy(members[0].text)


def _voted_name(members: list[Written], counts: Mapping[str, int], addresses: list[str]) -> str:
    """`First M. Last` with each part as most often written well (`Valmoro` over `Valnnoro`, `D`
    over `0`); a tie between initials goes to the one an address spells (`ColemanCL`)."""
    parts: list[Counter[str]] = [Counter(), Counter(), Counter()]
    for w in members:
        for part, text in zip(parts, (w.given, w.initials, w.surname), strict=True):
            if all(map(well_written, text.split())) if part is not parts[1] else text.isupper() or text == "":
                part[text] += counts[w.text] * (2 if w.well_formed else 1)
    locals_ = [a.split("@")[0].lower() for a in addresses]
    for initials in parts[1]:
        if initials and any(k.endswith(initials.lower()) for k in locals_):
            parts[1][initials] += 1
    given, initials, surname = (min(p, key=lambda t: (-p[t], len(t) if p is parts[1] else -len(t), t)) if p else ""
                                for p in parts)  # fmt: skip
    middle = " ".join(f"{c}." for c in initials if c.isupper())
    return " ".join(p for p in (given, middle, surname) if p)


def _distinct_names(persons: list[Person]) -> Iterator[Person]:
    """Persons whose shown names would collide get their first address, or a number, appended."""
    seen: Counter[str] = Counter()
    for person in persons:
        seen[person.name.casefold()] += 1
        if seen[person.name.casefold()] > 1:
            extra = f"<{person.addresses[0]}>" if person.addresses else f"({seen[person.name.casefold()]})"
            person = replace(person, name=f"{person.name} {extra}")
        yield person


# --- on disk ---------------------------------------------------------------------------------


def save_people(index_dir: Path, people: People) -> None:
    """Write the groups to the index folder at once (a reader never sees half a file)."""
    body = {
        "format": _FORMAT,
        "key": people.key,
        "people": [[p.name, p.forms, p.addresses, p.mentions, p.names, p.keys, p.headed] for p in people.persons],
    }
    tmp = index_dir / f".{PEOPLE_FILE}.{os.getpid()}"
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(body, fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, index_dir / PEOPLE_FILE)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def current_people(index_dir: Path, documents: DocumentStore) -> People:
    """The people of the index at `index_dir` (its `documents`): those saved in its folder when
    they were computed from the documents it holds now by these rules, else computed again
    (from the person key fields' vocabularies) and saved for the next reader."""
    key = f"{_rules()} {documents.content_key()}"
    saved = load_people(index_dir)
    if saved is not None and saved.key == key:
        return saved
    counts, headed = documents.person_values()
    people = group_people(counts, key, headed)
    try:
        save_people(index_dir, people)
    except OSError as exc:  # a read-only index folder: computed again next time
        log.info("cannot save %s in %s: %s", PEOPLE_FILE, index_dir, exc)
    return people


@functools.cache
def _rules() -> str:
    """A digest of the grouping rules' source: groups saved by another version are made again."""
    digest = hashlib.sha256()
    for module in (Path(__file__), Path(__file__).with_name("names.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:12]


def load_people(index_dir: Path) -> People | None:
    """The groups saved in the index folder, or None when there are none (or they are unreadable)."""
    try:
        body = json.loads((index_dir / PEOPLE_FILE).read_text(encoding="utf-8"))
        if body.get("format") != _FORMAT:
            return None
        persons = tuple(
            Person(name, tuple(forms), tuple(addresses), mentions, tuple(names), tuple(keys), tuple(headed))
            for name, forms, addresses, mentions, names, keys, headed in body["people"]
        )
        return People(persons, str(body["key"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
