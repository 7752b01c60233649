"""Indexing at scale: wall time, pages/s, index size and peak memory for a large synthetic release set.

Builds N pages (default 200,000; `--pages N`; `--quick` = 20,000) of stamped text releases in a
temporary folder: 50 form-feed-separated pages per file, each page topped by a one-line State
stamp (`UNCLASSIFIED U.S. Department of State Case No. F-2099-00001 Doc No. C0NNNNNNN Date:
01/01/2099`) whose doc number changes every 1 to 10 pages (so files split into documents), an
email header on each document's first page, and about 300 words per page sampled with a fixed
seed from the State release's vocabulary. A child process (this script with `--child`) then runs
`index_paths` with 2 workers into a fresh index; it reports its own peak RSS (RUSAGE_SELF: the
process that writes Whoosh) and its workers' (RUSAGE_CHILDREN: the largest worker), while this
process polls /proc every 0.2 s for the summed RSS of the child and its workers. The baseline,
measured in the same run the same way, is indexing the first tenth of the files into another
fresh index: the ratio of the two rates shows how throughput holds up as the index grows.
Everything is removed afterwards.

Target: peak RSS <= 1.5 GB, judged on the summed RSS of the whole indexing process tree; the
summed anonymous RSS (RSS less file pages, mostly Whoosh's memory-mapped segments) is shown too.

    .venv/bin/python bench/scale_rss.py [--quick] [--pages N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from _common import arguments, header, mib, scratch, timed, tree_bytes, verdict, write_stamped_corpus

TARGET_BYTES = 1.5e9
POLL_SECONDS = 0.2


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pages", type=int, default=0, help="pages to generate (200,000; 20,000 with --quick)")
    parser.add_argument("--workers", type=int, default=2, help="indexing worker processes (2)")
    parser.add_argument("--child", nargs=2, metavar=("DOCS", "INDEX"), help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)


# --- the child: index, then report its own figures as one JSON line --------------------------


def child(docs: Path, ix: Path, workers: int, first: int) -> None:
    """Index the files under `docs` (only the first `first` of them, when given)."""
    from indexer import Options, index_paths

    files = sorted(docs.iterdir())[: first or None]
    started = time.perf_counter()
    report = index_paths(files, ix, options=Options(workers=workers))
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "files": report.files,
        "documents": report.documents,
        "pages": report.pages,
        "failed": len(report.failed),
        "self_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "children_maxrss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
    }
    print(json.dumps(result))


# --- the parent: poll the child's process tree -------------------------------------------------


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process visible in /proc."""
    found: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def _rss(pid: int) -> tuple[int, int]:
    """(RSS, anonymous RSS) of one process in bytes; (0, 0) once it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0, 0
    kib = {k: int(v.split()[0]) for k, _, v in (ln.partition(":") for ln in lines) if k in ("VmRSS", "RssAnon")}
    return kib.get("VmRSS", 0) * 1024, kib.get("RssAnon", 0) * 1024


def tree_rss(root: int) -> tuple[int, int]:
    """(summed RSS, summed anonymous RSS) in bytes of a process and all its descendants. The rest
    of RSS is file pages, mostly Whoosh's memory-mapped segment files (page cache the kernel can
    drop)."""
    parents = _parents()
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == pid and p not in tree]
        tree.update(kids)
        frontier += kids
    sizes = [_rss(pid) for pid in tree]
    return sum(rss for rss, _ in sizes), sum(anon for _, anon in sizes)


def run_child(docs: Path, ix: Path, workers: int, first: int = 0) -> tuple[dict[str, float], tuple[int, int], float]:
    """Run the indexing child: its JSON result, the peaks of its tree's summed RSS and summed
    anonymous RSS, and its wall seconds."""
    command = [sys.executable, __file__, "--child", str(docs), str(ix), "--workers", str(workers)]
    command += ["--first", str(first)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak, peak_anon = 0, 0
    while proc.poll() is None:
        rss, anon = tree_rss(proc.pid)
        peak, peak_anon = max(peak, rss), max(peak_anon, anon)
        time.sleep(POLL_SECONDS)
    wall = time.perf_counter() - started
    out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        raise SystemExit(f"indexing child failed with exit code {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1]), (peak, peak_anon), wall


def describe_run(label: str, result: dict[str, float], peaks: tuple[int, int], wall: float) -> float:
    """Print one indexing run; returns its pages/s."""
    rate = result["pages"] / result["seconds"]
    rss = f"writer {mib(result['self_maxrss'])}, largest worker {mib(result['children_maxrss'])}, "
    rss += f"tree {mib(peaks[0])} (anonymous {mib(peaks[1])})"
    print(f"{label}: {result['documents']} documents, {result['pages']} pages in {result['seconds']:.1f} s "
          f"({wall:.1f} s with interpreter start): {rate:.0f} pages/s; peak RSS {rss}")  # fmt: skip
    return rate


def main() -> None:
    args = arguments(__doc__, options)
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.workers, args.first)
        return
    pages = args.pages or (20_000 if args.quick else 200_000)
    header(f"scale_rss: indexing {pages} synthetic pages with {args.workers} workers")
    with scratch("scale") as tmp:
        docs, ix = tmp / "releases", tmp / "ix"
        files: list[int] = []
        generate = timed(lambda: files.append(write_stamped_corpus(docs, pages)))
        size = tree_bytes(docs)
        print(f"data: {files[0]} files, {pages} pages, {mib(size)} of text (generated in {generate:.1f} s)")
        tenth = max(1, files[0] // 10)
        small, small_peak, small_wall = run_child(docs, tmp / "ix-tenth", args.workers, first=tenth)
        base_rate = describe_run(f"baseline, first {tenth} files", small, small_peak, small_wall)
        result, peak, wall = run_child(docs, ix, args.workers)
        if result["failed"] or result["pages"] != pages:
            raise SystemExit(f"indexing incomplete: {result}")
        rate = describe_run(f"all {files[0]} files", result, peak, wall)
        print(f"rate at full size: {rate / base_rate:.2f}x the baseline's; "
              f"peak tree RSS {peak[0] / small_peak[0]:.2f}x the baseline's")  # fmt: skip
        whoosh, cache = tree_bytes(ix / "whoosh"), tree_bytes(ix / "cache")
        print(f"index folder: {mib(tree_bytes(ix))} (whoosh {mib(whoosh)}, cache {mib(cache)}); "
              f"{tree_bytes(ix) / size:.2f}x the text")  # fmt: skip
    print(f"peak RSS, indexing main process (writer): {mib(result['self_maxrss'])}")
    print(f"peak RSS, largest worker: {mib(result['children_maxrss'])}")
    print(f"peak RSS, whole tree summed (polled every {POLL_SECONDS} s): {mib(peak[0])}; "
          f"target <= {TARGET_BYTES / 1e9:g} GB: {verdict(peak[0], TARGET_BYTES, at_least=False)}")  # fmt: skip
    print(f"peak anonymous RSS, whole tree summed: {mib(peak[1])} (the rest is mapped index files); "
          f"target <= {TARGET_BYTES / 1e9:g} GB: {verdict(peak[1], TARGET_BYTES, at_least=False)}")  # fmt: skip
    print(f"peak RSS, this generator process: {mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)}")


if __name__ == "__main__":
    main()
