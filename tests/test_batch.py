"""Batch indexing under stress, with real processes: a run killed (SIGKILL) while it extracts, in
the middle, and inside a commit; searches and a second `foia index` while a run is writing;
incremental reruns (skip, touch, change, prune, status); the extraction cache, `reindex` and
damaged indexes; the PDFium engine; and a batch of a few hundred files.

The crash tests kill the whole process group of a run (the indexing process and its worker
processes at once), as a power loss, an out-of-memory kill of the job or `kill -9 -PGID` would.
(Killing only the indexing process is not tested here: its forked workers live on and keep the
index's write lock, so the next run exits 5 until they are killed.)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import indexer
import query
from indexer import pipeline
from indexer.cache import ExtractionCache
from indexer.manifest import Manifest
from indexer.ocr import unavailable_reason
from indexer.status import index_status
from indexer.store import cache_of
from query.cli import app

ROOT = Path(__file__).resolve().parents[1]
RELEASES = ROOT / "corpus" / "releases"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
STATE_PDF = SHARED_CORPUS / "state-f2015-04841" / "pdf"
STATE_FILES = 138
FOIA = [sys.executable, "-m", "query.cli"]
BUSY = "another foia index or reindex run is writing to this index; wait for it to finish, or pass --wait SECONDS"

CACHED = 4 + (unavailable_reason() is None)
"""Extraction cache entries of the sample releases: one per file, plus the scanned page once OCR'd."""

needs_corpus = pytest.mark.skipif(not STATE_PDF.is_dir(), reason=f"shared corpus not found at {SHARED_CORPUS}")

runner = CliRunner()


def foia(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


GROUP_FIELDS = ("versions", "group")
"""Export fields that change as later documents join a document's group of versions."""


def export(index: Path) -> dict[str, dict[str, Any]]:
    """`foia export` of the whole index, by document id (ids must be unique), without `thread`
    and the group fields: a thread's id is its oldest document's, and a document's group of
    versions grows, as later documents are indexed."""
    result = foia("export", "--index", index)
    assert result.exit_code == 0, result.output
    records = [{k: v for k, v in r.items() if k not in ("thread", *GROUP_FIELDS)} for r in jsonl(result.stdout)]
    by_id = {r["id"]: r for r in records}
    assert len(by_id) == len(records), "a document id appears twice"
    return by_id


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# --- crash safety: SIGKILL a real indexing run ---------------------------------------------------

# Indexes a folder with two workers and a commit every 10 files. With a crash point, the run kills
# its own process group at that point: `toc:N` inside Whoosh's commit of generation N (segment
# files written, TOC not yet), `manifest:N` after the N-th Whoosh commit, before its manifest rows.
CHILD = r"""
import os, signal, sys
from pathlib import Path
import indexer

source, index, crash = sys.argv[1], Path(sys.argv[2]), sys.argv[3]

def die():
    os.killpg(os.getpid(), signal.SIGKILL)

if crash.startswith("toc:"):
    from whoosh.index import TOC
    generation, write = int(crash[4:]), TOC.write
    def toc_write(self, storage, name):
        if self.generation == generation:
            die()
        return write(self, storage, name)
    TOC.write = toc_write
elif crash.startswith("manifest:"):
    from indexer.manifest import Manifest
    nth, put, calls = int(crash[9:]), Manifest.put, []
    def manifest_put(self, records):
        calls.append(1)
        if len(calls) == nth:
            die()
        return put(self, records)
    Manifest.put = manifest_put

print("ready", flush=True)
report = indexer.index_paths([Path(source)], index, options=indexer.Options(workers=2, commit_every=10))
print("done", report.files, len(report.failed), flush=True)
"""


ALL_STATE = sorted(str(p.resolve()) for p in STATE_PDF.rglob("*") if p.is_file()) if STATE_PDF.is_dir() else []


def start_run(index: Path, log: Path, crash: str = "none") -> subprocess.Popen[str]:
    """An indexing run of the State folder in a process group of its own, once it is ready."""
    with log.open("a") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(STATE_PDF), str(index), crash],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True,
        )  # fmt: skip
    assert proc.stdout is not None
    if proc.stdout.readline() != "ready\n":
        kill_group(proc)
        pytest.fail(f"the indexing run did not start: {log.read_text()}")
    return proc


def kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the run and its worker processes (nothing else: the group is the run's own)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)
    if proc.stdout:
        proc.stdout.close()


def crash_run(index: Path, log: Path, point: str | float) -> None:
    """Kill a run after `point` seconds, or let it kill itself at a crash point of CHILD."""
    proc = start_run(index, log, "none" if isinstance(point, float) else point)
    try:
        if isinstance(point, float):
            time.sleep(point)
            assert proc.poll() is None, "the run ended before it could be killed"
        else:
            proc.wait(timeout=120)
    finally:
        kill_group(proc)
    assert proc.returncode == -signal.SIGKILL, log.read_text()


def check_after_crash(index: Path) -> tuple[dict[str, dict[str, Any]], set[str], set[str]]:
    """After a kill the index opens, every document in it is whole and there once, and every
    file the manifest calls indexed has all its documents in it.

    Returns the export by id, the files the manifest records, and the files whose documents
    were committed to the index but not yet to the manifest."""
    docs = export(index)
    assert query.search(index, "", limit=None).total == len(docs)
    assert query.search(index, "department", limit=3).total <= len(docs)
    manifest = Manifest(index / "manifest.sqlite")
    try:
        rows = list(manifest.records())
    finally:
        manifest.close()
    recorded = {r.path for r in rows}
    status = index_status(index, [STATE_PDF])
    assert [r.status for r in rows] == ["indexed"] * len(rows)
    assert (status.indexed, status.failed, status.gone) == (len(rows), [], [])
    assert status.documents == sum(r.documents for r in rows)
    assert sorted(status.pending) == sorted(set(ALL_STATE) - recorded)
    doc_numbers = [d["doc_number"] for d in docs.values()]
    assert all(doc_numbers)
    assert len(set(doc_numbers)) == len(doc_numbers), "a doc number appears twice"
    for doc in docs.values():
        assert doc["source"] in ALL_STATE
        assert len(doc["text"].split("\f")) == doc["last_page"] - doc["first_page"] + 1, doc["id"]
        assert doc["text"].strip(), doc["id"]
    per_source: dict[str, int] = {}
    for doc in docs.values():
        per_source[doc["source"]] = per_source.get(doc["source"], 0) + 1
    for row in rows:
        assert row.documents >= 1
        assert per_source.get(row.path, 0) == row.documents, row.path
    return docs, recorded, set(per_source) - recorded


CRASHES: dict[str, list[tuple[str | float, tuple[int, int] | None]]] = {
    # (when to kill, (files in the manifest, documents in the index) expected right after)
    "during-extraction": [(0.5, None), (1.5, None)],  # the second kill in the resumed run
    "mid-run": [(4.0, None)],
    # in the 3rd commit after its segment is written; then in a resumed run after its 2nd
    # Whoosh commit, before that commit's manifest rows (20 + 10 recorded, 20 + 20 indexed)
    "inside-commit-then-before-manifest": [("toc:3", (20, 20)), ("manifest:2", (30, 40))],
}


@needs_corpus
@pytest.mark.parametrize("points", CRASHES.values(), ids=CRASHES.keys())
def test_sigkill_leaves_a_whole_index_and_a_rerun_completes_it(
    points: list[tuple[str | float, tuple[int, int] | None]], tmp_path: Path
) -> None:
    assert len(ALL_STATE) == STATE_FILES
    index, log = tmp_path / "ix", tmp_path / "run.log"
    seen: dict[str, dict[str, Any]] = {}
    for point, expected in points:
        crash_run(index, log, point)
        docs, recorded, uncommitted = check_after_crash(index)
        if expected is not None:
            assert (len(recorded), len(docs)) == expected
        for doc_id, doc in docs.items():
            assert seen.setdefault(doc_id, doc) == doc
    report = indexer.index_paths([STATE_PDF], index, options=indexer.Options(workers=2, commit_every=50, wait=10))
    assert report.failed == []
    todo = STATE_FILES - len(recorded)
    assert (report.files, report.skipped, report.indexed, report.replaced) == (STATE_FILES, len(recorded), todo, 0)
    assert report.extracted + report.from_cache == todo
    assert report.from_cache >= len(uncommitted)  # their pages were cached before they were written
    final = export(index)
    assert len(final) == STATE_FILES
    assert len({d["doc_number"] for d in final.values()}) == STATE_FILES
    assert sorted(d["source"] for d in final.values()) == ALL_STATE
    for doc_id, doc in seen.items():
        assert final[doc_id] == doc
    status = index_status(index, [STATE_PDF])
    assert (status.indexed, status.documents, status.pending, status.failed) == (STATE_FILES, STATE_FILES, [], [])


# --- other processes while a run is writing ------------------------------------------------------


def _generation(toc: Path) -> int:
    return int(toc.stem.rsplit("_", 1)[1])


@needs_corpus
def test_search_in_another_process_while_indexing(tmp_path: Path) -> None:
    index, log = tmp_path / "ix", tmp_path / "run.log"
    proc = start_run(index, log)
    counts: list[int] = []
    try:
        wait_for(lambda: any(_generation(t) >= 1 for t in (index / "whoosh").glob("_foia_*.toc")))
        for _ in range(4):
            result = subprocess.run(
                [*FOIA, "search", "benghazi", "--index", str(index), "-f", "jsonl", "-n", "1000"],
                cwd=ROOT, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert (result.returncode, result.stderr) == (0, ""), result.stderr
            hits = jsonl(result.stdout)
            assert len({h["id"] for h in hits}) == len(hits)
            assert len({h["doc_number"] for h in hits}) == len(hits)
            assert all(h["doc_number"] and h["first_page"] <= h["page"] <= h["last_page"] for h in hits)
            counts.append(len(hits))
        assert proc.poll() is None, "the run ended before the searches did"
    finally:
        kill_group(proc)
    assert counts == sorted(counts), counts  # commits only ever add documents
    assert counts[-1] <= query.search(index, "benghazi", limit=None).total


BUSY_FILES = 50  # about five seconds of work for the first run


def popen(command: list[str]) -> subprocess.Popen[str]:
    pipe = subprocess.PIPE
    return subprocess.Popen(command, cwd=ROOT, stdout=pipe, stderr=pipe, text=True, start_new_session=True)


@needs_corpus
def test_second_foia_index_is_refused_and_with_wait_it_waits(tmp_path: Path) -> None:
    files = ALL_STATE[:BUSY_FILES]
    index = tmp_path / "ix"
    command = [*FOIA, "index", *files, "--index", str(index)]
    first = popen([*command, "--workers", "2", "--json"])
    second = waiting = first
    try:
        wait_for(lambda: (index / "foia-index.json").exists())  # made after the lock is taken
        second = popen(command)
        waiting = popen([*command, "--wait", "120", "--json"])
        out, err = second.communicate(timeout=60)
        assert first.poll() is None  # the first run was still writing when the second gave up
        assert (second.returncode, out, err) == (5, "", f"error: {BUSY}\n")
        first_out, first_err = first.communicate(timeout=120)
        assert first.returncode == 0, first_err
        assert json.loads(first_out)["indexed"] == BUSY_FILES
        wait_out, wait_err = waiting.communicate(timeout=150)
    finally:
        for proc in (first, second, waiting):
            if proc.poll() is None:
                kill_group(proc)
    assert (waiting.returncode, wait_err) == (0, "")
    summary = json.loads(wait_out)
    assert summary["seconds"] >= 1.0  # it waited for the first run
    keys = ("files", "skipped", "indexed", "replaced", "extracted", "from_cache")
    assert [summary[key] for key in keys] == [BUSY_FILES, BUSY_FILES, 0, 0, 0, 0]
    assert summary["failed"] == []
    assert len(export(index)) == BUSY_FILES


# --- incremental runs on copies of the sample releases ----------------------------------------------

SAMPLE_FILES = 4
SAMPLE_DOCS = 6
SAMPLE_DOC_NUMBERS = ("C09900001", "C09900011", "C09900012", "C09900013", "C09900021")


@pytest.fixture
def releases(tmp_path: Path) -> Path:
    folder = tmp_path / "releases"
    shutil.copytree(RELEASES, folder)
    return folder.resolve()


def run(paths: list[Path], index: Path, prune: bool = False, engine: str = "pdfminer") -> indexer.IndexReport:
    """One in-process run (no worker processes, so patches of the pipeline apply)."""
    return indexer.index_paths(paths, index, options=indexer.Options(workers=1, engine=engine), prune=prune)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Files the pipeline hashes, looks up in the cache or extracts, by name."""
    seen: dict[str, list[str]] = {"hashed": [], "extracted": [], "cache": []}
    hash_file, extract, cache_get = pipeline.file_sha256, pipeline.extract, ExtractionCache.get

    def file_sha256(path: Path) -> str:
        seen["hashed"].append(path.name)
        return hash_file(path)

    def extract_file(source: Any, engine: str = "pdfminer") -> Any:
        seen["extracted"].append(source.path.name)
        return extract(source, engine)

    def get(self: Any, sha256: str, engine: str) -> Any:
        seen["cache"].append(sha256)
        return cache_get(self, sha256, engine)

    monkeypatch.setattr(pipeline, "file_sha256", file_sha256)
    monkeypatch.setattr(pipeline, "extract", extract_file)
    monkeypatch.setattr(ExtractionCache, "get", get)
    return seen


def counts(report: indexer.IndexReport) -> dict[str, int]:
    keys = ("files", "indexed", "replaced", "skipped", "pruned", "extracted", "from_cache", "documents")
    return {key: getattr(report, key) for key in keys}


def test_unchanged_rerun_skips_every_file_without_reading_it(
    releases: Path, tmp_path: Path, reads: dict[str, list[str]]
) -> None:
    index = tmp_path / "ix"
    first = run([releases], index)
    assert first.failed == []
    assert counts(first) == {
        "files": 4, "indexed": 4, "replaced": 0, "skipped": 0, "pruned": 0, "extracted": 4, "from_cache": 0,
        "documents": SAMPLE_DOCS,
    }  # fmt: skip
    assert sorted(reads["extracted"]) == sorted(p.name for p in releases.iterdir())
    for seen in reads.values():
        seen.clear()
    again = run([releases], index)
    assert again.failed == []
    assert counts(again) == {
        "files": 4, "indexed": 0, "replaced": 0, "skipped": 4, "pruned": 0, "extracted": 0, "from_cache": 0,
        "documents": 0,
    }  # fmt: skip
    assert reads == {"hashed": [], "extracted": [], "cache": []}
    assert len(export(index)) == SAMPLE_DOCS


def test_touched_file_is_skipped_and_its_new_mtime_recorded(
    releases: Path, tmp_path: Path, reads: dict[str, list[str]]
) -> None:
    index = tmp_path / "ix"
    run([releases], index)
    before = export(index)
    touched = releases / "state-email-release.pdf"
    stat = touched.stat()
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 7_000_000_000))
    new_mtime = touched.stat().st_mtime_ns
    for seen in reads.values():
        seen.clear()
    report = run([releases], index)
    assert report.failed == []
    assert counts(report) == {
        "files": 4, "indexed": 0, "replaced": 0, "skipped": 4, "pruned": 0, "extracted": 0, "from_cache": 0,
        "documents": 0,
    }  # fmt: skip
    assert reads == {"hashed": ["state-email-release.pdf"], "extracted": [], "cache": []}
    manifest = Manifest(index / "manifest.sqlite")
    try:
        record = manifest.get(str(touched))
    finally:
        manifest.close()
    assert record is not None
    assert (record.status, record.mtime_ns, record.size) == ("indexed", new_mtime, stat.st_size)
    assert export(index) == before
    reads["hashed"].clear()
    assert run([releases], index).skipped == 4
    assert reads["hashed"] == []  # the new mtime is known: not even hashed again


def test_changed_text_file_replaces_its_documents(releases: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    run([releases], index)
    changed = releases / "plain-text-release.txt"
    old_id = next(d["id"] for d in export(index).values() if d["source"] == str(changed))
    text = changed.read_text(encoding="utf-8")
    new_text = text.replace("desalination", "groundwater").replace("Desalination", "Groundwater")
    assert new_text.count("roundwater") == 2
    assert "esalination" not in new_text
    changed.write_text(new_text, encoding="utf-8")
    report = run([releases], index)
    assert report.failed == []
    assert counts(report) == {
        "files": 4, "indexed": 0, "replaced": 1, "skipped": 3, "pruned": 0, "extracted": 1, "from_cache": 0,
        "documents": 1,
    }  # fmt: skip
    assert query.search(index, "desalination").total == 0
    hits = query.search(index, "groundwater").hits
    assert [(h.doc_number, h.source, h.subject) for h in hits] == [
        ("C09900021", str(changed), "Groundwater plant tariff schedule")
    ]
    assert hits[0].id != old_id
    with pytest.raises(indexer.DocumentNotFoundError):
        query.get_document(index, old_id)
    docs = export(index)
    assert len(docs) == SAMPLE_DOCS
    assert [d["doc_number"] for d in docs.values()].count("C09900021") == 1


def test_deleted_file_stays_until_prune_removes_its_documents(releases: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    run([releases], index)
    gone = releases / "production-several-documents.pdf"
    gone.unlink()
    kept = run([releases], index)
    assert (kept.files, kept.skipped, kept.pruned) == (3, 3, 0)
    assert sum(d["source"] == str(gone) for d in export(index).values()) == 3
    result = foia("index", releases, "--index", index, "--prune", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["files"], summary["skipped"], summary["pruned"], summary["failed"]) == (3, 3, 1, [])
    docs = export(index)
    assert len(docs) == SAMPLE_DOCS - 3
    assert {d["source"] for d in docs.values()} == {str(p) for p in releases.iterdir()}
    assert query.search(index, "doc:C09900012").total == 0
    assert index_status(index, [releases]).gone == []
    manifest = Manifest(index / "manifest.sqlite")
    try:
        assert manifest.get(str(gone)) is None
    finally:
        manifest.close()


def test_status_lists_failed_pending_and_gone_files(releases: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    broken = releases / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< garbage")
    report = run([releases], index)
    assert [f.path for f in report.failed] == [str(broken)]
    reason = report.failed[0].reason
    assert reason.startswith(("damaged PDF", "unreadable PDF")), reason
    new = releases / "new-release.txt"
    new.write_text("A new memo about the lighthouse keepers' schedule.\n", encoding="utf-8")
    gone = releases / "state-email-release.pdf"
    gone.unlink()
    result = foia("status", releases, "--index", index)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        f"{index}: 4 files indexed ({SAMPLE_DOCS} documents, 13 pages), 1 failed, 0 empty, 0 duplicates, "
        f"1 pending, 1 gone; "
        f"cache {CACHED} entries, "
    )
    assert lines[1:] == [
        f"failed: {broken}: {reason}",
        f"pending: {new}",
        f"gone: {gone} (remove with `foia index PATH --prune --index {index}`, PATH being your release folders)",
    ]
    as_json = json.loads(foia("status", releases, "--index", index, "--json").stdout)
    assert as_json["failed"] == [{"path": str(broken), "reason": reason}]
    assert (as_json["pending"], as_json["gone"], as_json["indexed"]) == ([str(new)], [str(gone)], 4)


# --- the extraction cache, reindex and damaged indexes -----------------------------------------------


def test_reindex_from_the_cache_gives_the_same_export(releases: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert foia("index", releases, "--index", index, "--quiet").exit_code == 0
    before = export(index)
    result = foia("reindex", "--index", index, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["files"], summary["from_cache"], summary["extracted"], summary["failed"]) == (4, 4, 0, [])
    assert (summary["indexed"], summary["documents"]) == (4, SAMPLE_DOCS)
    assert export(index) == before

    cleared = foia("clear-cache", "--index", index)
    assert (cleared.exit_code, cleared.stderr) == (0, f"removed {CACHED} cached files from {index}\n")
    assert cache_of(index).size() == (0, 0)
    assert index_status(index).cache_entries == 0
    assert query.search(index, "desalination").total == 1  # the index itself stays searchable

    result = foia("reindex", "--index", index, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["files"], summary["from_cache"], summary["extracted"], summary["failed"]) == (4, 0, 4, [])
    assert export(index) == before
    assert cache_of(index).size()[0] == CACHED  # the scanned page is OCR'd again


def _empty_whoosh(index: Path) -> None:
    for path in (index / "whoosh").iterdir():
        path.unlink()


def _garbage_toc(index: Path) -> None:
    tocs = list((index / "whoosh").glob("*.toc"))
    assert len(tocs) == 1
    tocs[0].write_bytes(b"this is not a table of contents")


@pytest.mark.parametrize("damage", [_empty_whoosh, _garbage_toc], ids=["empty-whoosh", "garbage-toc"])
@pytest.mark.parametrize("repair", ["reindex", "index-rebuild"])
def test_damaged_index_exits_8_and_a_rebuild_restores_it(
    damage: Callable[[Path], None], repair: str, releases: Path, tmp_path: Path
) -> None:
    index = tmp_path / "ix"
    assert foia("index", releases, "--index", index, "--quiet").exit_code == 0
    before = export(index)
    damage(index)
    for command in (("search", "desalination"), ("export",), ("show", "C09900021"), ("index", releases)):
        result = foia(*command, "--index", index)
        assert result.exit_code == 8, (command, result.output)
        assert result.stdout == ""
        assert result.stderr.startswith(f"error: index at {index} is damaged (")
        assert result.stderr.endswith(f"rebuild it from its extraction cache: `foia reindex --index {index}`\n")
        assert "Traceback" not in result.output
    if repair == "reindex":
        result = foia("reindex", "--index", index, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["from_cache"] == 4
    else:
        result = foia("index", "--rebuild", releases, "--index", index, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["skipped"] == 4
    assert export(index) == before
    hits = jsonl(foia("search", "desalination", "--index", index, "-f", "jsonl").stdout)
    assert [h["doc_number"] for h in hits] == ["C09900021"]


# --- PDF engines --------------------------------------------------------------------------------


def test_pdfium_engine_reads_the_same_documents_as_pdfminer(releases: Path, tmp_path: Path) -> None:
    def key(index: Path) -> list[tuple[Any, ...]]:
        return sorted(
            (d["source"], d["first_page"], d["last_page"], d["doc_number"], d["sender"], d["subject"])
            for d in export(index).values()
        )

    result = foia("index", releases, "--index", tmp_path / "pdfium", "--pdf-engine", "pdfium", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == SAMPLE_DOCS
    assert run([releases], tmp_path / "pdfminer").failed == []
    pdfium = key(tmp_path / "pdfium")
    assert pdfium == key(tmp_path / "pdfminer")
    assert sorted(row[3] for row in pdfium if row[3]) == sorted(SAMPLE_DOC_NUMBERS)


def test_unknown_pdf_engine_exits_2(releases: Path, tmp_path: Path) -> None:
    result = foia("index", releases, "--index", tmp_path / "ix", "--pdf-engine", "pdfbox")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "error: unknown PDF engine 'pdfbox'; use one of pdfminer, pdfium\n"
    assert not (tmp_path / "ix").exists()
    with pytest.raises(indexer.FoiaSearchError, match="unknown PDF engine 'pdfbox'"):
        run([releases], tmp_path / "ix", engine="pdfbox")


# --- a batch of a few hundred files ------------------------------------------------------------------


def test_three_hundred_small_files_with_two_workers(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    for n in range(300):
        sub = folder / f"part-{n // 100}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"memo-{n:03d}.txt").write_text(
            f"Memo {n:03d}\n\nThe quarterly figures for field office {n} are attached.\n", encoding="utf-8"
        )
    events: list[indexer.ProgressEvent] = []
    report = indexer.index_paths(
        [folder], tmp_path / "ix", progress=events.append, options=indexer.Options(workers=2, commit_every=100)
    )
    assert report.failed == []
    assert (report.files, report.indexed, report.documents, report.skipped, report.extracted) == (300, 300, 300, 0, 300)
    assert [e.done for e in events if e.phase == "files"] == list(range(1, 301))
    assert [e.phase for e in events].count("commit") == 4  # at 100, 200, 300 files, and the final one
    assert query.search(tmp_path / "ix", "quarterly", limit=None).total == 300
    assert len(export(tmp_path / "ix")) == 300


# --- regressions: crash cases found while writing these tests -----------------------------------------


@needs_corpus
def test_sigkill_of_the_main_process_alone_frees_the_index(tmp_path: Path) -> None:
    """Workers must neither keep the write lock nor outlive the indexing process."""
    index = tmp_path / "ix"
    proc = start_run(index, tmp_path / "log")
    try:
        time.sleep(2.0)
        workers = [int(p) for p in subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False
        ).stdout.split()]  # fmt: skip
        assert workers, "the run had started no worker process"
        proc.kill()  # the main process only, as the OOM killer or `kill -9 PID` would
        proc.wait(timeout=10)
        wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), timeout=10)
    finally:
        kill_group(proc)
    result = popen([*FOIA, "index", str(STATE_PDF), "--index", str(index), "--json"])
    out, err = result.communicate(timeout=120)
    assert result.returncode == 0, err
    assert json.loads(out)["failed"] == []
    assert len(export(index)) == STATE_FILES


def test_folder_left_by_a_crash_while_creating_the_index_is_reused(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    (index / "whoosh").mkdir(parents=True)
    (index / "write.lock").touch()
    report = run([RELEASES], index)
    assert (report.indexed, report.documents) == (SAMPLE_FILES, SAMPLE_DOCS)
    assert len(export(index)) == SAMPLE_DOCS


def test_folder_of_other_files_is_still_refused(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    index.mkdir()
    (index / "notes.txt").write_text("mine")
    with pytest.raises(indexer.BadArgumentError, match="exists and is not a foia-search index"):
        run([RELEASES], index)


def test_status_lists_pages_waiting_for_ocr(releases: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert foia("index", releases, "--index", index, "--ocr", "never", "--quiet").exit_code == 0
    scanned = releases / "scanned-page.pdf"
    result = foia("status", "--index", index)
    assert result.exit_code == 0, result.output
    reads = f"`foia index {scanned} --index {index}` reads them"
    assert f"waiting for OCR: {scanned}: 1 page ({reads})" in result.stdout.splitlines()
    as_json = json.loads(foia("status", "--index", index, "--json").stdout)
    assert as_json["ocr_waiting"] == [[str(scanned), 1]]


def test_an_index_emptied_by_a_stopped_reindex_is_filled_again(releases: Path, tmp_path: Path) -> None:
    """A reindex killed after recreating the index leaves the manifest listing files whose
    documents are gone; the next `foia index` must read them again instead of skipping them."""
    from indexer.store import recreate

    index = tmp_path / "ix"
    first = run([releases], index)
    recreate(index).close()  # what a reindex stopped right after its start leaves
    again = run([releases], index)
    assert (again.skipped, again.indexed, again.documents) == (0, first.indexed, first.documents)
    assert again.from_cache == first.indexed
    assert len(export(index)) == first.documents
