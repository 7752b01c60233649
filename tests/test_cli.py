"""The `foia` command through typer's CliRunner: index, search, show, export, exit codes; and an
end-to-end run over real State Department releases and the parser-breaking PDF collection."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from indexer.ocr import unavailable_reason
from indexer.schema import SCHEMA_VERSION
from query.cli import app
from query.export import CSV_FIELDS, DOCUMENT_FIELDS, HIT_FIELDS

ROOT = Path(__file__).resolve().parents[1]
RELEASES = ROOT / "corpus" / "releases"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
STATE = CORPUS / "state-f2015-04841"
ROBUSTNESS = CORPUS / "robustness-pdf"
SCORER = SHARED / "tools" / "score_state_release.py"

CONTRACT = (
    "id", "source", "first_page", "last_page", "case_number", "doc_number", "release_date", "date",
    "sender", "recipients", "cc", "subject", "release_status", "exemptions", "classification", "text",
)  # fmt: skip
HIT_KEYS = {"id", "score", "case_number", "doc_number", "date", "sender", "subject", "page", "snippets"}
SAMPLE_DOCS = {"C09900001", "C09900011", "C09900012", "C09900013", "C09900021", None}

OCR_MISSING = unavailable_reason()

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")

runner = CliRunner()


def foia(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, [str(a) for a in args], env=env)


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def assert_clean_error(result: Result, code: int, message: str) -> None:
    """A documented exit code, one `error:` line naming the problem, and no traceback."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


# --- indexing ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    index = tmp_path_factory.mktemp("cli") / "foia-index"
    return index, foia("index", RELEASES, "--index", index)


@pytest.fixture(scope="module")
def index_dir(first_run: tuple[Path, Result]) -> Path:
    index, result = first_run
    assert result.exit_code == 0, result.output
    return index


def test_index_prints_a_summary_and_exits_0(first_run: tuple[Path, Result]) -> None:
    index, result = first_run
    assert result.exit_code == 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"4 files: 4 indexed, 0 replaced, 0 unchanged, 0 duplicates, 0 failed, 0 empty, 0 pruned; 6 documents, "
        f"13 pages added to {index}"
    )
    assert re.fullmatch(r"took \d+\.\d s \(\d+(\.\d)? pages/s\); 0 files read from the cache", lines[1]), lines[1]
    if OCR_MISSING:
        again = f"`foia index {RELEASES} --index {index}`"
        assert lines[2:] == [f"1 page has no text layer and needs OCR: {OCR_MISSING}; then run {again} again"]
    else:
        assert lines[2:] == ["1 page read by OCR"]
    assert (index / "foia-index.json").is_file()
    assert json.loads((index / "foia-index.json").read_text()) == {"schema_version": SCHEMA_VERSION}


def test_second_index_run_skips_every_file(index_dir: Path) -> None:
    result = foia("index", RELEASES, "--index", index_dir)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        f"4 files: 0 indexed, 0 replaced, 4 unchanged, 0 duplicates, 0 failed, 0 empty, 0 pruned; 0 documents, 0 pages "
        f"added to {index_dir}"
    )
    assert len(result.stderr.splitlines()) == 2
    result = foia("index", RELEASES, "--index", index_dir, "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary.pop("seconds") < 5
    assert summary == {
        "index": str(index_dir),
        "files": 4,
        "indexed": 0,
        "replaced": 0,
        "documents": 0,
        "pages": 0,
        "ocr_pages": 0,
        "ocr_read": 0,
        "ocr_unavailable": OCR_MISSING or "",
        "skipped": 4,
        "pruned": 0,
        "extracted": 0,
        "from_cache": 0,
        "failed": [],
        "warnings": [],
        "empty": [],
        "duplicates": [],
        "watches": {},
    }
    assert len(jsonl(foia("export", "--index", index_dir).stdout)) == 6  # nothing doubled


def test_quiet_index_prints_nothing(tmp_path: Path) -> None:
    result = foia("index", RELEASES / "plain-text-release.txt", "--index", tmp_path / "ix", "--quiet")
    assert result.exit_code == 0
    assert result.output == ""
    assert [r["doc_number"] for r in jsonl(foia("export", "--index", tmp_path / "ix").stdout)] == ["C09900021"]


BROKEN_PDF_REASONS = ("damaged PDF", "unreadable PDF")


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    folder = tmp_path_factory.mktemp("mixed")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< garbage")
    shutil.copyfile(RELEASES / "plain-text-release.txt", folder / "good-release.txt")
    index = tmp_path_factory.mktemp("mixed-index") / "ix"
    return folder, index, foia("index", folder, "--index", index)


def test_broken_pdf_exits_1_and_names_the_file(broken_run: tuple[Path, Path, Result]) -> None:
    folder, index, result = broken_run
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"2 files: 1 indexed, 0 replaced, 0 unchanged, 0 duplicates, 1 failed, 0 empty, 0 pruned; 1 document, 3 pages "
        f"added to {index}"
    )
    failed = [line for line in lines if line.startswith("failed: ")]
    assert len(failed) == 1
    prefix = f"failed: {folder.resolve() / 'broken.pdf'}: "
    assert failed[0].startswith(prefix)
    reason = failed[0][len(prefix) :]
    assert reason.startswith(BROKEN_PDF_REASONS), reason
    assert "good-release.txt" not in result.stderr


