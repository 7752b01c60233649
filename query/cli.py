"""The `foia` command: a thin layer over the `indexer` and `query` libraries."""

from __future__ import annotations

import functools
import inspect
import json
import logging
import math
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import timedelta
from enum import StrEnum
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, Task, TextColumn
from rich.table import Column
from rich.text import Text

from indexer import ExitCode, FoiaSearchError, IndexReport, Options, ProgressEvent, index_paths, reindex
from indexer.backend import (
    PASSWORD_VARIABLE,
    URL_VARIABLE,
    USER_VARIABLE,
    Backend,
    Kind,
    check_name,
    cluster_index_name,
    cluster_url,
)
from indexer.errors import EXIT_MEANINGS, BadArgumentError, foia_command
from indexer.pipeline import migrate as migrate_index
from indexer.sources import path_problem
from indexer.status import index_status
from indexer.store import cache_of, index_exists, missing_index

from .aliases import ALIAS_FILE, Aliases, index_aliases, load_aliases
from .diff import compare, diff_lines, diff_record, versions_to_compare
from .export import (
    CSV_FIELDS,
    DOCUMENT_FIELDS,
    HIT_FIELDS,
    document_record,
    export_records,
    hit_record,
    pick_fields,
    write_csv,
    write_jsonl,
)
from .facets import FACETS, FacetCount
from .parse import Filters
from .people import find_people
from .search import MARK, Hit, SearchResult, Sort, get_document, iso, printable, search
from .search import similar as similar_documents
from .threads import thread as document_thread
from .threads import thread_ids, thread_text
from .versions import groups_of, versions
from .watch import WATCH_FILE, add_watch, list_watches, new_hits, remove_watch

DEFAULT_INDEX = Path("foia-index")
INDEX_ENV = "FOIA_INDEX"

HELP_MODE = None
"""Help as plain text (click's): each paragraph rewrapped whole, and flags shown without a value
type. Docstrings open with one short sentence, the command list's summary."""

app = typer.Typer(name="foia", no_args_is_help=True, add_completion=False, rich_markup_mode=HELP_MODE)


def _exit_codes() -> str:
    """The exit code table for `foia --help`, one code a line (`\\b` keeps the lines)."""
    return "\b\nExit codes:\n" + "\n".join(f"  {int(code):>3}  {meaning}" for code, meaning in EXIT_MEANINGS.items())


class _Console(Console):
    """A console whose closed pipe (`foia search x | head -1`) ends the command quietly, with exit
    code 0, instead of rich's exit code 1."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


err = _Console(stderr=True, soft_wrap=True)
out = _Console(highlight=False, soft_wrap=True)


IndexOpt = Annotated[
    Path,
    typer.Option("--index", envvar=INDEX_ENV, metavar="DIR", help="Index folder.", show_default=True, file_okay=False),
]


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(command: F) -> F:
    """Turn the project's errors into a one-line message and their documented exit code; a closed
    output pipe ends the command quietly (exit 0), Ctrl-C with exit code 130."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        logging.getLogger("pdfminer").setLevel(logging.ERROR)
        try:
            try:
                return command(*args, **kwargs)
            finally:
                sys.stdout.flush()  # a closed pipe is found here, not at exit
        except FoiaSearchError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(int(exc.exit_code)) from None
        except BrokenPipeError:
            _drop_output()
            raise typer.Exit(int(ExitCode.ok)) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(int(ExitCode.interrupted)) from None

    return wrapper  # type: ignore[return-value]


def _drop_output() -> None:
    """Send what is left to write to stdout and stderr nowhere: their reader is gone, and Python's
    flush at exit would otherwise fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):  # no file descriptor (as under a test runner)
            pass
    os.close(devnull)


@handle_errors
def _print_version(wanted: bool) -> None:
    """`foia --version`: the installed package's version."""
    if wanted:
        out.print(f"foia-search {package_version('foia-search')}")
        raise typer.Exit()


APP_HELP = f"""Search FOIA releases.

Index PDFs and text files, with page stamps removed and parsed, then search by words, phrases,
case and doc numbers, senders, dates and exemptions.

{_exit_codes()}"""


