"""The reading room's pages and JSON API (`foia serve`), through FastAPI's test client over an
index of the sample releases: search with facets and timeline, documents with their pages and
images, the original file, export, saved searches, batch search, errors; and `foia serve` itself."""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from web_helpers import RELEASES, build_index, doc_id, foia_serve

from indexer import Options, index_paths
from query.facets import FacetCount
from query.search import search
from query.web import create_app
from query.web.files import IMAGE_DIR
from query.web.pages import Bar, timeline

EMAIL_PDF = RELEASES / "state-email-release.pdf"
TEXT_RELEASE = RELEASES / "plain-text-release.txt"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("web") / "ix", RELEASES)


@pytest.fixture(scope="module")
def client(index: Path) -> TestClient:
    return TestClient(create_app(index), base_url="http://localhost")


# --- search ----------------------------------------------------------------------------------------


def test_search_api_gives_hits_every_facet_and_a_timeline(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "harbor OR tariff OR port"}).json()
    assert body["total"] == len(body["hits"]) > 1
    assert set(body["facets"]) == {"sender", "recipient", "case", "year", "month", "exemption", "status",
                                   "classification", "agency"}  # fmt: skip
    months = {f["value"]: f["count"] for f in body["facets"]["month"]}
    bars = {b["label"]: b["count"] for b in body["timeline"]["bars"]}
    assert body["timeline"]["unit"] == "month"
    assert {k: v for k, v in bars.items() if v} == months  # every month with a match, and the gaps
    labels = list(bars)
    assert labels == sorted(labels) and labels[0] == min(months) and labels[-1] == max(months)
    hit = next(h for h in body["hits"] if h["snippets"])
    assert "**" in hit["snippets"][0]["text"] and hit["snippets"][0]["page"] >= hit["first_page"]


def test_search_api_carries_the_hit_badges(client: TestClient) -> None:
    (hit,) = client.get("/api/search", params={"doc": "C09900012"}).json()["hits"]
    assert hit["release_status"] == "part"
    assert set(hit["exemptions"]) == {"B5", "B6"}
    assert hit["recipients"]


def test_search_page_links_hold_the_whole_state(client: TestClient) -> None:
    html = client.get("/", params={"q": "port", "status": "part", "sort": "date", "size": "10"}).text
    # a facet link keeps the query, the other filters and the order, and goes back to page 1
    link = re.search(r'href="(/\?[^"]*exemption=B6[^"]*)"', html)
    assert link is not None
    params = dict(httpx2.URL(link.group(1).replace("&amp;", "&")).params)
    assert params == {"q": "port", "status": "part", "exemption": "B6", "sort": "date", "size": "10"}
    # the chip removing the status filter keeps the rest
    chip = re.search(r'<a class="chip" href="([^"]*)"[^>]*>status: part', html)
    assert chip is not None
    assert dict(httpx2.URL(chip.group(1).replace("&amp;", "&")).params) == {"q": "port", "sort": "date", "size": "10"}


def test_facet_link_filters_the_search(client: TestClient) -> None:
    everything = client.get("/api/search").json()
    value = everything["facets"]["exemption"][0]
    filtered = client.get("/api/search", params={"exemption": value["value"]}).json()
    assert filtered["total"] == value["count"] < everything["total"]


def test_timeline_bar_filters_to_its_month(client: TestClient) -> None:
    bar = next(b for b in client.get("/api/search").json()["timeline"]["bars"] if b["count"])
    month = client.get("/api/search", params={"since": bar["label"], "until": bar["label"]}).json()
    assert month["total"] == bar["count"]
    assert all(h["date"].startswith(bar["label"]) for h in month["hits"])


def test_timeline_fills_empty_months_and_counts_by_year_over_long_spans() -> None:
    short = timeline([FacetCount("2011-01", 2), FacetCount("2011-04", 1)])
    assert short.bars == (Bar("2011-01", 2), Bar("2011-02", 0), Bar("2011-03", 0), Bar("2011-04", 1))
    assert short.peak == 2 and short.unit == "month"
    long = timeline([FacetCount("1990-06", 3), FacetCount("2005-02", 1), FacetCount("2005-07", 4)])
    assert long.unit == "year"
    assert long.bars[0] == Bar("1990", 3) and long.bars[-1] == Bar("2005", 5) and len(long.bars) == 16
    assert timeline([]).bars == ()