def test_good_file_next_to_a_broken_one_is_searchable(broken_run: tuple[Path, Path, Result]) -> None:
    folder, index, _ = broken_run
    hits = jsonl(foia("search", "desalination", "--index", index, "--format", "jsonl").stdout)
    assert [(h["doc_number"], h["source"]) for h in hits] == [("C09900021", str(folder.resolve() / "good-release.txt"))]


def test_broken_pdf_in_json_summary(broken_run: tuple[Path, Path, Result]) -> None:
    folder, index, _ = broken_run
    result = foia("index", folder, "--index", index, "--json")
    assert result.exit_code == 1  # still failing, the good file skipped
    summary = json.loads(result.stdout)
    assert (summary["files"], summary["indexed"], summary["skipped"]) == (2, 0, 1)
    assert [f["path"] for f in summary["failed"]] == [str(folder.resolve() / "broken.pdf")]
    assert summary["failed"][0]["reason"].startswith(BROKEN_PDF_REASONS)


def test_index_into_a_folder_that_is_not_an_index(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an index")
    result = foia("index", RELEASES / "plain-text-release.txt", "--index", tmp_path)
    assert_clean_error(result, 2, f"{tmp_path} exists and is not a foia-search index")


def test_index_of_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = foia("index", tmp_path / "nowhere", "--index", tmp_path / "ix")
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: foia index")
    assert "Invalid value for" in result.stderr
    assert not (tmp_path / "ix").exists()


# --- search --------------------------------------------------------------------------------------


def test_search_table(index_dir: Path) -> None:
    result = foia("search", "scanner", "--index", index_dir)
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("3 documents match; showing 3\n")
    assert "1. Northern terminals: inspection capacity through the dredging season" in out
    assert "2. Port security budget" in out
    assert "3. FW: Harbor inspection schedule for the northern terminals" in out
    assert "C09900011 · 2011-01-24 · Nakamura, Kenji <NakamuraK@example.gov>" in out
    assert "production-several-documents.pdf p.4" in out
    assert "p.1 started from last year's numbers and adjusted for the second mobile scanner" in out
    assert "**" not in out  # marks become highlighting, not asterisks
    assert out.index("1. Northern") < out.index("2. Port") < out.index("3. FW:")


def test_search_table_names_page_three(index_dir: Path) -> None:
    out = foia("search", "twenty", "--index", index_dir).stdout
    assert out.startswith("1 document matches; showing 1\n")
    assert "state-email-release.pdf p.3" in out
    assert "p.3 Terminal 3 is working; trucks are clearing the gate in under twenty minutes" in out


def test_search_limit(index_dir: Path) -> None:
    out = foia("search", "scanner", "--limit", "1", "--index", index_dir).stdout
    assert out.startswith("3 documents match; showing 1\n")
    assert "2. " not in out
    assert len(jsonl(foia("search", "scanner", "-n", "2", "-f", "jsonl", "--index", index_dir).stdout)) == 2


def test_search_jsonl(index_dir: Path) -> None:
    result = foia("search", "scanner", "--format", "jsonl", "--index", index_dir)
    assert result.exit_code == 0
    hits = jsonl(result.stdout)
    assert len(hits) == len(result.stdout.splitlines()) == 3
    for hit in hits:
        assert HIT_KEYS <= set(hit)
        assert tuple(hit) == HIT_FIELDS
        assert hit["snippets"]
        for snippet in hit["snippets"]:
            assert set(snippet) == {"page", "text"}
            assert "**scanner**" in snippet["text"]
    assert [h["doc_number"] for h in hits] == ["C09900013", "C09900011", "C09900001"]
    first = hits[0]
    assert first["case_number"] == "F-2099-00123"
    assert first["date"] is None
    assert first["sender"] == "Office of Port Affairs"
    assert first["page"] == 4
    assert hits[1]["date"] == "2011-01-24T17:55:00"
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_search_jsonl_snippet_page(index_dir: Path) -> None:
    (hit,) = jsonl(foia("search", "twenty", "-f", "jsonl", "--index", index_dir).stdout)
    assert hit["doc_number"] == "C09900001"
    assert hit["page"] == 3
    assert [s["page"] for s in hit["snippets"]] == [3]


def test_search_csv(index_dir: Path) -> None:
    result = foia("search", "scanner", "--format", "csv", "--index", index_dir)
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == HIT_FIELDS
    assert len(rows) == 4
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [r["doc_number"] for r in records] == ["C09900013", "C09900011", "C09900001"]
    assert records[0]["date"] == ""
    assert records[0]["page"] == "4"
    assert records[0]["snippets"].startswith("p4: ")
    assert records[1]["sender"] == "Nakamura, Kenji <NakamuraK@example.gov>"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--case", "F-2099-00123"), SAMPLE_DOCS),
        (("--doc", "C09900012"), {"C09900012"}),
        (("--from", "nakamura"), {"C09900011"}),
        (("--to", "lindqvist"), {"C09900001", "C09900021"}),
        (("--since", "2011-02"), {"C09900001", "C09900021"}),
        (("--until", "2011-01"), {"C09900011", "C09900012"}),
        (("--since", "2011-01-25", "--until", "2011-03"), {"C09900001", "C09900012"}),
        (("--exemption", "(b)(6)"), {"C09900001", "C09900012"}),
        (("--exemption", "1.4(D)"), {"C09900013"}),
        (("--status", "full"), {"C09900011", "C09900021"}),
        (("--status", "part", "--exemption", "B5"), {"C09900012"}),
    ],
)
def test_search_filter_options(index_dir: Path, args: tuple[str, ...], expected: set[str | None]) -> None:
    result = foia("search", *args, "-n", "50", "-f", "jsonl", "--index", index_dir)
    assert result.exit_code == 0, result.stderr
    assert {h["doc_number"] for h in jsonl(result.stdout)} == expected


