"""Indexing a batch of files: plan, extract in worker processes, write, commit, report.

One process owns the index's writer (Whoosh's, or OpenSearch's bulk writer: see `backend`) and
the manifest; worker processes read files (or the
extraction cache), remove stamps, read metadata and hand back finished documents. Commits come
every `commit_every` files or `commit_seconds`, so a stopped run keeps what it finished.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from .backend import Backend, DocumentStore, Writer, open_documents
from .cache import ExtractionCache
from .documents import Document, build_documents
from .errors import (
    BadArgumentError,
    EmptyFileError,
    ExtractionError,
    FoiaSearchError,
    NothingToIndexError,
    RefusedDocumentsError,
)
from .extract import PDF_ENGINES, Page, blank_text_file, check_not_empty, extract
from .manifest import FileRecord, Manifest
from .ocr import DEFAULT_LANG, check_ocr, ocr_page, unavailable_reason, usable_mode
from .people import current_people
from .sources import Found, Source, file_sha256, find_files, sniff
from .stamps import strip_stamps
from .store import cache_of, copy_folder_state, create_or_open, exclusive, index_exists, manifest_of, missing_index
from .threads import ChainMessage, ThreadStore, document_chains, forget_threads, refresh_threads
from .versions import clear_versions, update_versions

log = logging.getLogger(__name__)
T = TypeVar("T")


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
    ocr_read: int = 0
    ocr_unavailable: str = ""
    skipped: int = 0
    """Files unchanged since the last run (or only touched), not read again."""
    pruned: int = 0
    extracted: int = 0
    from_cache: int = 0
    failed: list[FileFailure] = field(default_factory=list)
    warnings: list[FileFailure] = field(default_factory=list)
    empty: list[FileFailure] = field(default_factory=list)
    """Files with nothing to index (zero bytes, blank text, a PDF with no text and no image): not
    failures, recorded so that a re-run skips them while they are unchanged."""
    duplicates: list[FileFailure] = field(default_factory=list)
    """Copies of another file, not indexed again; the reason names that file."""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class ProgressEvent:
    """Reported as the run goes: `phase` is `start` (the files are counted), `files` (a file is
    done), `ocr` (a page is read), `commit` or `done`. `done` of `total` files are finished;
    `partial` is the share of the files being OCR'd that is read (in files: 0.5 for one file
    half read), so progress moves with each page; `pages` counts the pages read so far, each
    OCR'd page as it finishes."""

    phase: str
    done: int
    total: int
    pages: int
    path: str = ""
    partial: float = 0.0


Progress = Callable[[ProgressEvent], None]


@dataclass(frozen=True)
class Options:
    """How to run: worker processes, PDF engine, OCR mode and language, commit cadence, lock wait."""

    workers: int = 0
    engine: str = "pdfminer"
    ocr: str = "auto"
    ocr_lang: str | None = None
    """Tesseract language(s); None: each page in the language it was read in before, else `eng`."""
    commit_every: int = 200
    commit_seconds: float = 60.0
    wait: float = 0.0

    def lang(self) -> str:
        """The language new OCR reads in."""
        return DEFAULT_LANG if self.ocr_lang is None else self.ocr_lang

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
    ocr: str = "never"  # OCR mode, "never" when Tesseract cannot run
    ocr_lang: str | None = None  # None: as read before, else DEFAULT_LANG
    ocr_done: bool = False  # second pass: the pages to OCR went through the OCR queue
    extracted: bool = False  # the first pass read the file (not the cache)


@dataclass(frozen=True)
class Outcome:
    job: Job
    documents: list[Document]
    failure: str | None = None
    empty: str | None = None  # why the file has nothing to index
    extracted: bool = False
    ocr_todo: tuple[int, ...] = ()  # pages to OCR before the documents can be built
    ocr_pending: int = 0  # PDF pages left without usable text (OCR off, missing or failed)
    chains: dict[str, tuple[str | None, list[ChainMessage]]] = field(default_factory=dict)  # printed emails


