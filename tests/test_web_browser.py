"""The reading room in a real browser: headless Chromium (Debian's `chromium` package) driven by
Playwright for Python, against `foia serve` started as a user starts it, over an index of the
sample releases, four State Department release PDFs and a release holding HTML.

The stories: search, click a facet and remove it, click a timeline bar, open a hit and see its
page's image beside the text with the words marked, follow a snippet to its page, export, save a
search, batch search; the same without JavaScript; no script from a release runs, and the
Content-Security-Policy is never violated. These tests never skip: without Chromium they fail
naming the package to install."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from web_helpers import RELEASES, STATE_FILES, Served, build_index, copy_state_files, foia_serve, hostile_release

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]

try:
    from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Request, expect, sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    pytest.fail("the browser tests need Playwright for Python: pip install -e '.[test]'", pytrace=False)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("browser")
    releases = folder / "releases"
    shutil.copytree(RELEASES, releases)
    copy_state_files(releases / "state")
    hostile_release(releases)
    with foia_serve(build_index(folder / "ix", releases)) as running:
        yield running
    assert not [line for line in running.log if "Traceback" in line], running.log


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"the browser tests need Chromium at {CHROMIUM}: apt-get install chromium", pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watched:
    """A page with what went wrong on it: console errors (a CSP violation is one), dialogs
    (`alert` from a release's script), failed requests."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", self._console)
        page.on("dialog", self._dialog)
        page.on("requestfailed", self._failed)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(message.text)

    def _failed(self, request: Request) -> None:
        if request.failure != "net::ERR_ABORTED":  # a download ends its navigation so
            self.errors.append(f"failed: {request.url} {request.failure}")

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def clean(self) -> None:
        assert not self.dialogs, self.dialogs
        assert not self.errors, self.errors


@pytest.fixture()
def page(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1300, "height": 900}, accept_downloads=True)
    watched = Watched(context.new_page())
    yield watched
    context.close()
    watched.clean()


@pytest.fixture()
def plain_page(browser: Browser) -> Iterator[Watched]:
    """A page with JavaScript disabled."""
    context = browser.new_context(viewport={"width": 1300, "height": 900}, java_script_enabled=False)
    watched = Watched(context.new_page())
    yield watched
    context.close()
    watched.clean()


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def total(page: Page) -> int:
    return int(page.locator(".summary .total strong").inner_text().replace(",", ""))


def search(page: Page, base: str, query: str) -> None:
    page.goto(base + "/")
    page.get_by_label("Query").fill(query)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()


def test_search_then_click_a_facet_then_remove_it(page: Watched, served: Served) -> None:
    search(page.page, served.base, "inspection OR budget OR tariff")
    assert params(page.page.url) == {"q": ["inspection OR budget OR tariff"]}  # empty filters stay out
    everything = total(page.page)
    assert everything >= 3 and page.page.locator("li.hit").count() == everything
    facet = page.page.locator("section.facet", has=page.page.locator("h2", has_text="status")).locator("a").first
    value = facet.locator(".value").inner_text()
    count = int(facet.locator(".count").inner_text())
    facet.click()
    page.page.wait_for_load_state()
    assert params(page.page.url)["status"] == [value]
    assert total(page.page) == count < everything
    expect(page.page.locator("a.chip")).to_have_text(re.compile(f"status: {value}"))
    page.page.locator("a.chip").click()
    page.page.wait_for_load_state()
    assert "status" not in params(page.page.url) and total(page.page) == everything


def test_timeline_bar_filters_to_its_month(page: Watched, served: Served) -> None:
    page.page.goto(served.base + "/")
    bars = page.page.locator("figure.timeline a.bar")
    assert bars.count() >= 2
    label = bars.first.locator("title").text_content() or ""
    month, count = label.split(": ")
    bars.first.click()
    page.page.wait_for_load_state()
    assert params(page.page.url)["since"] == params(page.page.url)["until"] == [month]
    assert total(page.page) == int(count.split()[0])


def test_open_a_hit_and_see_its_page_image_beside_the_marked_text(page: Watched, served: Served) -> None:
    search(page.page, served.base, "inspection")
    hit = page.page.locator("li.hit").first
    snippet_page = int(hit.locator("a.pageref").first.inner_text().split()[-1])
    hit.locator("h3 a").click()
    page.page.wait_for_load_state()
    assert page.page.url.split("?")[0].split("/doc/")[1]
    section = page.page.locator(f'section.page[data-page="{snippet_page}"]')
    image = section.locator("figure.scan img")
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    page.page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") == 1000
    marks = section.locator("pre.text mark")
    assert marks.count() >= 1 and all(m.lower().startswith("inspect") for m in marks.all_inner_texts())
    text_box, image_box = section.locator("pre.text").bounding_box(), image.bounding_box()
    assert text_box and image_box and image_box["x"] + image_box["width"] <= text_box["x"]  # side by side


