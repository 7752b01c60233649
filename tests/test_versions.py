"""Versions and near-duplicates (issue 13) on real releases: JFK records released several times,
a hand-checked list of State document pairs (exact copy, quoted copy, unrelated with the same
subject, replies to one email), search with --collapse, `foia versions`, exports and the reading
room; and groups kept up to date as releases are added and removed, and rebuilt by reindex."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import indexer.versions
from indexer import Options, index_paths, reindex
from indexer.store import manifest_of
from query import export_records, get_document, search, versions
from query.cli import app
from query.web import create_app

JFK = ("jfk-nara/text", "jfk-nara/ocr-layer-pdf", "jfk-nara/scanned-pdf")
STATE = ("state-f2015-04841/pdf", "state-f2014-20439/txt")

JFK_RECORDS = {
    "104-10001-10034": (
        "text/2018/104-10001-10034.md", "text/2022/104-10001-10034.md", "scanned-pdf/104-10001-10034.pdf",
    ),
    "124-90158-10062": (
        "text/2018/124-90158-10062.md", "text/2022/124-90158-10062.md", "text/2025/124-90158-10062.md",
        "scanned-pdf/124-90158-10062.pdf",
    ),
    "104-10077-10136": (
        "text/2018/104-10077-10136.md", "text/2022/104-10077-10136.md", "scanned-pdf/104-10077-10136.pdf",
    ),
    "176-10011-10152": (
        "text/2023/176-10011-10152.md", "text/2025/176-10011-10152.md", "ocr-layer-pdf/176-10011-10152_ocr.pdf",
    ),
    "119-10021-10413": ("text/2025/119-10021-10413.md", "ocr-layer-pdf/119-10021-10413_ocr.pdf"),
    "124-10158-10061": ("text/2025/124-10158-10061.md", "ocr-layer-pdf/124-10158-10061_ocr.pdf"),
}  # fmt: skip
"""JFK records in several releases (NARA's text of 2018-2025, the 2025 PDFs with a third party's
OCR layer, the original scans), by record number: the files of each."""

# Each pair read in both documents (headers, quoted headers, bodies). `quoted`: the first is quoted
# (or forwarded) inside the second, whose quoted header gives the first's sender and time.
COPY = [("C05739693", "C05739695")]  # "Re: King of Morocco", 8:57 AM, printed twice, OCR'd differently
QUOTED = [
    ("C05794975", "C05791076"),  # two releases: H 3:14 PM quoted in Coleman's 3:16 PM reply
    ("C05739569", "C05739778"), ("C05739615", "C05739618"), ("C05739615", "C05739620"),
    ("C05739615", "C05739623"), ("C05739618", "C05739620"), ("C05739626", "C05739790"),
    ("C05739643", "C05739647"), ("C05739643", "C05739651"), ("C05739647", "C05739651"),
    ("C05739645", "C05739667"), ("C05739645", "C05739688"), ("C05739667", "C05739688"),
    ("C05739653", "C05739656"),  # 7:27 AM inside H's 7:32 AM reply, whose time the OCR lost ("732 AM")
    ("C05739661", "C05739663"),  # sent the same minute: Sullivan's forward of Schwerin's draft
    ("C05739676", "C05739678"), ("C05739691", "C05739699"), ("C05739691", "C05739702"),
    ("C05739699", "C05739702"), ("C05739709", "C05739721"), ("C05739714", "C05739718"),
    ("C05739716", "C05739728"), ("C05739734", "C05739744"), ("C05739769", "C05739772"),
    ("C05739787", "C05739792"), ("C05739796", "C05739800"), ("C05739810", "C05739813"),
    ("C05739823", "C05739825"), ("C05739830", "C05739834"), ("C05739849", "C05739851"),
    ("C05739849", "C05739853"), ("C05739860", "C05739862"), ("C05739887", "C05739889"),
    ("C05739909", "C05739547"),
]  # fmt: skip
UNRELATED = [  # the same subject line, different messages
    ("C05739741", "C05739758"),  # "Fw:"
    ("C05739628", "C05739790"),  # "FW: thanks": Barton's thanks, Burns's thanks
    ("C05739763", "C05739876"),  # "Libya": an NPR question, a memo on the Secretary's leadership
    ("C05739834", "C05758481"),  # "Re: Schedule", 2012 and 2009, two releases
    ("C05761622", "C05773478"),  # "Re:"
    ("C05784574", "C05795395"), ("C05758500", "C05762577"), ("C05766356", "C05787786"),  # no subject
    ("C05788979", "C05781579"), ("C05766964", "C05778945"),
]  # fmt: skip
SAME_THREAD = [  # replies to one email, neither quoting the other: one group, any link
    ("C05739618", "C05739623"), ("C05739620", "C05739623"), ("C05739794", "C05739796"),
    ("C05739794", "C05739800"), ("C05739856", "C05739858"), ("C05739851", "C05739853"),
]  # fmt: skip

runner = CliRunner()


def _doc_id(index: Path, path: Path, first_page: int = 1) -> str:
    manifest = manifest_of(index)
    try:
        record = manifest.get(str(path))
    finally:
        manifest.close()
    assert record is not None, path
    return f"{record.sha256[:12]}-p{first_page}"


@pytest.fixture(scope="module")
def index(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two State releases, then the JFK releases added in a second run (scans without OCR:
    their record numbers are in their names)."""
    folder = tmp_path_factory.mktemp("versions") / "ix"
    assert index_paths([shared_corpus / p for p in STATE], folder).ok
    assert index_paths([shared_corpus / p for p in JFK], folder, options=Options(ocr="never")).ok
    return folder