@app.callback(help=APP_HELP)
def main(
    _version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """The options of `foia` itself, before a command."""


WorkersOpt = Annotated[int, typer.Option("--workers", "-w", min=0, help="Worker processes; 0 means one per core.")]
EngineOpt = Annotated[str, typer.Option("--pdf-engine", help="pdfminer (reference) or pdfium (several times faster).")]
OcrOpt = Annotated[
    str,
    typer.Option(
        "--ocr",
        help="auto: OCR pages without usable text (scans); always: every PDF page; never: none. Needs tesseract.",
    ),
]
OcrLangOpt = Annotated[
    str | None,
    typer.Option(
        "--ocr-lang",
        help="Tesseract language(s) for OCR, e.g. eng or eng+spa. Default: for pages OCR'd before, "
        "the language they were read in; for others, eng.",
        show_default=False,
    ),
]
WaitOpt = Annotated[
    float, typer.Option("--wait", min=0, help="Seconds to wait for another index or reindex run on this index.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")]
BackendOpt = Annotated[
    Kind | None,
    typer.Option(
        "--backend",
        help="Where a new index keeps its documents: whoosh (in the index folder, the default) or opensearch "
        "(a cluster: --url). An existing index keeps its own; the folder records it, so no other command needs it.",
        show_default=False,
    ),
]
UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url",
        metavar="URL",
        help=f"The OpenSearch cluster (several nodes' URLs separated by commas); default ${URL_VARIABLE}. "
        f"Credentials only from ${USER_VARIABLE} and ${PASSWORD_VARIABLE}, never in the URL.",
        show_default=False,
    ),
]
NameOpt = Annotated[
    str | None,
    typer.Option(
        "--name",
        metavar="NAME",
        help="The OpenSearch index's name; default foia- with the folder's name and a digest of its path.",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object (for cron jobs).")]


class _NameColumn(ProgressColumn):
    """The file at hand, cut short (or left out) when the line has no room for it."""

    def __init__(self) -> None:
        super().__init__(table_column=Column(overflow="ellipsis"))

    def render(self, task: Task) -> Text:
        return Text(task.description, style="dim", no_wrap=True, overflow="ellipsis")


class _Bar:
    """A progress bar: phase, files done, pages read, pages/s and the ETA, then the file at hand.
    It moves with each OCR'd page, so a long scan shows its rate and ETA as it is read; the ETA
    follows the average pace since the start (steadier than the last seconds' pace when pages
    finish in bursts, one per worker). At 80 columns everything but the file name keeps its room."""

    def __init__(self, show: bool) -> None:
        def fixed(width: int | None = None) -> Column:
            return Column(no_wrap=True, width=width)

        self.progress = Progress(
            SpinnerColumn(table_column=fixed()), TextColumn("[bold]{task.fields[phase]}", table_column=fixed()),
            BarColumn(bar_width=10, table_column=fixed(10)),
            TextColumn("{task.fields[files]}, {task.fields[pages]}, {task.fields[rate]} pages/s, "
                       "eta {task.fields[eta]}", table_column=fixed()),
            _NameColumn(), console=err, disable=not show, transient=True,
        )  # fmt: skip
        self.task = self.progress.add_task(
            "", total=None, phase="indexing", files="0 files", pages="0 pages", rate="-", eta=_NO_ETA
        )
        self.started = self.progress.get_time()

    def __enter__(self) -> _Bar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def __call__(self, event: ProgressEvent) -> None:
        elapsed = self.progress.get_time() - self.started
        phase = {"commit": "committing", "done": "done", "ocr": "OCR"}.get(event.phase, "indexing")
        completed = event.done + event.partial
        self.progress.update(
            self.task, total=event.total, completed=completed, phase=phase,
            files=f"{event.done}/{_count(event.total, 'file')}", pages=_count(event.pages, "page"),
            rate=_rate(event.pages, elapsed), eta=_eta(completed, event.total, elapsed),
            description=" ".join(Path(event.path).name.split()),
        )  # fmt: skip


_NO_ETA = "-:--:--"


def _eta(done: float, total: int, seconds: float) -> str:
    """Time left at the pace so far (`0:03:15`), `-:--:--` before any progress."""
    if done <= 0 or seconds <= 0:
        return _NO_ETA
    return str(timedelta(seconds=math.ceil(seconds * max(total - done, 0) / done)))


def _rate(pages: int, seconds: float) -> str:
    """Pages per second, with a decimal when slow (OCR reads a page in seconds); `-` before any time."""
    if seconds <= 0:
        return "-"
    rate = pages / seconds
    return f"{rate:.1f}" if rate < 10 else f"{rate:.0f}"


MAX_PATHS_REPEATED = 5
"""The summary's command to run again names the paths given up to this many (a shell glob can
give thousands); beyond, it says PATH."""


def _finish(report: IndexReport, index_dir: Path, quiet: bool, as_json: bool, again: str) -> None:
    """Print the run's summary (`again`: the command that runs it again) and exit 1 if a file failed."""
    watches = _watch_summary(index_dir)
    if as_json:
        print(json.dumps({"index": str(index_dir), **asdict(report), "watches": watches}))
    elif not quiet:
        _print_report(report, index_dir, again)
        for name, count in watches.items():
            if count:
                lists = foia_command("watch", "new", name, "--index", index_dir)
                err.print(f"watch {escape(name)}: {_count(count, 'new hit')} ({escape(lists)} lists them)")
    if not report.ok:
        raise typer.Exit(int(ExitCode.some_files_failed))


def _openable(paths: list[Path]) -> list[Path]:
    """Refuse a path that cannot be opened, saying why: missing, a symbolic link loop, a broken link."""
    for path in paths:
        if problem := path_problem(path):
            raise typer.BadParameter(f"{path}: {problem}")
    return paths


@app.command()
@handle_errors
def index(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="PATH...", help="Files and folders (searched recursively).", callback=_openable),
    ],
    index_dir: IndexOpt = DEFAULT_INDEX,
    workers: WorkersOpt = 0,
    engine: EngineOpt = "pdfminer",
    ocr: OcrOpt = "auto",
    ocr_lang: OcrLangOpt = None,
    prune: Annotated[
        bool, typer.Option("--prune/--no-prune", help="Remove the documents of files that no longer exist.")
    ] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="First rebuild the index from the extraction cache (damaged index).")
    ] = False,
    wait: WaitOpt = 0.0,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
    backend: BackendOpt = None,
    url: UrlOpt = None,
    name: NameOpt = None,
) -> None:
    """Index PDF and text releases.

    Unchanged files are skipped (size and mtime, then content hash); a changed file replaces its
    documents; a copy of an indexed file is a duplicate (the summary names the file it copies); a
    file or folder that cannot be read is reported and recorded (`foia status` lists it) and the
    rest go on; an empty file (zero bytes, blank text, a PDF with no text and no image) is
    reported and recorded, with no document. Commits come every 200 files or minute, so a stopped
    run keeps its work and the next run resumes. Exits 1 when some file failed, 10 when no file
    is found to index.

    With --backend opensearch --url URL a new index keeps its documents on an OpenSearch cluster
    (the folder keeps the manifest and the extraction cache); files are recorded as indexed only
    once the cluster has acknowledged their documents."""
    options = Options(workers=workers, engine=engine, ocr=ocr, ocr_lang=ocr_lang, wait=wait)
    chosen = _backend(index_dir, backend, url, name)
    show = not quiet and not as_json and err.is_terminal
    if rebuild and index_exists(index_dir):
        with _Bar(show) as bar:
            reindex(index_dir, progress=bar, options=options)
    with _Bar(show) as bar:
        report = index_paths(paths, index_dir, progress=bar, options=options, prune=prune, backend=chosen)
    named = paths if len(paths) <= MAX_PATHS_REPEATED else ["PATH"]
    _finish(report, index_dir, quiet, as_json, foia_command("index", *named, "--index", index_dir))