def test_search_query_fields(index_dir: Path) -> None:
    def docs(query: str) -> set[str | None]:
        return {h["doc_number"] for h in jsonl(foia("search", query, "-f", "jsonl", "--index", index_dir).stdout)}

    assert docs("from:rivera") == {"C09900001"}
    assert docs("exemption:B5") == {"C09900012"}
    assert docs("date:2011-03") == {"C09900001"}
    assert docs("date:[2011-01 to 2011-02]") == {"C09900011", "C09900012"}
    assert docs("scanner status:full") == {"C09900011"}


def test_search_with_no_match(index_dir: Path) -> None:
    result = foia("search", "zeppelin", "--index", index_dir)
    assert result.exit_code == 0
    assert result.stdout == "0 documents match; showing 0\n"
    assert foia("search", "zeppelin", "-f", "jsonl", "--index", index_dir).stdout == ""
    assert foia("search", "zeppelin", "-f", "csv", "--index", index_dir).stdout.strip() == ",".join(HIT_FIELDS)


# --- show ------------------------------------------------------------------------------------------


def test_show_by_id(index_dir: Path) -> None:
    (hit,) = jsonl(foia("search", "desalination", "-f", "jsonl", "--index", index_dir).stdout)
    result = foia("show", hit["id"], "--index", index_dir)
    assert result.exit_code == 0
    out = result.stdout
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert f"id {hit['id']}" in lines
    assert "doc_number C09900021" in lines
    assert "subject Desalination plant tariff schedule" in lines
    assert "release_status full" in lines
    assert [line for line in lines if line.startswith("── page")] == ["── page 1 ──", "── page 2 ──", "── page 3 ──"]
    assert "Main points of the draft:" in out
    assert "Regards," in out
    assert "Doc No." not in out