def test_paging_walks_every_hit_once(client: TestClient) -> None:
    total = client.get("/api/search").json()["total"]
    pages = [client.get("/api/search", params={"size": 2, "page": page}).json()["hits"] for page in (1, 2, 3)]
    seen = [h["id"] for hits in pages for h in hits]
    assert len(seen) == len(set(seen)) == min(total, 6)


def test_bad_query_is_a_400_with_its_message(client: TestClient) -> None:
    api = client.get("/api/search", params={"q": '"unbalanced'})
    assert api.status_code == 400 and "unbalanced quote" in api.json()["error"]
    page = client.get("/", params={"q": '"unbalanced'})
    assert page.status_code == 400 and "unbalanced quote" in page.text and "<form" in page.text


def test_did_you_mean_links_to_the_corrected_search(client: TestClient) -> None:
    html = client.get("/", params={"q": "harbr"}).text
    assert "Did you mean" in html and "?q=harbor" in html


# --- documents -------------------------------------------------------------------------------------


def test_document_api_marks_the_searched_words_on_each_page(client: TestClient, index: Path) -> None:
    body = client.get(f"/api/documents/{doc_id(index, TEXT_RELEASE.name)}", params={"q": "tariff"}).json()
    assert [p["number"] for p in body["pages"]] == [1, 2, 3]
    marked = {p["number"]: [p["text"][a:b].lower() for a, b in p["marks"]] for p in body["pages"]}
    assert marked[1] and set(marked[1]) == {"tariff"}
    assert body["record"]["citation"] and "text" not in body["record"]
    assert all(p["image"] is None for p in body["pages"])  # a text release: text only
    assert body["original"]["kind"] == "text" and body["original"]["problem"] is None


def test_document_by_doc_number_and_its_page(client: TestClient) -> None:
    body = client.get("/api/documents/C09900001/pages/2", params={"q": "inspection"}).json()
    assert body["number"] == 2
    assert body["image"] == f"/api/documents/{body['image'].split('/')[3]}/pages/2/image"
    missing = client.get("/api/documents/C09900001/pages/9")
    assert missing.status_code == 404 and "pages 1 to 3" in missing.json()["error"]


def test_unknown_document_is_a_404(client: TestClient) -> None:
    response = client.get("/api/documents/000000000000-p1")
    assert response.status_code == 404 and "no document" in response.json()["error"]
    assert client.get("/doc/000000000000-p1").status_code == 404


def test_page_image_is_rendered_then_read_from_the_cache(client: TestClient, index: Path) -> None:
    key = doc_id(index, EMAIL_PDF.name)
    first = client.get(f"/api/documents/{key}/pages/2/image", params={"width": 600})
    assert first.status_code == 200 and first.headers["content-type"] == "image/jpeg"
    assert first.content[:3] == b"\xff\xd8\xff"
    cached = list((index / IMAGE_DIR).glob("*-2-600.jpg"))
    assert len(cached) == 1
    cached[0].write_bytes(b"\xff\xd8\xff cached")  # the second answer comes from the cache
    assert client.get(f"/api/documents/{key}/pages/2/image", params={"width": 600}).content == b"\xff\xd8\xff cached"
    cached[0].unlink()


def test_clear_cache_removes_the_cached_page_images(tmp_path: Path) -> None:
    """`foia clear-cache` used to leave INDEX/pages/ behind: the reading room's page images."""
    from typer.testing import CliRunner

    from query.cli import app

    index = build_index(tmp_path / "ix", EMAIL_PDF)
    client = TestClient(create_app(index), base_url="http://localhost")
    key = doc_id(index, EMAIL_PDF.name)
    assert client.get(f"/api/documents/{key}/pages/1/image", params={"width": 400}).status_code == 200
    assert list((index / IMAGE_DIR).glob("*.jpg"))
    result = CliRunner().invoke(app, ["clear-cache", "--index", str(index)])
    assert result.exit_code == 0 and "and 1 page image from" in result.output
    assert not (index / IMAGE_DIR).exists()
    assert client.get(f"/api/documents/{key}/pages/1/image", params={"width": 400}).status_code == 200


def test_page_image_width_is_bounded(client: TestClient, index: Path) -> None:
    key = doc_id(index, EMAIL_PDF.name)
    for width in (0, 199, 2001, 100_000):
        response = client.get(f"/api/documents/{key}/pages/1/image", params={"width": width})
        assert response.status_code == 422, width
        assert "width" in response.json()["error"]


def test_original_file_is_the_indexed_file(client: TestClient, index: Path) -> None:
    response = client.get(f"/api/documents/{doc_id(index, EMAIL_PDF.name)}/file")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content == EMAIL_PDF.read_bytes()
    assert 'filename="state-email-release.pdf"' in response.headers["content-disposition"]