def _backend(index_dir: Path, kind: Kind | None, url: str | None, name: str | None) -> Backend | None:
    """The backend the options ask for; None when they ask for none (the folder's own, else Whoosh)."""
    if kind is None and (url or name):
        kind = Kind.opensearch
    if kind is None:
        return None
    if kind is Kind.whoosh:
        if url or name:
            raise BadArgumentError("--url and --name are for --backend opensearch")
        return Backend()
    address = cluster_url(url)
    if any(urlsplit(u.strip()).username or urlsplit(u.strip()).password for u in address.split(",")):
        raise BadArgumentError(
            f"the OpenSearch URL holds credentials: give them in ${USER_VARIABLE} and ${PASSWORD_VARIABLE} instead"
        )
    return Backend(Kind.opensearch, address, check_name(name) if name else cluster_index_name(index_dir))


@app.command()
@handle_errors
def migrate(
    source: Annotated[Path, typer.Option("--from", metavar="DIR", help="The index to copy.", file_okay=False)],
    dest: Annotated[Path, typer.Option("--to", metavar="DIR", help="The new index folder.", file_okay=False)],
    backend: BackendOpt = Kind.opensearch,
    url: UrlOpt = None,
    name: NameOpt = None,
    workers: WorkersOpt = 0,
    wait: WaitOpt = 0.0,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Copy an index to OpenSearch (or back to Whoosh).

    The new folder gets the manifest, the extraction cache and the alias file; every document is
    built again from the cache (no PDF is read again while the cache holds its pages) and written
    to the new backend. The old index is left as it was. Saved searches are not copied."""
    chosen = _backend(dest, backend, url, name) or Backend()
    options = Options(workers=workers, wait=wait)
    show = not quiet and not as_json and err.is_terminal
    with _Bar(show) as bar:
        report = migrate_index(source, dest, chosen, progress=bar, options=options)
    if (source / ALIAS_FILE).is_file():
        shutil.copy2(source / ALIAS_FILE, dest / ALIAS_FILE)
    _finish(report, dest, quiet, as_json, foia_command("reindex", "--index", dest))


@app.command("reindex")
@handle_errors
def reindex_command(
    index_dir: IndexOpt = DEFAULT_INDEX,
    workers: WorkersOpt = 0,
    ocr: OcrOpt = "auto",
    ocr_lang: OcrLangOpt = None,
    wait: WaitOpt = 0.0,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Rebuild the index from its extraction cache.

    No PDF is read again: after an upgrade that changes the schema or the stamp rules, or when the
    index is damaged."""
    show = not quiet and not as_json and err.is_terminal
    with _Bar(show) as bar:
        options = Options(workers=workers, ocr=ocr, ocr_lang=ocr_lang, wait=wait)
        report = reindex(index_dir, progress=bar, options=options)
    _finish(report, index_dir, quiet, as_json, foia_command("reindex", "--index", index_dir))


@app.command()
@handle_errors
def status(
    paths: Annotated[
        list[Path] | None, typer.Argument(metavar="[PATH...]", help="Also tell which of these files are pending.")
    ] = None,
    index_dir: IndexOpt = DEFAULT_INDEX,
    as_json: JsonOpt = False,
) -> None:
    """Tell what the index holds and what is waiting.

    Files indexed, failed (files and folders that could not be read, with reasons), empty (nothing
    to index, with the reason), duplicates (with the file each copies), pending, gone, and pages
    still waiting for OCR."""
    report = index_status(index_dir, paths or [])
    if as_json:
        print(json.dumps(asdict(report)))
        return
    out.print(
        f"{index_dir}: {_count(report.indexed, 'file')} indexed ({_count(report.documents, 'document')}, "
        f"{_count(report.pages, 'page')}), {len(report.failed)} failed, {len(report.empty)} empty, "
        f"{_count(len(report.duplicates), 'duplicate')}, {len(report.pending)} pending, {len(report.gone)} gone; "
        f"cache {_count(report.cache_entries, 'entry', 'entries')}, {report.cache_bytes / 1e6:.1f} MB"
    )
    if report.backend_at:
        out.print(f"documents on OpenSearch: index {escape(report.backend_at)}")
    for failure in report.failed:
        out.print(f"[red]failed:[/red] {escape(failure.path)}: {escape(failure.reason)}")
    for empty in report.empty:
        out.print(f"empty: {escape(empty.path)}: {escape(empty.reason)}")
    for duplicate in report.duplicates:
        out.print(f"duplicate: {escape(duplicate.path)}: {escape(duplicate.reason)}")
    for path in report.pending:
        out.print(f"pending: {escape(path)}")
    prune = foia_command("index", "PATH", "--prune", "--index", index_dir)
    for path in report.gone:
        out.print(f"gone: {escape(path)} (remove with {escape(prune)}, PATH being your release folders)")
    for path, pages in report.ocr_waiting:
        reads = foia_command("index", path, "--index", index_dir)
        out.print(f"waiting for OCR: {escape(path)}: {_count(pages, 'page')} ({escape(reads)} reads them)")


@app.command("clear-cache")
@handle_errors
def clear_cache(index_dir: IndexOpt = DEFAULT_INDEX) -> None:
    """Delete the extraction cache and cached page images.

    The index itself stays searchable; `foia reindex` then reads the files again, and the
    reading room renders page images again when they are asked for."""
    from .web.files import clear_page_images  # the reading room's own cache; loaded only here

    if not index_exists(index_dir):
        raise missing_index(index_dir)
    removed = cache_of(index_dir).clear()
    images = clear_page_images(index_dir)
    err.print(f"removed {_count(removed, 'cached file')}{_images(images)} from {index_dir}")


def _images(count: int) -> str:
    return f" and {_count(count, 'page image')}" if count else ""


def _count(count: int, noun: str, plural: str = "") -> str:
    """`1 file`, `2 files`: a count and its noun, plural when it is not 1."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _matches(count: int) -> str:
    return "1 document matches" if count == 1 else f"{count} documents match"


def _print_report(report: IndexReport, index_dir: Path, again: str) -> None:
    err.print(
        f"{_count(report.files, 'file')}: {report.indexed} indexed, {report.replaced} replaced, "
        f"{report.skipped} unchanged, {_count(len(report.duplicates), 'duplicate')}, {len(report.failed)} failed, "
        f"{len(report.empty)} empty, {report.pruned} pruned; {_count(report.documents, 'document')}, "
        f"{_count(report.pages, 'page')} added to {index_dir}"
    )
    rate, cached = _rate(report.pages, report.seconds), _count(report.from_cache, "file")
    err.print(f"took {report.seconds:.1f} s ({rate} pages/s); {cached} read from the cache")
    if report.ocr_read:
        err.print(f"{_count(report.ocr_read, 'page')} read by OCR")
    if report.ocr_pages:
        why = report.ocr_unavailable or "OCR was off (--ocr never)"
        verbs = "has no text layer and needs" if report.ocr_pages == 1 else "have no text layer and need"
        err.print(f"{_count(report.ocr_pages, 'page')} {verbs} OCR: {why}; then run {escape(again)} again")
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning.path)}: {escape(warning.reason)}")
    for empty in report.empty:
        err.print(f"empty: {escape(empty.path)}: {escape(empty.reason)}")
    for duplicate in report.duplicates:
        err.print(f"duplicate: {escape(duplicate.path)}: {escape(duplicate.reason)}")
    for failure in report.failed:
        err.print(f"[red]failed:[/red] {escape(failure.path)}: {escape(failure.reason)}")


# --- searching ----------------------------------------------------------------------------------

_FILTER_OPTIONS: dict[str, Any] = {
    "case": Annotated[str | None, typer.Option("--case", help="Case number, e.g. F-2015-04841.")],
    "doc": Annotated[str | None, typer.Option("--doc", help="Doc number, e.g. C05739545.")],
    "sender": Annotated[str | None, typer.Option("--from", help="Sender: words of the name or address, or an alias.")],
    "recipient": Annotated[
        str | None, typer.Option("--to", help="Recipient (To or Cc): words of the name or address, or an alias.")
    ],
    "participant": Annotated[
        str | None, typer.Option("--participant", help="Anyone in the email chain: words of a name, or an alias.")
    ],
    "since": Annotated[str | None, typer.Option("--since", help="Sent on or after: 2011, 2011-03, 2011-03-04.")],
    "until": Annotated[str | None, typer.Option("--until", help="Sent on or before: 2011, 2011-03, 2011-03-04.")],
    "exemption": Annotated[
        str | None,
        typer.Option("--exemption", help="Exemption code: B6, (b)(6), B7(C), 1.4(D); B7 also finds B7(A) to B7(F)."),
    ],
    "status": Annotated[str | None, typer.Option("--status", help="Release status: full, part or denied.")],
    "agency": Annotated[str | None, typer.Option("--agency", help="Words of the releasing agency, e.g. state.")],
}
"""The filter options, declared once; `with_filters` gives them to every command that searches."""


NO_FILTERS = Filters()


def with_filters(command: F) -> F:
    """Give a command the filter options and pass them on as one `filters: Filters` argument."""
    signature = inspect.signature(command, eval_str=True)
    options = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
        for name, annotation in _FILTER_OPTIONS.items()
    ]
    kept = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in signature.parameters.values() if p.name != "filters"
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name, None) for name in _FILTER_OPTIONS}
        return command(*args, filters=Filters(**values), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=kept[:1] + options + kept[1:])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in wrapper.__signature__.parameters.values()}  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


QueryArg = Annotated[
    str, typer.Argument(help='Words, "phrases"~slop, AND/OR/NOT, wild*, fuzzy~, field:value; empty for all.')
]
AliasesOpt = Annotated[
    Path | None,
    typer.Option(
        "--aliases",
        envvar="FOIA_ALIASES",
        dir_okay=False,
        help="Alias file (default: aliases.txt in the index folder).",
    ),
]
SortOpt = Annotated[Sort, typer.Option("--sort", help="relevance, date (oldest first), newest, or doc (number).")]
FacetOpt = Annotated[list[str] | None, typer.Option("--by", help=f"Count matches by: {', '.join(FACETS)}. Repeat.")]
LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, help="Hits per page.")]
PageOpt = Annotated[int, typer.Option("--page", min=1, help="Which page of hits.")]


class SearchFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"
    json = "json"


def _aliases(path: Path | None, index_dir: Path) -> Aliases:
    """The alias file given (an error when it is missing), else the index folder's, if any."""
    return load_aliases(path) if path else index_aliases(index_dir)


def _facets_json(facets: dict[str, list[FacetCount]]) -> dict[str, list[dict[str, Any]]]:
    return {name: [{"value": f.value, "count": f.count} for f in values] for name, values in facets.items()}


def _write_hits(result: SearchResult, fmt: SearchFormat, index_dir: Path | None = None) -> None:
    records = [hit_record(h) for h in result.hits]
    if fmt is SearchFormat.json and index_dir is not None:  # each hit's conversation (`foia thread`)
        threads = thread_ids(index_dir, [h.id for h in result.hits])
        records = [record | {"thread": threads.get(record["id"])} for record in records]
    if fmt is SearchFormat.jsonl:
        write_jsonl(records, sys.stdout)
    elif fmt is SearchFormat.csv:
        write_csv(records, sys.stdout, HIT_FIELDS)
    elif fmt is SearchFormat.json:
        body = {"total": result.total, "partial": result.partial, "page": result.page, "hits": records,
                "facets": _facets_json(result.facets), "suggestion": result.suggestion,
                "reading": result.reading}  # fmt: skip
        print(json.dumps(body, ensure_ascii=False))
    else:
        _print_hits(result.total, result.hits, result.page, result.partial)
        _print_facets(result.facets)
    if fmt is SearchFormat.json:
        return
    if result.reading:
        err.print(f"nothing matched with AND, OR, NOT as operators; searched them as words: {escape(result.reading)}")
    if result.partial and fmt is not SearchFormat.table:
        which = f"the hits after the first {result.total}" if result.total else "no document holds every word: the hits"
        err.print(f"{which} hold some of the words; `missing` lists the others")
    if result.suggestion:
        err.print(f"did you mean: {escape(result.suggestion)}")


@app.command("search")
@handle_errors
@with_filters
def search_command(
    query: QueryArg = "",
    filters: Filters = NO_FILTERS,
    limit: LimitOpt = 10,
    page: PageOpt = 1,
    sort: SortOpt = Sort.relevance,
    by: FacetOpt = None,
    fmt: Annotated[SearchFormat, typer.Option("--format", "-f", help="Output format.")] = SearchFormat.table,
    strict: Annotated[
        bool, typer.Option("--strict", help="Only documents holding every word; operator words stay operators.")
    ] = False,
    collapse: Annotated[
        bool, typer.Option("--collapse", help="One hit per record: copies, versions and quoted copies folded.")
    ] = False,
    aliases: AliasesOpt = None,
    index_dir: IndexOpt = DEFAULT_INDEX,
) -> None:
    """Search the index, best hits first.

    Each hit's snippets name their page. Bare words search the text and the title (an email's
    subject, a memo's subject line, a report's heading). Accents do not matter: café finds cafe.

    Fields usable in the query: from: to: cc: participant: subject: title: case: doc: exemption:
    status: classification: agency: bates: date: released: year: month:. Dates: date:2011,
    date:2011-03, date:[2011-01 to 2011-06], date:>2012-09-11.

    Hits hold every word. When fewer documents than the page shows do, the page goes on with
    documents holding some of the words, most words first, each naming those it lacks (`missing`;
    `partial` in JSON counts them). Upper-case AND, OR and NOT are operators; when a query with
    them finds nothing, they are searched as words and the output says so (`reading` in JSON).
    --strict turns both off.

    --collapse shows one hit per record: exact copies, versions (the same record released again)
    and quoted copies (an email quoted in a later reply) fold into their best ranked hit, which
    says how many versions it has (`versions` in JSON; list them with `foia versions ID`).

    `--format json` prints one object with the hits (each with its `thread`, see `foia thread`),
    the facets asked for with --by, and a suggestion when nothing matched."""
    result = search(
        index_dir, query, filters, limit, page=page, sort=sort, facets=by or (), aliases=_aliases(aliases, index_dir),
        strict=strict, collapse=collapse,
    )  # fmt: skip
    _write_hits(result, fmt, index_dir)


def _highlight(text: str) -> str:
    parts = escape(text).split(MARK)
    return "".join(f"[bold yellow]{p}[/]" if i % 2 else p for i, p in enumerate(parts))


def _print_hits(total: int, hits: Sequence[Hit], page: int = 1, partial: int = 0) -> None:
    on_page = f" on page {page}" if page > 1 else ""
    if partial:
        whole = f"{total} document{'s hold' if total > 1 else ' holds'}" if total else "no document holds"
        some = f"{partial} {'more ' if total else ''}hold{'s' if partial == 1 else ''} some of the words"
        out.print(f"{whole} every word; {some}; showing {len(hits)}{on_page}")
    else:
        out.print(f"{_matches(total)}; showing {len(hits)}{on_page}")
    for n, hit in enumerate(hits, 1):
        out.print(f"\n[bold]{n}. {_shown(hit.label)}[/bold]")
        out.print(f"   {_shown(_head(hit))}  [dim]{_shown(hit.source)} p.{hit.page}  id {hit.id}[/dim]")
        if hit.missing:
            out.print(f"   [yellow]missing: {escape(', '.join(hit.missing))}[/yellow]")
        if hit.versions > 1:
            out.print(f"   [magenta]{hit.versions} versions[/magenta] [dim](foia versions {hit.id})[/dim]")
        for snippet in hit.snippets:
            out.print(f"   [cyan]p.{snippet.page}[/cyan] {_highlight(snippet.text)}")


def _head(hit: Hit) -> str:
    """`C05739545 · 2012-09-12 · Mills, Cheryl D`: doc number (else id), date, sender."""
    parts = (hit.doc_number or hit.id, f"{hit.date:%Y-%m-%d}" if hit.date else "", hit.sender)
    return " · ".join(str(v) for v in parts if v)


def _shown(text: str) -> str:
    """Text for one line of a listing: control characters as escapes, markup escaped."""
    return escape(printable(text))


def _print_facets(facets: dict[str, list[FacetCount]]) -> None:
    for name, values in facets.items():
        out.print(f"\n[bold]{name}[/bold]")
        for value in values:
            out.print(f"  {value.count:>7}  {escape(value.value)}")
        if not values:
            out.print("  (no values)")


@app.command()
@handle_errors
@with_filters
def facets(
    query: QueryArg = "",
    filters: Filters = NO_FILTERS,
    by: FacetOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Most frequent values to show per facet.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: total and facets.")] = False,
    aliases: AliasesOpt = None,
    index_dir: IndexOpt = DEFAULT_INDEX,
) -> None:
    """Count the matches by sender, date, exemption...

    Facets: sender, recipient, case, year, month, exemption, status, classification, agency (all of
    them without --by), over every match. Senders and recipients are people: the forms of one
    person (`Mills, Cheryl D`, `Mills, Cheryl 0 <MillsCD@state.gov>`, `Cheryl Mills`) count once,
    under one name (see `foia people`) or the alias file's. Exemption codes count without their
    detail (B3 CIA PERS/ORG counts as B3)."""
    result = search(
        index_dir, query, filters, 1, facets=by or FACETS, aliases=_aliases(aliases, index_dir), top_values=top
    )
    if as_json:
        print(json.dumps({"total": result.total, "facets": _facets_json(result.facets)}, ensure_ascii=False))
        return
    out.print(_matches(result.total))
    _print_facets(result.facets)


@app.command()
@handle_errors
def people(
    name: Annotated[str | None, typer.Argument(help="A name, address or surname; without it, the top people.")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="People to list without NAME.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: the people, every form.")] = False,
    aliases: AliasesOpt = None,
    index_dir: IndexOpt = DEFAULT_INDEX,
) -> None:
    """List the people of the index.

    Senders and recipients grouped across OCR variants and forms, each with the name facets show,
    the documents naming it, its addresses and every form written.

    With NAME, the people `from:NAME` finds (all their forms); without, the most named. The alias
    file (aliases.txt in the index folder, or --aliases) renames and joins people."""
    found = find_people(index_dir, name, _aliases(aliases, index_dir))
    shown = found if name else found[:top]
    if as_json:
        body = [{"name": p.name, "mentions": p.mentions, "addresses": p.addresses, "forms": p.forms} for p in shown]
        print(json.dumps({"people": body}, ensure_ascii=False))
        return
    if not shown:
        out.print(f"nobody named {escape(name or '')!r}" if name else "no people in the index")
    for person in shown:
        forms = f"{len(person.forms)} form{'s' if len(person.forms) > 1 else ''}"
        addresses = ", ".join(person.addresses[:3]) + (" ..." if len(person.addresses) > 3 else "")
        out.print(f"{person.mentions:>7}  [bold]{escape(person.name)}[/bold]  {forms}  {escape(addresses)}")
        for form in person.forms if name else ():
            out.print(f"           {escape(form)}")


class DiffFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
@handle_errors
def diff(
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="The older version: document id or doc number.")],
    other: Annotated[
        str | None,
        typer.Argument(
            metavar="OTHER",
            help="The newer version: document id or doc number (default: the newest release of ID's "
            "record, compared with the oldest).",
        ),
    ] = None,
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")] = DiffFormat.text,
    index_dir: IndexOpt = DEFAULT_INDEX,
) -> None:
    """Show what one release reveals that another withheld.

    The two versions are aligned word by word; each passage held by one and absent from the
    other is listed in order: revealed (in the newer only), withheld (in the older only) or
    changed, with its page on each side and the exemption codes printed near where it was
    withheld. Differences that are only OCR reading the same text differently are folded
    away (counted), as are stamps and page footers. ID is taken as the older unless both
    carry release dates that say otherwise. A plain-text release can be compared with a PDF.
    Without OTHER, the oldest and the newest release of ID's record (see `foia versions`).

    `--format json` prints the passages with both sides' text, pages and codes."""
    if other is None:
        doc_id, other = versions_to_compare(index_dir, doc_id)
    result = compare(index_dir, doc_id, other)
    if fmt is DiffFormat.json:
        print(json.dumps(diff_record(result), ensure_ascii=False, indent=2))
        return
    styles = {"-": "red", "+": "green"}
    for line in diff_lines(result, width=min(out.width, 100)):
        style = styles.get(line.strip()[:1])
        out.print(escape(line), style=style, highlight=False)


