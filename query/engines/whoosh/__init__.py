"""The Whoosh engine of the query layer (see `query.engines`)."""

from __future__ import annotations

from .search import WhooshEngine, keep_open

__all__ = ["WhooshEngine", "keep_open"]
