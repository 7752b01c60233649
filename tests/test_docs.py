"""The README stays true: every command documented, the test command the one CI runs, every
example runs as written, the exit code table is the program's."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from indexer.errors import EXIT_MEANINGS
from query.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest -q"


def test_every_command_is_in_the_readme() -> None:
    names = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert names == [
        "clear-cache",
        "diff",
        "export",
        "facets",
        "index",
        "migrate",
        "people",
        "reindex",
        "search",
        "serve",
        "show",
        "similar",
        "status",
        "thread",
        "versions",
        "watch",
    ]
    for name in names:
        assert f"foia {name}" in README, name


def test_ci_runs_the_readme_test_command() -> None:
    assert TEST_COMMAND in README
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_quickstart_indexes_the_sample_corpus() -> None:
    assert "foia index corpus/releases --index foia-index" in README
    assert (ROOT / "corpus" / "releases").is_dir()


def code_blocks(language: str) -> list[str]:
    """The README's fenced code blocks of one language (```bash, ```text ...)."""
    return re.findall(rf"^```{language}\n(.*?)^```$", README, re.MULTILINE | re.DOTALL)


_CONTROL = {"&&", "||", ";", "|"}
_REDIRECT = {">", ">>", "<", "2>", "&>"}


def foia_commands(line: str) -> list[list[str]]:
    """The `foia` commands of one shell line, as argument lists after `foia`: the line split at
    `&&`, `;` and pipes, redirections dropped, commands of other programs left out."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    tokens = iter(lexer)
    for token in tokens:
        if token in _CONTROL:
            commands.append([])
        elif token in _REDIRECT:
            next(tokens, None)
        else:
            commands[-1].append(token)
    return [argv[1:] for argv in commands if argv and Path(argv[0]).name == "foia"]


EXAMPLES = [(line, foia_commands(line)) for block in code_blocks("bash") for line in block.splitlines()]
EXAMPLES = [(line, commands) for line, commands in EXAMPLES if commands]


def test_readme_examples_are_apart_from_the_synopsis() -> None:
    """The synopsis (placeholders, optional parts) is a ```text block; every ```bash line that
    calls `foia` is an example, run by `test_readme_example_runs_as_written`."""
    (synopsis,) = [b for b in code_blocks("text") if b.startswith("foia index PATH...")]
    names = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert {line.split()[1] for line in synopsis.splitlines() if line.startswith("foia ")} >= set(names)
    assert len(EXAMPLES) >= 15
    ran = {argv[0] for _, commands in EXAMPLES for argv in commands}
    # `foia serve` runs until stopped: its examples are ```text; tests/test_web_api.py starts it.
    # `foia migrate` needs a cluster: its examples are ```text; tests/test_backends.py runs it
    assert ran >= {*names, "--version"} - {"serve", "migrate"}, "every command has an example"
    assert not {"serve", "migrate"} & ran


@pytest.fixture(scope="module")
def example_index(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's sample index: the examples add watches and clear the cache."""
    copy = tmp_path_factory.mktemp("readme") / "foia-index"
    shutil.copytree(sample_index, copy)
    return copy


@pytest.mark.parametrize(("line", "commands"), EXAMPLES, ids=[line for line, _ in EXAMPLES])
def test_readme_example_runs_as_written(
    line: str, commands: list[list[str]], example_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each `foia` command of the README's examples exits 0 on the sample releases, run from the
    repository root with the index the quick start makes (its `--index foia-index`, or the
    default) being the session's sample index."""
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    for argv in commands:
        argv = [str(example_index) if i and argv[i - 1] == "--index" else a for i, a in enumerate(argv)]
        result = runner.invoke(app, argv, env={"FOIA_INDEX": str(example_index)})
        assert result.exit_code == 0, (line, argv, result.output)
        assert "Traceback" not in result.output


def readme_exit_codes() -> dict[int, str]:
    section = README.split("**Exit codes**", 1)[1]
    return {int(m[1]): m[2] for m in re.finditer(r"^\| (\d+) \| (.+?) \|$", section, re.MULTILINE)}


def test_readme_exit_codes_are_the_programs() -> None:
    assert readme_exit_codes() == {int(code): meaning for code, meaning in EXIT_MEANINGS.items()}
