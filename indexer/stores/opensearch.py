"""The OpenSearch index backend, writing side: the connection, the mapping derived from the one
schema (`schema.build_schema`), and bulk writing of documents.

The mapping is not written by hand: each Whoosh field of the schema becomes an OpenSearch field
and each Whoosh analyzer an equivalent OpenSearch analyzer (`analysis`), so that the terms the
query parser produces (already analyzed by Whoosh) are the terms OpenSearch indexed. A schema
change the translation does not know raises at once instead of indexing differently. Known
differences: OpenSearch's ASCII folding spells a few letters Whoosh's accent table folds to one
letter as two (`ß` as `ss`, `œ` as `oe`); positions are the same, stop words and one-letter
words leaving no gap in either (see `_stop_pattern`).

Pages: a document's text is indexed whole (`text`, for phrases and the document-level query) and
a page at a time in the nested `pages` field, whose matches tell the searcher which page each
snippet is on (a nested hit's offset is its page's place in the document). The stored source
keeps the pages only; the text is their join with form feeds.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import NotFoundError, TransportError
from whoosh.analysis import (
    IDTokenizer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    StripFilter,
    SubstitutionFilter,
)
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema

from ..backend import PASSWORD_VARIABLE, USER_VARIABLE, Backend, Fields, cluster_url, committed
from ..documents import Document
from ..errors import (
    FoiaSearchError,
    IncompatibleIndexError,
    IndexMissingError,
    RefusedDocumentsError,
    UnreachableIndexError,
    foia_command,
)
from ..schema import FACET_FIELDS, SCHEMA_VERSION, AccentFolder, build_schema
from ..store import HEADER_KEYS, PEOPLE_KEY, to_fields, write_meta

SHARDS = 2
REPLICAS = 1
PAGES = "pages"
"""The nested field holding a document's pages, each `{"text": ...}`, in page order."""
RAW = "raw"
"""The keyword sub-field of an analyzed field that has a Whoosh column: its whole value, as
Whoosh's column holds it, for sorting and facets."""
_UNICODE = "UNICODE_CHARACTER_CLASS"
"""Java's regex flag that makes `\\w` match letters of every script, as Python's `\\w` does."""


class ClusterUnreachableError(UnreachableIndexError):
    """The OpenSearch cluster does not answer at its URL (down, wrong URL, refused credentials)."""


class BulkIndexingError(RefusedDocumentsError):
    """Some documents were refused by the cluster; `failures` holds each one's id and reason.
    Documents not listed were acknowledged."""

    def __init__(self, failures: list[DocumentFailure]) -> None:
        shown = "; ".join(f"{f.id}: {f.reason}" for f in failures[:5])
        more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
        super().__init__(f"OpenSearch refused {len(failures)} document(s): {shown}{more}",
                         {f.id: f.reason for f in failures})  # fmt: skip
        self.failures = failures


class UnsupportedSchemaError(FoiaSearchError):
    """The schema has a field type or analyzer part the OpenSearch mapping cannot express."""


@dataclass(frozen=True)
class DocumentFailure:
    """A document the cluster did not index, and why."""

    id: str
    reason: str


# --- connection ---------------------------------------------------------------------------


def connect(url: str | None = None, timeout: float = 30.0) -> OpenSearch:
    """A client of the cluster at `url` (or $FOIA_OPENSEARCH_URL), checked to answer; credentials
    only from $FOIA_OPENSEARCH_USER and $FOIA_OPENSEARCH_PASSWORD. An unreachable cluster raises
    ClusterUnreachableError, one line naming the URL."""
    address = cluster_url(url)
    user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    auth = (user, password) if user and password else None
    hosts = [u.strip().rstrip("/") for u in address.split(",")]
    client = OpenSearch(hosts, http_auth=auth, timeout=timeout, max_retries=len(hosts) + 1, retry_on_timeout=True,
                        http_compress=True)  # fmt: skip
    try:
        client.info()
    except (OSConnectionError, TransportError) as exc:
        raise ClusterUnreachableError(f"cannot reach OpenSearch at {address}: {_reason(exc)}") from None
    return client


def _reason(exc: Exception) -> str:
    """A transport error's reason in one line."""
    if isinstance(exc, OSConnectionError):
        text = str(exc).lower()
        if "refused" in text or "timed out" in text or "timeout" in text:
            return "connection refused or timed out"
        return str(exc.error).splitlines()[0][:200]
    if isinstance(exc, TransportError):
        return f"HTTP {exc.status_code} {exc.error}"
    return str(exc).splitlines()[0][:200]


# --- mapping derived from the schema ------------------------------------------------------