def test_show_by_doc_number_and_page(index_dir: Path) -> None:
    result = foia("show", "C09900001", "--page", "3", "--index", index_dir)
    assert result.exit_code == 0
    out = result.stdout
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert "doc_number C09900001" in lines
    assert "cc Lindqvist, Petra, Haddad, Omar" in lines
    assert [line for line in lines if line.startswith("── page")] == ["── page 3 ──"]
    assert "The security manager at Terminal 4, (b)(6), asked" in out
    assert "Forwarding Omar's note below" not in out  # page 1
    assert "calibration" not in out  # page 2


def test_show_page_of_a_document_starting_on_page_four(index_dir: Path) -> None:
    out = foia("show", "C09900013", "-p", "5", "--index", index_dir).stdout
    assert "── page 5 ──" in out
    assert "Declassify on: 03/01/2026" in out
    assert "INFORMATION MEMO" not in out


def test_show_json(index_dir: Path) -> None:
    result = foia("show", "C09900012", "--json", "--index", index_dir)
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert tuple(record) == DOCUMENT_FIELDS
    assert record["doc_number"] == "C09900012"
    assert record["exemptions"] == ["B5", "B6"]
    assert record["cc"] == ["Rivera, Dana L"]
    assert record["date"] == "2011-01-25T09:12:40"


def test_show_unknown_id_exits_6(index_dir: Path) -> None:
    assert_clean_error(
        foia("show", "C00000000", "--index", index_dir), 6, "no document with id or doc number 'C00000000'"
    )


def test_show_page_out_of_range_exits_2(index_dir: Path) -> None:
    result = foia("show", "C09900013", "--page", "9", "--index", index_dir)
    assert result.exit_code == 2
    assert "has pages 4 to 5, not 9" in result.stderr
    assert "Traceback" not in result.output


# --- export ----------------------------------------------------------------------------------------


def test_export_jsonl(index_dir: Path) -> None:
    result = foia("export", "--index", index_dir)
    assert result.exit_code == 0
    records = jsonl(result.stdout)
    assert len(records) == len(result.stdout.splitlines()) == 6
    assert {r["doc_number"] for r in records} == SAMPLE_DOCS
    for record in records:
        assert set(CONTRACT) <= set(record)
        assert tuple(record)[:16] == CONTRACT
        assert record["text"].count("\f") == record["last_page"] - record["first_page"]
    email = next(r for r in records if r["doc_number"] == "C09900001")
    assert (email["date"], email["release_date"]) == ("2011-03-03T21:45:00", "2099-03-14")
    assert email["recipients"] == ["Okafor, Samuel"]
    assert email["exemptions"] == ["B6"]
    assert "(b)(6)" in email["text"].split("\f")[2]


def test_export_with_query_and_filters(index_dir: Path) -> None:
    out = foia("export", "scanner", "--format", "jsonl", "--index", index_dir).stdout
    assert [r["doc_number"] for r in jsonl(out)] == ["C09900013", "C09900011", "C09900001"]
    out = foia("export", "--status", "part", "--index", index_dir).stdout
    assert {r["doc_number"] for r in jsonl(out)} == {"C09900001", "C09900012", "C09900013"}
    out = foia("export", "from:haddad", "--index", index_dir).stdout
    assert [r["sender"] for r in jsonl(out)] == ["Haddad, Omar"]


