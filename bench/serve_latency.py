"""Reading-room latency (issue 12): the server time of a search page with facets and timeline, of a
first and a cached page image, and a concurrent load from a second process.

The index is the one `query_speed.py` builds (synthetic documents with email metadata sampled from
the State release's vocabulary, dates over 2009-2013), plus the real State F-2015-04841 PDFs, so a
document page has a real page to render. `--docs N` sets the number of synthetic documents
(100,000 by default; `--quick` 20,000); `--keep DIR` builds the index once and reuses it.

Measured through HTTP against `foia serve`'s app run by uvicorn in a child process on a free
loopback port:
- search pages (`/search?q=WORD`, every facet and the timeline) for random words of the
  vocabulary: p50 and p95 of the server time (the `Server-Timing` header the app sets) and of the
  client's wall time; baseline: the same searches through `query.search` with 10 hits and no
  facets, in this process (the CLI's `foia search`), so the ratio shows what the page adds.
- page images of State PDF pages: the first request (rendered by PDFium, written to the cache)
  and the same request again (read from the cache).
- load: a second process (`--child-load`) runs 8 client threads for 30 s (`--seconds`, `--clients`)
  over search pages and page images; every answer must be a 2xx.

The machine is shared and noisy: read the ratios, and the absolute figures as indications.

    .venv/bin/python bench/serve_latency.py [--quick] [--docs N] [--keep DIR] [--seconds S] [--clients N]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import query_speed
from _common import STATE_PDF, arguments, header, scratch, vocabulary
from query_speed import REAL_TEXT, STOP, complete

import indexer
from query import search
from query.engines.whoosh.search import opened

TARGETS_MS = {"search page p95": 150.0, "first page image": 300.0, "cached page image": 20.0}


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--docs", type=int, default=0, help="synthetic documents (100,000; 20,000 with --quick)")
    parser.add_argument("--keep", type=Path, help="index folder: build once, reuse")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the concurrent load (30 s)")
    parser.add_argument("--clients", type=int, default=8, help="client threads of the concurrent load (8)")
    parser.add_argument("--child-load", nargs=3, metavar=("URL", "SECONDS", "CLIENTS"), help=argparse.SUPPRESS)
    parser.add_argument("--paths", type=Path, help=argparse.SUPPRESS)


# --- the index ---------------------------------------------------------------------------------


def build(index: Path, n: int) -> float:
    """The State PDFs (pdfium) and text releases, then `n` synthetic documents; the seconds taken."""
    options = indexer.Options(engine="pdfium", ocr="never")
    return query_speed.build(index, n, (STATE_PDF, REAL_TEXT), options)


# --- the server and its clients ------------------------------------------------------------------


def start_server(index: Path) -> tuple[subprocess.Popen[str], str]:
    """`foia serve --port 0` in a child process, as a user starts it; returns it and its URL."""
    command = [sys.executable, "-m", "query.cli", "serve", "--index", str(index), "--port", "0"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert process.stderr is not None
    line = process.stderr.readline()
    if " at http://" not in line:
        process.kill()
        sys.exit(f"foia serve did not start: {line}{process.stderr.read()}")
    threading.Thread(target=process.stderr.read, daemon=True).start()  # keep the pipe drained
    return process, line.split(" at ", 1)[1].split()[0].rstrip("/")


def fetch(url: str) -> tuple[int, float, float, int]:
    """GET a URL: status, the server's time (`Server-Timing: app;dur=`) and the wall time in
    seconds, and the body's length."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            body = response.read()
            status, timing = response.status, response.headers.get("server-timing", "")
    except urllib.error.HTTPError as exc:
        body, status, timing = exc.read(), exc.code, exc.headers.get("server-timing", "")
    wall = time.perf_counter() - started
    server = float(timing.split("dur=")[1]) / 1000 if "dur=" in timing else wall
    return status, server, wall, len(body)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def words(rng: random.Random, n: int) -> list[str]:
    """`n` words of the State release's vocabulary, drawn by frequency (common words come up often,
    as in real searches)."""
    vocab = [w.lower() for w in vocabulary() if len(w) > 3 and w.isalpha() and w.lower() not in STOP]
    return [rng.choice(vocab) for _ in range(n)]