@dataclass(frozen=True)
class PageJob:
    """One page to OCR (picklable for workers) of the `of` pages its file has to OCR; the result
    goes to the extraction cache."""

    path: str
    sha256: str
    number: int
    lang: str
    cache_dir: str
    of: int = 1


@dataclass(frozen=True)
class PageOutcome:
    job: PageJob
    failure: str | None = None


def read_release(
    source: Source, engine: str = "pdfminer", ocr: str = "auto", lang: str = DEFAULT_LANG
) -> list[Document]:
    """Every document of one file, stamps removed and metadata read; pages without usable text
    are OCR'd here, one after another (`ocr` is `auto`, `always` or `never`). EmptyFileError for
    a file with nothing to index."""
    pages = extract(source, engine)
    check_not_empty(source.kind, source.size, pages, source.path)
    if source.kind == "pdf" and ocr != "never" and unavailable_reason(lang) is None:
        pages = [ocr_page(source.path, p.number, lang) if _wants_ocr(p, ocr) else p for p in pages]
    return build_documents(source, strip_stamps(pages))


def _wants_ocr(page: Page, mode: str) -> bool:
    return mode == "always" or (mode == "auto" and page.needs_ocr)


def work(job: Job) -> Outcome:
    """Read one file in a worker (pages from the cache when there); never raises: a failure
    comes back as a one-line reason. Pages to OCR that the cache lacks come back in `ocr_todo`
    for the pool to read page by page; the second pass (`ocr_done`) builds the documents."""
    try:
        path = Path(job.path)
        cache = ExtractionCache(Path(job.cache_dir))
        pages = cache.get(job.sha256, job.engine)
        source = Source(path=path, kind="unknown", sha256=job.sha256, size=job.size)
        extracted = pages is None
        if pages is None:
            source = _source(job)
            pages = extract(source, job.engine)
            cache.put(job.sha256, job.engine, pages)
        extracted = extracted or job.extracted
        if not any(page.text.strip() for page in pages):
            check_not_empty(_kind(job, source), job.size, pages, path)
        pages, todo = _with_ocr(job, cache, pages)
        pdf = bool(todo or any(p.needs_ocr for p in pages)) and _is_pdf(job, source)
        if pdf and todo and not job.ocr_done:
            return Outcome(job, [], extracted=extracted, ocr_todo=todo)
        pending = sum(p.needs_ocr for p in pages) if pdf else 0
        docs = build_documents(source, strip_stamps(pages))
        return Outcome(job, docs, extracted=extracted, ocr_pending=pending, chains=document_chains(docs))
    except EmptyFileError as exc:
        return Outcome(job, [], empty=str(exc))
    except ExtractionError as exc:
        return Outcome(job, [], failure=str(exc))
    except OSError as exc:
        return Outcome(job, [], failure=f"cannot read file: {exc.strerror or exc}")
    except Exception as exc:  # a parser bug on one file must not stop the batch
        log.debug("unexpected error on %s", job.path, exc_info=True)
        return Outcome(job, [], failure=f"unexpected {type(exc).__name__}: {exc}")


def _source(job: Job) -> Source:
    path = Path(job.path)
    with path.open("rb") as fh:
        return Source(path=path, kind=sniff(fh.read(4096)), sha256=job.sha256, size=job.size)


def _kind(job: Job, source: Source) -> str:
    """The file's kind, sniffed from disk when its pages came from the cache (`unknown` for a
    file gone since)."""
    if source.kind != "unknown":
        return source.kind
    try:
        return _source(job).kind
    except OSError:
        return "unknown"


def _is_pdf(job: Job, source: Source) -> bool:
    """Whether the file is a PDF (read from disk when its pages came from the cache; a file gone
    since, as in a rebuild, cannot be OCR'd)."""
    if source.kind != "unknown":
        return source.kind == "pdf"
    try:
        return _source(job).kind == "pdf"
    except OSError:
        return False