def test_export_csv(index_dir: Path) -> None:
    result = foia("export", "--format", "csv", "--index", index_dir)
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 6
    assert tuple(rows[0]) == CSV_FIELDS == tuple(f for f in DOCUMENT_FIELDS if f not in ("text", "stamps"))
    memo = next(r for r in rows if r["doc_number"] == "C09900013")
    assert memo["exemptions"] == "B1; 1.4(D)"
    assert memo["release_date"] == "2099-04-02"
    assert memo["first_page"] == "4" and memo["last_page"] == "5"
    with_text = foia("export", "-f", "csv", "--fields", "doc_number,text", "--index", index_dir).stdout
    texts = csv.DictReader(io.StringIO(with_text))
    assert next(r for r in texts if r["doc_number"] == "C09900013")["text"].count("\f") == 1


# --- exit codes and the index location ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"harbor', 'unbalanced quote: every " needs a closing "'),
        ("(harbor", "unbalanced brackets: every ( needs a matching )"),
        ("foo:bar", "unknown field 'foo'; known fields: "),
        ("date:2011-13", "cannot read '2011-13' as a date"),
        ("date:[2012 to 2011]", "date range ends before it starts: 2012 to 2011"),
        ("x" * 2001, "query is too long (2001 characters; the limit is 2000)"),
        ("😀", "nothing searchable in '😀'"),
    ],
)
def test_bad_query_exits_7(index_dir: Path, query: str, message: str) -> None:
    assert_clean_error(foia("search", query, "--index", index_dir), 7, message)


def test_bad_query_in_export_exits_7(index_dir: Path) -> None:
    assert_clean_error(foia("export", "foo:bar", "--index", index_dir), 7, "unknown field 'foo'")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--status", "maybe"), "unknown release status 'maybe'; use one of full, part, denied"),
        (("--since", "2012", "--until", "2011"), "--since 2012 is after --until 2011"),
        (("--since", "2011-13"), "cannot read '2011-13' as a date"),
    ],
)
def test_bad_filter_option_exits_7(index_dir: Path, args: tuple[str, ...], message: str) -> None:
    assert_clean_error(foia("search", *args, "--index", index_dir), 7, message)


@pytest.mark.parametrize("command", [("search", "scanner"), ("show", "C09900001"), ("export",)])
def test_missing_index_exits_3(tmp_path: Path, command: tuple[str, ...]) -> None:
    missing = tmp_path / "no-index"
    result = foia(*command, "--index", missing)
    assert_clean_error(result, 3, f"no index at {missing}: create one with `foia index PATH --index {missing}`")
    assert not missing.exists()


def test_foia_index_environment_variable(tmp_path: Path) -> None:
    location = tmp_path / "from-env"
    env = {"FOIA_INDEX": str(location)}
    result = foia("index", RELEASES / "state-email-release.pdf", env=env)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0].endswith(f"added to {location}")
    assert (location / "foia-index.json").is_file()
    hits = jsonl(foia("search", "twenty", "-f", "jsonl", env=env).stdout)
    assert [h["doc_number"] for h in hits] == ["C09900001"]
    assert "doc_number C09900001" in " ".join(foia("show", "C09900001", env=env).stdout.split())
    assert len(jsonl(foia("export", env=env).stdout)) == 1
    missing = tmp_path / "elsewhere"
    assert_clean_error(foia("search", "x", env={"FOIA_INDEX": str(missing)}), 3, f"no index at {missing}")


def test_index_option_wins_over_environment(index_dir: Path, tmp_path: Path) -> None:
    env = {"FOIA_INDEX": str(tmp_path / "nothing-here")}
    result = foia("export", "--index", index_dir, env=env)
    assert result.exit_code == 0
    assert len(jsonl(result.stdout)) == 6


def test_other_schema_version_exits_4(index_dir: Path, tmp_path: Path) -> None:
    old = tmp_path / "old-index"
    shutil.copytree(index_dir, old)
    (old / "foia-index.json").write_text(json.dumps({"schema_version": 99}) + "\n")
    message = f"index at {old} was made with schema version 99; this foia-search reads version {SCHEMA_VERSION}"
    assert_clean_error(foia("search", "scanner", "--index", old), 4, message)
    assert_clean_error(foia("show", "C09900001", "--index", old), 4, message)
    assert_clean_error(foia("export", "--index", old), 4, message)
    assert_clean_error(foia("index", RELEASES, "--index", old), 4, message)


