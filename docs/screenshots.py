"""Take the README's screenshots of the reading room: the search page and a document page, over an
index of the State F-2015-04841 release in ../shared/corpus (built in a temporary folder), served
by `foia serve` and shown in headless Chromium (Debian's `chromium`) driven by Playwright.

    .venv/bin/python docs/screenshots.py           # writes docs/screenshots/search.png, document.png
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
STATE_PDF = ROOT.parent / "shared" / "corpus" / "state-f2015-04841" / "pdf"
OUT = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 820}
QUERY = "benghazi"


def shrink(path: Path) -> None:
    """A screenshot as a 256-colour PNG: a fraction of the size, the same to the eye."""
    with Image.open(path) as image:
        image.convert("RGB").quantize(256).save(path, optimize=True)


def main() -> None:
    if not STATE_PDF.is_dir():
        sys.exit(f"needs the State release at {STATE_PDF}")
    folder = Path(tempfile.mkdtemp(prefix="foia-shots-"))
    try:
        index = folder / "ix"
        subprocess.run([sys.executable, "-m", "query.cli", "index", str(STATE_PDF), "--index", str(index),
                        "--pdf-engine", "pdfium", "--quiet"], check=True, cwd=ROOT)  # fmt: skip
        serve = subprocess.Popen([sys.executable, "-m", "query.cli", "serve", "--index", str(index), "--port", "0"],
                                 stderr=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
        try:
            assert serve.stderr is not None
            found = re.search(r"at (http://\S+) ", serve.stderr.readline())
            assert found, "foia serve said no URL"
            base = found.group(1).rstrip("/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu",
                                                               "--disable-background-networking"])  # fmt: skip
                page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
                page.goto(f"{base}/?q={QUERY}")
                page.screenshot(path=OUT / "search.png")
                page.locator("li.hit h3 a").first.click()
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(300)
                page.screenshot(path=OUT / "document.png")
                browser.close()
        finally:
            serve.terminate()
            serve.wait(timeout=30)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for name in ("search.png", "document.png"):
        shrink(OUT / name)
        print(OUT / name, f"{(OUT / name).stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
