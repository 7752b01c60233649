"""The reading room: `foia serve`, a local web app over the `query` library (search with facets
and a timeline, documents as page images beside their text, saved searches, batch search, and
the same data as a JSON API under `/api/`)."""

from __future__ import annotations

from .app import create_app
from .server import LOOPBACK_HOSTS, Server, is_loopback, start

__all__ = ["LOOPBACK_HOSTS", "Server", "create_app", "is_loopback", "start"]
