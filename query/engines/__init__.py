"""The engines holding an index's documents, on the query side: Whoosh (`query.search` and the
modules it uses) and OpenSearch (`opensearch`, imported only for an index folder that records it;
see `indexer.backend`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from indexer.backend import Kind, read_backend

if TYPE_CHECKING:
    from .opensearch import Folder


def on_cluster(index_dir: Path) -> Folder | None:
    """The OpenSearch engine of an index folder whose documents are on a cluster; None for a
    folder whose documents are in its own Whoosh index (or that holds no index)."""
    backend = read_backend(index_dir)
    if backend.kind is not Kind.opensearch:
        return None
    from .opensearch import folder

    return folder(index_dir, backend)