def test_follow_a_snippet_to_its_page(page: Watched, served: Served) -> None:
    search(page.page, served.base, '"Benghazi" OR Libya OR Tripoli')
    links = page.page.locator("a.pageref")
    target = next((link for link in links.all() if link.inner_text() != "p.\xa01"), links.first)
    number = int(target.inner_text().split()[-1])
    target.click()
    page.page.wait_for_load_state()
    assert page.page.url.endswith(f"#page={number}")
    section = page.page.locator(f'section.page[id="page={number}"]')
    page.page.wait_for_function(
        "n => Math.abs(document.getElementById('page=' + n).getBoundingClientRect().top) < 40",
        arg=number,
    )
    assert section.locator("mark").count() >= 1


def test_export_the_search_as_csv(page: Watched, served: Served) -> None:
    search(page.page, served.base, "inspection OR budget")
    expected = total(page.page)
    with page.page.expect_download() as download:
        page.page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) == expected and all(r["citation"] for r in rows)


def test_save_a_search_and_see_it_listed(page: Watched, served: Served) -> None:
    search(page.page, served.base, "budget")
    page.page.get_by_label("Save this search as").fill("budgets")
    page.page.get_by_role("button", name="Save", exact=True).click()
    page.page.wait_for_load_state()
    assert page.page.url.endswith("/watches")
    watch = page.page.locator("li.watch", has_text="budgets")
    expect(watch.locator("h2")).to_contain_text("no new hits")
    watch.locator("h2 a").click()
    page.page.wait_for_load_state()
    assert params(page.page.url) == {"q": ["budget"]}
    page.page.goto(served.base + "/watches")
    page.page.locator("li.watch", has_text="budgets").get_by_role("button", name="Remove").click()
    page.page.wait_for_load_state()
    expect(page.page.locator("li.watch", has_text="budgets")).to_have_count(0)


def test_batch_search_a_list_of_names(page: Watched, served: Served) -> None:
    page.page.goto(served.base + "/batch")
    page.page.locator("textarea[name=terms]").fill("Petra Lindqvist\nKenji Nakamura\nNobody Atall")
    page.page.get_by_label("a person in the email chain").check()
    page.page.get_by_role("button", name="Search", exact=True).click()
    page.page.wait_for_load_state()
    rows = page.page.locator("table.batch-results tbody tr")
    assert rows.count() == 3
    counts = [int(rows.nth(i).locator("td.num").inner_text()) for i in range(3)]
    assert counts[0] >= 2 and counts[1] >= 1 and counts[2] == 0
    with page.page.expect_download() as download:
        page.page.get_by_role("button", name="Download CSV").click()
    lines = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [int(r["total"]) for r in lines] == counts


def test_copy_citation_button(page: Watched, served: Served, browser: Browser) -> None:
    search(page.page, served.base, "tariff")
    page.page.locator("li.hit h3 a").first.click()
    page.page.wait_for_load_state()
    button = page.page.get_by_role("button", name="Copy citation")
    expect(button).to_be_visible()
    citation = page.page.locator("textarea.citation").input_value()
    assert "C09900021" in citation


def test_no_script_from_a_release_runs(page: Watched, served: Served) -> None:
    search(page.page, served.base, "harbor figures")
    expect(page.page.locator("li.hit h3 a").first).to_contain_text("<script>")  # shown as text
    page.page.locator("li.hit h3 a").first.click()
    page.page.wait_for_load_state()
    expect(page.page.locator("pre.text").first).to_contain_text('<img src=x onerror=alert("img")>')
    assert page.page.evaluate("document.querySelectorAll('pre.text script, pre.text img').length") == 0
    # `page` checks at teardown that no dialog opened and no error (a CSP violation) was logged


def test_reading_works_without_javascript(plain_page: Watched, served: Served) -> None:
    page = plain_page.page
    search(page, served.base, "inspection OR budget")
    everything = total(page)
    page.locator("section.facet a").first.click()
    page.wait_for_load_state()
    assert total(page) <= everything and page.locator("a.chip").count() == 1
    page.locator("li.hit h3 a").first.click()
    page.wait_for_load_state()
    assert page.locator("section.page").count() >= 1
    expect(page.get_by_role("button", name="Copy citation")).to_be_hidden()  # only a script shows it
    assert page.locator("textarea.citation").input_value()


def test_state_release_page_image_is_the_page(page: Watched, served: Served) -> None:
    search(page.page, served.base, f"doc:{STATE_FILES[0].removesuffix('.pdf')}")
    page.page.locator("li.hit h3 a").first.click()
    page.page.wait_for_load_state()
    image = page.page.locator("figure.scan img").first
    page.page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    width, height = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert width == 1000 and 1.2 < height / width < 1.35  # a letter-size page, upright
