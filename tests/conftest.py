"""Shared fixtures: where the real FOIA releases live (outside the repository).

Outside CI, tests that need `../shared/corpus` or poppler's `pdftotext` skip when they are
absent. In CI (`CI=true`) a missing corpus or tool stops the run with an error instead, so a
skip can never hide a broken install.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SHARED_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("CI", "").lower() not in ("true", "1"):
        return
    if not SHARED_CORPUS.is_dir():
        pytest.exit(f"CI needs the real releases at {SHARED_CORPUS}", returncode=1)
    if shutil.which("pdftotext") is None:
        pytest.exit("CI needs poppler's pdftotext (Debian package poppler-utils)", returncode=1)


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The real releases in `../shared/corpus`; tests that need them skip only if the folder is absent."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"shared corpus of real FOIA releases not found at {SHARED_CORPUS}")
    return SHARED_CORPUS