@dataclass
class _Analysis:
    """Analyzers, tokenizers and filters collected while the fields are mapped."""

    analyzer: dict[str, Any] = field(default_factory=dict)
    tokenizer: dict[str, Any] = field(default_factory=dict)
    filter: dict[str, Any] = field(default_factory=dict)
    char_filter: dict[str, Any] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    """Analyzer name by the definition it was made from (one analyzer per distinct chain)."""

    def settings(self) -> dict[str, Any]:
        return {k: v for k in ("analyzer", "tokenizer", "filter", "char_filter") if (v := getattr(self, k))}


def _token_pattern(tokenizer: RegexTokenizer) -> str:
    """A Whoosh tokenizer's regular expression, for Java (the same syntax for what we use)."""
    return str(tokenizer.expression.pattern)


def _stop_pattern(tokenizer: RegexTokenizer, stop: StopFilter) -> str:
    """A regular expression matching the tokens `stop` removes (its words, and tokens shorter
    than its minimum), each as a whole token of `tokenizer`.

    Whoosh removes stop words and renumbers the positions of the words left (`renumber=True`),
    so `secretary of state` has `secretari` and `state` side by side; Lucene's stop filter
    leaves a gap. Removed by a character filter before tokenizing, they leave none."""
    if not stop.renumber:
        raise UnsupportedSchemaError("a StopFilter without renumber has no OpenSearch equivalent here")
    if _token_pattern(tokenizer) != RegexTokenizer().expression.pattern:
        raise UnsupportedSchemaError("stop words are only translated for Whoosh's default word pattern")
    word = r"[\w*]"
    short = f"{word}{{1,{stop.min - 1}}}" if stop.min > 1 else None
    words = "|".join(re.escape(w) for w in sorted(stop.stops, key=lambda w: (-len(w), w)))
    alternatives = "|".join(p for p in (words, short) if p)
    return rf"(?<!{word})(?<!{word}\.)(?:{alternatives})(?!{word})(?!\.{word})"


def _analyzer(analysis: _Analysis, items: list[Any]) -> str:
    """The name of an OpenSearch analyzer equivalent to a Whoosh analyzer chain, defined once."""
    tokenizer, *filters = items
    if not isinstance(tokenizer, RegexTokenizer):
        raise UnsupportedSchemaError(f"no OpenSearch equivalent of the tokenizer {type(tokenizer).__name__}")
    definition: dict[str, Any] = {"type": "custom", "filter": [], "char_filter": []}
    tok_name = f"tok_{len(analysis.tokenizer)}"
    tok = {"type": "pattern", "pattern": _token_pattern(tokenizer), "group": 0, "flags": _UNICODE}
    for name, existing in analysis.tokenizer.items():
        if existing == tok:
            tok_name = name
    analysis.tokenizer[tok_name] = tok
    definition["tokenizer"] = tok_name
    for item in filters:
        if isinstance(item, LowercaseFilter):
            definition["filter"].append("lowercase")
        elif isinstance(item, AccentFolder):
            definition["filter"].append("asciifolding")
        elif isinstance(item, StripFilter):
            definition["filter"].append("trim")
        elif isinstance(item, StemFilter):
            if item.lang not in (None, "en", "english") or item.ignore:
                raise UnsupportedSchemaError("only English Porter stemming is translated")
            definition["filter"].append("porter_stem")
        elif isinstance(item, StopFilter):
            name = f"stop_{len(analysis.char_filter)}"
            spec = {"type": "pattern_replace", "pattern": _stop_pattern(tokenizer, item), "replacement": "",
                    "flags": f"{_UNICODE}|CASE_INSENSITIVE"}  # fmt: skip
            name = next((n for n, s in analysis.char_filter.items() if s == spec), name)
            analysis.char_filter[name] = spec
            definition["char_filter"].append(name)
        elif isinstance(item, SubstitutionFilter):
            name = f"sub_{len(analysis.filter)}"
            analysis.filter[name] = {"type": "pattern_replace", "pattern": item.pattern.pattern,
                                     "replacement": item.replacement, "all": True}  # fmt: skip
            definition["filter"].append(name)
        else:
            raise UnsupportedSchemaError(f"no OpenSearch equivalent of the analyzer part {type(item).__name__}")
    key = repr(sorted(definition.items()))
    if key not in analysis.names:
        analysis.names[key] = f"foia_{len(analysis.analyzer)}"
        analysis.analyzer[analysis.names[key]] = definition
    return analysis.names[key]


def _chain(ftype: FieldType) -> list[Any]:
    analyzer = ftype.analyzer
    return list(getattr(analyzer, "items", [analyzer]))