def search_pages(base: str, index: Path, queries: list[str]) -> None:
    """Search pages over HTTP against `query.search` in this process (10 hits, no facets)."""
    for word in queries[:3]:
        fetch(f"{base}/?q={word}")
        search(index, word, limit=10)
    server, wall, baseline, totals = [], [], [], []
    for word in queries:
        status, spent, took, _ = fetch(f"{base}/?q={urllib.parse.quote(word)}")
        if status != 200:
            sys.exit(f"search page for {word!r} answered {status}")
        server.append(spent)
        wall.append(took)
        started = time.perf_counter()
        totals.append(search(index, word, limit=10).total)
        baseline.append(time.perf_counter() - started)
    p95 = percentile(server, 0.95)
    verdict = "MET" if p95 * 1000 <= TARGETS_MS["search page p95"] else "MISSED"
    print(f"search page (every facet, timeline, 20 hits), {len(queries)} one-word queries, "
          f"median {statistics.median(totals):,.0f} matches:")
    print(f"  server time p50 {ms(percentile(server, 0.5))}  p95 {ms(p95)}  "
          f"(target p95 <= {TARGETS_MS['search page p95']:.0f} ms: {verdict})")
    print(f"  client wall time p50 {ms(percentile(wall, 0.5))}  p95 {ms(percentile(wall, 0.95))}")
    print(f"  baseline query.search, 10 hits, no facets: p50 {ms(percentile(baseline, 0.5))}  "
          f"p95 {ms(percentile(baseline, 0.95))}; page/baseline p95 {p95 / percentile(baseline, 0.95):.2f}x")


def state_documents(base: str, n: int) -> list[tuple[str, int]]:
    """(document id, page) of the first pages of `n` State release documents, and of one later page."""
    with urllib.request.urlopen(f"{base}/api/search?case=F-2015-04841&size=100&sort=doc", timeout=60) as response:
        hits = json.load(response)["hits"]
    pages = [(h["id"], h["first_page"]) for h in hits[:n]]
    pages += [(h["id"], h["last_page"]) for h in hits[:n] if h["last_page"] > h["first_page"]][: n // 2]
    return pages


def page_images(base: str, index: Path, pages: list[tuple[str, int]]) -> list[str]:
    """First (rendered) and second (cached) requests of each page image; returns their URLs."""
    shutil.rmtree(index / "pages", ignore_errors=True)
    urls = [f"{base}/api/documents/{doc}/pages/{page}/image" for doc, page in pages]
    first, cached, sizes = [], [], []
    for url in urls:
        status, spent, _, size = fetch(url)
        if status != 200:
            sys.exit(f"{url} answered {status}")
        first.append(spent)
        sizes.append(size)
        cached.append(fetch(url)[1])
    baseline = [render_baseline(index, doc, page) for doc, page in pages]
    for label, values in (("first page image", first), ("cached page image", cached)):
        target = TARGETS_MS[label]
        p95 = percentile(values, 0.95)
        print(f"{label}: p50 {ms(percentile(values, 0.5))}  p95 {ms(p95)}  max {ms(max(values))}  "
              f"({len(values)} pages; target <= {target:.0f} ms: {'MET' if p95 * 1000 <= target else 'MISSED'} at p95)")
    ratio = percentile(first, 0.5) / percentile(baseline, 0.5)
    print(f"  baseline: PDFium render + JPEG of the same pages in this process, p50 "
          f"{ms(percentile(baseline, 0.5))}; first/baseline p50 {ratio:.2f}x; "
          f"images {statistics.median(sizes) / 1024:.0f} KiB median, 1000 px wide")
    return urls


def render_baseline(index: Path, doc: str, page: int) -> float:
    """Seconds to open, render and encode one page straight through pypdfium2 and Pillow."""
    import io

    import pypdfium2 as pdfium

    from query import get_document

    source = get_document(index, doc).fields["source"]
    started = time.perf_counter()
    pdf = pdfium.PdfDocument(source)
    one = pdf[page - 1]
    width = one.get_size()[0]
    one.render(scale=1000 / width).to_pil().convert("RGB").save(io.BytesIO(), "JPEG", quality=85)
    pdf.close()
    return time.perf_counter() - started


def load(base: str, urls: list[str], seconds: float, clients: int) -> None:
    """The concurrent load, from a second process (this script with `--child-load`)."""
    listing = Path(tempfile.mkstemp(prefix="foia-serve-urls-", suffix=".txt")[1])
    listing.write_text("\n".join(urls), encoding="utf-8")
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child-load", base, str(seconds), str(clients), "--paths", str(listing)],
            capture_output=True, text=True, check=True, timeout=seconds + 600,
        )  # fmt: skip
    finally:
        listing.unlink()
    result = json.loads(done.stdout.strip().splitlines()[-1])
    errors = result["errors"] + sum(n for status, n in result["statuses"].items() if not status.startswith("2"))
    print(f"load: {clients} clients for {seconds:.0f} s from a second process: {result['requests']:,} requests "
          f"({result['requests'] / result['seconds']:.1f}/s; search pages, document pages, page images), "
          f"p50 {ms(result['p50'])}  p95 {ms(result['p95'])}; statuses {result['statuses']}; "
          f"errors {errors} (target 0: {'MET' if errors == 0 else 'MISSED'})")


