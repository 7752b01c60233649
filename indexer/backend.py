"""Which engine holds an index folder's documents, and the one interface the pipeline and the
derived stores (people, threads, versions) use to write and read them.

An index folder always holds the manifest, the extraction cache and the derived stores; its
documents live in the embedded Whoosh index inside it (the default) or in an index on an
OpenSearch cluster. `foia-index.json` records which, so every command finds the documents from
the folder alone. The Whoosh side is `store`; the OpenSearch side is `stores.opensearch`,
imported only for folders that use it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol, TypeVar

from .documents import Document
from .errors import BadArgumentError

META_FILE = "foia-index.json"
URL_VARIABLE = "FOIA_OPENSEARCH_URL"
USER_VARIABLE = "FOIA_OPENSEARCH_USER"
PASSWORD_VARIABLE = "FOIA_OPENSEARCH_PASSWORD"


class Kind(StrEnum):
    """The engines an index folder's documents can live in."""

    whoosh = "whoosh"
    opensearch = "opensearch"


@dataclass(frozen=True)
class Backend:
    """Where an index folder's documents live: Whoosh inside the folder, or the OpenSearch index
    `name` on the cluster at `url` (credentials never recorded: they come from the environment)."""

    kind: Kind = Kind.whoosh
    url: str | None = None
    name: str | None = None

    def describe(self) -> str:
        return (
            "Whoosh (in the index folder)"
            if self.kind is Kind.whoosh
            else f"OpenSearch index {self.name} at {self.url}"
        )


def read_backend(index_dir: Path) -> Backend:
    """The backend recorded in an index folder (Whoosh for a folder recording none, as every index
    made before OpenSearch support)."""
    try:
        meta = json.loads((index_dir / META_FILE).read_text())
    except (OSError, ValueError):
        return Backend()
    if meta.get("backend", Kind.whoosh) == Kind.opensearch:
        return Backend(Kind.opensearch, meta.get("url"), meta.get("name"))
    return Backend()


def meta_of(backend: Backend, schema_version: int) -> dict[str, object]:
    """The content of `foia-index.json` for a new index."""
    meta: dict[str, object] = {"schema_version": schema_version}
    if backend.kind is Kind.opensearch:
        meta |= {"backend": backend.kind.value, "url": backend.url, "name": backend.name}
    return meta


def cluster_url(url: str | None = None) -> str:
    """The cluster's URL: `url`, else $FOIA_OPENSEARCH_URL; several nodes' URLs separated by
    commas let the client go on through the others when one is down."""
    found = url or os.environ.get(URL_VARIABLE)
    if not found:
        raise BadArgumentError(f"no OpenSearch URL: give --url URL or set {URL_VARIABLE}")
    return found.rstrip("/")


def cluster_index_name(index_dir: Path) -> str:
    """A name for the OpenSearch index of a folder: `foia-` with the folder's name (lower case,
    letters, digits and dashes) and a digest of its absolute path, so two folders never share one."""
    base = re.sub(r"[^a-z0-9]+", "-", index_dir.resolve().name.lower()).strip("-")[:40] or "index"
    digest = hashlib.sha256(str(index_dir.resolve()).encode()).hexdigest()[:8]
    return f"foia-{base}-{digest}"


def check_name(name: str) -> str:
    """An OpenSearch index name as given by the user, refused with a reason when it cannot be one."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,200}", name) or name in (".", ".."):
        raise BadArgumentError(
            f"--name {name!r} cannot name an OpenSearch index: use lower-case letters, digits, '-', '_' and '.', "
            "starting with a letter or digit"
        )
    return name


class Writer(Protocol):
    """Adds, replaces and removes the documents of files. `commit` returns once the documents are
    durable and visible (the pipeline records files in the manifest only after it)."""

    def replace_file(self, source: str, docs: list[Document]) -> None: ...
    def add_file(self, docs: list[Document]) -> None: ...
    def remove_file(self, source: str) -> None: ...
    def sources(self) -> set[str]: ...
    def commit(self) -> None: ...
    def checkpoint(self) -> None: ...
    def cancel(self) -> None: ...


W = TypeVar("W", bound=Writer)


@contextmanager
def committed(writer: W) -> Iterator[W]:
    """The writer, committed when the block ends normally and cancelled when it raises."""
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


Fields = Callable[[str], "dict[str, object] | None"]
"""A lookup of a document's stored fields by id (None for an id the index lacks)."""


class DocumentStore(Protocol):
    """An index's documents as the pipeline and the derived stores see them, whatever holds them."""

    backend: Backend

    def writing(self, wait: float = 0.0) -> AbstractContextManager[Writer]:
        """A writer committed when the block ends normally and cancelled when it raises."""
        ...

    def content_key(self) -> str:
        """Which documents the index holds, as text: changes when documents are added, replaced or
        removed."""
        ...

    def document_ids(self) -> set[str]: ...

    def stored_reader(self) -> AbstractContextManager[Fields]: ...

    def person_values(self) -> tuple[Counter[str], set[str]]:
        """Every distinct person value with the number of documents naming it, and the values that
        are a sender, recipient or Cc somewhere (see `store.person_values`)."""
        ...

    def close(self) -> None: ...


def open_documents(
    index_dir: Path, backend: Backend | None = None, create: bool = False, fresh: bool = False
) -> DocumentStore:
    """The document store of an index folder. `backend`: the one asked for (refused when the folder
    records another); `create`: make the index when the folder has none (with `backend`, Whoosh by
    default); `fresh`: an empty index in place of the documents (a rebuild), the backend kept."""
    from . import store

    recorded = read_backend(index_dir) if store.index_exists(index_dir) else None
    if backend is not None and recorded is not None and backend != recorded:
        raise BadArgumentError(
            f"the index at {index_dir} keeps its documents in {recorded.describe()}; a folder holds one index: "
            f"choose another --index folder for {backend.describe()}"
        )
    chosen = recorded or backend or Backend()
    if chosen.kind is Kind.opensearch:
        from .stores import opensearch

        return opensearch.open_documents(index_dir, chosen, create=create and recorded is None, fresh=fresh)
    return store.open_documents(index_dir, create=create, fresh=fresh)


def iter_documents(store: DocumentStore) -> Iterator[dict[str, object]]:
    """Every document's stored fields, in id order."""
    with store.stored_reader() as fields_of:
        for key in sorted(store.document_ids()):
            fields = fields_of(key)
            if fields is not None:
                yield fields
