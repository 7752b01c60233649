"""The README stays true: every command documented, the test command the one CI runs."""

from __future__ import annotations

from pathlib import Path

import typer.main

from query.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest -q"


def test_every_command_is_in_the_readme() -> None:
    names = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert names == [
        "clear-cache",
        "export",
        "facets",
        "index",
        "people",
        "reindex",
        "search",
        "show",
        "similar",
        "status",
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
