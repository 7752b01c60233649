"""The reading room is safe by default: no file but a document's own (path traversal in every
form, links), every release text escaped (a release holding HTML), limits on every parameter, a
token beyond loopback, the Host header checked on loopback, no change from another site, and a
Content-Security-Policy without inline scripts."""

from __future__ import annotations

import http.client
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from web_helpers import RELEASES, build_index, foia_serve, hostile_release

from indexer.store import manifest_of
from query.web import create_app
from query.web.files import IMAGE_DIR

SECRET = "TOP SECRET: not part of any release"
TEMPLATES = Path(__file__).resolve().parents[1] / "query" / "web" / "templates"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("websec")
    releases = folder / "releases"
    shutil.copytree(RELEASES, releases)
    hostile_release(releases)
    (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
    return build_index(folder / "ix", releases)


@pytest.fixture(scope="module")
def client(index: Path) -> TestClient:
    return TestClient(create_app(index), base_url="http://localhost")


@pytest.fixture(scope="module")
def served(index: Path) -> Iterator[str]:
    with foia_serve(index) as running:
        yield running.base


def doc_of(index: Path, name: str) -> tuple[str, Path]:
    manifest = manifest_of(index)
    try:
        record = next(r for r in manifest.records() if r.path.endswith(name))
    finally:
        manifest.close()
    return f"{record.sha256[:12]}-p1", Path(record.path)


def raw_get(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """A GET of `path` exactly as written (no client-side clean-up of `..` or escapes)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- path traversal --------------------------------------------------------------------------------

TRAVERSALS = [
    "/static/../../../../../../etc/passwd",
    "/static/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/%252e%252e/%252e%252e/%252e%252e/etc/passwd",
    "/static/..\\..\\..\\..\\..\\etc\\passwd",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/..%c0%af..%c0%afetc%c0%afpasswd",
    "//etc/passwd",
    "/doc/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/doc/%2Fetc%2Fpasswd",
    "/api/documents/..%2F..%2F..%2F..%2Fetc%2Fpasswd/file",
    "/api/documents/%2Fetc%2Fpasswd/file",
    "/api/documents/../../../../etc/passwd/file",
    "/api/documents/%00/file",
    "/api/documents/.%2e/pages/1/image",
    "/static/../foia-index.json",
    "/api/documents/..%2Fsecret.txt/file",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_is_refused(served: str, path: str) -> None:
    status, body = raw_get(served, path)
    assert 400 <= status < 500, (path, status)
    assert b"root:" not in body and SECRET.encode() not in body and b"schema_version" not in body


def test_a_path_in_the_query_is_no_file(client: TestClient, index: Path) -> None:
    key, source = doc_of(index, "plain-text-release.txt")
    for name in ("path", "file", "source"):
        response = client.get(f"/api/documents/{key}/file", params={name: "/etc/passwd"})
        assert response.content == source.read_bytes()


def test_an_indexed_file_replaced_by_a_link_is_not_served(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    shutil.copytree(RELEASES, releases)
    own = build_index(tmp_path / "ix", releases)
    client = TestClient(create_app(own), base_url="http://localhost")
    key, source = doc_of(own, "plain-text-release.txt")
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    source.unlink()
    source.symlink_to(secret)
    response = client.get(f"/api/documents/{key}/file")
    assert response.status_code == 404 and SECRET not in response.text
    assert "not where it was indexed" in response.json()["error"]
    page = client.get(f"/doc/{key}")
    assert page.status_code == 200 and "not where it was indexed" in page.text  # the text is still there


def test_a_folder_replaced_by_a_link_or_a_changed_file_is_not_served(index: Path, tmp_path: Path) -> None:
    own = tmp_path / "ix"
    releases = tmp_path / "releases"
    shutil.copytree(RELEASES, releases)
    build_index(own, releases)
    client = TestClient(create_app(own), base_url="http://localhost")
    key, source = doc_of(own, "plain-text-release.txt")
    pdf_key, _ = doc_of(own, "state-email-release.pdf")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / source.name).write_text(SECRET, encoding="utf-8")
    shutil.copy2(RELEASES / "state-email-release.pdf", elsewhere / "state-email-release.pdf")
    with (elsewhere / "state-email-release.pdf").open("ab") as changed:
        changed.write(b"\n% appended after indexing\n")
    releases.rename(tmp_path / "moved")
    releases.symlink_to(elsewhere)
    urls = (f"/api/documents/{key}/file", f"/api/documents/{pdf_key}/file", f"/api/documents/{pdf_key}/pages/1/image")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "has changed since it was indexed" in response.json()["error"]
        assert SECRET not in response.text


def test_a_link_planted_in_the_image_cache_is_not_followed(index: Path, tmp_path: Path) -> None:
    own = tmp_path / "ix"
    shutil.copytree(index, own)
    client = TestClient(create_app(own), base_url="http://localhost")
    key, source = doc_of(own, "state-email-release.pdf")
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    sha = next(r.sha256 for r in _records(own) if r.path == str(source))
    (own / IMAGE_DIR).mkdir(exist_ok=True)
    (own / IMAGE_DIR / f"{sha}-1-1000.jpg").symlink_to(secret)
    response = client.get(f"/api/documents/{key}/pages/1/image")
    assert response.status_code == 200 and response.content[:3] == b"\xff\xd8\xff"
    assert not (own / IMAGE_DIR / f"{sha}-1-1000.jpg").is_symlink()  # replaced by the rendered image
    assert secret.read_text(encoding="utf-8") == SECRET


def _records(index: Path) -> list:  # type: ignore[type-arg]
    manifest = manifest_of(index)
    try:
        return list(manifest.records())
    finally:
        manifest.close()


# --- a release holding HTML ----------------------------------------------------------------------

RAW = ("<script>", "<img src=x", '<a href="javascript:', "<b>harbor</b>")


def assert_escaped(html: str) -> None:
    for raw in RAW:
        assert raw not in html, raw
    assert "&lt;script&gt;" in html


def test_release_html_is_escaped_in_search_results(client: TestClient) -> None:
    html = client.get("/", params={"q": "harbor figures"}).text
    assert "quarterly" in html
    assert_escaped(html)


def test_release_html_is_escaped_in_the_document_page(client: TestClient, index: Path) -> None:
    key, _ = doc_of(index, "hostile-release.txt")
    html = client.get(f"/doc/{key}", params={"q": "harbor annex"}).text
    assert_escaped(html)
    assert "&lt;jane.roe@example.gov&gt;" in html  # an address in angle brackets, shown as written
    assert "<mark>harbor</mark>" in html


def test_query_and_saved_search_text_is_escaped(client: TestClient, index: Path, tmp_path: Path) -> None:
    shown = client.get("/", params={"q": "<script>alert(1)</script>"})
    assert shown.status_code == 400
    assert_escaped(shown.text)
    own = tmp_path / "ix"
    shutil.copytree(index, own)
    mine = TestClient(create_app(own), base_url="http://localhost")
    mine.post("/api/watches", json={"name": "x", "q": 'harbor OR "<script>alert(2)</script>"'})
    assert_escaped(mine.get("/watches").text)
    batch = client.post("/batch", data={"terms": "<script>alert(3)</script>\nharbor", "mode": "phrase"}).text
    assert_escaped(batch)


def test_no_inline_script_style_or_handler_in_any_template() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"\sstyle=|\son[a-z]+=", text), template.name


def test_every_response_carries_the_security_headers(client: TestClient, index: Path) -> None:
    key, _ = doc_of(index, "state-email-release.pdf")
    for url in ("/", "/api/search", "/static/style.css", f"/api/documents/{key}/pages/1/image", "/nowhere",
                "/api/openapi.json", f"/doc/{key}"):  # fmt: skip
        response = client.get(url)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "default-src 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"


# --- oversized and malformed parameters ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "name"),
    [
        ("/api/search", {"q": "x" * 2001}, "q"),
        ("/api/search", {"size": "101"}, "size"),
        ("/api/search", {"page": "0"}, "page"),
        ("/api/search", {"page": "10001"}, "page"),
        ("/api/search", {"page": "99999999999999999999999"}, "page"),
        ("/api/search", {"from": "x" * 201}, "from"),
        ("/api/search", {"since": "x" * 41}, "since"),
        ("/api/search", {"sort": "sideways"}, "sort"),
        ("/api/facets", {"top": "100000"}, "top"),
        ("/api/export", {"format": "xlsx"}, "format"),
    ],
)
def test_oversized_or_malformed_parameters_are_4xx_with_a_message(
    client: TestClient, url: str, params: dict[str, str], name: str
) -> None:
    response = client.get(url, params=params)
    assert response.status_code == 422
    assert response.json()["error"].startswith("bad request: ") and name in response.json()["error"]


def test_a_deep_page_is_refused_with_a_message(client: TestClient) -> None:
    response = client.get("/api/search", params={"page": 200, "size": 100})
    assert response.status_code == 400 and "export gives them all" in response.json()["error"]


def test_malformed_values_are_4xx(client: TestClient) -> None:
    for params in (
        {"since": "2011-13"}, {"status": "secret"}, {"until": "yesterday-ish"}, {"since": "2012", "until": "2011"}
    ):
        response = client.get("/api/search", params=params)
        assert response.status_code == 400, params
        assert response.json()["error"]
    assert client.get("/", params={"since": "2011-13"}).status_code == 400


def test_oversized_batches_and_bodies(client: TestClient) -> None:
    many = client.post("/api/batch", json={"terms": [f"t{i}" for i in range(501)]})
    assert many.status_code == 422 and "terms" in many.json()["error"]
    long = client.post("/api/batch", json={"terms": ["x" * 201]})
    assert long.status_code == 422
    form = client.post("/batch", data={"terms": "\n".join(f"t{i}" for i in range(501))})
    assert form.status_code == 400 and "at most 500" in form.text
    huge = client.post("/api/batch", content=b'{"terms": ["' + b"x" * 300_000 + b'"]}',
                       headers={"content-type": "application/json"})  # fmt: skip
    assert huge.status_code == 413
    huge_form = client.post("/batch", content=b"terms=" + b"x" * 300_000,
                            headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert huge_form.status_code == 413


def test_an_oversized_url_is_refused_and_the_server_goes_on(served: str) -> None:
    status, _ = raw_get(served, "/?q=" + "x" * 70_000)
    assert 400 <= status < 500
    status, _ = raw_get(served, "/api/search", {"X-Filler": "y" * 70_000})
    assert status == 431
    assert raw_get(served, "/api/search?q=harbor")[0] == 200


# --- who may ask -----------------------------------------------------------------------------------


def test_a_token_is_needed_on_every_request(index: Path) -> None:
    client = TestClient(create_app(index, token="s3cret-token", loopback=False), base_url="http://192.0.2.7:8080")
    for url in ("/", "/api/search", "/static/style.css", "/api/openapi.json"):
        refused = client.get(url)
        assert refused.status_code == 401, url
        assert "token" in refused.text
    assert client.get("/api/search", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/search", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    assert client.get("/api/search", params={"token": "wrong"}).status_code == 401
    link = client.get("/", params={"q": "harbor", "token": "s3cret-token"}, follow_redirects=False)
    assert link.status_code == 303 and link.headers["location"] == "/?q=harbor"  # the token leaves the URL
    cookie = link.headers["set-cookie"]
    assert "foia_token=s3cret-token" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert client.get("/", params={"q": "harbor"}).status_code == 200  # the cookie now carries it


def test_serving_beyond_loopback_always_needs_a_token(index: Path) -> None:
    with foia_serve(index, "--host", "0.0.0.0") as served:
        port = served.base.rsplit(":", 1)[1]
        token = served.url.split("?token=", 1)[1]
        assert len(token) >= 20
        assert any("warning: listening on 0.0.0.0" in line for line in served.said)
        local = f"http://127.0.0.1:{port}"
        assert httpx2.get(local + "/api/search").status_code == 401
        assert httpx2.get(local + "/api/search", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_foia_token_from_the_environment_is_required_on_loopback_too(index: Path) -> None:
    with foia_serve(index, env={"FOIA_TOKEN": "from-the-environment"}) as served:
        assert served.url.endswith("/?token=from-the-environment")
        assert httpx2.get(served.base + "/api/search").status_code == 401
        with httpx2.Client(follow_redirects=True) as browser:
            assert browser.get(served.url).status_code == 200  # the link sets the cookie and leads on
            assert browser.get(served.base + "/api/search").status_code == 200


def test_loopback_answers_to_loopback_names_only(index: Path) -> None:
    app = create_app(index)
    for host in ("localhost", "127.0.0.1:8080", "[::1]:8080", "localhost:1"):
        assert TestClient(app, base_url=f"http://{host}").get("/api/search").status_code == 200, host
    for host in ("evil.example", "evil.example:8080", "127.0.0.1.evil.example", "localhost.evil.example"):
        response = TestClient(app, base_url=f"http://{host}").get("/api/search")
        assert response.status_code == 400 and "localhost only" in response.json()["error"], host


def test_changes_from_another_site_are_refused(index: Path, tmp_path: Path) -> None:
    own = tmp_path / "ix"
    shutil.copytree(index, own)
    client = TestClient(create_app(own), base_url="http://localhost:8080")
    form = {"name": "w", "q": "harbor"}
    for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Origin": "http://localhost:9999"}):  # fmt: skip
        response = client.post("/watches", data=form, headers=headers, follow_redirects=False)
        assert response.status_code == 403, headers
    assert client.get("/api/watches").json() == []
    own_page = {"Origin": "http://localhost:8080", "Sec-Fetch-Site": "same-origin"}
    same = client.post("/watches", data=form, headers=own_page, follow_redirects=False)
    assert same.status_code == 303
    assert [w["watch"]["name"] for w in client.get("/api/watches").json()] == ["w"]