def test_document_page_shows_images_beside_text_and_ocr_confidence(client: TestClient, index: Path) -> None:
    key = doc_id(index, "scanned-page.pdf")
    body = client.get(f"/api/documents/{key}").json()
    html = client.get(f"/doc/{key}").text
    assert html.count('<section class="page" id="page=') == len(body["pages"]) == 2
    assert f'src="/api/documents/{key}/pages/2/image"' in html
    scanned = body["pages"][1]
    if scanned["source"] == "ocr":
        assert f"OCR confidence {scanned['confidence']:.0f}" in html
    else:
        assert scanned["source"] == "none" and "no text layer, not OCR" in html


def test_similar_documents(client: TestClient, index: Path) -> None:
    body = client.get(f"/api/documents/{doc_id(index, 'production-several-documents.pdf', 3)}/similar").json()
    assert body["hits"] and all(h["id"] != doc_id(index, "production-several-documents.pdf", 3) for h in body["hits"])


# --- export ----------------------------------------------------------------------------------------


def test_export_streams_every_match_with_citations(client: TestClient) -> None:
    total = client.get("/api/search", params={"q": "port"}).json()["total"]
    response = client.get("/api/export", params={"q": "port", "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == total and all(r["citation"] for r in rows)
    lines = client.get("/api/export", params={"q": "port", "format": "jsonl"}).text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in rows]


def test_export_of_nothing_is_a_header_and_a_bad_query_a_400(client: TestClient) -> None:
    empty = client.get("/api/export", params={"q": "zzzzqqq", "format": "csv"})
    assert empty.status_code == 200 and empty.text.count("\n") == 1 and empty.text.startswith("id,")
    bad = client.get("/api/export", params={"q": "nosuchfield:x"})
    assert bad.status_code == 400 and "unknown field" in bad.json()["error"]


# --- saved searches and batch search -------------------------------------------------------------


def test_saved_search_counts_documents_indexed_after_it(index: Path, tmp_path: Path) -> None:
    own = tmp_path / "ix"
    shutil.copytree(index, own)
    client = TestClient(create_app(own), base_url="http://localhost")
    saved = client.post("/api/watches", json={"name": "harbor", "q": "harbor", "filters": {"status": "part"}})
    assert saved.status_code == 201 and saved.json()["filters"]["status"] == "part"
    (watch,) = client.get("/api/watches").json()
    assert watch["new"] == 0 and "status=part" in watch["link"]
    extra = tmp_path / "new"
    extra.mkdir()
    (extra / "memo.txt").write_text("RELEASE IN PART B6\n\nThe harbor inspection found rust.\n", encoding="utf-8")
    build_index(own, RELEASES, extra)
    (watch,) = client.get("/api/watches").json()
    assert watch["new"] == 1 and watch["hits"][0]["source"].endswith("memo.txt")
    assert client.post("/api/watches/harbor/seen").json() == {"seen": 1}
    assert client.get("/api/watches").json()[0]["new"] == 0
    assert client.delete("/api/watches/harbor").status_code == 204
    assert client.get("/api/watches").json() == []
    again = client.delete("/api/watches/harbor")
    assert again.status_code == 404 and "no watch named" in again.json()["error"]


def test_saved_search_from_the_search_page_form(index: Path, tmp_path: Path) -> None:
    own = tmp_path / "ix"
    shutil.copytree(index, own)
    client = TestClient(create_app(own), base_url="http://localhost")
    posted = client.post("/watches", data={"name": "ports", "q": "port", "from": "Nakamura"}, follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"] == "/watches"
    page = client.get("/watches").text
    assert "ports" in page and "from: Nakamura" in page and 'href="/?q=port&amp;from=Nakamura"' in page
    bad = client.post("/watches", data={"name": "bad name!", "q": "port"})
    assert bad.status_code == 400 and "watch name" in bad.text


def test_batch_search_counts_each_line(client: TestClient) -> None:
    body = client.post("/api/batch", json={"terms": ["tariff schedule", "Petra Lindqvist", "zzzqqq"]}).json()
    counts = {row["term"]: row["total"] for row in body["rows"]}
    assert counts["tariff schedule"] == 1 and counts["zzzqqq"] == 0
    people = client.post("/api/batch", json={"terms": ["Petra Lindqvist"], "mode": "person"}).json()["rows"][0]
    assert people["total"] >= 2 and len(people["hits"]) == min(3, people["total"])


def test_batch_search_csv_and_a_bad_line(client: TestClient) -> None:
    response = client.post("/batch", data={"terms": "tariff\n(unbalanced\n\ntariff", "mode": "query", "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["term"] for r in rows] == ["tariff", "(unbalanced"]  # blank and repeated lines once
    assert rows[0]["total"] == "1" and rows[0]["citations"]
    assert rows[1]["total"] == "0" and "unbalanced brackets" in rows[1]["error"]
    page = client.post("/batch", data={"terms": "tariff\nport", "mode": "phrase"}).text
    assert "<table" in page and "tariff" in page


# --- `foia serve` ----------------------------------------------------------------------------------


def test_foia_serve_says_its_url_and_answers(index: Path) -> None:
    with foia_serve(index) as served:
        assert served.url.startswith("http://127.0.0.1:") and "token" not in served.url
        response = httpx2.get(served.base + "/api/search", params={"q": "tariff"})
        assert response.status_code == 200 and response.json()["total"] == 1
        assert "content-security-policy" in response.headers


def test_foia_serve_without_an_index_says_so(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "query.cli", "serve", "--index", str(tmp_path / "none")],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 3
    assert done.stderr.startswith("error: no index at") and "Traceback" not in done.stderr


def test_foia_serve_on_a_taken_port_says_so(index: Path) -> None:
    with foia_serve(index) as served:
        port = served.base.rsplit(":", 1)[1]
        done = subprocess.run([sys.executable, "-m", "query.cli", "serve", "--index", str(index), "--port", port],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert f"cannot serve on 127.0.0.1 port {port}" in done.stderr and "--port" in done.stderr


def test_a_document_removed_from_the_index_is_gone_from_the_api(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    shutil.copytree(RELEASES, releases)
    own = build_index(tmp_path / "ix", releases)
    client = TestClient(create_app(own), base_url="http://localhost")
    key = doc_id(own, EMAIL_PDF.name)
    assert client.get(f"/api/documents/{key}/pages/1/image").status_code == 200  # its record now kept
    (releases / EMAIL_PDF.name).unlink()
    build_index(own, releases)  # index_paths prunes nothing by default: the document stays, its file is gone
    gone = client.get(f"/api/documents/{key}/file")
    assert gone.status_code == 404 and "not where it was indexed" in gone.json()["error"]
    index_paths([releases], own, options=Options(workers=1), prune=True)
    for url in (f"/api/documents/{key}/pages/1/image", f"/api/documents/{key}/file", f"/doc/{key}"):
        assert client.get(url).status_code == 404, url


def test_foia_serve_with_a_missing_alias_file_says_so(index: Path, tmp_path: Path) -> None:
    command = ["serve", "--index", str(index), "--port", "0", "--aliases", str(tmp_path / "none.txt")]
    done = subprocess.run([sys.executable, "-m", "query.cli", *command], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "no alias file at" in done.stderr and "Traceback" not in done.stderr


def test_documents_holding_some_of_the_words_are_listed_with_what_they_lack(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "tariff inspection"}).json()
    assert body["total"] == 0 and body["partial"] >= 2 and len(body["hits"]) == body["partial"]
    assert all(len(h["missing"]) == 1 for h in body["hits"])
    html = client.get("/", params={"q": "tariff inspection"}).text
    assert "hold some of the words" in html and 'class="badge missing">lacks ' in html


def test_requests_reuse_their_threads_searcher_until_the_index_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is opened once per worker thread, not at each request; a commit (documents added)
    is seen by the next request; and a search outside the app still opens and closes its own."""
    searching = importlib.import_module("query.engines.whoosh.search")
    releases = tmp_path / "releases"
    shutil.copytree(RELEASES, releases)
    (releases / TEXT_RELEASE.name).unlink()
    own = build_index(tmp_path / "ix", releases)
    opened: list[Path] = []
    real = searching.open_index
    monkeypatch.setattr(searching, "open_index", lambda path: opened.append(path) or real(path))
    with TestClient(create_app(own), base_url="http://localhost") as client:  # requests one after another: one thread
        before = [client.get("/api/search", params={"q": "José"}).json()["total"] for _ in range(4)]
        assert client.get("/", params={"q": "harbor"}).status_code == 200
        assert len(opened) == 1 and before == [0] * 4
        shutil.copy2(TEXT_RELEASE, releases / TEXT_RELEASE.name)
        build_index(own, releases)
        assert client.get("/api/search", params={"q": "José"}).json()["total"] >= 1
        assert len(opened) == 2
    search(own, "harbor")
    assert len(opened) == 3
