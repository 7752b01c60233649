"""Rough edges of `foia index` and `foia status`: files and folders that cannot be read are
remembered until indexed or gone, nothing found is said so, symbolic link loops are called loops,
copies are duplicates of a named file, counts agree in number, and OCR progress moves per page.

Unreadable files and folders are made with mode 000. Root reads them anyway (as in CI), so for
root the calls that open a file or list a folder are made to answer EACCES for those paths, as the
kernel does for anyone else; `test_real_permission_denied_end_to_end` checks the real kernel's
answer in a process that has dropped root's right to override permissions.
"""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from rich.console import Console
from typer.testing import CliRunner, Result

import indexer
import query.cli as cli
from indexer.errors import ExitCode
from query.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

MEMO = "Memorandum on harbor dredging\n\nThe harbor dredging schedule is attached.\n"


def foia(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def write(path: Path, text: str = MEMO) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


Deny = Callable[[Path], None]


@pytest.fixture
def deny(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Deny, Deny]]:
    """`deny(path)` makes a file or folder unreadable (mode 000, and EACCES for root); `allow(path)`
    makes it readable again."""
    denied: set[str] = set()
    real_open, real_scandir = io.open, os.scandir

    def check(path: Any) -> None:
        if isinstance(path, str | os.PathLike) and os.path.abspath(os.fspath(path)) in denied:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        check(file)
        return real_open(file, *args, **kwargs)

    def fake_scandir(path: Any = ".") -> Any:
        check(path)
        return real_scandir(path)

    if os.geteuid() == 0:  # root is not stopped by mode 000
        monkeypatch.setattr(io, "open", fake_open)
        monkeypatch.setattr(builtins, "open", fake_open)
        monkeypatch.setattr(os, "scandir", fake_scandir)

    def deny_path(path: Path) -> None:
        path.chmod(0)
        denied.add(str(path.resolve()))

    def allow_path(path: Path) -> None:
        path.chmod(0o755 if path.is_dir() else 0o644)
        denied.discard(str(path.resolve()))

    yield deny_path, allow_path
    for path in list(denied):
        allow_path(Path(path))


# --- 1. failures are remembered ------------------------------------------------------------------


def test_unreadable_file_is_listed_as_failed_by_status_until_indexed(tmp_path: Path, deny: tuple[Deny, Deny]) -> None:
    deny_path, allow_path = deny
    folder, index = tmp_path / "release", tmp_path / "ix"
    write(folder / "good.txt")
    locked = write(folder / "locked.txt", "Cable on port security\n\nThe port inspection is due.\n")
    deny_path(locked)
    failed_line = f"failed: {locked.resolve()}: cannot read file: Permission denied"

    first = foia("index", folder, "--index", index, "--workers", "1")
    assert first.exit_code == 1, first.output
    assert failed_line in first.stderr.splitlines()

    status = foia("status", "--index", index)
    assert ", 1 failed," in status.stdout
    assert failed_line in status.stdout.splitlines()
    listed = json.loads(foia("status", folder, "--index", index, "--json").stdout)
    assert listed["failed"] == [{"path": str(locked.resolve()), "reason": "cannot read file: Permission denied"}]
    assert listed["pending"] == []  # failed, not pending

    allow_path(locked)
    second = foia("index", folder, "--index", index, "--workers", "1")
    assert second.exit_code == 0, second.output
    assert second.stderr.startswith("2 files: 1 indexed, 0 replaced, 1 unchanged, 0 duplicates, 0 failed,")
    after = json.loads(foia("status", folder, "--index", index, "--json").stdout)
    assert (after["indexed"], after["failed"], after["pending"]) == (2, [], [])


