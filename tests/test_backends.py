"""One seam, two backends: an index folder whose documents are on the real two-node OpenSearch
cluster (`opensearch_url`, see conftest) answers the library, the CLI and the reading room as a
Whoosh folder does, with no flag after `foia index --backend opensearch`. The State release is
indexed three ways: into Whoosh by the pipeline, into OpenSearch by the pipeline, and into
OpenSearch by `foia migrate` from the Whoosh folder."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_opensearch import QUERIES
from typer.testing import CliRunner

import indexer
from indexer.backend import Backend, Kind, read_backend
from indexer.errors import ExitCode
from indexer.manifest import Manifest
from indexer.pipeline import migrate
from indexer.stores import opensearch as store
from query import FACETS, Sort, add_watch, export_records, get_document, new_hits, search, similar
from query.cli import app
from query.web import create_app

STATE_PDF = "state-f2015-04841/pdf"
OPTIONS = indexer.Options(engine="pdfium", ocr="never", workers=2)
runner = CliRunner()


@pytest.fixture(scope="module")
def url(opensearch_url: str) -> str:
    return opensearch_url


def _backend(url: str) -> Backend:
    return Backend(Kind.opensearch, url, f"foia-test-{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="module")
def folders(url: str, shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The State release in Whoosh (pipeline), on OpenSearch (pipeline) and on OpenSearch
    (migrated from the Whoosh folder); the cluster's indexes are deleted at the end."""
    root = tmp_path_factory.mktemp("backends")
    release = shared_corpus / STATE_PDF
    made = {"whoosh": root / "whoosh", "opensearch": root / "opensearch", "migrated": root / "migrated"}
    backends = [_backend(url), _backend(url)]
    assert indexer.index_paths([release], made["whoosh"], options=OPTIONS).ok
    assert indexer.index_paths([release], made["opensearch"], options=OPTIONS, backend=backends[0]).ok
    report = migrate(made["whoosh"], made["migrated"], backends[1], options=OPTIONS)
    assert report.ok and report.documents == 138
    try:
        yield made
    finally:
        client = store.connect(url)
        for backend in backends:
            store.delete_index(client, str(backend.name))


def _ids(index_dir: Path, text: str) -> set[str]:
    return {hit.id for hit in search(index_dir, text, limit=None).hits}


@pytest.mark.parametrize("text", QUERIES)
def test_every_backend_finds_the_same_documents(folders: dict[str, Path], text: str) -> None:
    expected = _ids(folders["whoosh"], text)
    assert _ids(folders["opensearch"], text) == expected
    assert _ids(folders["migrated"], text) == expected
    assert search(folders["opensearch"], text, limit=5).total == len(expected)


def test_the_folder_records_its_backend(folders: dict[str, Path], url: str) -> None:
    recorded = read_backend(folders["opensearch"])
    assert recorded.kind is Kind.opensearch and recorded.url == url and recorded.name
    assert read_backend(folders["whoosh"]) == Backend()
    assert not (folders["opensearch"] / "whoosh").exists()


def test_facets_and_metadata_are_the_same(folders: dict[str, Path]) -> None:
    for text in ("", "benghazi", "from:mills"):
        counts = [search(folders[k], text, limit=1, facets=FACETS, top_values=None).facets for k in folders]
        assert counts[0] == counts[1] == counts[2]
        assert sum(c.count for c in counts[0]["sender"]) > 0
    records = [sorted(export_records(folders[k], "libya"), key=lambda r: r["id"]) for k in folders]
    assert len(records[0]) > 20
    without_page = [[{k: v for k, v in r.items() if k not in ("page", "citation")} for r in rs] for rs in records]
    assert without_page[0] == without_page[1] == without_page[2]
    # the cited page is the best passage's on both sides; where they cut passages differently it may differ
    cited = [{r["id"]: r["page"] for r in rs} for rs in records]
    assert sum(cited[0][key] == cited[1][key] for key in cited[0]) >= 0.9 * len(cited[0])


