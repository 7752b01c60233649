"""Errors raised by foia-search, each carrying the CLI exit code it maps to, and the one table of
those exit codes."""

from __future__ import annotations

import shlex
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Exit codes of the `foia` command; a stable, documented interface (`EXIT_MEANINGS` says what
    each means; the README carries the same table)."""

    ok = 0
    some_files_failed = 1
    bad_args = 2
    no_index = 3
    incompatible_index = 4
    index_busy = 5
    not_found = 6
    bad_query = 7
    damaged_index = 8
    ambiguous_id = 9
    nothing_to_index = 10
    unreachable = 11
    interrupted = 130


EXIT_MEANINGS: dict[ExitCode, str] = {
    ExitCode.ok: "ok",
    ExitCode.some_files_failed: "some files could not be indexed (the others were)",
    ExitCode.bad_args: "bad arguments: an option, a value, a page number, an alias file",
    ExitCode.no_index: "no index at --index",
    ExitCode.incompatible_index: "index made by an incompatible version: rebuild it with foia reindex",
    ExitCode.index_busy: "index busy: another index or reindex run is writing to it",
    ExitCode.not_found: "not found: no document or saved search with that id or name",
    ExitCode.bad_query: "bad query: the query or a filter option cannot be read",
    ExitCode.damaged_index: "damaged index: rebuild it with foia reindex",
    ExitCode.ambiguous_id: "ambiguous doc number: several documents have it; give an id",
    ExitCode.nothing_to_index: "nothing to index: the paths given hold no file",
    ExitCode.unreachable: "index unreachable: its OpenSearch cluster does not answer",
    ExitCode.interrupted: "interrupted (Ctrl-C); what was committed is kept",
}
"""What each exit code means, in the words of `foia --help` and the README."""


def foia_command(*args: str | Path) -> str:
    """A `foia` command a message suggests, in backticks, its arguments quoted for the shell so it
    runs as written; a placeholder the user fills in is written in capitals (PATH, DIR)."""
    return f"`foia {shlex.join(str(a) for a in args)}`"


class FoiaSearchError(Exception):
    """Base class of every error this project raises on purpose."""

    exit_code: ExitCode = ExitCode.bad_args


class BadArgumentError(FoiaSearchError):
    """An argument, an option's value or a file it names that the command cannot use."""

    exit_code = ExitCode.bad_args


class ExtractionError(FoiaSearchError):
    """A file could not be read as a release (encrypted, corrupted, not a PDF or text)."""

    exit_code = ExitCode.some_files_failed


class EmptyFileError(ExtractionError):
    """A file with nothing to index: zero bytes, text of blank lines or form feeds only, or a PDF
    with no text and no image. Not a failure: the file is recorded with this reason."""


class NothingToIndexError(FoiaSearchError):
    """The paths given to index hold no file at all (an empty folder, hidden files only)."""

    exit_code = ExitCode.nothing_to_index


class IndexMissingError(FoiaSearchError):
    """No index exists at the given location."""

    exit_code = ExitCode.no_index


class IncompatibleIndexError(FoiaSearchError):
    """The index was written by an incompatible version of foia-search."""

    exit_code = ExitCode.incompatible_index


class DamagedIndexError(FoiaSearchError):
    """The index files cannot be read; `foia reindex` rebuilds them from the extraction cache."""

    exit_code = ExitCode.damaged_index


class IndexBusyError(FoiaSearchError):
    """Another process is writing to the index."""

    exit_code = ExitCode.index_busy


class DocumentNotFoundError(FoiaSearchError):
    """No document has the requested id."""

    exit_code = ExitCode.not_found


class WatchNotFoundError(FoiaSearchError):
    """No saved search has the requested name."""

    exit_code = ExitCode.not_found


class AmbiguousDocumentError(FoiaSearchError):
    """A doc number several documents carry (one record in two files): the message lists them,
    and `ids` holds their ids, each of which names one."""

    exit_code = ExitCode.ambiguous_id

    def __init__(self, message: str, ids: tuple[str, ...]) -> None:
        super().__init__(message)
        self.ids = ids


class QueryError(FoiaSearchError):
    """A search query or filter could not be understood."""

    exit_code = ExitCode.bad_query


class UnreachableIndexError(FoiaSearchError):
    """The engine holding the index's documents (an OpenSearch cluster) does not answer."""

    exit_code = ExitCode.unreachable


class RefusedDocumentsError(FoiaSearchError):
    """The engine refused some documents of a commit (the others were written): `refused` maps
    each refused document's id to the reason."""

    def __init__(self, message: str, refused: dict[str, str]) -> None:
        super().__init__(message)
        self.refused = refused