def test_unreadable_folder_is_reported_counted_as_failed_and_recorded(tmp_path: Path, deny: tuple[Deny, Deny]) -> None:
    deny_path, allow_path = deny
    folder, index = tmp_path / "release", tmp_path / "ix"
    write(folder / "top.txt")
    write(folder / "sub" / "inner.txt", "Cable on port security\n\nThe port inspection is due.\n")
    sub = folder / "sub"
    deny_path(sub)
    failed_line = f"failed: {sub.resolve()}: cannot read folder: Permission denied"

    first = foia("index", folder, "--index", index, "--workers", "1")
    assert first.exit_code == 1, first.output
    lines = first.stderr.splitlines()
    assert lines[0].startswith("2 files: 1 indexed, 0 replaced, 0 unchanged, 0 duplicates, 1 failed,")
    assert failed_line in lines
    status = foia("status", "--index", index)
    assert ", 1 failed," in status.stdout
    assert failed_line in status.stdout.splitlines()

    allow_path(sub)
    second = foia("index", folder, "--index", index, "--workers", "1")
    assert second.exit_code == 0, second.output
    assert second.stderr.startswith("2 files: 1 indexed, 0 replaced, 1 unchanged, 0 duplicates, 0 failed,")
    after = json.loads(foia("status", "--index", index, "--json").stdout)
    assert (after["indexed"], after["failed"], after["gone"]) == (2, [], [])


def test_unreadable_folder_given_by_name_is_reported(tmp_path: Path, deny: tuple[Deny, Deny]) -> None:
    deny_path, _ = deny
    folder = tmp_path / "release"
    write(folder / "memo.txt")
    deny_path(folder)
    result = foia("index", folder, "--index", tmp_path / "ix")
    assert result.exit_code == 1, result.output
    assert f"failed: {folder.resolve()}: cannot read folder: Permission denied" in result.stderr.splitlines()


def test_failure_of_a_file_gone_since_is_gone_not_failed_then_forgotten(
    tmp_path: Path, deny: tuple[Deny, Deny]
) -> None:
    deny_path, allow_path = deny
    folder, index = tmp_path / "release", tmp_path / "ix"
    write(folder / "good.txt")
    locked = write(folder / "locked.txt", "Cable on port security\n")
    deny_path(locked)
    assert foia("index", folder, "--index", index, "--workers", "1").exit_code == 1
    allow_path(locked)
    locked.unlink()
    status = json.loads(foia("status", "--index", index, "--json").stdout)
    assert (status["failed"], status["gone"]) == ([], [str(locked.resolve())])
    assert foia("index", folder, "--index", index).exit_code == 0
    status = json.loads(foia("status", "--index", index, "--json").stdout)
    assert (status["failed"], status["gone"]) == ([], [])


def test_real_permission_denied_end_to_end(tmp_path: Path) -> None:
    """The kernel's own EACCES: as root, in processes without the capabilities that override file
    permissions (util-linux's setpriv); as anyone else, mode 000 is enough."""
    folder, index = tmp_path / "release", tmp_path / "ix"
    write(folder / "good.txt")
    locked = write(folder / "locked.txt", "Cable on port security\n")
    sub = folder / "sub"
    write(sub / "inner.txt", "Note on customs\n")
    locked.chmod(0)
    sub.chmod(0)
    caps = "-dac_override,-dac_read_search"
    prefix = ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", "--"] if os.geteuid() == 0 else []

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        command = [*prefix, sys.executable, "-m", "query.cli", *map(str, args), "--index", str(index)]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)

    try:
        indexed = run("index", folder, "--workers", "1")
        assert indexed.returncode == 1, indexed.stderr
        status = run("status", folder)
    finally:
        locked.chmod(0o644)
        sub.chmod(0o755)
    expected = {
        f"failed: {locked.resolve()}: cannot read file: Permission denied",
        f"failed: {sub.resolve()}: cannot read folder: Permission denied",
    }
    assert expected <= set(indexed.stderr.splitlines())
    assert expected <= set(status.stdout.splitlines())
    assert ", 2 failed," in status.stdout and "pending:" not in status.stdout


# --- 9. nothing found, loops, duplicates, plurals -------------------------------------------------