def test_unreadable_index_metadata_exits_8(index_dir: Path, tmp_path: Path) -> None:
    old = tmp_path / "bad-meta"
    shutil.copytree(index_dir, old)
    (old / "foia-index.json").write_text("{not json")
    assert_clean_error(foia("search", "scanner", "--index", old), 8, "has an unreadable foia-index.json")


# --- end to end: real State Department releases ------------------------------------------------------


@pytest.fixture(scope="module")
def state_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    if not (STATE / "pdf").is_dir():
        pytest.skip(f"shared corpus not found at {STATE}")
    index = tmp_path_factory.mktemp("state") / "ix"
    result = foia("index", STATE / "pdf", "--index", index, "--json")
    assert result.exit_code == 0, result.output
    return index, json.loads(result.stdout)


@pytest.fixture(scope="module")
def state_export(state_index: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    index, _ = state_index
    result = foia("export", "--format", "jsonl", "--index", index)
    assert result.exit_code == 0, result.stderr
    path = tmp_path_factory.mktemp("state-export") / "export.jsonl"
    path.write_text(result.stdout, encoding="utf-8")
    return path


@needs_corpus
def test_state_release_indexes_every_file(state_index: tuple[Path, dict[str, Any]]) -> None:
    _, summary = state_index
    assert summary["files"] == summary["indexed"] == 138
    assert summary["documents"] == 138
    assert summary["failed"] == []
    assert summary["pages"] > 138


@needs_corpus
def test_state_release_export_scores_against_ground_truth(state_export: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCORER), str(state_export), str(STATE / "ground-truth.csv"), *SCORER_MINIMA],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("OK: ")
    assert "found: 1.000 (138/138)" in result.stdout


@needs_corpus
def test_state_release_body_is_complete_and_stamps_are_gone(state_export: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCORER), str(state_export), str(STATE / "ground-truth.csv"),
         "--pdf-dir", str(STATE / "pdf"), "--min", "body_recall=0.97"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    stamp_line = re.compile("|".join(STAMP_PATTERNS), re.IGNORECASE)
    left = [
        line
        for record in jsonl(state_export.read_text(encoding="utf-8"))
        for line in record["text"].splitlines()
        if stamp_line.search(line)
    ]
    # What the scorer's patterns still find are signature lines inside the body ("U.S. Department
    # of State" under a name, indented like the text), not the stamp printed at the page edge.
    assert all(line.startswith("     ") and line.strip() == "U.S. Department of State" for line in left), left
    assert len(left) <= 3


STAMP_PATTERNS = (
    r"Case No\.\s*F-\d{4}-\d{5}", r"Doc No\.\s*C\d{8}", r"^\s*U\.S\. Department of State\s*$",
    r"PRODUCED TO HOUSE SELECT BENGHAZI", r"SUBJECT TO AGREEMENT ON SENSITIVE INFORMATION",
    r"^\s*UNCLASSIFIED\s*$", r"^\s*Date:\s*\d{2}/\d{2}/\d{4}\s*$", r"STATE-SCB\d{7}",
)  # fmt: skip
"""The stamp patterns of the project's scorer."""

SCORER_MINIMA = (
    "--min", "found=1.0", "--min", "case_number=1.0", "--min", "date=0.97",
    "--min", "subject=0.96", "--min", "sender=0.96", "--min", "release_status=1.0",
)  # fmt: skip
"""Thresholds of the project's scorer for this release (without --pdf-dir, to keep it fast)."""

RELEASE_DATES = {"C05739547": "2015-05-14", "C05739808": "2015-05-22"}
"""The two documents whose page stamps carry another date than 05/13/2015."""


@needs_corpus
def test_state_release_export_contract(state_export: Path) -> None:
    records = jsonl(state_export.read_text(encoding="utf-8"))
    assert len(records) == 138
    assert len({r["doc_number"] for r in records}) == 138
    for record in records:
        assert tuple(record)[:16] == CONTRACT
        assert record["case_number"] == "F-2015-04841"
        assert record["release_date"] == RELEASE_DATES.get(record["doc_number"], "2015-05-13")
        assert record["release_status"] in ("full", "part")
        assert record["text"].count("\f") == record["last_page"] - record["first_page"]