@app.command()
@handle_errors
def similar(
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="Document id (from search) or doc number.")],
    limit: LimitOpt = 10,
    fmt: Annotated[SearchFormat, typer.Option("--format", "-f", help="Output format.")] = SearchFormat.table,
    index_dir: IndexOpt = DEFAULT_INDEX,
) -> None:
    """Find the documents most like one.

    Its most distinctive words, weighted, are searched for (more like this)."""
    _write_hits(similar_documents(index_dir, doc_id, limit), fmt)


class ThreadFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
@handle_errors
def thread(
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="Document id (from search), doc number, or thread id.")],
    fmt: Annotated[ThreadFormat, typer.Option("--format", "-f", help="Output format.")] = ThreadFormat.text,
    index_dir: IndexOpt = DEFAULT_INDEX,
) -> None:
    """Print the conversation a document belongs to, as a tree.

    Printed emails are linked into threads across documents: a reply's quoted messages are the
    messages before it, and a message printed in several documents (same sender or subject and
    the same minute, or the same subject and opening words) is one message. Each message shows
    who wrote it to whom and when, its subject and first words, and every document and page that
    prints it (`quoted` where it is quoted below another). The thread id is the id of the
    document printing its oldest message; `thread` in `foia export` and `foia search --format
    json` names it. `--format json`
    prints the tree as a list of messages, each with the index of the one it answers."""
    found = document_thread(index_dir, doc_id)
    if fmt is ThreadFormat.json:
        print(json.dumps(asdict(found), ensure_ascii=False, indent=2))
        return
    for line in thread_text(found):
        out.print(escape(printable(line)))


