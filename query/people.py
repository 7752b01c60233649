"""People on the query side: the index's groups of senders and recipients (`indexer.people`),
with the user's alias file over them.

`from:`, `to:`, `cc:`, `participant:`, the `--from`, `--to` and `--participant` options and the
sender and recipient facets resolve people through a `Directory`:

- a name the alias file gives is that alias's person (the file always wins);
- otherwise a value belongs to its group, shown under the group's name (`Cheryl D. Mills` for
  `Mills, Cheryl 0 <MillsCD@state.gov>`), or under the alias name when an alias line names any
  form of the group (and no other alias line does);
- a name in a query matches every form of every group it names (a form, name or address of the
  group, the name in either order, or a surname alone), as well as its own words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from whoosh.index import Index

from indexer.backend import DocumentStore, open_documents
from indexer.people import People, Person, current_people
from indexer.store import WhooshDocuments

from .aliases import Aliases, PersonMatch

_CACHE: dict[Path, People] = {}
"""The people of each index folder read in this process, checked against the index's state."""


def index_people(index_dir: Path, documents: DocumentStore) -> People:
    """The people of an open index: from this process's cache while the index holds the same
    documents, else from its folder (computed there first if missing or stale)."""
    cached = _CACHE.get(index_dir)
    if cached is not None and cached.key.endswith(f" {documents.content_key()}"):
        return cached
    people = _CACHE[index_dir] = current_people(index_dir, documents)
    return people


@dataclass
class Directory:
    """The user's aliases over the index's people; the people are read on first use only (a query
    naming nobody never reads them)."""

    aliases: Aliases
    load: Callable[[], People] = People
    _alias_names: dict[int, str | None] = field(default_factory=dict)

    @cached_property
    def people(self) -> People:
        return self.load()

    def persons(self, name: str) -> tuple[Person, ...]:
        """The index's persons a name names, directly or through the aliases."""
        found = dict.fromkeys(self.people.find(name))
        for alias in self.aliases.group(name) or ():
            found.update(dict.fromkeys(self.people.find(alias)))
        return tuple(found)

    def match(self, name: str) -> PersonMatch | None:
        """The alias names and the persons' names and addresses (by their words), and the forms
        the persons are written in as senders and recipients (exactly); None when the name is
        nobody known."""
        aliased = self.aliases.group(name)
        persons = self.persons(name)
        if not aliased and not persons:
            return None
        names = (*(aliased or (name,)), *(n for p in persons for n in (*p.names, *p.addresses)))
        forms = tuple(f for p in persons for f in p.headed)
        return PersonMatch(tuple(dict.fromkeys(names)), tuple(dict.fromkeys(forms)))

    @property
    def cache_key(self) -> tuple[Aliases, str]:
        """What `canonical` depends on: the aliases and the index's people (their content key)."""
        return self.aliases, self.people.key

    def canonical(self, value: str) -> str:
        """The alias name of a value the alias file names; else its person's alias name (see
        `alias_name`) or the person's name; else the value itself."""
        aliased = self.aliases.canonical(value)
        if aliased != value:
            return aliased
        person = self.people.person_of(value)
        if person is None:
            return value
        return self.alias_name(person) or person.name

    def alias_name(self, person: Person) -> str | None:
        """The alias name of the one alias line naming a form, name or address of the person;
        None when no line does, or several do (then each names only the forms it gives)."""
        key = id(person)
        if key not in self._alias_names:
            texts = (*person.forms, *person.names, *person.addresses)
            named = {c for t in texts if (c := self.aliases.canonical(t)) != t} if self.aliases.groups else set()
            self._alias_names[key] = named.pop() if len(named) == 1 else None
        return self._alias_names[key]


def directory(index_dir: Path, ix: Index, aliases: Aliases | None = None) -> Directory:
    """The directory of an open Whoosh index, its people read when first needed."""
    return documents_directory(index_dir, WhooshDocuments(ix), aliases)


def documents_directory(index_dir: Path, documents: DocumentStore, aliases: Aliases | None = None) -> Directory:
    """The directory of an index's documents, whatever holds them, its people read when first needed."""
    return Directory(aliases or Aliases(), lambda: index_people(index_dir, documents))


def find_people(index_dir: Path, name: str | None = None, aliases: Aliases | None = None) -> list[Person]:
    """The index's people, most mentioned first, each under its alias name when it has one; with
    `name`, only the people it names (as `from:NAME` would find them)."""
    documents = open_documents(index_dir)
    try:
        found = documents_directory(index_dir, documents, aliases)
        persons = found.persons(name) if name else found.people.persons
        return [_renamed(p, found.alias_name(p)) for p in persons]
    finally:
        documents.close()


def _renamed(person: Person, name: str | None) -> Person:
    return person if name is None else replace(person, name=name)