_COUNTED = {*FACET_FIELDS.values(), PEOPLE_KEY, *HEADER_KEYS}
"""Analyzed fields whose terms are counted: facets, and the people of the index (`person_values`)."""


def _field_mapping(name: str, ftype: FieldType, analysis: _Analysis) -> dict[str, Any]:
    """The OpenSearch mapping of one Whoosh field."""
    if isinstance(ftype, STORED) or not ftype.indexed:
        return {"type": "object", "enabled": False}
    if isinstance(ftype, DATETIME):
        return {"type": "date", "format": "strict_date_optional_time"}
    if isinstance(ftype, NUMERIC):
        return {"type": "long" if ftype.numtype is int else "double"}
    if isinstance(ftype, ID) or (isinstance(_chain(ftype)[0], IDTokenizer)):
        return {"type": "keyword"}
    if isinstance(ftype, (TEXT, KEYWORD)):
        spec: dict[str, Any] = {"type": "text", "analyzer": _analyzer(analysis, _chain(ftype))}
        if not ftype.format.supports("positions"):
            spec["index_options"] = "freqs"
        if ftype.column_type is not None:  # sortable: the whole value, as Whoosh's column holds it
            spec["fields"] = {RAW: {"type": "keyword"}}
        elif name in _COUNTED:  # values counted from the field's terms
            spec["fielddata"] = True
        return spec
    raise UnsupportedSchemaError(f"no OpenSearch mapping for field {name!r} of type {type(ftype).__name__}")


def index_body(schema: Schema | None = None, shards: int = SHARDS, replicas: int = REPLICAS) -> dict[str, Any]:
    """Settings and mappings of an index holding the schema's documents."""
    schema = schema or build_schema()
    analysis = _Analysis()
    properties = {name: _field_mapping(name, schema[name], analysis) for name in schema.names()}
    properties[PAGES] = {"type": "nested", "properties": {"text": dict(properties["text"])}}
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas},
            "analysis": analysis.settings(),
        },  # fmt: skip
        "mappings": {
            "dynamic": "strict",
            "_meta": {"schema_version": SCHEMA_VERSION, "made_by": "foia-search"},
            "_source": {"excludes": ["text"]},
            "properties": properties,
        },
    }


def terms_field(fieldname: str, schema: Schema | None = None) -> str:
    """The field whose terms are a field's values for facets and sorting: the whole value (the
    `raw` sub-field) of an analyzed field with a Whoosh column, else the field itself."""
    mapping = index_body(schema)["mappings"]["properties"][fieldname]
    return f"{fieldname}.{RAW}" if RAW in mapping.get("fields", {}) else fieldname


# --- creating and opening an index --------------------------------------------------------


def create_index(client: OpenSearch, name: str, shards: int = SHARDS, replicas: int = REPLICAS) -> None:
    """Create the index `name` with the schema's mapping; an existing index is checked instead."""
    if client.indices.exists(index=name):
        check_version(client, name)
        return
    client.indices.create(index=name, body=index_body(shards=shards, replicas=replicas))
    client.cluster.health(index=name, wait_for_status="yellow")


def delete_index(client: OpenSearch, name: str) -> None:
    client.indices.delete(index=name, ignore_unavailable=True)


def check_version(client: OpenSearch, name: str) -> None:
    """Raise IndexMissingError when there is no index `name`, IncompatibleIndexError when its
    mapping was made for another schema version (the same error as a Whoosh index's)."""
    try:
        mapping = client.indices.get_mapping(index=name)
    except NotFoundError:
        raise IndexMissingError(
            f"no index {name!r} on the cluster: create one with {foia_command('index', 'PATH', '--index', 'DIR')}"
        ) from None
    meta = next(iter(mapping.values()))["mappings"].get("_meta", {})
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        raise IncompatibleIndexError(
            f"index {name!r} was made with schema version {version}; this foia-search reads version "
            f"{SCHEMA_VERSION}. Rebuild it from its extraction cache: {foia_command('reindex', '--index', 'DIR')}"
        )


# --- documents ----------------------------------------------------------------------------