def _origin(origin: dict[str, Any] | None) -> str:
    """` (ocr, confidence 87)` after the heading of a page not read from its text layer."""
    if origin is None or origin["source"] == "text layer":
        return ""
    if origin["source"] == "ocr":
        return f" (ocr, confidence {origin['confidence']:.0f})"
    return " (no text layer: needs OCR)"


def _provenance(origins: list[dict[str, Any]]) -> str:
    """`p1 text layer, p2 ocr (confidence 91)`: where each page's text comes from."""
    parts: list[str] = []
    for origin in origins:
        label = origin["source"] + (f" (confidence {origin['confidence']:.0f})" if origin["source"] == "ocr" else "")
        parts.append(f"p{origin['page']} {label}")
    return ", ".join(parts)


def _show_fields() -> tuple[str, ...]:
    keys = [k for k in DOCUMENT_FIELDS if k not in ("title", "exemption_details", "text", "stamps")]
    keys.insert(keys.index("exemptions") + 1, "exemption_details")
    return ("title", *keys)


SHOW_FIELDS = _show_fields()
"""The fields `foia show` prints, in order: the title first, a code's details after the codes."""


@app.command()
@handle_errors
def show(
    doc_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="Document id (from search) or doc number; a doc number several documents have lists them (exit 9).",
        ),
    ],
    page: Annotated[int | None, typer.Option("--page", "-p", help="Print only this page of the source file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the export record as JSON.")] = False,
    index_dir: IndexOpt = DEFAULT_INDEX,
) -> None:
    """Print one document: metadata, then text.

    The text is printed page by page, stamps removed."""
    doc = get_document(index_dir, doc_id)
    pages = [page] if page is not None else list(range(doc.first_page, doc.first_page + len(doc.pages)))
    texts = [doc.page(number) for number in pages]
    record = document_record(
        doc.fields,
        thread=thread_ids(index_dir, [doc.id]).get(doc.id),
        group=groups_of(index_dir, [doc.id]).get(doc.id),
    )
    if as_json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return
    rows = {key: value for key in SHOW_FIELDS if (value := record.get(key)) not in (None, [], "")}
    width = max(map(len, rows))
    for key, value in rows.items():  # one line each, never cut: a path stays whole to copy
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        out.print(f"[bold]{key:<{width}}[/bold]  {_shown(_provenance(value) if key == 'provenance' else shown)}")
    origins = {o["page"]: o for o in record["provenance"]}
    for number, text in zip(pages, texts, strict=True):
        out.print(f"\n[bold cyan]── page {number}{_origin(origins.get(number))} ──[/bold cyan]")
        out.print(escape(text))


