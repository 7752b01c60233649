"""How long `foia diff` takes to align two releases of a record, against a bare word diff.

Real NARA JFK records released twice: a 2025 plain-text release against the 2025 PDF of the same
record with another OCR run's text layer (the noisiest pairs, 1 to 25 pages), and the 2023
against the 2025 text release of 176-10011-10152. Each pair is indexed into a scratch folder
(or read from `--index DIR`, an index of `../shared/corpus/jfk-nara` holding both files).

For each pair: the words on each side, the time of `query.diff.diff_documents` (best of N), and
the baseline measured in the same run: difflib's `SequenceMatcher` over the two texts' words as
printed (no OCR folding, no codes, no footers), the least a word diff costs. The ratio is what
folding OCR noise and weighing each differing stretch add. There is no target; a diff should
answer in well under a second for a record of a few dozen pages.

    .venv/bin/python bench/diff_speed.py [--quick] [--index DIR]
"""

from __future__ import annotations

import argparse
from difflib import SequenceMatcher
from pathlib import Path

from _common import CORPUS, arguments, best, header, require, scratch, timed

from indexer import Options, index_paths
from indexer.store import manifest_of
from query.diff import diff_documents
from query.search import StoredDocument, get_document

JFK = CORPUS / "jfk-nara"
PAIRS = [
    ("text/2023/176-10011-10152.md", "text/2025/176-10011-10152.md"),
    ("text/2025/176-10011-10152.md", "ocr-layer-pdf/176-10011-10152_ocr.pdf"),
    ("text/2025/177-10002-10096.md", "ocr-layer-pdf/177-10002-10096_ocr.pdf"),
    ("text/2025/119-10021-10413.md", "ocr-layer-pdf/119-10021-10413_ocr.pdf"),
]


def _index_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", type=Path, help="an index of ../shared/corpus/jfk-nara holding the pairs")


def _document(index: Path, name: str) -> StoredDocument:
    """The document starting on page 1 of the file whose path ends with `name`."""
    manifest = manifest_of(index)
    try:
        record = next(r for r in manifest.records() if r.path.endswith(name))
    finally:
        manifest.close()
    return get_document(index, f"{record.sha256[:12]}-p1")


def _bare(older: StoredDocument, newer: StoredDocument) -> None:
    words = str(older.fields["text"]).split(), str(newer.fields["text"]).split()
    SequenceMatcher(None, *words, autojunk=False).get_opcodes()


def run(index: Path, repeat: int) -> None:
    print(f"{'pair':<62} {'words':>11} {'diff s':>7} {'bare s':>7} {'ratio':>6}  passages")
    for older_name, newer_name in PAIRS:
        older, newer = _document(index, older_name), _document(index, newer_name)
        words = f"{len(str(older.fields['text']).split())}/{len(str(newer.fields['text']).split())}"
        ours = best([timed(lambda: diff_documents(older, newer)) for _ in range(repeat)])  # noqa: B023
        bare = best([timed(lambda: _bare(older, newer)) for _ in range(repeat)])  # noqa: B023
        diff = diff_documents(older, newer)
        label = f"{older_name.split('/')[-1]} vs {'/'.join(newer_name.split('/')[-2:])}"
        counts = f"{diff.revealed} revealed, {diff.withheld} withheld, {diff.changed} changed, {diff.folded} folded"
        print(f"{label:<62} {words:>11} {ours:>7.3f} {bare:>7.3f} {ours / bare:>5.1f}x  {counts}")


def main() -> None:
    args = arguments(__doc__, _index_arg)
    header("foia diff: aligning two releases of a record")
    repeat = 1 if args.quick else 5
    if args.index:
        run(args.index, repeat)
        return
    files = sorted({require(JFK / name) for pair in PAIRS for name in pair})
    with scratch("diff") as folder:
        assert index_paths(files, folder / "ix", options=Options(workers=1)).ok
        run(folder / "ix", repeat)


if __name__ == "__main__":
    main()