def test_snippets_name_the_page_their_words_are_on(folders: dict[str, Path]) -> None:
    result = search(folders["opensearch"], "benghazi", limit=20)
    assert result.hits and all(hit.snippets for hit in result.hits)
    for hit in result.hits:
        doc = get_document(folders["opensearch"], hit.id)
        for snippet in hit.snippets:
            assert "benghazi" in doc.page(snippet.page).lower()


def test_partial_matches_and_literal_reading(folders: dict[str, Path]) -> None:
    whoosh, cluster = (search(folders[k], "libya embassy xyzzyq", limit=10) for k in ("whoosh", "opensearch"))
    assert cluster.total == 0 and cluster.partial == whoosh.partial > 0
    assert [h.missing for h in cluster.hits] == [("xyzzyq",)] * 10
    readings = [search(folders[k], "benghazi NOT benghazi", limit=3) for k in ("whoosh", "opensearch")]
    assert readings[0].reading == readings[1].reading is not None and readings[0].total == readings[1].total > 0


def test_similar_show_versions_and_threads_answer(folders: dict[str, Path]) -> None:
    found = similar(folders["opensearch"], "C05739724", limit=5)
    assert found.total > 0 and "C05739724" not in {h.doc_number for h in found.hits}
    assert (
        get_document(folders["opensearch"], "C05739724").fields == get_document(folders["whoosh"], "C05739724").fields
    )
    for command in (["versions", "C05739865"], ["thread", "C05739865", "--format", "json"], ["people"]):
        outputs = [runner.invoke(app, [*command, "--index", str(folders[k])]) for k in ("whoosh", "opensearch")]
        assert outputs[0].exit_code == outputs[1].exit_code == 0, outputs[1].output
        assert outputs[0].stdout == outputs[1].stdout


