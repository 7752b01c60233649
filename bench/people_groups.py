"""How well senders are grouped into people, against two releases' ground truth.

State release (138 PDFs, indexed into a scratch folder, or `--index DIR` to read an index of it
already made): each document's sender facet value as written, and the agency's own `from` for the
document (`ground-truth.csv`). Fauci production (12 text files): the sender of every email header
block (`indexer.emails.header_blocks`) on each page whose header count matches the ground
truth's rows for the page, paired with the ground truth's sender (`on behalf of ...` dropped). The
groups are computed, as in an index, from every sender, recipient and Cc value read.

For each: distinct sender values (what the facet showed before), distinct people they fall into
(what it shows now), distinct ground-truth senders, and pairwise precision and recall of the
grouping (pairs of distinct values put in one group / that are one ground-truth sender). On the
Fauci production the pairing is also shown keeping only the pairs whose ground-truth surname is
in the value (a page whose headers the text and the ground truth order differently pairs a value
with the wrong sender). The false merges found are listed. Last, the time to group every distinct
person value of the State index. There is no target: precision should stay at 1.00.

    .venv/bin/python bench/people_groups.py [--index DIR]
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from _common import CORPUS, STATE, arguments, header, require, scratch

from indexer import Options, index_paths
from indexer.emails import header_blocks
from indexer.people import group_people
from indexer.store import open_index, person_values

FAUCI = CORPUS / "hhs-nih-fauci"


def _index_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", type=Path, help="an index of the State release already made")


def score(label: str, pairs: list[tuple[str, str]], values: Counter[str]) -> None:
    """Print the figures of one release: `pairs` are (sender value, ground-truth sender)."""
    people = group_people(values)
    group = {form: person.name for person in people.persons for form in person.forms}
    truth: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for value, sender in pairs:
        truth[value][sender] += 1
    true_of = {value: senders.most_common(1)[0][0] for value, senders in truth.items()}
    senders = sorted(true_of)
    tp = fp = fn = 0
    wrong = []
    for i, a in enumerate(senders):
        for b in senders[i + 1 :]:
            grouped, same = group[a] == group[b], true_of[a] == true_of[b]
            tp, fp, fn = tp + (grouped and same), fp + (grouped and not same), fn + (same and not grouped)
            if grouped and not same:
                wrong.append(f"{a!r} ({true_of[a]}) with {b!r} ({true_of[b]})")
    print(
        f"{label}: {len(senders)} distinct sender values -> {len({group[v] for v in senders})} people "
        f"({len(set(true_of.values()))} in the ground truth); pairwise precision {tp / max(tp + fp, 1):.3f}, "
        f"recall {tp / max(tp + fn, 1):.3f} ({tp} pairs joined rightly, {fp} wrongly, {fn} missed)"
    )
    for line in wrong[:10]:
        print(f"  false merge: {line}")


def state(index_dir: Path) -> tuple[list[tuple[str, str]], Counter[str]]:
    truth = {r["doc_no"]: r["from"] for r in csv.DictReader((STATE / "ground-truth.csv").open()) if r["from"]}
    ix = open_index(index_dir)
    try:
        reader = ix.reader()
        stored = list(reader.all_stored_fields())
        reader.close()
        senders = [(f.get("doc_number", ""), " ".join(str(f.get("sender") or "").split())) for f in stored]
        values, _ = person_values(ix)
    finally:
        ix.close()
    return [(value, truth[doc.upper()]) for doc, value in senders if value and doc.upper() in truth], values


def fauci(only_named: bool) -> tuple[list[tuple[str, str]], Counter[str]]:
    rows = [r for r in csv.DictReader((FAUCI / "ground-truth.csv").open()) if r["bates"]]
    on_page: defaultdict[tuple[str, int], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        on_page[(row["file"], int(row["page"]))].append(row)
    pages = {f.name: f.read_text(encoding="utf-8").split("\f") for f in sorted((FAUCI / "txt").glob("*.txt"))}
    values: Counter[str] = Counter()
    for texts in pages.values():
        for text in texts:
            for m in header_blocks(text.splitlines()):
                values.update(_people((m.sender or "", *m.recipients, *m.cc)))
    pairs = []
    for (name, number), found in on_page.items():
        messages = [m for m in header_blocks(pages[name][number - 1].splitlines()) if m.sender]
        if len(messages) != len(found):
            continue
        for message, row in zip(messages, sorted(found, key=lambda r: int(r["position"])), strict=True):
            sender = row["sender"].split(" on behalf of ")[0]
            if sender and not (only_named and sender.split(",")[0].split()[-1] not in (message.sender or "").lower()):
                pairs.append((" ".join((message.sender or "").split()), sender))
    return pairs, values


def _people(values: Iterable[str]) -> set[str]:
    return {" ".join(v.split()) for v in values} - {""}


def main() -> None:
    args = arguments(__doc__, _index_arg)
    header("people: senders grouped into persons, against the ground truth")
    require(FAUCI)
    if args.index:
        pairs, values = state(args.index)
    else:
        with scratch("people") as folder:
            require(STATE)
            index_paths([STATE / "pdf"], folder / "ix", options=Options(workers=1))
            pairs, values = state(folder / "ix")
    score("state-f2015-04841 (document senders)", pairs, values)
    started = time.perf_counter()
    group_people(values)
    print(f"grouping the State index's {len(values)} distinct person values: {time.perf_counter() - started:.3f} s")
    for only_named in (False, True):
        pairs, values = fauci(only_named)
        kept = "pairs whose ground-truth surname is in the value" if only_named else "every pair"
        score(f"hhs-nih-fauci (email senders, {kept})", pairs, values)


if __name__ == "__main__":
    main()
