"""Errors raised by foia-search, each carrying the CLI exit code it maps to."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the `foia` command; a stable, documented interface."""

    ok = 0
    some_files_failed = 1
    bad_args = 2
    no_index = 3
    incompatible_index = 4
    index_busy = 5
    not_found = 6
    bad_query = 7
    damaged_index = 8


class FoiaSearchError(Exception):
    """Base class of every error this project raises on purpose."""

    exit_code: ExitCode = ExitCode.bad_args


class ExtractionError(FoiaSearchError):
    """A file could not be read as a release (encrypted, corrupted, not a PDF or text)."""

    exit_code = ExitCode.some_files_failed


class EmptyFileError(ExtractionError):
    """A file with nothing to index: zero bytes, text of blank lines or form feeds only, or a PDF
    with no text and no image. Not a failure: the file is recorded with this reason."""


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


class QueryError(FoiaSearchError):
    """A search query or filter could not be understood."""

    exit_code = ExitCode.bad_query
