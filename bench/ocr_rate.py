"""OCR throughput and quality on the image-only NARA JFK PDFs (`jfk-nara/scanned-pdf`).

Throughput: `index_paths` into a fresh index (fresh cache, so every page is rendered and read by
Tesseract) with 1 worker, the baseline, and with 2 workers, in the same run; pages are spread
over the workers page by page. Each figure is the best of N runs (N=2; 1 with --quick), the two
configurations interleaved so a burst of load hits them alike. Target: 2 workers >= 1.8x.

Quality, from the 2-worker index's extraction cache (each page's OCR text, stamps included):
pages that got text, word recall against NARA's own OCR text in `jfk-nara/text` for the records
present in both (a reference word counts as found when the same word, lower-cased, letters only,
3 letters or more, is on the same record's OCR'd pages; target >= 0.95), and the record numbers
read from the identification form or the release banner (a file counts when any of its
documents has one). The reference is itself OCR, full of
misread words (`aiministration`, `clossification`) no correct reading can match, so recall is
given twice: over all its words, and over those that are English words (in the word list of
Tesseract's own `eng` data, unpacked with `combine_tessdata` and `dawg2wordlist`). For scale, the
same recall of NARA's OCR of one release against its OCR of another release of the same record
(records released more than once) is printed too: their scans and their misreadings differ.

    .venv/bin/python bench/ocr_rate.py [--quick]     # --quick: the 22 pages of 7 records
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
from _common import CORPUS, arguments, best, header, ratio_line, require, scratch, show_runs, timed

from indexer import Options, index_paths
from indexer.store import cache_of
from query import iter_hits

SCANNED = CORPUS / "jfk-nara" / "scanned-pdf"
REFERENCE = CORPUS / "jfk-nara" / "text"
QUICK = ("104-10001-10034", "104-10006-10248", "104-10077-10136", "104-10326-10060", "124-90158-10062",
         "62-116395-2nd_nr_367", "docid-34529191")  # fmt: skip
_WORD = re.compile(r"[a-z]{3,}")


def page_count(path: Path) -> int:
    pdf = pdfium.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def index_once(files: list[Path], index: Path, workers: int) -> float:
    """Seconds to index the files into a fresh index; exits if any page was not OCR'd."""
    reports = []
    seconds = timed(lambda: reports.append(index_paths(files, index, options=Options(workers=workers))))
    report = reports[0]
    if report.failed or report.warnings or report.ocr_pages:
        raise SystemExit(f"OCR went wrong: {report.failed[:3]} {report.warnings[:3]}, {report.ocr_pages} pending")
    return seconds


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def ocr_text(index: Path, path: Path) -> list[str]:
    """The OCR text of every page of one indexed file, from the extraction cache."""
    from indexer.sources import file_sha256

    sha, cache = file_sha256(path), cache_of(index)
    pages = [cache.get_ocr(sha, "eng", n) for n in range(1, page_count(path) + 1)]
    return [page.text if page else "" for page in pages]


def english_words(folder: Path) -> set[str]:
    """Lower-cased words of Tesseract's `eng` word list (empty when its tools are missing)."""
    data = Path("/usr/share/tesseract-ocr/5/tessdata/eng.traineddata")
    try:
        subprocess.run(["combine_tessdata", "-u", str(data), str(folder / "eng.")], check=True, capture_output=True)
        subprocess.run(
            ["dawg2wordlist", str(folder / "eng.lstm-unicharset"), str(folder / "eng.lstm-word-dawg"),
             str(folder / "words.txt")], check=True, capture_output=True,
        )  # fmt: skip
        return {w.lower() for w in (folder / "words.txt").read_text(encoding="utf-8").split()}
    except (OSError, subprocess.CalledProcessError):
        return set()


def quality(files: list[Path], index: Path, english: set[str]) -> None:
    texts = {path.stem: ocr_text(index, path) for path in files}
    pages = [t for pages in texts.values() for t in pages]
    print(f"pages with OCR text: {sum(bool(words(t)) for t in pages)} of {len(pages)}")
    counts = [0, 0, 0, 0]  # found, total, English found, English total
    for path in sorted(REFERENCE.rglob("*.md")):
        if path.stem not in texts:
            continue
        want, got = words(path.read_text(encoding="utf-8", errors="replace")), words("\n".join(texts[path.stem]))
        real = want & english
        for i, n in enumerate((len(want & got), len(want), len(real & got), len(real))):
            counts[i] += n
        print(
            f"  {path.relative_to(REFERENCE)}: recall {len(want & got) / len(want):.3f} of {len(want)} words, "
            f"{len(real & got) / max(len(real), 1):.3f} of {len(real)} English words"
        )
    found, total, real_found, real_total = counts
    if total:
        print(f"word recall against jfk-nara/text, all words: {found / total:.3f} ({found} of {total})")
    if real_total:
        print(f"word recall, English words: {real_found / real_total:.3f} ({real_found} of {real_total}) "
              f"(target >= 0.95: {'MET' if real_found >= 0.95 * real_total else 'MISSED'})")  # fmt: skip
    else:
        print("word recall, English words: not measured (combine_tessdata or dawg2wordlist missing)")
    agreement(set(texts))
    numbers: dict[str, set[str]] = {path.stem: set() for path in files}
    for doc in iter_hits(index, ""):
        if doc.get("record_number"):
            numbers[Path(str(doc["source"])).stem].add(str(doc["record_number"]))
    read = sorted(n for found in numbers.values() for n in found)
    print(f"record numbers read: {sum(bool(n) for n in numbers.values())} of {len(numbers)} files: {read}")


def agreement(stems: set[str]) -> None:
    """How well NARA's own OCR of one record in one release finds the words of its OCR in another
    (records released more than once): the ceiling the recall above can be read against."""
    found = total = 0
    for stem in sorted(stems):
        texts = [words(p.read_text(encoding="utf-8", errors="replace")) for p in sorted(REFERENCE.rglob(f"{stem}.md"))]
        for want, other in ((a, b) for a in texts for b in texts if a is not b):
            found, total = found + len(want & other), total + len(want)
    if total:
        print(f"NARA's releases of the same record against each other, all words: {found / total:.3f} "
              f"({found} of {total})")  # fmt: skip


def main() -> None:
    args = arguments(__doc__)
    runs = 1 if args.quick else 2
    files = sorted(require(SCANNED).glob("*.pdf"))
    if args.quick:
        files = [f for f in files if f.stem in QUICK]
    pages = sum(page_count(f) for f in files)
    header("ocr_rate: OCR pages/s with 2 workers against 1 worker, and OCR quality")
    print(f"data: {len(files)} image-only PDFs, {pages} pages in {SCANNED}; best of {runs} run(s) each")
    times: dict[int, list[float]] = {1: [], 2: []}
    with scratch("ocr") as tmp:
        for run in range(runs):
            for workers in (1, 2) if run % 2 == 0 else (2, 1):
                index = tmp / f"ix-{workers}-{run}"
                times[workers].append(index_once(files, index, workers))
        base = pages / best(times[1])
        print(f"baseline: 1 worker, {base:.2f} pages/s ({show_runs(times[1])})")
        rate = pages / best(times[2])
        print(f"2 workers: {rate:.2f} pages/s ({show_runs(times[2])}); " + ratio_line("ratio", rate / base, 1.8))
        quality(files, tmp / "ix-2-0", english_words(tmp))


if __name__ == "__main__":
    main()