def _with_ocr(job: Job, cache: ExtractionCache, pages: list[Page]) -> tuple[list[Page], tuple[int, ...]]:
    """Pages with the OCR'd ones from the cache in place, and the numbers of those still to OCR.
    With OCR off, pages OCR'd by an earlier run still come from the cache."""
    mode = "auto" if job.ocr == "never" else job.ocr
    merged, todo = [], []
    for page in pages:
        wanted = _wants_ocr(page, mode)
        read = cache.get_ocr(job.sha256, job.ocr_lang, page.number) if wanted else None
        if wanted and read is None and job.ocr != "never":
            todo.append(page.number)
        merged.append(read or page)
    return merged, tuple(todo)


def work_page(job: PageJob) -> PageOutcome:
    """OCR one page in a worker and cache it; never raises."""
    try:
        page = ocr_page(Path(job.path), job.number, job.lang)
        ExtractionCache(Path(job.cache_dir)).put_ocr(job.sha256, job.lang, page)
        return PageOutcome(job)
    except Exception as exc:  # one unreadable page must not stop the file or the batch
        log.debug("OCR failed on %s page %d", job.path, job.number, exc_info=True)
        return PageOutcome(job, f"page {job.number}: OCR failed: {type(exc).__name__}: {exc}".splitlines()[0])


WORKER_NICENESS = 10
"""Workers run at a lower priority than the one writer, the stage every document waits for
(measured: `reindex` at 0.79x a bare writer with niceness 5, 0.86x with 10)."""


def _die_with_parent() -> None:
    """Worker initializer: on Linux, end this worker when the indexing process dies (kill -9);
    give way to the writer when the cores are busy."""
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    os.nice(WORKER_NICENESS)


