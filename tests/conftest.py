"""Shared fixtures: where the real FOIA releases live (outside the repository).

Outside CI, tests that need `../shared/corpus`, poppler's `pdftotext` or Tesseract skip when
they are absent. In CI (`CI=true`) a missing corpus or tool stops the run with an error instead,
so a skip can never hide a broken install.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from indexer import index_paths
from indexer.ocr import unavailable_reason

SHARED_CORPUS = (Path(__file__).resolve().parents[1].parent / "shared" / "corpus").resolve()
"""Resolved as the indexer resolves what it records (`../shared` may be a link)."""
SAMPLE_RELEASES = Path(__file__).resolve().parents[1] / "corpus" / "releases"


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("CI", "").lower() not in ("true", "1"):
        return
    if not SHARED_CORPUS.is_dir():
        pytest.exit(f"CI needs the real releases at {SHARED_CORPUS}", returncode=1)
    if shutil.which("pdftotext") is None:
        pytest.exit("CI needs poppler's pdftotext (Debian package poppler-utils)", returncode=1)
    if reason := unavailable_reason("eng+spa"):
        pytest.exit(f"CI needs Tesseract with English and Spanish: {reason}", returncode=1)


HAVE_OCR = unavailable_reason() is None
"""Whether Tesseract can OCR English here (always true in CI, which installs it)."""


@pytest.fixture(scope="session")
def tesseract() -> None:
    """Tests that run Tesseract skip outside CI when it is not installed (in CI it always is)."""
    if not HAVE_OCR:
        pytest.skip(f"OCR tests need Tesseract: {unavailable_reason()}")


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The real releases in `../shared/corpus`; tests that need them skip only if the folder is absent."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"shared corpus of real FOIA releases not found at {SHARED_CORPUS}")
    return SHARED_CORPUS


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample releases (`corpus/releases`) indexed once per test session. Tests that change
    an index work on a copy of it."""
    index = tmp_path_factory.mktemp("sample") / "foia-index"
    assert index_paths([SAMPLE_RELEASES], index).ok
    return index


@pytest.fixture(scope="session")
def opensearch_nodes() -> Iterator[Any]:
    """The two-node OpenSearch cluster the tests start from Maven Central
    (`tests/opensearch_cluster.py`), stopped at the end; None when $FOIA_OPENSEARCH_URL names a
    cluster to use instead. Never skipped: a cluster that cannot be reached or started fails
    the tests, naming what is missing (Java, Maven, the download)."""
    import opensearch_cluster

    given = os.environ.get("FOIA_OPENSEARCH_URL")
    if given:
        if not opensearch_cluster.health(given.split(",")[0].rstrip("/"), timeout=10):
            pytest.fail(f"FOIA_OPENSEARCH_URL is {given}, but no OpenSearch cluster answers there")
        yield None
        return
    started = time.monotonic()
    try:
        cluster = opensearch_cluster.start(nodes=2)
    except opensearch_cluster.ClusterError as exc:
        pytest.fail(f"cannot start the test OpenSearch cluster: {exc}")
    print(f"\nOpenSearch: two nodes at {cluster.url} started in {time.monotonic() - started:.1f} s")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def opensearch_url(opensearch_nodes: Any) -> str:
    """The URL of the test cluster: $FOIA_OPENSEARCH_URL, else the cluster the tests started."""
    return os.environ["FOIA_OPENSEARCH_URL"] if opensearch_nodes is None else str(opensearch_nodes.url)