def _relation(index: Path, a: str, b: str) -> str | None:
    """How `b` is linked to `a` (by doc number) as `foia versions a` lists it; None when it is not
    among its versions."""
    found = {v.doc_number: v.relation for v in versions(index, a)}
    return found.get(b)


def test_state_exact_copies_are_copies(index: Path) -> None:
    for a, b in COPY:
        assert _relation(index, a, b) == "copy", (a, b)
        assert _relation(index, b, a) == "copy", (b, a)


@pytest.mark.parametrize(("quoted", "quoting"), QUOTED)
def test_state_quoted_copies_are_quoted(index: Path, quoted: str, quoting: str) -> None:
    assert _relation(index, quoting, quoted) == "quoted"
    assert _relation(index, quoted, quoting) == "quotes"


@pytest.mark.parametrize(("a", "b"), UNRELATED)
def test_state_unrelated_documents_of_one_subject_stay_apart(index: Path, a: str, b: str) -> None:
    assert _relation(index, a, b) is None
    assert _relation(index, b, a) is None


@pytest.mark.parametrize(("a", "b"), SAME_THREAD)
def test_state_replies_to_one_email_share_its_group(index: Path, a: str, b: str) -> None:
    assert _relation(index, a, b) is not None


def test_hand_checked_state_pairs_are_at_least_30() -> None:
    assert len(COPY) + len(QUOTED) + len(UNRELATED) >= 30


@pytest.mark.parametrize("record", sorted(JFK_RECORDS))
def test_jfk_records_released_several_times_are_versions(index: Path, shared_corpus: Path, record: str) -> None:
    ids = {_doc_id(index, shared_corpus / "jfk-nara" / name) for name in JFK_RECORDS[record]}
    for doc_id in ids:
        listed = {v.id: v.relation for v in versions(index, doc_id)}
        assert set(listed) >= ids, record
        assert {listed[i] for i in ids - {doc_id}} <= {"version", "group"}, record
        assert "version" in listed.values()


def test_jfk_record_numbers_that_differ_are_not_joined_by_a_shared_cover_memo(index: Path, shared_corpus: Path) -> None:
    """docid-32108742 and docid-32108731 (records 111-10001-10094 and -10090) are mostly NARA's
    2022 "pending resolution" memo: two records, not a quote of one in the other."""
    text = shared_corpus / "jfk-nara" / "text" / "2022"
    a, b = (_doc_id(index, text / name) for name in ("docid-32108742.md", "docid-32108731.md"))
    assert b not in {v.id for v in versions(index, a)}


def test_search_collapse_shows_one_hit_per_record(index: Path) -> None:
    """`oswald` lists record 124-10158-10061 twice (NARA's 2025 text and the OCR-layer PDF);
    collapsed it is one hit saying it has 2 versions."""
    plain = search(index, "oswald", limit=20)
    groups = [h.group for h in plain.hits if h.group]
    assert len(groups) > len(set(groups))
    collapsed = search(index, "oswald", limit=20, collapse=True)
    keys = [h.group or h.id for h in collapsed.hits]
    assert len(keys) == len(set(keys))
    assert collapsed.folded >= len(groups) - len(set(groups))
    lane = [h for h in collapsed.hits if h.doc_number == "32165536"]
    assert len(lane) == 1 and lane[0].versions == 2
    assert collapsed.total == plain.total


def test_collapse_pages_do_not_repeat_a_group(index: Path) -> None:
    first = search(index, "libya", limit=5, collapse=True)
    second = search(index, "libya", limit=5, page=2, collapse=True)
    keys = [h.group or h.id for h in (*first.hits, *second.hits)]
    assert len(keys) == 10 and len(set(keys)) == 10


