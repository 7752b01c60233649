"""The command line's contract: exit codes as the one table says, command by command; commands
that messages suggest run as written; a closed pipe is no error; `--help` and `--version`; the
alias file named must exist; a field without a value gets a hint that works."""

from __future__ import annotations

import ast
import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner, Result

import query.cli
from indexer.errors import EXIT_MEANINGS, ExitCode, QueryError
from indexer.ocr import unavailable_reason
from indexer.schema import SCHEMA_VERSION, build_schema
from query.cli import app
from query.parse import known_fields, parse_query

ROOT = Path(__file__).resolve().parents[1]
RELEASES = ROOT / "corpus" / "releases"
SCANNED = RELEASES / "scanned-page.pdf"
HAVE_OCR = unavailable_reason() is None

runner = CliRunner()


def foia(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, [str(a) for a in args], env=env)


@pytest.fixture
def index(sample_index: Path, tmp_path: Path) -> Path:
    """A copy of the session's sample index, for a test that changes it."""
    copy = tmp_path / "foia-index"
    shutil.copytree(sample_index, copy)
    return copy


# --- exit codes, command by command ----------------------------------------------------------------


def _missing(tmp: Path, sample: Path) -> Path:
    return tmp / "no-index"


def _sample(tmp: Path, sample: Path) -> Path:
    copy = tmp / "foia-index"
    shutil.copytree(sample, copy)
    return copy


def _other_files(tmp: Path, sample: Path) -> Path:
    folder = tmp / "my-documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("not an index")
    return folder


def _old_schema(tmp: Path, sample: Path) -> Path:
    copy = _sample(tmp, sample)
    (copy / "foia-index.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION - 1}))
    return copy


def _unreadable_meta(tmp: Path, sample: Path) -> Path:
    copy = _sample(tmp, sample)
    (copy / "foia-index.json").write_text("{not json")
    return copy


SITUATIONS: dict[str, Callable[[Path, Path], Path]] = {
    "no index": _missing,
    "sample index": _sample,
    "folder of other files": _other_files,
    "index of an older schema": _old_schema,
    "unreadable foia-index.json": _unreadable_meta,
}
"""Situations of the index folder given with --index, each made in a fresh temporary folder."""

EXIT_CASES = [
    # (command, situation, expected exit code)
    (("index", "{releases}"), "sample index", ExitCode.ok),
    (("index", "{broken}"), "sample index", ExitCode.some_files_failed),
    (("index", "{releases}"), "folder of other files", ExitCode.bad_args),
    (("index", "{releases}", "--prune=yes"), "sample index", ExitCode.bad_args),
    (("search", "--limit", "0"), "sample index", ExitCode.bad_args),
    (("show", "C09900013", "--page", "9"), "sample index", ExitCode.bad_args),
    (("watch", "add", "two words", "port"), "sample index", ExitCode.bad_args),
    (("search", "port", "--aliases", "{tmp}/none.txt"), "sample index", ExitCode.bad_args),
    (("facets", "--aliases", "{tmp}/none.txt"), "sample index", ExitCode.bad_args),
    (("export", "--aliases", "{tmp}/none.txt"), "sample index", ExitCode.bad_args),
    (("people", "--aliases", "{tmp}/none.txt"), "sample index", ExitCode.bad_args),
    (("watch", "new", "--aliases", "{tmp}/none.txt"), "sample index", ExitCode.bad_args),
    (("search", "port", "--aliases", "{malformed}"), "sample index", ExitCode.bad_args),
    (("search", "port"), "no index", ExitCode.no_index),
    (("facets",), "no index", ExitCode.no_index),
    (("people",), "no index", ExitCode.no_index),
    (("similar", "C09900011"), "no index", ExitCode.no_index),
    (("show", "C09900011"), "no index", ExitCode.no_index),
    (("diff", "C09900011", "C09900013"), "no index", ExitCode.no_index),
    (("export",), "no index", ExitCode.no_index),
    (("status",), "no index", ExitCode.no_index),
    (("reindex",), "no index", ExitCode.no_index),
    (("clear-cache",), "no index", ExitCode.no_index),
    (("watch", "list"), "no index", ExitCode.no_index),
    (("watch", "new"), "no index", ExitCode.no_index),
    (("watch", "add", "w", "port"), "no index", ExitCode.no_index),
    (("watch", "remove", "w"), "no index", ExitCode.no_index),
    (("search", "port"), "folder of other files", ExitCode.no_index),
    (("reindex",), "folder of other files", ExitCode.no_index),
    (("clear-cache",), "folder of other files", ExitCode.no_index),
    (("search", "port"), "index of an older schema", ExitCode.incompatible_index),
    (("show", "C09900011"), "sample index", ExitCode.ok),
    (("show", "C00000000"), "sample index", ExitCode.not_found),
    (("similar", "C00000000"), "sample index", ExitCode.not_found),
    (("diff", "C09900011", "C00000000"), "sample index", ExitCode.not_found),
    (("diff", "C09900011", "C09900011"), "sample index", ExitCode.bad_args),
    (("diff", "C09900011"), "sample index", ExitCode.bad_args),
    (("watch", "remove", "nosuch"), "sample index", ExitCode.not_found),
    (("watch", "new", "nosuch"), "sample index", ExitCode.not_found),
    (("search", "foo:bar"), "sample index", ExitCode.bad_query),
    (("search", "date:"), "sample index", ExitCode.bad_query),
    (("export", "--since", "2011-13"), "sample index", ExitCode.bad_query),
    (("search", "port"), "unreadable foia-index.json", ExitCode.damaged_index),
]


@pytest.mark.parametrize(
    ("command", "situation", "code"), EXIT_CASES, ids=[f"{' '.join(c)} / {s}" for c, s, _ in EXIT_CASES]
)
def test_exit_code(
    command: tuple[str, ...], situation: str, code: ExitCode, sample_index: Path, tmp_path: Path
) -> None:
    index = SITUATIONS[situation](tmp_path, sample_index)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "broken.pdf").write_bytes(b"%PDF-1.4\nnot a PDF at all\n")
    malformed = tmp_path / "aliases.txt"
    malformed.write_text("Just one name\n")
    fill = {"releases": RELEASES, "broken": broken, "tmp": tmp_path, "malformed": malformed}
    result = foia(*(part.format(**fill) for part in command), "--index", index)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if code not in (ExitCode.ok, ExitCode.some_files_failed):
        assert result.stderr.strip(), "a failure says why"


