"""The extraction cache: pages of each file, keyed by content hash and PDF engine, and pages read
by OCR, keyed by content hash, language and page.

Re-indexing after a change of schema or stamp rules reads pages from here instead of running
pdfminer or Tesseract again. Text-layer pages and OCR'd pages are kept apart, so a run that did
no OCR (`--ocr never`, or Tesseract missing) never hides a page from a later run that does, and
a page is OCR'd once per language. One gzip'd JSON file per entry, written atomically.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .extract import Page
from .ocr import DEFAULT_LANG

CACHE_FORMAT = 1
OCR_FORMAT = 1
"""Bumped when OCR output changes (rendering, layout), so older OCR entries are read again."""


class ExtractionCache:
    """Pages by content hash, in a folder of their own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, sha256: str, key: str) -> Path:
        return self.folder / sha256[:2] / f"{sha256}.{key}.json.gz"

    def get(self, sha256: str, engine: str) -> list[Page] | None:
        """The cached text-layer pages, or None when absent or unreadable."""
        data = self._read(self._path(sha256, engine))
        if data is None or data.get("format") != CACHE_FORMAT:
            return None
        return [_page(p) for p in data["pages"]]

    def put(self, sha256: str, engine: str, pages: list[Page]) -> None:
        """Store text-layer pages; a crash mid-write leaves no partial entry."""
        data = {"format": CACHE_FORMAT, "pages": [{"number": p.number, "rows": p.rows} for p in pages]}
        self._write(self._path(sha256, engine), data)

    def get_ocr(self, sha256: str, lang: str | None, number: int) -> Page | None:
        """Page `number` as OCR read it in `lang` (None: in whichever language it was read, the
        default one first), or None when it was never OCR'd so."""
        keys = [_ocr_key(lang or DEFAULT_LANG, number)]
        if lang is None:
            found = self._path(sha256, _ocr_key("*", number))
            keys += sorted(path.name[len(sha256) + 1 : -len(".json.gz")] for path in found.parent.glob(found.name))
        for key in keys:
            data = self._read(self._path(sha256, key))
            if data is not None and data.get("format") == OCR_FORMAT:
                return _page(data["page"])
        return None

    def put_ocr(self, sha256: str, lang: str, page: Page) -> None:
        """Store one OCR'd page (its rows and confidence)."""
        record = {"number": page.number, "rows": page.rows, "confidence": page.ocr_confidence}
        self._write(self._path(sha256, _ocr_key(lang, page.number)), {"format": OCR_FORMAT, "page": record})

    @staticmethod
    def _read(path: Path) -> dict[str, Any] | None:
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError, EOFError):
            return None
        return data if isinstance(data, dict) else None

    @staticmethod
    def _write(path: Path, data: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=3, mtime=0) as fh:
                fh.write(json.dumps(data, ensure_ascii=False).encode("utf-8"))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        count = sum(1 for _ in self.folder.rglob("*.json.gz")) if self.folder.exists() else 0
        shutil.rmtree(self.folder, ignore_errors=True)
        return count

    def size(self) -> tuple[int, int]:
        """(entries, bytes) in the cache."""
        files = list(self.folder.rglob("*.json.gz")) if self.folder.exists() else []
        return len(files), sum(f.stat().st_size for f in files)


def _ocr_key(lang: str, number: int) -> str:
    return f"ocr-{lang}.p{number}"


def _page(record: dict[str, Any]) -> Page:
    rows = tuple(tuple((int(c), str(t)) for c, t in row) for row in record["rows"])
    confidence = record.get("confidence")
    return Page(int(record["number"]), rows, None if confidence is None else float(confidence))