@needs_corpus
def test_state_release_search(state_index: tuple[Path, dict[str, Any]]) -> None:
    index, _ = state_index
    hits = jsonl(foia("search", "exemption:B7(C)", "-f", "jsonl", "--index", index).stdout)
    assert [h["doc_number"] for h in hits] == ["C05739758"]
    hits = jsonl(foia("search", "--exemption", "b7c", "-f", "jsonl", "--index", index).stdout)
    assert [h["doc_number"] for h in hits] == ["C05739758"]
    out = foia("export", "--case", "F-2015-04841", "--index", index).stdout
    assert len(jsonl(out)) == 138
    hits = jsonl(foia("search", "benghazi", "-n", "5", "-f", "jsonl", "--index", index).stdout)
    assert len(hits) == 5
    assert all(h["snippets"] and "**" in h["snippets"][0]["text"] for h in hits)
    doc = json.loads(foia("show", "C05739758", "--json", "--index", index).stdout)
    assert doc["doc_number"] == "C05739758"
    assert "B7(C)" in doc["exemptions"]


# --- robustness: PDFs known to break parsers ---------------------------------------------------------


@pytest.fixture(scope="module")
def robustness_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    if not ROBUSTNESS.is_dir():
        pytest.skip(f"shared corpus not found at {ROBUSTNESS}")
    index = tmp_path_factory.mktemp("robustness") / "ix"
    return index, foia("index", ROBUSTNESS, "--index", index, "--json")


@needs_corpus
def test_robustness_every_file_indexed_or_failed_with_a_reason(robustness_run: tuple[Path, Result]) -> None:
    index, result = robustness_run
    summary = json.loads(result.stdout)
    files = sorted(str(p.resolve()) for p in ROBUSTNESS.rglob("*") if p.is_file() and not p.name.startswith("."))
    assert summary["files"] == len(files) == 48
    failed = {f["path"]: f["reason"] for f in summary["failed"]}
    empty = {f["path"]: f["reason"] for f in summary["empty"]}  # no text and no image: nothing to index
    assert result.exit_code == (1 if failed else 0)
    assert summary["indexed"] + len(failed) + len(empty) == summary["files"]
    for path, reason in (failed | empty).items():
        assert path in files
        assert reason.strip() and "\n" not in reason, (path, reason)
    assert str((ROBUSTNESS / "simple2.pdf").resolve()) in empty  # shapes only
    sources = {r["source"] for r in jsonl(foia("export", "--index", index).stdout)}
    assert len(sources) == summary["indexed"]
    assert sources | set(failed) | set(empty) == set(files)
    assert not sources & (set(failed) | set(empty))
    assert failed[str((ROBUSTNESS / "contrib" / "XIPLAYER0.jb2").resolve())] == "not a PDF or text file"
    for name in ("rc4-40.pdf", "rc4-128.pdf", "aes-128.pdf", "aes-256.pdf"):
        reason = failed[str((ROBUSTNESS / "encryption" / name).resolve())]
        assert reason.startswith("encrypted PDF that needs a password")
    for name in ("simple1.pdf", "encryption/base.pdf", "zen_of_python_corrupted.pdf"):
        assert str((ROBUSTNESS / name).resolve()) in sources


@needs_corpus
def test_robustness_index_still_opens_and_searches(robustness_run: tuple[Path, Result]) -> None:
    index, _ = robustness_run
    hits = jsonl(foia("search", "hello", "-n", "20", "-f", "jsonl", "--index", index).stdout)
    sources = {Path(h["source"]).name for h in hits}
    assert {"simple1.pdf", "simple3.pdf"} <= sources
    (secret,) = jsonl(foia("search", "secret", "-f", "jsonl", "--index", index).stdout)
    assert Path(secret["source"]).name == "base.pdf"
    assert "**Secret**" in secret["snippets"][0]["text"]
    shown = foia("show", secret["id"], "--index", index)
    assert shown.exit_code == 0
    assert "Secret!" in shown.stdout
    again = foia("index", ROBUSTNESS, "--index", index, "--json")
    summary = json.loads(again.stdout)
    assert summary["indexed"] == 0
    assert summary["skipped"] + len(summary["failed"]) == 48