def test_versions_are_oldest_release_first(index: Path) -> None:
    listed = versions(index, "C05791076")
    dates = [v.release_date for v in listed]
    assert {v.doc_number for v in listed} >= {"C05791076", "C05794975"}
    assert dates == sorted(dates)  # type: ignore[type-var]
    assert dates[0] is not None and dates[0].year == 2015 and dates[0].month == 12


def test_cli_versions_and_collapsed_json(index: Path) -> None:
    result = runner.invoke(app, ["versions", "C05739643", "--json", "--index", str(index)])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    shown = {v["doc_number"]: v["relation"] for v in body["versions"]}
    assert shown["C05739643"] == "self" and shown["C05739647"] == "quotes"
    table = runner.invoke(app, ["versions", "C05739643", "--index", str(index)])
    assert "this document" in table.stdout and "C05739651" in table.stdout
    found = runner.invoke(app, ["search", "oswald", "--collapse", "--format", "json", "--index", str(index)])
    hits = json.loads(found.stdout)["hits"]
    assert max(h["versions"] for h in hits) == 2
    missing = runner.invoke(app, ["versions", "C00000000", "--index", str(index)])
    assert missing.exit_code != 0 and "no document" in missing.output


def test_export_records_carry_versions(index: Path) -> None:
    records = {r["doc_number"]: r for r in export_records(index, "doc:C05739643 OR doc:C05739545")}
    assert records["C05739643"]["versions"] >= 3 and records["C05739643"]["group"]
    assert records["C05739545"]["versions"] == 1 and records["C05739545"]["group"] is None


def test_reading_room_collapses_and_lists_versions(index: Path) -> None:
    client = TestClient(create_app(index), base_url="http://localhost")
    hits = client.get("/api/search", params={"q": "oswald", "size": 20}).json()["hits"]
    keys = [h["group"] or h["id"] for h in hits]
    assert len(keys) == len(set(keys)) and max(h["versions"] for h in hits) == 2
    page = client.get("/", params={"q": "oswald"}).text
    assert "2 versions" in page
    doc = get_document(index, "C05739643").id
    listed = client.get(f"/api/documents/{doc}").json()["versions"]
    assert {v["relation"] for v in listed} >= {"self", "quotes"}
    assert 'id="versions"' in client.get(f"/doc/{doc}").text


@pytest.fixture()
def releases(shared_corpus: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Record 124-90158-10062 as NARA released it in 2018 and in 2022, each in a folder of its own."""
    text = shared_corpus / "jfk-nara" / "text"
    first, second = tmp_path / "2018", tmp_path / "2022"
    for folder in (first, second):
        folder.mkdir()
        shutil.copy(text / folder.name / "124-90158-10062.md", folder)
    return first, second


def test_adding_a_release_signs_only_its_documents_and_joins_the_group(
    releases: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = releases
    ix = tmp_path / "ix"
    assert index_paths([first], ix).ok
    (alone,) = versions(ix, _doc_id(ix, first / "124-90158-10062.md"))
    assert alone.relation == "self"
    signed: list[str] = []
    sign = indexer.versions.sign
    monkeypatch.setattr(
        indexer.versions, "sign", lambda fields, tokens=None: signed.append(fields["id"]) or sign(fields, tokens)
    )
    assert index_paths([second], ix).ok
    new = _doc_id(ix, second / "124-90158-10062.md")
    assert signed == [new]
    assert {v.relation for v in versions(ix, new)} == {"self", "version"}


def test_a_removed_file_leaves_its_group_and_reindex_rebuilds_groups(
    releases: tuple[Path, Path], tmp_path: Path
) -> None:
    first, second = releases
    ix = tmp_path / "ix"
    assert index_paths([first, second], ix).ok
    old = _doc_id(ix, first / "124-90158-10062.md")
    assert len(versions(ix, old)) == 2
    (indexer_file := ix / indexer.versions.VERSIONS_FILE).unlink()
    assert reindex(ix).ok
    assert indexer_file.is_file() and len(versions(ix, old)) == 2
    (second / "124-90158-10062.md").unlink()
    assert index_paths([first], ix, prune=True).ok
    assert [v.id for v in versions(ix, old)] == [old]


def test_a_damaged_version_store_shows_no_groups_then_is_made_again(
    releases: tuple[Path, Path], tmp_path: Path
) -> None:
    first, second = releases
    ix = tmp_path / "ix"
    assert index_paths([first, second], ix).ok
    old = _doc_id(ix, first / "124-90158-10062.md")
    (ix / indexer.versions.VERSIONS_FILE).write_bytes(b"not a database" * 100)
    assert [v.id for v in versions(ix, old)] == [old]
    assert search(ix, "posada", collapse=True).hits[0].versions == 1
    assert index_paths([first, second], ix).ok  # nothing new to index: the store is made again
    assert len(versions(ix, old)) == 2
