"""Shared fixtures: where the real FOIA releases live (outside the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The real releases in `../shared/corpus`; tests that need them skip only if the folder is absent."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"shared corpus of real FOIA releases not found at {SHARED_CORPUS}")
    return SHARED_CORPUS