class _Inline(Executor):
    """An executor that runs each call at once in this process (one worker: no pool)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def _run_jobs(jobs: Iterable[Job], workers: int) -> Iterator[Outcome | PageOutcome]:
    """File outcomes, and page outcomes of OCR, as they finish, with a few jobs in flight per
    worker (bounded memory), topped up before the writer takes finished ones. A file with pages
    to OCR goes back into the pool page by page, so one long scan is read by every worker, then
    once more to build its documents."""
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent) if workers > 1 else _Inline()
    pending: set[Future[Any]] = set()
    waiting: dict[str, tuple[Job, set[int]]] = {}

    def settle(finished: set[Future[Any]]) -> Iterator[Outcome | PageOutcome]:
        for future in finished:
            result = future.result()
            if isinstance(result, PageOutcome):
                yield result
                job, left = waiting[result.job.path]
                left.discard(result.job.number)
                if not left:
                    del waiting[job.path]
                    pending.add(pool.submit(work, replace(job, ocr_done=True)))
            elif result.ocr_todo:
                job = replace(result.job, extracted=result.extracted)
                waiting[job.path] = (job, set(result.ocr_todo))
                for number in result.ocr_todo:
                    lang = job.ocr_lang or DEFAULT_LANG
                    page_job = PageJob(job.path, job.sha256, number, lang, job.cache_dir, len(result.ocr_todo))
                    pending.add(pool.submit(work_page, page_job))
            else:
                yield result

    queue = iter(jobs)

    def refill() -> None:
        while len(pending) < 3 * workers and (job := next(queue, None)) is not None:
            pending.add(pool.submit(work, job))

    with pool:
        refill()
        while pending:
            finished = wait(pending, return_when=FIRST_COMPLETED).done
            pending.difference_update(finished)
            refill()  # the workers go on while the writer takes what finished
            yield from settle(finished)


class _Run:
    """The state of one run in the main process: writer, manifest, report, commit cadence."""

    def __init__(
        self, writer: Writer, manifest: Manifest, options: Options, progress: Progress | None, cache_dir: Path
    ) -> None:
        self.writer, self.manifest, self.options, self.progress = writer, manifest, options, progress
        self.cache_dir = str(cache_dir)
        self.report = IndexReport()
        self.ocr, self.report.ocr_unavailable = usable_mode(options.ocr, options.lang())
        self.pending: list[FileRecord] = []
        self.written: dict[str, str] = {}
        """The file of each document written since the last commit, by document id."""
        self.chains: dict[str, tuple[str | None, list[ChainMessage]]] = {}
        """The printed emails of the documents written since the last commit."""
        self.index_dir = cache_dir.parent
        self.last_commit = time.monotonic()
        self.done = 0
        self.total = 0
        self.pages_done = 0
        self.ocr_read: dict[str, tuple[int, int]] = {}
        """Files being OCR'd: pages read so far, and pages to read."""

    def job(
        self, path: str, sha256: str, size: int, mtime_ns: int, previous: str | None = None, engine: str = ""
    ) -> Job:
        """A job to read one file with this run's engine, OCR mode and cache."""
        engine = engine or self.options.engine
        return Job(path, sha256, size, mtime_ns, engine, self.cache_dir, previous, self.ocr, self.options.ocr_lang)

    def tell(self, phase: str, path: str = "") -> None:
        if self.progress:
            # a file being OCR'd is done once its documents are built: one step more than its pages
            partial = sum(read / (todo + 1) for read, todo in self.ocr_read.values())
            self.progress(ProgressEvent(phase, self.done, self.total, self.pages_done, path, partial))

    def count_pages(self, path: str, pages: int) -> None:
        """A file is done with `pages` pages: count those not counted as they were OCR'd."""
        read, _ = self.ocr_read.pop(path, (0, 0))
        self.pages_done += max(pages - read, 0)

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
        try:
            if final:
                self.writer.commit()
            else:
                self.writer.checkpoint()
        except RefusedDocumentsError as exc:
            self.refused(exc.refused)
        self.manifest.put(self.pending)
        self.pending = []
        self.written = {}
        _put_chains(self.index_dir, self.chains)
        self.chains = {}
        self.last_commit = time.monotonic()

    def refused(self, refused: dict[str, str]) -> None:
        """Record the files of documents the index refused as failed, with the first reason: the
        next run reads them again (their other documents, written, are replaced then)."""
        reasons: dict[str, str] = {}
        for doc_id, reason in refused.items():
            path = self.written.get(doc_id)
            if path is not None:
                reasons.setdefault(path, f"the index refused document {doc_id}: {reason}")
        for i, record in enumerate(self.pending):
            if record.status == "indexed" and record.path in reasons:
                self.pending[i] = replace(record, status="failed", reason=reasons[record.path], documents=0, pages=0)
                self.report.failed.append(FileFailure(record.path, reasons[record.path]))
                self.report.indexed -= 1
        log.warning("the index refused %d documents of %d files", len(refused), len(reasons))

    def execute(self, jobs: Iterable[Job]) -> None:
        """Run the jobs in the worker pool, write each outcome, and commit at the end."""
        self.tell("start")
        for outcome in _run_jobs(jobs, self.options.worker_count()):
            if isinstance(outcome, PageOutcome):
                self.page_read(outcome)
                continue
            self.take(outcome)
            self.finish_file(outcome.job.path)
        self.checkpoint(final=True)

    def page_read(self, outcome: PageOutcome) -> None:
        """One page went through OCR: tell the progress bar; a failure is a warning, and the
        page stays recorded as needing OCR (the next run tries again)."""
        job = outcome.job
        if outcome.failure:
            self.report.warnings.append(FileFailure(job.path, outcome.failure))
        read, _ = self.ocr_read.get(job.path, (0, job.of))
        self.ocr_read[job.path] = (read + 1, job.of)
        self.pages_done += 1
        self.tell("ocr", f"{job.path} p.{job.number}")

    def finish(self, started: float) -> IndexReport:
        """The report, once the writer is closed."""
        self.report.files = self.total
        self.report.seconds = round(time.monotonic() - started, 3)
        self.tell("done")
        return self.report

    def nothing_to_index(self, job: Job, reason: str) -> None:
        """Record a file with nothing to index (its reason shown by `foia status`); the documents
        it had before, if any, are removed."""
        self.report.empty.append(FileFailure(job.path, reason))
        self.record(FileRecord(job.path, job.sha256, job.size, job.mtime_ns, "empty", reason))
        if job.previous is not None:
            self.writer.remove_file(job.path)

    def fail(
        self, path: str, reason: str, size: int = 0, mtime_ns: int = 0, sha256: str = "", previous: bool = False
    ) -> None:
        """Report and record a file or folder that cannot be read, with its reason: `foia status`
        shows it until a run indexes it or finds it gone. A file indexed before (`previous`)
        loses its documents: the index follows the file."""
        self.report.failed.append(FileFailure(path, reason))
        self.record(FileRecord(path, sha256, size, mtime_ns, "failed", reason))
        if previous:
            self.writer.remove_file(path)

    def take(self, outcome: Outcome) -> None:
        job = outcome.job
        self.count_pages(job.path, sum(len(d.pages) for d in outcome.documents))
        if outcome.empty is not None:
            self.nothing_to_index(job, outcome.empty)
            return
        if outcome.failure is not None:
            self.fail(job.path, outcome.failure, job.size, job.mtime_ns, job.sha256, job.previous is not None)
            return
        docs = outcome.documents
        self.chains.update(outcome.chains)
        self.written.update((d.id, job.path) for d in docs)
        if job.previous is None:
            self.writer.add_file(docs)
        else:
            self.writer.replace_file(job.path, docs)
        pages = sum(len(d.pages) for d in docs)
        ocr = outcome.ocr_pending
        self.report.documents += len(docs)
        self.report.pages += pages
        self.report.ocr_pages += ocr
        self.report.ocr_read += sum(o.source == "ocr" for d in docs for o in d.origins)
        self.report.extracted += outcome.extracted
        self.report.from_cache += not outcome.extracted
        if job.previous is None:
            self.report.indexed += 1
        else:
            self.report.replaced += 1
        self.record(
            FileRecord(job.path, job.sha256, job.size, job.mtime_ns, "indexed", "", len(docs), pages, ocr, job.engine)
        )


