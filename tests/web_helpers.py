"""Helpers of the reading room's tests: sample indexes, a release holding HTML, and `foia serve`
run as a user runs it (a child process on a free port, its URL read from what it prints)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from indexer import Options, index_paths
from indexer.store import manifest_of

ROOT = Path(__file__).resolve().parents[1]
RELEASES = ROOT / "corpus" / "releases"
STATE_PDF = ROOT.parent / "shared" / "corpus" / "state-f2015-04841" / "pdf"
STATE_FILES = ("C05739545.pdf", "C05739547.pdf", "C05739554.pdf", "C05739560.pdf")
"""A few State release PDFs (stamped emails, some pages in part released) for the browser tests."""

HOSTILE_TEXT = """\
From: Mallory <mallory@example.com>
Sent: Monday, March 7, 2011 9:15 AM
To: Jane Roe <jane.roe@example.gov>
Subject: <script>alert("subject")</script> quarterly <b>harbor</b> figures

Dear Jane,

The harbor figures are attached. <script>alert("body")</script>
<img src=x onerror=alert("img")> and a link <a href="javascript:alert(1)">here</a>.
Write to <jane.roe@example.gov> for the annex.
"""
"""A text release whose subject and body hold HTML and angle-bracket addresses."""


def doc_id(index: Path, name: str, first_page: int = 1) -> str:
    """The id of the document starting on `first_page` of the file whose path ends with `name`."""
    manifest = manifest_of(index)
    try:
        record = next(r for r in manifest.records() if r.path.endswith(name))
    finally:
        manifest.close()
    return f"{record.sha256[:12]}-p{first_page}"


def build_index(folder: Path, *paths: Path) -> Path:
    """An index of the files and folders given, in `folder`."""
    index_paths(list(paths), folder, options=Options(workers=1))
    return folder


def hostile_release(folder: Path) -> Path:
    """A folder with one text release holding HTML (`HOSTILE_TEXT`)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hostile-release.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    return folder


def copy_state_files(folder: Path) -> Path:
    """A folder holding copies of `STATE_FILES` (copied to a temporary folder, never the repository)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in STATE_FILES:
        shutil.copy2(STATE_PDF / name, folder / name)
    return folder


@dataclass
class Served:
    """A `foia serve` child process, the URL it said, and what it printed after (read as it comes,
    so the pipe never fills)."""

    process: subprocess.Popen[str]
    url: str
    said: list[str] = field(default_factory=list)
    """What it printed up to its URL."""
    log: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.url.split("?", 1)[0].rstrip("/")


_URL = re.compile(r"at (http://\S+) \(Ctrl\+C stops\)")


@contextmanager
def foia_serve(
    index: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60.0
) -> Iterator[Served]:
    """`foia serve --index INDEX --port 0 ARGS` in a child process (with `env` added to a
    FOIA_TOKEN-free environment) until the block ends."""
    command = [sys.executable, "-m", "query.cli", "serve", "--index", str(index), "--port", "0", *args]
    env = {k: v for k, v in os.environ.items() if k != "FOIA_TOKEN"} | (env or {})
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
                               cwd=ROOT)  # fmt: skip
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + timeout
        said = []
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            said.append(line)
            found = _URL.search(line)
            if found:
                served = Served(process, found.group(1), said)
                threading.Thread(target=served.log.extend, args=(process.stderr,), daemon=True).start()
                yield served
                return
        raise AssertionError(f"foia serve said no URL: {''.join(said)!r}, exit code {process.poll()}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