@app.command()
@handle_errors
@with_filters
def export(
    query: Annotated[str, typer.Argument(help="Export only the documents matching this query.")] = "",
    filters: Filters = NO_FILTERS,
    sort: SortOpt = Sort.relevance,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.")] = ExportFormat.jsonl,
    fields: Annotated[
        str | None,
        typer.Option(
            "--fields",
            help="Fields to write, comma-separated, in this order. Default: every field for jsonl; every "
            f"field but text and stamps for csv. Fields: {', '.join(DOCUMENT_FIELDS)}.",
            show_default=False,
        ),
    ] = None,
    aliases: AliasesOpt = None,
    index_dir: IndexOpt = DEFAULT_INDEX,
) -> None:
    """Write every matching document, streamed.

    Each with its fields, a page and a citation. No cap on how many: every document without a
    query. Each record cites the page search cites (its best snippet's), ready for a footnote. CSV
    leaves out the whole text unless --fields asks for it, and cuts a cell over 32,767 characters
    (a spreadsheet's limit) with a marker; JSON Lines writes every value whole."""
    chosen = pick_fields(fields) if fields is not None else None
    records = export_records(index_dir, query, filters, sort=sort, aliases=_aliases(aliases, index_dir))
    if fmt is ExportFormat.csv:
        write_csv(records, sys.stdout, chosen or CSV_FIELDS)
    else:
        write_jsonl(records, sys.stdout, chosen)