def _plan(found: Found, run: _Run) -> Iterator[Job]:
    """Jobs for new and changed files; unchanged files are skipped, copies and what cannot be
    read are recorded as such."""
    for entry in found.unreadable:
        run.fail(str(entry.path), entry.reason)
        run.finish_file(str(entry.path))
    seen: dict[str, str] = {}  # content hash: the first file of this run with it
    for path in found.files:
        key = str(path)
        record = run.manifest.get(key)
        try:
            stat = path.stat()
            unchanged = record and record.size == stat.st_size and record.mtime_ns == stat.st_mtime_ns
            if unchanged and record.ocr_pages and run.ocr != "never":  # type: ignore[union-attr]
                yield run.job(record.path, record.sha256, record.size, record.mtime_ns, record.sha256)  # type: ignore[union-attr]
                continue
            if unchanged and record.status != "failed":  # type: ignore[union-attr]
                run.report.skipped += 1
                run.finish_file(key)
                continue
            sha = file_sha256(path)
        except OSError as exc:
            _cannot_read(run, path, record, exc)
            continue
        previous = record.sha256 if record and record.status == "indexed" else None
        if record and previous == sha:  # touched, not changed
            run.record(replace(record, size=stat.st_size, mtime_ns=stat.st_mtime_ns, updated=0.0))
            run.report.skipped += 1
            run.finish_file(key)
            continue
        try:
            blank = blank_text_file(path, stat.st_size)
        except OSError:
            blank = None  # the worker reports why it cannot read the file
        if blank is not None:  # before the copy check: blank files are all alike, none a copy
            run.nothing_to_index(run.job(key, sha, stat.st_size, stat.st_mtime_ns, previous), blank)
            run.finish_file(key)
            continue
        copy = run.manifest.by_hash(sha)
        original = copy.path if copy and copy.path != key and Path(copy.path).exists() else seen.get(sha)
        if original is not None:
            reason = f"same content as {original}"
            run.report.duplicates.append(FileFailure(key, reason))
            run.record(FileRecord(key, sha, stat.st_size, stat.st_mtime_ns, "duplicate", reason))
            run.finish_file(key)
            continue
        seen[sha] = key
        yield run.job(key, sha, stat.st_size, stat.st_mtime_ns, previous)