def _json(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def to_source(fields: Mapping[str, object]) -> dict[str, object]:
    """The OpenSearch source of a document from its schema fields (`store.to_fields`): the same
    values as JSON, and its pages for the nested `pages` field."""
    source = {k: _json(v) for k, v in fields.items()}
    source[PAGES] = [{"text": page} for page in str(fields.get("text", "")).split("\f")]
    return source


def from_source(source: Mapping[str, Any], schema: Schema | None = None) -> dict[str, Any]:
    """A document's stored fields as the Whoosh side stores them: dates as datetimes, the text
    its pages joined by form feeds."""
    schema = schema or build_schema()
    fields = {k: v for k, v in source.items() if k in schema and schema[k].stored}
    fields["text"] = "\f".join(p.get("text", "") for p in source.get(PAGES) or [])
    for name in ("date", "release_date"):
        if isinstance(fields.get(name), str):
            fields[name] = datetime.fromisoformat(fields[name])
    return fields


Refresh = bool | str
"""After a bulk request: True (visible at once), "wait_for" (visible when the next refresh is
done) or False (visible within a second: the fastest for large runs)."""


class Writer:
    """Adds, replaces and removes the documents of files in an OpenSearch index.

    Documents are indexed by id, so sending one twice leaves one copy: a run killed before its
    manifest was written is redone without doubling anything. `commit` returns once the cluster
    acknowledged every document sent (and raises BulkIndexingError naming those it refused); the
    pipeline writes its manifest only after that."""

    def __init__(self, client: OpenSearch, index: str, batch: int = 500, refresh: Refresh = False) -> None:
        self._client = client
        self._index = index
        self._batch = batch
        self._refresh = refresh
        self._actions: list[dict[str, Any]] = []
        self._stale: dict[str, set[str]] = {}  # source -> ids it keeps (others are deleted at flush)
        self.failures: list[DocumentFailure] = []

    def replace_file(self, source: str, docs: list[Document]) -> None:
        """Index the documents of `source` and remove its documents that are no longer there."""
        self.add_file(docs)
        self._stale[source] = {d.id for d in docs}

    def add_file(self, docs: list[Document]) -> None:
        for doc in docs:
            if doc.source in self._stale:  # removed earlier in this batch, added again: kept
                self._stale[doc.source].add(doc.id)
            self.add_fields(to_fields(doc))

    def add_fields(self, fields: Mapping[str, object]) -> None:
        """Index one document given as schema fields (for `foia migrate`, from a Whoosh index)."""
        self._actions.append({"_index": self._index, "_id": fields["id"], "_source": to_source(fields)})
        if len(self._actions) >= self._batch:
            self.flush()

    def remove_file(self, source: str) -> None:
        self._stale[source] = set()

    def sources(self) -> set[str]:
        """Every source path with documents in the index."""
        found: set[str] = set()
        after: dict[str, Any] | None = None
        while True:
            agg: dict[str, Any] = {"size": 1000, "sources": [{"s": {"terms": {"field": "source"}}}]}
            if after:
                agg["after"] = after
            body = {"size": 0, "aggs": {"by": {"composite": agg}}}
            result = self._client.search(index=self._index, body=body)["aggregations"]["by"]
            found.update(b["key"]["s"] for b in result["buckets"])
            after = result.get("after_key")
            if not result["buckets"] or not after:
                return found

    def flush(self) -> list[DocumentFailure]:
        """Send the documents buffered; returns (and keeps in `failures`) those refused."""
        failed: list[DocumentFailure] = []
        if self._actions:
            for ok, item in helpers.streaming_bulk(self._client, self._actions, raise_on_error=False,
                                                   raise_on_exception=True, max_retries=3,
                                                   refresh=self._refresh):  # fmt: skip
                if not ok:
                    info = next(iter(item.values()))
                    failed.append(DocumentFailure(str(info.get("_id")), _bulk_reason(info)))
            self._actions = []
        if self._stale:  # what was just sent is seen by the search for each file's old documents
            self._client.indices.refresh(index=self._index)
        for source, keep in self._stale.items():
            failed.extend(self._delete(set(self._ids_of(source)) - keep))
        self._stale = {}
        self.failures.extend(failed)
        return failed

    def _ids_of(self, source: str) -> Iterator[str]:
        """The ids of the documents of `source` in the index (without `_delete_by_query`, which
        lives in a module not every cluster has)."""
        query = {"query": {"term": {"source": source}}, "_source": False}
        for hit in helpers.scan(self._client, index=self._index, query=query):
            yield hit["_id"]

    def _delete(self, ids: Iterable[str]) -> list[DocumentFailure]:
        actions = [{"_op_type": "delete", "_index": self._index, "_id": i} for i in sorted(ids)]
        failed = []
        for ok, item in helpers.streaming_bulk(self._client, actions, raise_on_error=False,
                                               refresh=self._refresh):  # fmt: skip
            info = item.get("delete", {})
            if not ok and info.get("status") != 404:
                failed.append(DocumentFailure(str(info.get("_id")), _bulk_reason(info)))
        return failed

    def commit(self) -> None:
        """Send what is buffered and make it visible to searches; raises BulkIndexingError when
        the cluster refused documents (the others are indexed)."""
        self.flush()
        self._client.indices.refresh(index=self._index)
        if self.failures:
            failures, self.failures = self.failures, []
            raise BulkIndexingError(failures)

    checkpoint = commit

    def cancel(self) -> None:
        """Drop what was not sent (what was sent is indexed: sending it again replaces it)."""
        self._actions = []
        self._stale = {}


def _bulk_reason(info: Mapping[str, Any]) -> str:
    error = info.get("error")
    if isinstance(error, Mapping):
        return f"{error.get('type')}: {error.get('reason')}"
    return str(error or info.get("status"))


def indexed_ids(client: OpenSearch, index: str, ids: Iterable[str]) -> set[str]:
    """Which of `ids` the index holds."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    found = client.mget(index=index, body={"ids": wanted}, _source=False)
    return {d["_id"] for d in found["docs"] if d.get("found")}


# --- the index's documents as the pipeline sees them ----------------------------------------


class OpenSearchDocuments:
    """The documents of an index folder kept on an OpenSearch cluster, as `backend.DocumentStore`."""

    def __init__(self, client: OpenSearch, backend: Backend) -> None:
        assert backend.name is not None
        self.client, self.backend, self.name = client, backend, backend.name

    def writing(self, wait: float = 0.0) -> AbstractContextManager[Writer]:
        """A bulk writer committed (every document acknowledged) when the block ends normally;
        `wait` is the folder lock's business (`store.exclusive`)."""
        return committed(Writer(self.client, self.name))

    def content_key(self) -> str:
        """The index's uuid and its primaries' document, indexing and deletion counts."""
        stats = self.client.indices.stats(index=self.name, metric="docs,indexing")["indices"][self.name]
        primaries = stats["primaries"]
        docs, indexing = primaries["docs"], primaries["indexing"]
        return f"{stats.get('uuid', '')}-{docs['count']}-{docs['deleted']}-{indexing['index_total']}-" \
               f"{indexing['delete_total']}"  # fmt: skip

    def document_ids(self) -> set[str]:
        query = {"query": {"match_all": {}}, "_source": False}
        return {hit["_id"] for hit in helpers.scan(self.client, index=self.name, query=query)}

    @contextmanager
    def stored_reader(self) -> Iterator[Fields]:
        def fields(key: str) -> dict[str, object] | None:
            try:
                found = self.client.get(index=self.name, id=key)
            except NotFoundError:
                return None
            return from_source(found["_source"])

        yield fields

    def person_values(self) -> tuple[Counter[str], set[str]]:
        counts: Counter[str] = Counter(dict(_terms(self.client, self.name, PEOPLE_KEY)))
        headed = {value for name in HEADER_KEYS for value, _ in _terms(self.client, self.name, name)}
        return counts, headed

    def close(self) -> None:
        self.client.close()


def _terms(client: OpenSearch, index: str, fieldname: str) -> Iterator[tuple[str, int]]:
    """Every term of a field with the number of documents holding it (composite aggregation pages)."""
    after: dict[str, Any] | None = None
    while True:
        composite: dict[str, Any] = {"size": 1000, "sources": [{"v": {"terms": {"field": fieldname}}}]}
        if after:
            composite["after"] = after
        body = {"size": 0, "aggs": {"values": {"composite": composite}}}
        found = client.search(index=index, body=body)["aggregations"]["values"]
        for bucket in found["buckets"]:
            yield str(bucket["key"]["v"]), int(bucket["doc_count"])
        after = found.get("after_key")
        if not found["buckets"] or after is None:
            return


def open_documents(index_dir: Path, backend: Backend, create: bool = False, fresh: bool = False) -> OpenSearchDocuments:
    """The documents of an index folder on its cluster: with `create`, the cluster's index made
    (or an existing one of that name checked) and the folder made to record it; with `fresh`, the
    cluster's index made again empty; else the index checked to exist and to be of this schema."""
    client = connect(backend.url)
    name = backend.name or ""
    try:
        if fresh:
            delete_index(client, name)
            create_index(client, name)
        elif create:
            create_index(client, name)
            index_dir.mkdir(parents=True, exist_ok=True)
            write_meta(index_dir, backend)
        else:
            check_version(client, name)
    except (OSConnectionError, TransportError) as exc:
        client.close()
        raise ClusterUnreachableError(
            f"cannot reach OpenSearch at {cluster_url(backend.url)}: {_reason(exc)}"
        ) from None
    except BaseException:
        client.close()
        raise
    return OpenSearchDocuments(client, backend)
