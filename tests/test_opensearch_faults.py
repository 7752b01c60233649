"""A node of the two-node test cluster stopped while documents are indexed and searched: with a
replica of each shard nothing acknowledged is lost and searches go on (the cluster is yellow).
Needs the cluster the tests start themselves (they stop one of its nodes)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from opensearchpy import OpenSearch
from whoosh import query as wq

import indexer
from indexer.stores import opensearch as store
from query.engines.opensearch import Engine
from query.parse import parse_query

STATE_PDF = "state-f2015-04841/pdf"


def _node_index(client: Any, cluster: Any) -> int:
    """The test cluster's node that is not the cluster manager (writes go on without it)."""
    manager = client.cat.cluster_manager(format="json")[0]["node"]
    return next(i for i in range(len(cluster.urls)) if f"node-{i}" != manager)


def _wait_status(client: Any, status: str, nodes: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = client.cluster.health()
        if health["status"] == status and health["number_of_nodes"] == nodes:
            return
        time.sleep(1)
    raise AssertionError(f"cluster not {status} with {nodes} nodes after {timeout} s: {client.cluster.health()}")


def test_a_node_stopped_while_indexing_and_searching_loses_nothing(
    opensearch_nodes: Any, shared_corpus: Path
) -> None:
    if opensearch_nodes is None:
        pytest.fail("the fault tests stop a node of the cluster the tests start: unset FOIA_OPENSEARCH_URL")
    cluster = opensearch_nodes
    client = store.connect(",".join(cluster.urls))
    name = f"foia-faults-{uuid.uuid4().hex[:8]}"
    store.create_index(client, name)
    engine = Engine(client, name)
    files = sorted((shared_corpus / STATE_PDF).glob("*.pdf"))[:24]
    batches = [files[:12], files[12:]]
    stopped = None
    try:
        _wait_status(client, "green", 2)
        writer = store.Writer(client, name, batch=5)
        sent: set[str] = set()
        for path in batches[0]:
            docs = indexer.read_file(path, ocr="never")
            writer.replace_file(str(path), docs)
            sent.update(d.id for d in docs)
        writer.commit()

        stopped = _node_index(client, cluster)
        cluster.stop_node(stopped)
        for path in batches[1]:
            docs = indexer.read_file(path, ocr="never")
            writer.replace_file(str(path), docs)
            sent.update(d.id for d in docs)
        failed: set[str] = set()
        try:
            writer.commit()
        except store.BulkIndexingError as exc:  # refused documents are named; sending them again indexes them
            failed = {f.id for f in exc.failures}
        assert client.cluster.health()["status"] == "yellow"
        assert store.indexed_ids(client, name, sent) == sent - failed
        if failed:
            for path in batches[1]:
                writer.replace_file(str(path), indexer.read_file(path, ocr="never"))
            writer.commit()

        # searches go on, with every document, on the one node left
        assert engine.ids(wq.Every()) == sent
        result = engine.search(parse_query("libya"), limit=5, facets=["month"])
        assert result.total == engine.count(parse_query("libya")) > 0 and result.facets["month"]
    finally:
        if stopped is not None:
            cluster.start_node(stopped)
            _wait_status(client, "green", 2, timeout=240)
        store.delete_index(client, name)


def test_an_unreachable_cluster_is_one_line_for_the_engine() -> None:
    """A search whose cluster went away: the project's error, one line naming the URL."""
    engine = Engine(OpenSearch(["http://127.0.0.1:1"], max_retries=0), "any")
    with pytest.raises(store.ClusterUnreachableError, match=r"^cannot reach OpenSearch at http://127\.0\.0\.1:1$"):
        engine.count(wq.Every())
