"""The patterns made faster for indexing speed (issue 11) match what they matched before.

Each rewritten pattern or function is run beside its earlier form, written out here as it was,
over every line and page of real releases: the same matches, the same groups, the same results.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from indexer import emails, exemptions
from indexer.dates import parse_date
from indexer.emails import addresses, header_blocks

_ALTERNATION = "|".join(sorted((re.escape(w) for w in emails.LABELS), key=len, reverse=True))
_COLON = r"\s?[:：;]"
BEFORE = {
    "_LINE_LABEL": re.compile(
        rf"^(?P<indent>\s*)[>|»]?\s*(?P<label>{_ALTERNATION})(?:{_COLON}|(?=\s{{2,}}\S)|\s*$)\s*(?P<value>.*)$",
        re.IGNORECASE,
    ),
    "_INLINE_LABEL": re.compile(rf"(?:(?<=\s)|^)(?P<label>{_ALTERNATION}){_COLON}(?=\s|$)", re.IGNORECASE),
    "_SIDE_LABEL": re.compile(r"\s{2,}(?P<label>to|cc|bcc|subject)(?:\s?:|\s{2,}|\s*$)", re.IGNORECASE),
    "_LABEL_COLON": re.compile(rf"(?P<label>{_ALTERNATION}){_COLON}\s*", re.IGNORECASE),
}
"""The header patterns as they were, without first-letter lookaheads and possessive indents."""
EXEMPTION_BEFORE = re.compile(exemptions.EXEMPTION.pattern.replace("(?=[315(bB§Ss])", "", 1), re.VERBOSE)
"""The exemption pattern without its first-character lookahead."""


def _pages(shared_corpus: Path) -> list[str]:
    """Every page of three real releases in different layouts: State's pdftotext layout (Outlook
    headers in columns), the Fauci emails (attributions, OCR'd addresses with ©) and DOJ's."""
    files = [
        *sorted((shared_corpus / "state-f2015-04841" / "pdftotext-layout").glob("*.txt")),
        *sorted((shared_corpus / "hhs-nih-fauci" / "txt").glob("*.txt"))[:4],
        *sorted((shared_corpus / "doj-ogr" / "txt").glob("*.txt"))[:4],
    ]
    return [page for path in files for page in path.read_text(encoding="utf-8", errors="replace").split("\f")]


@pytest.fixture(scope="module")
def pages(shared_corpus: Path) -> list[str]:
    return _pages(shared_corpus)


def _found(pattern: re.Pattern[str], line: str) -> list[object]:
    found: list[object] = []
    for m in (pattern.match(line), pattern.search(line), *pattern.finditer(line)):
        found.append(m and (m.span(), m.groupdict()))
    return found


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_header_patterns_match_as_before_on_every_line_of_real_releases(name: str, pages: list[str]) -> None:
    new, old = getattr(emails, name), BEFORE[name]
    lines = [line for page in pages for line in page.splitlines()]
    assert len(lines) > 30_000
    differ = [line for line in lines if _found(new, line) != _found(old, line)]
    assert differ == []
    assert sum(bool(new.match(line)) for line in lines) > 100  # the lines tested hold labels


def test_addresses_are_email_findall_on_every_page_of_real_releases(pages: list[str]) -> None:
    differ = [page for page in pages if addresses(page) != emails.EMAIL.findall(page)]
    assert differ == []
    assert sum(len(addresses(page)) for page in pages) > 400


@pytest.mark.parametrize(
    "text",
    [
        "jr@x.gov'ab@y.org",  # an address right after another
        "a@b c@d.com",  # a sign with no address, then one
        "Roe, Jane jr © x . gov>",  # OCR's spaces around the sign and dot
        "b @d.com and e  @f.com",  # one space before the sign may be, not two
        "@x.gov x@ y@z.org",
        "Flublok® . IGE © wwwscientekpower.com",  # NIH-000002: trade marks that are no address
    ],
)
def test_addresses_edge_cases_are_email_findall(text: str) -> None:
    assert addresses(text) == emails.EMAIL.findall(text)


def test_exemption_pattern_matches_as_before_on_every_page_of_real_releases(pages: list[str]) -> None:
    def spans(pattern: re.Pattern[str], text: str) -> list[object]:
        return [(m.span(), m.groupdict()) for m in pattern.finditer(text)]

    assert EXEMPTION_BEFORE.pattern != exemptions.EXEMPTION.pattern
    differ = [page for page in pages if spans(exemptions.EXEMPTION, page) != spans(EXEMPTION_BEFORE, page)]
    assert differ == []
    assert sum(len(spans(exemptions.EXEMPTION, page)) for page in pages) > 100


def test_nih_000002_attributions_still_read_after_the_on_precheck(shared_corpus: Path) -> None:
    """`On Fri, Mar 13, 2020 at 9:33 AM Jameson, James LI wrote:` (NIH-000002) opens a quoted block."""
    text = (shared_corpus / "hhs-nih-fauci" / "txt" / "NIH-000002_NIH-000119.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("On Fri, Mar 13, 2020 at 9:33 AM Jameson"))
    quoted = [m for m in header_blocks(lines[at - 5 : at + 20]) if m.quoted and m.line == 5]
    assert quoted and quoted[0].date == datetime(2020, 3, 13, 9, 33)
    assert "Jameson" in (quoted[0].sender or "")


def test_parse_date_cache_keeps_latest_per_call() -> None:
    """The cached reading is checked against each call's `latest`: a date read once stays
    implausible for an older record, and plausible for a newer one."""
    text = "Thursday, March 3, 2011 9:45 PM"
    assert parse_date(text) == datetime(2011, 3, 3, 21, 45)
    assert parse_date(text, latest=datetime(1999, 1, 1)) is None
    assert parse_date(text, latest=datetime(2012, 1, 1)) == datetime(2011, 3, 3, 21, 45)
