"""Person aliases: a user-editable file saying that several names are one person.

    # aliases.txt, in the index folder (or given with --aliases FILE)
    Hillary Clinton = H = hrod17@clintonemail.com
    Cheryl Mills = Mills, Cheryl D = millscd@state.gov

The first name of a line is the one facets show. A query for any of the names (`from:H`,
`--from "Hillary Clinton"`) matches all of them; facets count them as one. Case does not matter,
in the file or in the documents: `h` names the same person as `H`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from indexer.errors import BadArgumentError

ALIAS_FILE = "aliases.txt"
"""The alias file's name in an index folder."""

_ADDRESS = re.compile(r"<\s*([^<>\s]+@[^<>\s]+)\s*>|([\w.+'-]+@[\w-]+(?:\.[\w-]+)+)")


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def name_forms(value: str) -> set[str]:
    """The forms of a written sender or recipient an alias may name: the whole value, its email
    address, and the value without the address (`H <hrod17@x.com>` → three forms)."""
    forms = {_key(value)}
    for m in _ADDRESS.finditer(value):
        forms.add(_key(m.group(1) or m.group(2)))
    forms.add(_key(_ADDRESS.sub(" ", value)))
    return forms - {""}


@dataclass(frozen=True)
class PersonMatch:
    """What a person named in a query matches: `names` by their words (and exactly as written
    where a field keeps people as written), `forms` exactly as written only."""

    names: tuple[str, ...]
    forms: tuple[str, ...] = ()


class PersonNames(Protocol):
    """What resolves the people of queries and facets: `Aliases`, or `query.people.Directory`
    (the aliases over the index's own groups of people)."""

    def match(self, name: str) -> PersonMatch | None:
        """What a person named in a query matches, or None when the name is nobody known."""
        ...

    def canonical(self, value: str) -> str:
        """The name a facet shows for a written sender or recipient."""
        ...


@dataclass(frozen=True)
class Aliases:
    """Groups of names for one person; the first name of each group is its canonical name."""

    groups: tuple[tuple[str, ...], ...] = ()

    def group(self, name: str) -> tuple[str, ...] | None:
        """Every name of the person `name` is one of, whatever its case, or None when it is no alias.
        Each name comes as written, then in lower and upper case: the index keeps a name's case for
        exact matches (`H`), so `h` in the file still finds `H`."""
        key = _key(name)
        found = next((g for g in self.groups if key in {_key(n) for n in g}), None)
        return None if found is None else tuple(dict.fromkeys(c for n in found for c in (n, n.lower(), n.upper())))

    def match(self, name: str) -> PersonMatch | None:
        """The names of the person `name` is one of (see `group`), or None."""
        names = self.group(name)
        return PersonMatch(names) if names else None

    def canonical(self, value: str) -> str:
        """The canonical name of a written sender or recipient, or the value itself."""
        forms = name_forms(value)
        for group in self.groups:
            if forms & {_key(n) for n in group}:
                return group[0]
        return value


def parse_aliases(text: str, origin: str = "aliases") -> Aliases:
    """Aliases from the file format: one person a line, names separated by `=`, `#` comments."""
    groups: list[tuple[str, ...]] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        names = tuple(" ".join(n.split()) for n in line.split("="))
        if len(names) < 2 or not all(names):
            raise BadArgumentError(f"{origin} line {number}: write names separated by =, as in `Hillary Clinton = H`")
        groups.append(names)
    return Aliases(tuple(groups))


def load_aliases(path: Path) -> Aliases:
    """The aliases in the file at `path`; a file that is missing, unreadable or malformed is a
    BadArgumentError (whoever names a file expects it to be read)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadArgumentError(f"no alias file at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadArgumentError(f"cannot read the alias file {path}: {exc}") from exc
    return parse_aliases(text, str(path))


def index_aliases(index_dir: Path) -> Aliases:
    """The aliases of an index: its folder's `aliases.txt`, or none when it has no such file."""
    path = index_dir / ALIAS_FILE
    return load_aliases(path) if path.exists() else Aliases()
