"""What linking printed emails into threads costs, per 1,000 documents.

Read in one process, best of N runs: the HHS production (12 text files, about 600 printed emails)
and the State text releases of case F-2014-20439 (about 90 documents). Baseline: what a worker
already does for each file, `read_release` (extract, stamps, metadata, documents). Against it:
reading every document's chain of messages (`threads.document_chains`, done by the workers as
they index), and linking the chains into threads (`threads.copies` and `threads.thread_ids`, done
once in the main process after a run, from the stored chains). No target: the cost should stay a
small share of indexing.

    .venv/bin/python bench/threads_cost.py [--quick]
"""

from __future__ import annotations

from _common import CORPUS, arguments, best, header, require, timed

from indexer import read_file
from indexer.threads import copies, document_chains, thread_ids

RELEASES = (CORPUS / "hhs-nih-fauci" / "txt", CORPUS / "state-f2014-20439" / "txt")


def main() -> None:
    args = arguments(__doc__)
    header("threads: cost per 1,000 documents")
    files = sorted(p for root in RELEASES for p in require(root).rglob("*.txt") if p.read_text().strip(" \n\f"))
    runs = 1 if args.quick else 3
    docs = [d for path in files for d in read_file(path)]
    chains = {doc: chain for doc, (_, chain) in document_chains(docs).items()}
    read = best([timed(lambda: [read_file(path) for path in files]) for _ in range(runs)])
    chain = best([timed(lambda: document_chains(docs)) for _ in range(runs)])
    link = best([timed(lambda: thread_ids(chains, copies(chains))) for _ in range(runs)])
    per = 1000 / len(docs)
    messages = sum(len(c) for c in chains.values())
    threads = len(set(thread_ids(chains, copies(chains)).values()))
    print(f"{len(files)} files, {len(docs)} documents, {messages} printed messages, {threads} threads")
    print(f"baseline read_release: {read * per:.2f} s per 1,000 documents")
    print(f"chains (workers):      {chain * per:.2f} s per 1,000 documents, {chain / read:.2f}x the baseline")
    print(f"linking (main):        {link * per:.2f} s per 1,000 documents, {link / read:.2f}x the baseline")


if __name__ == "__main__":
    main()