def _cannot_read(run: _Run, path: Path, record: FileRecord | None, exc: OSError) -> None:
    """Record a file that cannot be opened, with its size and mtime when the system gives them."""
    try:
        stat = path.stat()
        size, mtime_ns = stat.st_size, stat.st_mtime_ns
    except OSError:
        size, mtime_ns = 0, 0
    indexed = record is not None and record.status == "indexed"
    run.fail(str(path), f"cannot read file: {exc.strerror or exc}", size, mtime_ns, previous=indexed)
    run.finish_file(str(path))


def _check(options: Options) -> None:
    if options.engine not in PDF_ENGINES:
        raise FoiaSearchError(f"unknown PDF engine {options.engine!r}; use one of {', '.join(PDF_ENGINES)}")
    check_ocr(options.ocr, options.lang())
    usable_mode(options.ocr, options.lang())  # `--ocr always` without Tesseract stops here


def index_paths(
    paths: Iterable[Path],
    index_dir: Path,
    progress: Progress | None = None,
    options: Options | None = None,
    prune: bool = False,
    backend: Backend | None = None,
) -> IndexReport:
    """Index files and folders (recursively) into the index at `index_dir`, creating it if needed
    (with `backend`: Whoosh in the folder by default; an existing index keeps its own, and asking
    for another is refused).

    Unchanged files are skipped by size and mtime (then by hash), copies of indexed files are
    skipped as duplicates, a changed file replaces its documents, and a file or folder that
    cannot be read is reported and recorded while the batch goes on. With `prune`, documents of
    files that no longer exist are removed. Before the index is touched, BadArgumentError for a
    path that cannot be opened, NothingToIndexError when no file at all is found.
    """
    options = options or Options()
    _check(options)
    started = time.monotonic()
    paths = list(paths)
    found = _outside(find_files(paths), index_dir.resolve())
    if not found.files and not found.unreadable:
        names = ", ".join(str(p) for p in paths)
        raise NothingToIndexError(
            f"nothing to index: no file found in {names} (hidden files and folders, and links to folders, are left out)"
        )
    if index_dir.exists() and not index_exists(index_dir):
        create_or_open(index_dir).close()  # a folder that is something else is refused before it is locked
    with exclusive(index_dir, options.wait):
        return _index_files(found, index_dir, progress, options, prune, started, backend)


def _outside(found: Found, index_root: Path) -> Found:
    """What was found, less what is inside the index folder itself."""
    files = [p for p in found.files if not p.is_relative_to(index_root)]
    unreadable = [u for u in found.unreadable if not u.path.is_relative_to(index_root)]
    return Found(found.roots, files, unreadable)


def _index_files(
    found: Found,
    index_dir: Path,
    progress: Progress | None,
    options: Options,
    prune: bool,
    started: float,
    backend: Backend | None,
) -> IndexReport:
    documents = open_documents(index_dir, backend, create=True)
    manifest = manifest_of(index_dir)
    try:
        with documents.writing() as writer:
            run = _Run(writer, manifest, options, progress, cache_of(index_dir).folder)
            run.total = len(found.files) + len(found.unreadable)
            _reconcile(run)
            if prune:
                _prune(run)
            _forget_failures(run, found)
            run.execute(_plan(found, run))
        _refresh_derived(index_dir, documents)
        return run.finish(started)
    finally:
        manifest.close()
        documents.close()


def _refresh_derived(index_dir: Path, documents: DocumentStore) -> None:
    """Bring what is computed from the documents (people, threads, versions) up to date."""
    _refresh_people(index_dir, documents)
    _refresh_threads(index_dir, documents)
    _refresh_versions(index_dir, documents)


def _refresh_people(index_dir: Path, documents: DocumentStore) -> None:
    """Group the index's senders and recipients into people once the run has committed (nothing
    is done when the documents did not change). A failure is logged, not raised: queries compute
    the groups themselves when the saved ones are missing or stale."""
    try:
        current_people(index_dir, documents)
    except Exception:
        log.warning("could not group the people of %s; queries will", index_dir, exc_info=True)


def _put_chains(index_dir: Path, chains: dict[str, tuple[str | None, list[ChainMessage]]]) -> None:
    """Keep the chains read by the workers for linking at the end of the run; on failure the end
    of the run reads them from the stored text."""
    try:
        with ThreadStore(index_dir, create=True) as store:
            store.put(chains)
    except Exception:
        log.warning("could not store the printed emails of %d documents", len(chains), exc_info=True)