def test_index_of_an_empty_folder_says_nothing_was_found_and_exits_10(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    write(folder / ".hidden-notes.txt")
    (folder / "nested").mkdir()
    result = foia("index", folder, "--index", tmp_path / "ix")
    assert result.exit_code == ExitCode.nothing_to_index == 10
    assert result.stderr.startswith(f"error: nothing to index: no file found in {folder}")
    assert "Traceback" not in result.output
    assert not (tmp_path / "ix").exists()


def loop(folder: Path) -> tuple[Path, Path]:
    """Two symbolic links that point at each other."""
    folder.mkdir(parents=True, exist_ok=True)
    a, b = folder / "a", folder / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    return a, b


def test_symbolic_link_loop_given_by_name_is_called_a_loop(tmp_path: Path) -> None:
    a, _ = loop(tmp_path / "loop")
    result = foia("index", a, "--index", tmp_path / "ix")
    assert result.exit_code == 2
    assert "symbolic link loop" in result.stderr
    assert "does not exist" not in result.stderr
    assert not (tmp_path / "ix").exists()


def test_symbolic_link_loop_inside_a_folder_is_reported_as_failed(tmp_path: Path) -> None:
    folder, index = tmp_path / "loop", tmp_path / "ix"
    a, b = loop(folder)
    result = foia("index", folder, "--index", index)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("2 files: 0 indexed, 0 replaced, 0 unchanged, 0 duplicates, 2 failed,")
    assert {f"failed: {a}: symbolic link loop", f"failed: {b}: symbolic link loop"} <= set(lines)
    assert ", 2 failed," in foia("status", "--index", index).stdout


def test_status_of_a_missing_path_is_a_clean_error(tmp_path: Path) -> None:
    assert foia("index", write(tmp_path / "memo.txt"), "--index", tmp_path / "ix").exit_code == 0
    result = foia("status", tmp_path / "nowhere", "--index", tmp_path / "ix")
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path / 'nowhere'}: no such file or folder\n"


def test_copies_are_duplicates_that_name_the_file_they_copy(tmp_path: Path) -> None:
    folder, index = tmp_path / "release", tmp_path / "ix"
    original = write(folder / "a-memo.txt")
    copy = write(folder / "b-copy.txt")
    first = foia("index", folder, "--index", index)
    assert first.exit_code == 0, first.output
    lines = first.stderr.splitlines()
    assert lines[0].startswith("2 files: 1 indexed, 0 replaced, 0 unchanged, 1 duplicate, 0 failed,")
    same = f"same content as {original.resolve()}"
    assert f"duplicate: {copy.resolve()}: {same}" in lines
    status = foia("status", "--index", index)
    assert ", 1 duplicate," in status.stdout
    assert f"duplicate: {copy.resolve()}: {same}" in status.stdout.splitlines()

    later = write(tmp_path / "later" / "c-copy.txt")  # a copy of a file indexed by an earlier run
    second = foia("index", later, "--index", index, "--json")
    assert json.loads(second.stdout)["duplicates"] == [{"path": str(later.resolve()), "reason": same}]


