"""The index writer's merge policy: bounded segments, no whole-index rewrite at every commit."""

from __future__ import annotations

from pathlib import Path

import indexer
from indexer.store import MERGE_FACTOR, _tier, open_index, person_values


def segment_sizes(index_dir: Path) -> list[int]:
    ix = open_index(index_dir)
    try:
        with ix.reader() as reader:
            return sorted(leaf.doc_count_all() for leaf, _ in reader.leaf_readers())
    finally:
        ix.close()


def write_files(folder: Path, count: int, start: int = 0) -> None:
    folder.mkdir(exist_ok=True)
    for i in range(start, start + count):
        (folder / f"memo-{i:04d}.txt").write_text(f"Memo number {i} about harbor inspection {i * 7}.\n")


def test_tiers_are_powers_of_the_merge_factor() -> None:
    assert [_tier(n) for n in (0, 1, 9, 10, 99, 100, 999, 1000, 12345)] == [0, 0, 0, 1, 1, 2, 2, 3, 4]


def test_checkpoints_merge_by_tier_and_keep_every_document(tmp_path: Path) -> None:
    files, index = tmp_path / "files", tmp_path / "ix"
    write_files(files, 64)
    options = indexer.Options(workers=1, commit_every=2)  # 32 checkpoints of 2 documents
    report = indexer.index_paths([files], index, options=options)
    assert report.indexed == 64
    sizes = segment_sizes(index)
    assert sum(sizes) == 64
    # without merging there would be 32 segments; each tier keeps fewer than MERGE_FACTOR of them
    assert len(sizes) < 2 * MERGE_FACTOR
    assert max(sizes) >= 2 * MERGE_FACTOR


def test_a_small_run_does_not_rewrite_the_large_segments(tmp_path: Path) -> None:
    files, index = tmp_path / "files", tmp_path / "ix"
    write_files(files, 120)
    indexer.index_paths([files], index, options=indexer.Options(workers=1))
    big = segment_sizes(index)
    write_files(files, 3, start=120)
    indexer.index_paths([files], index, options=indexer.Options(workers=1))
    after = segment_sizes(index)
    assert sum(after) == 123
    assert all(size in after for size in big)  # the old segment is kept as it was


def test_person_values_come_from_live_documents_only(tmp_path: Path) -> None:
    folder = tmp_path / "emails"
    folder.mkdir()
    email = "From: Roe, Jane\nSent: Monday, March 2, 2020 9:14 AM\nTo: {to}\nSubject: Lunch\n\nYes.\n"
    (folder / "a.txt").write_text(email.format(to="Doe, John"))
    (folder / "b.txt").write_text(email.format(to="Major, Mary"))
    indexer.index_paths([folder], tmp_path / "ix")
    (folder / "b.txt").write_text(email.format(to="Lee, Ann"))  # replaces b's document: one deletion
    indexer.index_paths([folder], tmp_path / "ix")
    ix = open_index(tmp_path / "ix")
    try:
        counts, headed = person_values(ix)
    finally:
        ix.close()
    assert counts == {"Roe, Jane": 2, "Doe, John": 1, "Lee, Ann": 1}
    assert headed == {"Roe, Jane", "Doe, John", "Lee, Ann"}