def test_index_busy_exits_5(index: Path) -> None:
    """While another process holds the index's write lock, `index` and `reindex` exit 5."""
    holder = (
        "import sys, time; from pathlib import Path; from indexer.store import exclusive\n"
        "with exclusive(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, "-c", holder, str(index)], stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline() == "locked\n"
            for command in (("index", RELEASES), ("reindex",)):
                result = foia(*command, "--index", index)
                assert result.exit_code == ExitCode.index_busy, result.output
                assert "another foia index or reindex run is writing to this index" in result.stderr
        finally:
            proc.kill()


def test_ctrl_c_exits_130(index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(query.cli, "search", interrupted)
    result = foia("search", "port", "--index", index)
    assert (result.exit_code, result.stderr) == (ExitCode.interrupted, "interrupted\n")


def test_help_lists_the_exit_code_table() -> None:
    help_text = foia("--help").stdout
    listed = dict(re.findall(r"^ +(\d+)  (.+)$", help_text.split("Exit codes:", 1)[1], re.MULTILINE))
    assert {int(code): meaning for code, meaning in listed.items()} == {int(c): m for c, m in EXIT_MEANINGS.items()}


# --- suggested commands run as written -------------------------------------------------------------


def suggested(text: str) -> list[str]:
    """The `foia ...` commands a message suggests, in backticks."""
    return re.findall(r"`foia ([^`]*)`", text)


def run_suggested(text: str, fill: dict[str, Path] | None = None) -> list[Result]:
    """Run every command `text` suggests, placeholders in capitals filled from `fill`; each must
    exit 0. Returns their results."""
    commands = suggested(text)
    assert commands, f"no command suggested in {text!r}"
    results = []
    for command in commands:
        argv = [str((fill or {}).get(arg, arg)) for arg in shlex.split(command)]
        assert not [a for a in argv if re.fullmatch(r"[A-Z]{2,}", a)], f"unfilled placeholder in {command!r}"
        result = foia(*argv)
        assert result.exit_code == 0, (command, result.output)
        results.append(result)
    return results


def test_no_index_suggests_the_command_that_creates_it(tmp_path: Path) -> None:
    """The path is quoted for the shell: a folder with a space runs as written too."""
    missing = tmp_path / "my index"
    for command in (("search", "port"), ("status",), ("reindex",), ("clear-cache",), ("watch", "list")):
        result = foia(*command, "--index", missing)
        assert result.exit_code == ExitCode.no_index
        assert suggested(result.stderr) == [f"index PATH --index '{missing}'"]
    run_suggested(foia("search", "port", "--index", missing).stderr, {"PATH": RELEASES})
    assert foia("search", "port", "--index", missing).exit_code == 0


def test_folder_of_other_files_suggests_a_new_folder(tmp_path: Path) -> None:
    """A folder of other files cannot take an index: the suggestion names a new folder (DIR)."""
    junk = _other_files(tmp_path, tmp_path)
    result = foia("search", "port", "--index", junk)
    assert "it is a folder of other files" in result.stderr
    assert suggested(result.stderr) == ["index PATH --index DIR"]
    run_suggested(result.stderr, {"PATH": RELEASES, "DIR": tmp_path / "new-index"})
    assert foia("search", "port", "--index", tmp_path / "new-index").exit_code == 0


@pytest.mark.parametrize(
    ("damage", "code"),
    [
        ("old schema", ExitCode.incompatible_index),
        ("unreadable foia-index.json", ExitCode.damaged_index),
        ("no foia-index.json", ExitCode.damaged_index),
        ("damaged whoosh files", ExitCode.damaged_index),
    ],
)
def test_broken_index_suggests_the_reindex_that_mends_it(index: Path, damage: str, code: ExitCode) -> None:
    meta = index / "foia-index.json"
    if damage == "old schema":
        meta.write_text(json.dumps({"schema_version": SCHEMA_VERSION - 1}))
    elif damage == "unreadable foia-index.json":
        meta.write_text("{not json")
    elif damage == "no foia-index.json":
        meta.unlink()
    else:
        for toc in (index / "whoosh").glob("_foia_*.toc"):
            toc.write_bytes(b"garbage")
    result = foia("search", "port", "--index", index)
    assert result.exit_code == code, result.output
    assert suggested(result.stderr) == [f"reindex --index {index}"]
    run_suggested(result.stderr)
    assert foia("search", "port", "--index", index).exit_code == 0


def test_status_of_a_gone_file_suggests_the_prune_that_removes_it(tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    folder.mkdir()
    for name in ("plain-text-release.txt", "state-email-release.pdf"):
        shutil.copy(RELEASES / name, folder)
    index = tmp_path / "ix"
    assert foia("index", folder, "--index", index).exit_code == 0
    (folder / "plain-text-release.txt").unlink()
    status = foia("status", "--index", index).stdout
    assert f"gone: {folder / 'plain-text-release.txt'}" in status
    run_suggested(status, {"PATH": folder})
    assert "0 gone" in foia("status", "--index", index).stdout


def test_pages_waiting_for_ocr_name_the_command_that_reads_them(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    result = foia("index", SCANNED, "--ocr", "never", "--index", index)
    assert suggested(result.stderr) == [f"index {SCANNED} --index {index}"]
    status = foia("status", "--index", index).stdout
    assert f"waiting for OCR: {SCANNED}: 1 page" in status
    (ocr_run,) = run_suggested(status)
    if HAVE_OCR:  # always in CI
        assert "1 page read by OCR" in ocr_run.stderr
        assert "waiting for OCR" not in foia("status", "--index", index).stdout


def test_ocr_summary_names_the_command_to_run_again(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    result = foia("index", SCANNED, RELEASES / "plain-text-release.txt", "--ocr", "never", "--index", index)
    assert "1 page has no text layer and needs OCR: OCR was off (--ocr never); then run `foia index" in result.stderr
    (again,) = run_suggested(result.stderr)
    if HAVE_OCR:
        assert "1 page read by OCR" in again.stderr


def test_ocr_summary_after_many_paths_says_path(tmp_path: Path) -> None:
    """A shell glob can give thousands of paths: past five, the command to run again says PATH."""
    notes = []
    for number in range(5):
        notes.append(tmp_path / f"note{number}.txt")
        notes[-1].write_text(f"Note {number} on the harbor schedule.\n")
    index = tmp_path / "ix"
    result = foia("index", SCANNED, *notes, "--ocr", "never", "--index", index)
    assert suggested(result.stderr) == [f"index PATH --index {index}"]
    run_suggested(result.stderr, {"PATH": SCANNED})


def test_watch_messages_suggest_commands_that_work(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert foia("index", RELEASES / "plain-text-release.txt", "--index", index).exit_code == 0
    assert foia("watch", "add", "budget", "budget", "--index", index).exit_code == 0
    taken = foia("watch", "add", "budget", "port", "--index", index)
    assert taken.exit_code == ExitCode.bad_args
    run_suggested(taken.stderr)
    assert foia("watch", "add", "budget", "port", "--index", index).exit_code == 0
    for command in (("remove", "nosuch"), ("new", "nosuch")):
        unknown = foia("watch", *command, "--index", index)
        assert unknown.exit_code == ExitCode.not_found
        assert run_suggested(unknown.stderr)[0].stdout.startswith("budget: port")
    indexed = foia("index", RELEASES / "production-several-documents.pdf", "--index", index)
    assert "watch budget: 3 new hits" in indexed.stderr
    (listed,) = run_suggested(indexed.stderr)
    assert "budget (port): 3 new" in listed.stdout


def _message_strings(path: Path) -> list[str]:
    """The string literals and f-string texts of a module, but for docstrings (strings standing
    alone as statements) and the one function that writes commands, `foia_command`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    left_out = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    for helper in ast.walk(tree):
        if isinstance(helper, ast.FunctionDef) and helper.name == "foia_command":
            left_out |= {id(node) for node in ast.walk(helper)}
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in left_out
    ]


def test_suggested_commands_are_built_to_run_as_written() -> None:
    """Messages build the commands they suggest with `foia_command`, which quotes paths, rather
    than writing one by hand (`foia index --ocr auto` once lacked its PATH)."""
    sources = [*(ROOT / "indexer").glob("*.py"), *(ROOT / "query").glob("*.py")]
    hand_written = [(p.name, text) for p in sources for text in _message_strings(p) if "`foia " in text]
    assert hand_written == []


# --- a closed pipe -----------------------------------------------------------------------------------

PIPED = [
    ("search", "port"),
    ("search", "port", "--format", "json"),
    ("search", "port", "--format", "jsonl"),
    ("search", "port", "--format", "csv"),
    ("facets",),
    ("facets", "--json"),
    ("people",),
    ("people", "--json"),
    ("similar", "C09900011"),
    ("show", "C09900011"),
    ("show", "C09900011", "--json"),
    ("diff", "C09900011", "C09900013"),
    ("export",),
    ("export", "--format", "csv"),
    ("status",),
    ("status", "--json"),
    ("watch", "list"),
    ("watch", "new", "--peek"),
    ("watch", "new", "--peek", "--json"),
    ("index", str(RELEASES), "--json"),
    ("reindex", "--json"),
]


@pytest.fixture(scope="module")
def piped_index(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("piped") / "foia-index"
    shutil.copytree(sample_index, copy)
    assert foia("watch", "add", "budget", "budget", "--index", copy).exit_code == 0
    return copy


@pytest.mark.parametrize("command", [*PIPED, ("--version",)], ids=" ".join)
def test_a_closed_pipe_exits_0_quietly(command: tuple[str, ...], piped_index: Path) -> None:
    """`foia ... | head -1`: the reader is gone before the first write (its end of the pipe is
    closed at once), and the command stops with exit code 0 and nothing on stderr."""
    args = [*command] if command[0].startswith("--") else [*command, "--index", str(piped_index)]
    with subprocess.Popen(
        [sys.executable, "-m", "query.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        stderr = proc.stderr.read().decode()
        assert (proc.wait(), stderr) == (0, "")


# --- --help and --version ------------------------------------------------------------------------------


def _commands() -> list[tuple[str, ...]]:
    group = typer.main.get_command(app)
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", {})
        found.extend([(name, sub) for sub in subcommands] or [(name,)])
    return found


@pytest.mark.parametrize("command", [(), *_commands()], ids=lambda c: " ".join(c) or "foia")
def test_help_paragraphs_are_wrapped_whole_and_flags_take_no_value(command: tuple[str, ...]) -> None:
    """At the test runner's 80 columns, every line of a paragraph but its last is as full as it can be (no line
    broken where the source text happened to break), and no option shows a `<bool>` value."""
    result = foia(*command, "--help")
    assert result.exit_code == 0
    assert "<bool>" not in result.stdout
    description = result.stdout.split("\n\n", 1)[1].split("\nArguments:")[0].split("\nOptions:")[0]
    for paragraph in description.strip("\n").split("\n\n"):
        lines = paragraph.splitlines()
        if lines[0].strip() == "Exit codes:":
            continue  # a table, one code a line
        for line, following in zip(lines, lines[1:], strict=False):
            assert len(line) + 1 + len(following.split()[0]) > 80, (line, following)


def test_command_list_shows_each_summary_whole() -> None:
    summaries = dict(re.findall(r"^  (\S+) +(.+)$", foia("--help").stdout.split("Commands:")[1], re.MULTILINE))
    assert set(summaries) == {c[0] for c in _commands()}
    assert not [s for s in summaries.values() if s.endswith("...") and not s.endswith("exemption...")]


def test_boolean_flags_parse_as_they_show(tmp_path: Path) -> None:
    help_text = foia("index", "--help").stdout
    assert "--prune / --no-prune" in help_text
    refused = foia("index", RELEASES, "--prune=yes", "--index", tmp_path / "ix")
    assert refused.exit_code == ExitCode.bad_args
    assert "Option '--prune' does not take a value" in refused.stderr
    assert foia("index", RELEASES / "plain-text-release.txt", "--no-prune", "--index", tmp_path / "ix").exit_code == 0


def test_version_comes_from_the_package_metadata() -> None:
    result = foia("--version")
    assert (result.exit_code, result.stdout) == (0, f"foia-search {version('foia-search')}\n")


# --- alias files ---------------------------------------------------------------------------------------


def test_a_missing_alias_file_is_an_error(index: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent.txt"
    for given in (("--aliases", str(missing)), ()):
        result = foia("export", "port", *given, "--index", index, env={"FOIA_ALIASES": str(missing)})
        assert (result.exit_code, result.stdout) == (ExitCode.bad_args, "")
        assert result.stderr == f"error: no alias file at {missing}\n"


def test_an_index_without_aliases_txt_has_no_aliases(index: Path) -> None:
    assert not (index / "aliases.txt").exists()
    assert foia("search", "port", "--index", index).exit_code == 0
    (index / "aliases.txt").write_text("Dana Rivera = Rivera, Dana L\n")
    result = foia("facets", "--by", "sender", "--json", "--index", index)
    assert {"value": "Dana Rivera", "count": 1} in json.loads(result.stdout)["facets"]["sender"]


# --- a field without a value ---------------------------------------------------------------------------


@pytest.mark.parametrize("field", sorted(known_fields(build_schema())))
def test_a_field_without_a_value_gets_a_hint_that_works(field: str) -> None:
    """`date:` alone says what a date is and gives an example that itself is a valid query
    (`date:word`, once suggested, is no date)."""
    with pytest.raises(QueryError) as caught:
        parse_query(f"{field}:")
    message = str(caught.value)
    assert message.startswith(f"{field}: needs a value (")
    example = message.split(", as in ", 1)[1]
    assert example.startswith(f"{field}:")
    parse_query(example)