def child_load(base: str, seconds: float, clients: int, listing: Path) -> None:
    """Run `clients` threads for `seconds`, each looping over the URLs in `listing` in its own
    random order; print one JSON line: requests, statuses, errors, p50 and p95 wall time."""
    urls = [base + u if u.startswith("/") else u for u in listing.read_text(encoding="utf-8").split()]
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    statuses: dict[str, int] = {}
    walls: list[float] = []
    errors = [0]

    def client(n: int) -> None:
        rng = random.Random(n)
        while time.monotonic() < deadline:
            url = rng.choice(urls)
            try:
                status, _, wall, _ = fetch(url)
            except OSError:
                with lock:
                    errors[0] += 1
                continue
            with lock:
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                walls.append(wall)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    print(json.dumps({"requests": len(walls) + errors[0], "seconds": took, "statuses": statuses, "errors": errors[0],
                      "p50": percentile(walls, 0.5) if walls else 0, "p95": percentile(walls, 0.95) if walls else 0}))


def main() -> None:
    args = arguments(__doc__, options)
    if args.child_load:
        base, seconds, clients = args.child_load
        child_load(base, float(seconds), int(clients), args.paths)
        return
    n = args.docs or (20_000 if args.quick else 100_000)
    header(f"serve latency: {n:,} synthetic documents + the State F-2015-04841 PDFs")
    print("the machine is shared and noisy: compare with the baselines measured in the same run")
    rng = random.Random(12)
    with scratch("serve") as folder:
        index = args.keep or folder / "ix"
        built = complete(index, n)
        if not built:
            shutil.rmtree(index, ignore_errors=True)
        took = 0.0 if built else build(index, n)
        with opened(index) as (ix, _):
            total = ix.doc_count()
        print(f"index: {total:,} documents, " + (f"reused from {index}" if built else f"built in {took:.0f} s"))
        started = time.perf_counter()
        process, base = start_server(index)
        print(f"foia serve: said its URL after {time.perf_counter() - started:.2f} s (target < 2 s)")
        try:
            queries = words(rng, 30 if args.quick else 100)
            search_pages(base, index, queries)
            images = page_images(base, index, state_documents(base, 10 if args.quick else 30))
            documents = sorted({u.split("/pages/")[0].replace("/api/documents/", "/doc/") for u in images})
            mix = [f"/?q={urllib.parse.quote(w)}" for w in queries[:40]] + [u.removeprefix(base) for u in images]
            mix += [u.removeprefix(base) for u in documents]
            load(base, mix, 10 if args.quick else args.seconds, args.clients)
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