def test_counts_of_one_are_singular(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    first = foia("index", write(tmp_path / "one" / "memo.txt"), "--index", index)
    assert first.stderr.splitlines()[0] == (
        f"1 file: 1 indexed, 0 replaced, 0 unchanged, 0 duplicates, 0 failed, 0 empty, 0 pruned; 1 document, "
        f"1 page added to {index}"
    )
    assert foia("watch", "add", "port", "port", "--index", index).exit_code == 0
    second = foia("index", write(tmp_path / "two" / "cable.txt", "Cable on port security\n"), "--index", index)
    assert f"watch port: 1 new hit (`foia watch new port --index {index}` lists them)" in second.stderr.splitlines()
    status = foia("status", "--index", index).stdout
    assert status.startswith(f"{index}: 2 files indexed (2 documents, 2 pages), 0 failed, 0 empty, 0 duplicates,")
    assert "cache 2 entries" in status
    rebuilt = runner.invoke(app, ["reindex", "--index", str(index)])
    assert "; 2 files read from the cache" in rebuilt.stderr
    other = foia("index", tmp_path / "one", "--index", tmp_path / "ix1")
    assert other.stderr.endswith("; 0 files read from the cache\n")
    status_one = foia("status", "--index", tmp_path / "ix1").stdout
    assert status_one.startswith(f"{tmp_path / 'ix1'}: 1 file indexed (1 document, 1 page), 0 failed")
    assert "cache 1 entry," in status_one


# --- 13. OCR progress ---------------------------------------------------------------------------


def scan(path: Path, pages: int) -> Path:
    """A PDF of `pages` page images and no text layer, as a scanner makes."""
    images = []
    for number in range(1, pages + 1):
        image = Image.new("L", (850, 1100), 255)
        ImageDraw.Draw(image).text((100, 100), f"Page {number} of the memorandum on harbor works", fill=0)
        images.append(image)
    path.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(path, save_all=True, append_images=images[1:], resolution=100)
    return path


def test_ocr_progress_moves_with_each_page_read(tesseract: None, tmp_path: Path) -> None:
    pdf = scan(tmp_path / "release" / "scan.pdf", 4)
    events: list[indexer.ProgressEvent] = []
    options = indexer.Options(workers=2, ocr="auto")
    report = indexer.index_paths([pdf.parent], tmp_path / "ix", progress=events.append, options=options)
    assert (report.pages, report.ocr_read) == (4, 4)
    ocr = [e for e in events if e.phase == "ocr"]
    assert [e.pages for e in ocr] == [1, 2, 3, 4]  # each page counted as it finishes
    assert all(e.done == 0 and e.total == 1 for e in ocr)
    assert [round(e.partial, 3) for e in ocr] == [0.2, 0.4, 0.6, 0.8]  # 4 pages, then the documents
    done = next(e for e in events if e.phase == "files")
    assert (done.done, done.pages, done.partial) == (1, 4, 0)  # its pages are not counted twice


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def bar_line(bar: cli._Bar) -> str:
    console = bar.progress.console
    with console.capture() as capture:
        console.print(bar.progress.make_tasks_table(bar.progress.tasks))
    return capture.get()


def test_progress_bar_at_80_columns_shows_files_pages_rate_and_eta_of_an_ocr_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock()
    console = Console(file=io.StringIO(), width=80, force_terminal=True, color_system=None, get_time=clock)
    monkeypatch.setattr(cli, "err", console)
    bar = cli._Bar(True)
    name = "/releases/a-scanned-release-with-a-long-file-name-from-the-agency-2015.pdf"
    for page in (1, 2):  # 2 of 40 pages OCR'd in 10 s: 5 s a page
        clock.now += 5
        bar(indexer.ProgressEvent("ocr", 0, 1, page, f"{name} p.{page}", partial=page / 41))
    line = bar_line(bar)
    assert line.count("\n") == 1 and len(line.rstrip("\n")) <= 80, line
    assert "OCR" in line
    assert "0/1 file, 2 pages, 0.2 pages/s, eta 0:03:15" in line  # 39 steps of 41 left at 5 s each


def test_progress_bar_at_80_columns_keeps_large_counts_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    console = Console(file=io.StringIO(), width=80, force_terminal=True, color_system=None, get_time=clock)
    monkeypatch.setattr(cli, "err", console)
    bar = cli._Bar(True)
    for done, phase in ((1000, "files"), (1234, "commit")):  # "committing": the longest phase
        clock.now += 20
        bar(indexer.ProgressEvent(phase, done, 5000, done * 80, "/releases/" + "x" * 100 + ".pdf"))
    line = bar_line(bar)
    assert len(line.rstrip("\n")) <= 80, line
    assert "committing" in line
    assert "1234/5000 files, 98720 pages, 2468 pages/s, eta 0:02:03" in line  # 3766 files at 1234 in 40 s