@app.command("versions")
@handle_errors
def versions_command(
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="Document id (from search) or doc number.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: the versions.")] = False,
    index_dir: IndexOpt = DEFAULT_INDEX,
) -> None:
    """List the versions of a document.

    Its exact copies, the same record released again (same record or doc number, or nearly the
    same words) and quoted copies (its text quoted in a later reply, or quoting an earlier email),
    oldest release first, each with its release date, file and how it is linked: copy, version,
    quoted (quoted in this one), quotes (quotes this one), group (linked through another version).
    Groups are made as documents are indexed."""
    found = versions(index_dir, doc_id)
    if as_json:
        body = [asdict(v) | {"release_date": iso(v.release_date), "date": iso(v.date)} for v in found]
        print(json.dumps({"id": next(v.id for v in found if v.relation == "self"), "versions": body},
                         ensure_ascii=False))  # fmt: skip
        return
    out.print(f"{_count(len(found), 'version')}")
    for v in found:
        released = f"{v.release_date:%Y-%m-%d}" if v.release_date else "release date unknown"
        how = "this document" if v.relation == "self" else v.relation + (f" {v.score:.2f}" if v.score else "")
        pages = f"p.{v.first_page}" if v.first_page == v.last_page else f"pp.{v.first_page}-{v.last_page}"
        number = v.record_number or v.doc_number or ""
        out.print(f"{released}  [bold]{_shown(how)}[/bold]  {_shown(number)}  {_shown(v.label)}")
        out.print(f"            [dim]{_shown(v.source)} {pages}  id {v.id}[/dim]")


# --- saved searches -----------------------------------------------------------------------------

watch_app = typer.Typer(
    help="Saved searches and their new hits.\n\nA watch lists the hits among documents indexed since it was last "
    "checked.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MODE,
)
app.add_typer(watch_app, name="watch")


@watch_app.command("add")
@handle_errors
@with_filters
def watch_add(
    name: Annotated[str, typer.Argument(help="A name: letters, digits, '.', '_' or '-'.")],
    query: QueryArg = "",
    filters: Filters = NO_FILTERS,
    index_dir: IndexOpt = DEFAULT_INDEX,
) -> None:
    """Save a search.

    Documents indexed from now on that match it are its new hits."""
    add_watch(index_dir, name, query, filters)
    err.print(f"watching {name}: {query or '(every document)'}")


@watch_app.command("list")
@handle_errors
def watch_list(index_dir: IndexOpt = DEFAULT_INDEX) -> None:
    """List the saved searches."""
    for watch in list_watches(index_dir):
        options = {k: v for k, v in asdict(watch.filters).items() if v}
        extra = " " + " ".join(f"--{k} {v!r}" for k, v in options.items()) if options else ""
        out.print(f"{escape(watch.name)}: {escape(watch.query)}{escape(extra)}  [dim]since {watch.created}[/dim]")


@watch_app.command("remove")
@handle_errors
def watch_remove(
    name: Annotated[str, typer.Argument(help="The saved search.")], index_dir: IndexOpt = DEFAULT_INDEX
) -> None:
    """Delete a saved search."""
    remove_watch(index_dir, name)


@watch_app.command("new")
@handle_errors
def watch_new(
    names: Annotated[
        list[str] | None, typer.Argument(metavar="[NAME...]", help="Saved searches (default: all).")
    ] = None,
    peek: Annotated[bool, typer.Option("--peek", help="Show the new hits without marking them seen.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per saved search.")] = False,
    aliases: AliasesOpt = None,
    index_dir: IndexOpt = DEFAULT_INDEX,
) -> None:
    """List the new hits of saved searches.

    Their matches among documents indexed since the last check.
    Listed hits then count as seen, unless --peek."""
    for news in new_hits(index_dir, names, mark=not peek, aliases=_aliases(aliases, index_dir)):
        if as_json:
            print(json.dumps({"name": news.name, "query": news.query, "total": news.total,
                              "hits": [hit_record(h) for h in news.hits]}, ensure_ascii=False))  # fmt: skip
            continue
        out.print(f"[bold]{escape(news.name)}[/bold] ({escape(news.query)}): {news.total} new")
        for hit in news.hits:
            out.print(f"  {_shown(_head(hit))}  {_shown(hit.label)}  [dim]id {hit.id}[/dim]")


def _watch_summary(index_dir: Path) -> dict[str, int]:
    """New-hit counts of every saved search after an index run (not marked seen)."""
    if not (index_dir / WATCH_FILE).exists():
        return {}
    news = new_hits(index_dir, mark=False, limit=0, aliases=_aliases(None, index_dir))
    return {each.name: each.total for each in news}


@app.command()
@handle_errors
def serve(
    index_dir: IndexOpt = DEFAULT_INDEX,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port; 0 picks a free one.")] = 8080,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; beyond 127.0.0.1 a token is always required.")
    ] = "127.0.0.1",
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="FOIA_TOKEN",
            help="Require this token on every request (Authorization: Bearer T, or once ?token=T in a link). "
            "Beyond loopback, a random one when not given.",
            show_default=False,
        ),
    ] = None,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the reading room in a web browser.")] = False,
    aliases: AliasesOpt = None,
) -> None:
    """Read the index in a web browser.

    The reading room: search with facets and a timeline, documents as page images beside their
    text, saved searches and batch search, and the same as a JSON API under /api/ (OpenAPI at
    /api/openapi.json). Read-only over the index; listens on 127.0.0.1 only unless --host says
    otherwise, and then every request needs a token. Runs until Ctrl+C."""
    from .web import start  # the web stack is imported only to serve

    server = start(index_dir, host, port, token, aliases)
    if not server.loopback:
        err.print(f"[yellow]warning:[/yellow] listening on {escape(host)}: anyone who can reach this machine and "
                  "has the token can read the index")  # fmt: skip
    err.print(f"reading room for {escape(str(index_dir))} at {escape(server.url)} (Ctrl+C stops)")
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    server.run()


if __name__ == "__main__":
    app()