def test_cli_search_and_status_need_no_flag(folders: dict[str, Path]) -> None:
    shown = runner.invoke(app, ["search", "benghazi", "--index", str(folders["opensearch"]), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["total"] == len(_ids(folders["whoosh"], "benghazi"))
    status = runner.invoke(app, ["status", "--index", str(folders["opensearch"])])
    assert "documents on OpenSearch: index foia-test-" in status.stdout


def test_a_folder_keeps_its_backend(folders: dict[str, Path], url: str, shared_corpus: Path) -> None:
    one = str(sorted((shared_corpus / STATE_PDF).glob("*.pdf"))[0])
    other = runner.invoke(
        app, ["index", one, "--index", str(folders["whoosh"]), "--backend", "opensearch", "--url", url]
    )
    assert other.exit_code == ExitCode.bad_args and "keeps its documents in Whoosh" in other.output
    again = runner.invoke(app, ["index", one, "--index", str(folders["opensearch"]), "--quiet"])
    assert again.exit_code == 0, again.output


def test_credentials_never_on_the_command_line(tmp_path: Path, shared_corpus: Path) -> None:
    one = str(sorted((shared_corpus / STATE_PDF).glob("*.pdf"))[0])
    given = ["index", one, "--index", str(tmp_path / "x"), "--backend", "opensearch", "--url", "http://u:p@127.0.0.1:1"]
    refused = runner.invoke(app, given)
    assert refused.exit_code == ExitCode.bad_args and "FOIA_OPENSEARCH_USER" in refused.output
    assert not (tmp_path / "x").exists()


def test_an_unreachable_cluster_is_one_line_and_a_503(folders: dict[str, Path], tmp_path: Path) -> None:
    down = tmp_path / "down"
    shutil.copytree(folders["opensearch"], down, ignore=shutil.ignore_patterns("cache"))
    meta = json.loads((down / "foia-index.json").read_text())
    (down / "foia-index.json").write_text(json.dumps(meta | {"url": "http://127.0.0.1:1"}))
    failed = runner.invoke(app, ["search", "benghazi", "--index", str(down)])
    assert failed.exit_code == ExitCode.unreachable
    lines = failed.output.strip().splitlines()
    assert len(lines) == 1 and "http://127.0.0.1:1" in lines[0] and "Traceback" not in failed.output
    client = TestClient(create_app(down), base_url="http://localhost", raise_server_exceptions=False)
    assert client.get("/api/search", params={"q": "benghazi"}).status_code == 503
    page = client.get("/", params={"q": "benghazi"})
    assert page.status_code == 503 and "cannot reach OpenSearch at http://127.0.0.1:1" in page.text


def test_the_reading_room_serves_a_cluster_folder(folders: dict[str, Path]) -> None:
    client = TestClient(create_app(folders["opensearch"]), base_url="http://localhost", raise_server_exceptions=False)
    answer = client.get("/api/search", params={"q": "benghazi"})
    assert answer.status_code == 200 and answer.json()["total"] == len(_ids(folders["whoosh"], "benghazi"))
    hit = answer.json()["hits"][0]
    page = client.get(f"/doc/{hit['id']}")
    assert page.status_code == 200 and hit["doc_number"] in page.text


def _half(shared_corpus: Path) -> tuple[list[Path], list[Path]]:
    files = sorted((shared_corpus / STATE_PDF).glob("*.pdf"))[:30]
    return files[:15], files[15:]


def test_a_run_killed_after_the_cluster_acknowledged_resumes_without_loss_or_doubles(
    url: str, shared_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _half(shared_corpus)
    backend = _backend(url)
    index_dir = tmp_path / "idx"
    assert indexer.index_paths(first, index_dir, options=OPTIONS, backend=backend).ok
    put = Manifest.put

    def killed(self: Manifest, records: Any) -> None:
        raise KeyboardInterrupt  # the process dies between the cluster's acknowledgement and the manifest

    monkeypatch.setattr(Manifest, "put", killed)
    with pytest.raises(KeyboardInterrupt):
        indexer.index_paths(second, index_dir, options=OPTIONS)
    monkeypatch.setattr(Manifest, "put", put)
    report = indexer.index_paths(first + second, index_dir, options=OPTIONS)
    assert report.ok and report.indexed == len(second)
    whoosh_dir = tmp_path / "whoosh"
    assert indexer.index_paths(first + second, whoosh_dir, options=OPTIONS).ok
    try:
        assert _ids(index_dir, "") == _ids(whoosh_dir, "")
        client = store.connect(url)
        client.indices.refresh(index=str(backend.name))
        assert client.count(index=str(backend.name))["count"] == len(_ids(whoosh_dir, ""))
    finally:
        store.delete_index(store.connect(url), str(backend.name))


def test_a_refused_document_fails_its_file_until_a_run_indexes_it(
    url: str, shared_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files, _ = _half(shared_corpus)
    broken = str(files[3])
    to_source = store.to_source

    def refused(fields: Any) -> dict[str, object]:
        source = to_source(fields)
        return source | {"unmapped": 1} if fields["source"] == broken else source  # the strict mapping refuses it

    monkeypatch.setattr(store, "to_source", refused)
    backend = _backend(url)
    index_dir = tmp_path / "idx"
    try:
        report = indexer.index_paths(files, index_dir, options=OPTIONS, backend=backend)
        assert [f.path for f in report.failed] == [broken] and "refused document" in report.failed[0].reason
        status = runner.invoke(app, ["status", "--index", str(index_dir)])
        assert f"failed: {broken}" in " ".join(status.stdout.split())
        monkeypatch.setattr(store, "to_source", to_source)
        again = indexer.index_paths(files, index_dir, options=OPTIONS)
        assert again.ok and again.indexed == 1
        assert get_document(index_dir, Path(broken).stem).fields["source"] == broken
        before = _ids(index_dir, "")
        rebuilt = indexer.reindex(index_dir, options=OPTIONS)  # the cluster's index made again from the cache
        assert rebuilt.ok and rebuilt.documents == len(before) == len(files)
        assert _ids(index_dir, "") == before
    finally:
        store.delete_index(store.connect(url), str(backend.name))


def test_saved_searches_see_new_documents(url: str, shared_corpus: Path, tmp_path: Path) -> None:
    first, second = _half(shared_corpus)
    backend = _backend(url)
    folders = {"opensearch": tmp_path / "os", "whoosh": tmp_path / "whoosh"}
    try:
        for kind, index_dir in folders.items():
            assert indexer.index_paths(
                first, index_dir, options=OPTIONS, backend=backend if kind == "opensearch" else None
            ).ok
            add_watch(index_dir, "libya", "libya")
            assert indexer.index_paths(second, index_dir, options=OPTIONS).ok
        news = [new_hits(folders[k], limit=50)[0] for k in ("opensearch", "whoosh")]
        assert news[0].total == news[1].total > 0
        assert {h.id for h in news[0].hits} == {h.id for h in news[1].hits}
        assert new_hits(folders["opensearch"])[0].total == 0
    finally:
        store.delete_index(store.connect(url), str(backend.name))


@pytest.fixture(scope="module")
def sample_pair(url: str, sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The sample releases in Whoosh (the session's sample index) and on OpenSearch (migrated)."""
    backend = _backend(url)
    cluster = tmp_path_factory.mktemp("sample-cluster") / "foia-index"
    assert migrate(sample_index, cluster, backend, options=OPTIONS).ok
    try:
        yield sample_index, cluster
    finally:
        store.delete_index(store.connect(url), str(backend.name))


_QUERYING = {"search", "facets", "export"}


def _as_data(argv: list[str]) -> list[str]:
    """A README example as a command printing data: `search` in JSON (its format option dropped)."""
    if argv[0] != "search":
        return argv
    kept: list[str] = []
    for arg in argv:
        if kept and kept[-1] == "--format":
            kept.pop()
            continue
        kept.append(arg)
    return [*kept, "--format", "json"]


def _answer(argv: list[str], index_dir: Path) -> Any:
    shown = [str(index_dir) if i and argv[i - 1] == "--index" else a for i, a in enumerate(argv)]
    result = runner.invoke(app, shown, env={"FOIA_INDEX": str(index_dir)})
    assert result.exit_code == 0, (argv, result.output)
    if argv[0] != "search":
        return sorted(result.stdout.splitlines())
    found = json.loads(result.stdout)
    all_shown = found["total"] + found["partial"] <= len(found["hits"]) + (found["page"] - 1) * 10
    return (
        found["total"],
        found["partial"],
        found.get("facets"),
        {h["id"] for h in found["hits"]} if all_shown else None,
    )


def test_the_readmes_examples_answer_alike(sample_pair: tuple[Path, Path]) -> None:
    from test_docs import EXAMPLES

    examples = [_as_data(argv) for _, commands in EXAMPLES for argv in commands if argv[0] in _QUERYING]
    assert len(examples) >= 10
    for argv in examples:
        assert _answer(argv, sample_pair[0]) == _answer(argv, sample_pair[1]), argv


def test_pages_past_the_search_window_are_walked_to(folders: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A page beyond OpenSearch's 10,000th hit is reached through a point in time: the same hits
    as `from`/`size` gives within the window (here the window is made 5 hits deep)."""
    within = [search(folders["opensearch"], "libya", limit=3, page=p, sort=Sort.doc) for p in (3, 4)]
    monkeypatch.setattr("query.engines.opensearch.WINDOW", 5)
    walked = [search(folders["opensearch"], "libya", limit=3, page=p, sort=Sort.doc) for p in (3, 4)]
    assert [r.hits for r in walked] == [r.hits for r in within] and all(len(r.hits) == 3 for r in walked)
    assert walked[0].total == within[0].total


@pytest.mark.parametrize(("typed", "meant"), [("bengazi", "benghazi"), ("ambasador stevens", "ambassador stevens")])
def test_both_backends_suggest_a_spelling(folders: dict[str, Path], typed: str, meant: str) -> None:
    assert [search(folders[k], typed, strict=True).suggestion for k in ("whoosh", "opensearch")] == [meant, meant]