def _refresh_threads(index_dir: Path, documents: DocumentStore) -> None:
    """Link the new documents' printed emails into threads once the run has committed (see
    `threads.refresh_threads`). A failure is logged, not raised: queries link them when asked."""
    try:
        refresh_threads(index_dir, documents)
    except Exception:
        log.warning("could not link the threads of %s; queries will", index_dir, exc_info=True)


def _refresh_versions(index_dir: Path, documents: DocumentStore) -> None:
    """Group the documents added since the last run with their copies, versions and quoted
    copies (see `versions`). A failure is logged, not raised: the next run catches up."""
    try:
        update_versions(index_dir, documents)
    except Exception:
        log.warning("could not group the versions of %s; the next run will", index_dir, exc_info=True)


def _reconcile(run: _Run) -> None:
    """Make the manifest and the index agree before planning. Documents of files the manifest
    does not record as indexed are removed (a run stopped between a commit and the manifest
    update left them); files recorded with documents the index lacks (a `reindex` stopped
    midway) lose their record. Either way those files are read again, from the cache."""
    recorded = {r.path: r for r in run.manifest.records("indexed")}
    present = run.writer.sources()
    for source in present - recorded.keys():
        run.writer.remove_file(source)
    run.manifest.remove(path for path, r in recorded.items() if r.documents and path not in present)


def _forget_failures(run: _Run, found: Found) -> None:
    """Failures recorded under the paths walked that are neither found again nor unreadable now
    are of files gone, or of folders that can be read again: their records go (a failed file has
    no document to prune)."""
    listed = {str(p) for p in found.files} | {str(u.path) for u in found.unreadable}
    stale = [
        r.path
        for r in run.manifest.records("failed")
        if r.path not in listed and any(Path(r.path).is_relative_to(root) for root in found.roots)
    ]
    run.manifest.remove(stale)


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
    _check(options)
    started = time.monotonic()
    if not (index_dir / "manifest.sqlite").exists():
        raise missing_index(index_dir)
    with exclusive(index_dir, options.wait):
        return _rebuild(index_dir, progress, options, started)


def _rebuild(index_dir: Path, progress: Progress | None, options: Options, started: float) -> IndexReport:
    manifest = manifest_of(index_dir)
    documents = open_documents(index_dir, fresh=True)
    forget_threads(index_dir)
    clear_versions(index_dir)
    try:
        records = list(manifest.records("indexed"))
        with documents.writing() as writer:
            run = _Run(writer, manifest, options, progress, cache_of(index_dir).folder)
            run.total = len(records)
            run.execute(run.job(r.path, r.sha256, r.size, r.mtime_ns, engine=r.engine) for r in records)
        _refresh_derived(index_dir, documents)
        return run.finish(started)
    finally:
        manifest.close()
        documents.close()


def migrate(
    source_dir: Path,
    dest_dir: Path,
    backend: Backend,
    progress: Progress | None = None,
    options: Options | None = None,
) -> IndexReport:
    """Copy the index at `source_dir` into a new index folder `dest_dir` whose documents live in
    `backend` (a Whoosh index to OpenSearch, or back): its manifest and extraction cache are
    copied (the cache's files linked where the file system allows), then every document is built
    again from the cache, as `reindex` does, and written to the new backend. The source is
    locked meanwhile and left as it was."""
    options = options or Options()
    _check(options)
    if not index_exists(source_dir):
        raise missing_index(source_dir)
    if dest_dir.exists() and (not dest_dir.is_dir() or any(dest_dir.iterdir())):
        raise BadArgumentError(f"{dest_dir} exists and is not empty: foia migrate makes a new index folder")
    with exclusive(source_dir, options.wait):
        dest_dir.mkdir(parents=True, exist_ok=True)
        try:
            copy_folder_state(source_dir, dest_dir)
            open_documents(dest_dir, backend, create=True).close()
        except BaseException:
            shutil.rmtree(dest_dir, ignore_errors=True)
            raise
    return reindex(dest_dir, progress, options)
