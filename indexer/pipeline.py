"""Indexing a batch of files: plan, extract in worker processes, write, commit, report.

One process owns the Whoosh writer and the manifest; worker processes read files (or the
extraction cache), remove stamps, read metadata and hand back finished documents. Commits come
every `commit_every` files or `commit_seconds`, so a stopped run keeps what it finished.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from .cache import ExtractionCache
from .documents import Document, build_documents
from .errors import ExtractionError, FoiaSearchError
from .extract import PDF_ENGINES, extract
from .manifest import FileRecord, Manifest
from .sources import Source, file_sha256, iter_files, sniff
from .stamps import strip_stamps
from .store import Writer, cache_of, create_or_open, exclusive, index_exists, manifest_of, recreate, writing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileFailure:
    """A file that yielded no documents, and why, in one line."""

    path: str
    reason: str


@dataclass
class IndexReport:
    """What one indexing run did."""

    files: int = 0
    indexed: int = 0
    replaced: int = 0
    documents: int = 0
    pages: int = 0
    ocr_pages: int = 0
    skipped: int = 0
    pruned: int = 0
    extracted: int = 0
    from_cache: int = 0
    failed: list[FileFailure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class ProgressEvent:
    """Reported as the run goes: `phase` is `files` (a file is done), `commit` or `done`."""

    phase: str
    done: int
    total: int
    pages: int
    path: str = ""


Progress = Callable[[ProgressEvent], None]


@dataclass(frozen=True)
class Options:
    """How to run: worker processes, PDF engine, commit cadence, lock wait."""

    workers: int = 0
    engine: str = "pdfminer"
    commit_every: int = 200
    commit_seconds: float = 60.0
    wait: float = 0.0

    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else (os.cpu_count() or 1)


@dataclass(frozen=True)
class Job:
    """One file to read, as planned by the main process (picklable for workers)."""

    path: str
    sha256: str
    size: int
    mtime_ns: int
    engine: str
    cache_dir: str
    previous: str | None = None  # hash indexed before under this path


@dataclass(frozen=True)
class Outcome:
    job: Job
    documents: list[Document]
    failure: str | None = None
    extracted: bool = False


def read_release(source: Source, engine: str = "pdfminer") -> list[Document]:
    """Every document of one file, stamps removed and metadata read."""
    return build_documents(source, strip_stamps(extract(source, engine)))


def work(job: Job) -> Outcome:
    """Read one file in a worker (pages from the cache when there); never raises: a failure
    comes back as a one-line reason."""
    try:
        path = Path(job.path)
        cache = ExtractionCache(Path(job.cache_dir))
        pages = cache.get(job.sha256, job.engine)
        source = Source(path=path, kind="unknown", sha256=job.sha256, size=job.size)
        extracted = pages is None
        if pages is None:
            with path.open("rb") as fh:
                source = Source(path=path, kind=sniff(fh.read(4096)), sha256=job.sha256, size=job.size)
            pages = extract(source, job.engine)
            cache.put(job.sha256, job.engine, pages)
        return Outcome(job, build_documents(source, strip_stamps(pages)), extracted=extracted)
    except ExtractionError as exc:
        return Outcome(job, [], failure=str(exc))
    except OSError as exc:
        return Outcome(job, [], failure=f"cannot read file: {exc.strerror or exc}")
    except Exception as exc:  # a parser bug on one file must not stop the batch
        log.debug("unexpected error on %s", job.path, exc_info=True)
        return Outcome(job, [], failure=f"unexpected {type(exc).__name__}: {exc}")


def _die_with_parent() -> None:
    """Worker initializer: on Linux, end this worker when the indexing process dies (kill -9)."""
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _run_jobs(jobs: Iterable[Job], workers: int) -> Iterator[Outcome]:
    """Outcomes as they finish, with at most a few jobs in flight per worker (bounded memory)."""
    if workers <= 1:
        yield from map(work, jobs)
        return
    pending: set[Future[Outcome]] = set()
    with ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent) as pool:
        for job in jobs:
            pending.add(pool.submit(work, job))
            if len(pending) >= 3 * workers:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in finished)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (f.result() for f in finished)


class _Run:
    """The state of one run in the main process: writer, manifest, report, commit cadence."""

    def __init__(self, writer: Writer, manifest: Manifest, options: Options, progress: Progress | None) -> None:
        self.writer, self.manifest, self.options, self.progress = writer, manifest, options, progress
        self.report = IndexReport()
        self.pending: list[FileRecord] = []
        self.last_commit = time.monotonic()
        self.done = 0
        self.total = 0

    def tell(self, phase: str, path: str = "") -> None:
        if self.progress:
            self.progress(ProgressEvent(phase, self.done, self.total, self.report.pages, path))

    def record(self, record: FileRecord) -> None:
        self.pending.append(record)

    def finish_file(self, path: str) -> None:
        self.done += 1
        self.tell("files", path)
        if len(self.pending) >= self.options.commit_every or (
            time.monotonic() - self.last_commit >= self.options.commit_seconds
        ):
            self.checkpoint()

    def checkpoint(self, final: bool = False) -> None:
        """Commit the index, then the manifest rows of what that commit holds."""
        self.tell("commit")
        if final:
            self.writer.commit()
        else:
            self.writer.checkpoint()
        self.manifest.put(self.pending)
        self.pending = []
        self.last_commit = time.monotonic()

    def execute(self, jobs: Iterable[Job]) -> None:
        """Run the jobs in the worker pool, write each outcome, and commit at the end."""
        for outcome in _run_jobs(jobs, self.options.worker_count()):
            self.take(outcome)
            self.finish_file(outcome.job.path)
        self.checkpoint(final=True)

    def finish(self, started: float) -> IndexReport:
        """The report, once the writer is closed."""
        self.report.files = self.total
        self.report.seconds = round(time.monotonic() - started, 3)
        self.tell("done")
        return self.report

    def take(self, outcome: Outcome) -> None:
        job = outcome.job
        if outcome.failure is not None:
            self.report.failed.append(FileFailure(job.path, outcome.failure))
            self.record(FileRecord(job.path, job.sha256, job.size, job.mtime_ns, "failed", outcome.failure))
            if job.previous is not None:
                self.writer.remove_file(job.path)  # the index follows the file, now unreadable
            return
        docs = outcome.documents
        if job.previous is None:
            self.writer.add_file(docs)
        else:
            self.writer.replace_file(job.path, docs)
        pages = sum(len(d.pages) for d in docs)
        ocr = sum(len(d.ocr_pages) for d in docs)
        self.report.documents += len(docs)
        self.report.pages += pages
        self.report.ocr_pages += ocr
        self.report.extracted += outcome.extracted
        self.report.from_cache += not outcome.extracted
        if job.previous is None:
            self.report.indexed += 1
        else:
            self.report.replaced += 1
        self.record(
            FileRecord(job.path, job.sha256, job.size, job.mtime_ns, "indexed", "", len(docs), pages, ocr, job.engine)
        )


def _plan(files: list[Path], run: _Run, cache_dir: Path, engine: str) -> Iterator[Job]:
    """Jobs for new and changed files; unchanged files and copies are recorded as skipped."""
    seen: set[str] = set()
    for path in files:
        key = str(path)
        try:
            stat = path.stat()
            record = run.manifest.get(key)
            unchanged = record and record.size == stat.st_size and record.mtime_ns == stat.st_mtime_ns
            if unchanged and record.status != "failed":  # type: ignore[union-attr]
                run.report.skipped += 1
                run.finish_file(key)
                continue
            sha = file_sha256(path)
        except OSError as exc:
            run.report.failed.append(FileFailure(key, f"cannot read file: {exc.strerror or exc}"))
            run.finish_file(key)
            continue
        previous = record.sha256 if record and record.status == "indexed" else None
        if record and previous == sha:  # touched, not changed
            run.record(replace(record, size=stat.st_size, mtime_ns=stat.st_mtime_ns, updated=0.0))
            run.report.skipped += 1
            run.finish_file(key)
            continue
        copy = run.manifest.by_hash(sha)
        if sha in seen or (copy and copy.path != key and Path(copy.path).exists()):
            reason = f"same content as {copy.path}" if copy else "same content as another file of this run"
            run.record(FileRecord(key, sha, stat.st_size, stat.st_mtime_ns, "duplicate", reason))
            run.report.skipped += 1
            run.finish_file(key)
            continue
        seen.add(sha)
        yield Job(key, sha, stat.st_size, stat.st_mtime_ns, engine, str(cache_dir), previous)


def _check(options: Options) -> None:
    if options.engine not in PDF_ENGINES:
        raise FoiaSearchError(f"unknown PDF engine {options.engine!r}; use one of {', '.join(PDF_ENGINES)}")


def index_paths(
    paths: Iterable[Path],
    index_dir: Path,
    progress: Progress | None = None,
    options: Options | None = None,
    prune: bool = False,
) -> IndexReport:
    """Index files and folders (recursively) into the index at `index_dir`, creating it if needed.

    Unchanged files are skipped by size and mtime (then by hash), copies of indexed files are
    skipped, a changed file replaces its documents, and a file that cannot be read is reported
    while the batch goes on. With `prune`, documents of files that no longer exist are removed.
    """
    options = options or Options()
    _check(options)
    started = time.monotonic()
    root = index_dir.resolve()
    # Roots are resolved once; the files under them are then absolute already.
    files = [p for p in iter_files(q.resolve() for q in paths) if not p.is_relative_to(root)]
    if index_dir.exists() and not index_exists(index_dir):
        create_or_open(index_dir)  # a folder that is something else is refused before it is locked
    with exclusive(index_dir, options.wait):
        return _index_files(files, index_dir, progress, options, prune, started)


def _index_files(
    files: list[Path], index_dir: Path, progress: Progress | None, options: Options, prune: bool, started: float
) -> IndexReport:
    ix = create_or_open(index_dir)
    manifest = manifest_of(index_dir)
    try:
        with writing(ix) as writer:
            run = _Run(writer, manifest, options, progress)
            run.total = len(files)
            _remove_unrecorded(run)
            if prune:
                _prune(run)
            run.execute(_plan(files, run, cache_of(index_dir).folder, options.engine))
        return run.finish(started)
    finally:
        manifest.close()
        ix.close()


def _remove_unrecorded(run: _Run) -> None:
    """Remove documents of files the manifest does not record as indexed: a run stopped between
    a commit and the manifest update left them, and their files will be indexed again."""
    recorded = {r.path for r in run.manifest.records("indexed")}
    for source in run.writer.sources() - recorded:
        run.writer.remove_file(source)


def _prune(run: _Run) -> None:
    gone = [r.path for r in run.manifest.records() if not Path(r.path).exists()]
    for path in gone:
        run.writer.remove_file(path)
    run.manifest.remove(gone)
    run.report.pruned = len(gone)


def reindex(index_dir: Path, progress: Progress | None = None, options: Options | None = None) -> IndexReport:
    """Rebuild the Whoosh index from the extraction cache (after a schema or stamp-rule change,
    or when the index is damaged). Files whose pages are not cached are read again if present."""
    options = options or Options()
    started = time.monotonic()
    if not (index_dir / "manifest.sqlite").exists():
        raise FoiaSearchError(f"nothing to rebuild at {index_dir}: it has no manifest; index your files instead")
    with exclusive(index_dir, options.wait):
        return _rebuild(index_dir, progress, options, started)


def _rebuild(index_dir: Path, progress: Progress | None, options: Options, started: float) -> IndexReport:
    manifest = manifest_of(index_dir)
    ix = recreate(index_dir)
    try:
        records = list(manifest.records("indexed"))
        with writing(ix) as writer:
            run = _Run(writer, manifest, options, progress)
            run.total = len(records)
            cache_dir = str(cache_of(index_dir).folder)
            run.execute(
                Job(r.path, r.sha256, r.size, r.mtime_ns, r.engine or options.engine, cache_dir) for r in records
            )
        return run.finish(started)
    finally:
        manifest.close()
        ix.close()

