"""indexer.emails and the split of productions into emails: header layouts of several agencies'
mail programs, pinned to the real pages that showed them where the shared corpus has one."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import indexer
from indexer.dates import parse_date
from indexer.documents import Document
from indexer.emails import clean_person, clean_subject, header_blocks, named, split_people
from indexer.names import person_key
from query.cli import app

# --- real pages --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nih_000866(shared_corpus: Path) -> list[Document]:
    return indexer.read_file(shared_corpus / "hhs-nih-fauci" / "txt" / "NIH-000866_NIH-000972.txt")


@pytest.fixture(scope="module")
def nih_000973(shared_corpus: Path) -> list[Document]:
    return indexer.read_file(shared_corpus / "hhs-nih-fauci" / "txt" / "NIH-000973_NIH-001078.txt")


def _starting(docs: list[Document], page: int) -> Document:
    return next(d for d in docs if d.first_page == page)


def test_nih_000866_production_is_split_into_one_document_per_printed_email(nih_000866: list[Document]) -> None:
    starts = [d.first_page for d in nih_000866]
    assert {87, 88, 91} <= set(starts)
    assert len(nih_000866) > 40  # 98 pages of printed threads, not one document
    pages = [p for d in nih_000866 for p in range(d.first_page, d.last_page + 1)]
    assert pages == sorted(set(pages))  # every page in exactly one document, in order


def test_nih_000866_page_91_labels_run_together_on_one_line(nih_000866: list[Document]) -> None:
    meta = _starting(nih_000866, 91).meta
    assert meta.sender == "Fauci, Anthony (NIH/NIAID) [E]"
    assert meta.date == datetime(2020, 3, 6, 3, 0, 23)
    assert meta.recipients == ("Muniz, Maria de Los Angeles",)
    assert meta.cc == ("Birx, Deborah L",)
    assert meta.subject == "RE: National Blood Supply"  # the salutation `Maria:` run into it is cut


def test_nih_000866_page_87_quoted_message_keeps_its_own_header(nih_000866: list[Document]) -> None:
    lines = [line for page in _starting(nih_000866, 87).pages for line in page.splitlines()]
    top, quoted = header_blocks(lines)[:2]
    assert top.sender == "Fauci, Anthony (NIH/NIAID) [E]"
    assert top.subject == "RE: Please review: House Oversight Letter on Coronavirus Diagnostics"
    names = ("Selgrade, Sara", "Crawford, Chase", "Conrad, Patricia")
    assert [person_key(p) for p in top.cc] == [person_key(name) for name in names]
    assert quoted.quoted and quoted.date == datetime(2020, 3, 5, 9, 53)
    assert quoted.sender is not None and quoted.sender.startswith("Haskins, Melinda")
    assert len(quoted.recipients) == 1 and quoted.recipients[0].startswith("Fauci, Anthony")


def test_nih_000973_page_68_date_printed_above_its_empty_sent_label(nih_000973: list[Document]) -> None:
    meta = _starting(nih_000973, 68).meta
    assert meta.date == datetime(2020, 3, 2, 9, 20, 56)
    assert meta.recipients == ("Shlomchik, Mark Jay",)
    assert meta.subject == "Re: Is this true?"


def test_nih_000973_page_68_redacted_sender_is_the_productions_custodian_and_says_so(
    nih_000973: list[Document],
) -> None:
    meta = _starting(nih_000973, 68).meta
    assert person_key(meta.sender or "") == person_key("Anthony Fauci")
    assert meta.inferred == ("sender",)
    printed = _starting(nih_000973, 1).meta
    assert printed.sender == "Fauci, Anthony (NIH/NIAID) [E]" and printed.inferred == ()


def test_nih_000973_page_7_redaction_box_is_no_sender(nih_000973: list[Document]) -> None:
    # `From: ee`: OCR's reading of the redacted address; the email is to someone else, so it is the custodian's
    meta = _starting(nih_000973, 7).meta
    assert "ee" != meta.sender and meta.inferred == ("sender",)


# Printed Outlook emails counted by hand on the OCR'd pages: each begins on a new page under the
# mailbox owner's name, its header a table of labels; quoted messages below are inline.
CHICAGO_EMAILS = {
    "FOIA 15-3569 FINAL PART 12.pdf": 17, "FOIA 15-3569 FINAL PART 6.pdf": 9, "FOIA 15-3569 FINAL PART 16.pdf": 9,
}  # fmt: skip


@pytest.fixture(scope="module")
def chicago_export(shared_corpus: Path, tesseract: None, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    index = tmp_path_factory.mktemp("chicago") / "index"
    files = [shared_corpus / "chicago-foia" / name for name in CHICAGO_EMAILS]
    report = indexer.index_paths(files, index, options=indexer.Options(workers=2))
    assert report.ok and report.ocr_read > 100
    result = CliRunner().invoke(app, ["export", "--index", str(index), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize(("name", "emails"), CHICAGO_EMAILS.items())
def test_foia_15_3569_documents_per_file_match_the_emails_counted_by_hand(
    chicago_export: list[dict], name: str, emails: int
) -> None:
    docs = [d for d in chicago_export if Path(d["source"]).name == name]
    assert abs(len(docs) - emails) <= 0.1 * emails, sorted(d["first_page"] for d in docs)


def test_foia_15_3569_part_12_page_5_indented_quoted_header_continues_the_email(chicago_export: list[dict]) -> None:
    starts = {d["first_page"] for d in chicago_export if Path(d["source"]).name == "FOIA 15-3569 FINAL PART 12.pdf"}
    assert {1, 3, 4, 6, 39} <= starts  # 39: a tabular Subject line alone, From and Sent lost to OCR
    assert 5 not in starts and 28 not in starts  # quoted headers at the top of a page


def test_foia_15_3569_part_16_page_12_inline_quoted_header_continues_the_tabular_email(
    chicago_export: list[dict],
) -> None:
    docs = {d["first_page"]: d for d in chicago_export if Path(d["source"]).name == "FOIA 15-3569 FINAL PART 16.pdf"}
    assert 11 in docs and 12 not in docs
    assert docs[11]["sender"] and docs[11]["date"].startswith("2012-02-02")


# --- layouts with no real page in the shared corpus -------------------------------------------------

EXCHANGE_RIGHT_ALIGNED = """\
                  Jane Roe /o=ExchangeLabs/ou=Exchange Administrative Group
            From: (FYDIBOHF23SPDLT)/cn=Recipients/cn=4f2a9c01d3-Roe Jane
            Date: 2024/03/21 08:01:11
              To: John Doe <(b)(6)>; Mary Major
         Subject: Fwd: Site visit
""".splitlines()


def test_exchange_label_beside_the_second_line_of_its_value() -> None:
    msg = header_blocks(EXCHANGE_RIGHT_ALIGNED)[0]
    assert msg.sender == "Jane Roe"
    assert msg.date == datetime(2024, 3, 21, 8, 1, 11)
    assert msg.recipients == ("John Doe", "Mary Major")  # the redaction label inside a value is dropped
    assert msg.subject == "Fwd: Site visit"


def test_exchange_distinguished_name_alone_gives_surname_and_given_name() -> None:
    dn = "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=0a1b2c3d4e-Roe Jane"
    assert clean_person(dn) == "Roe, Jane"


LOTUS_NOTES = """\
John Smith/WASH/ORG@ORG          To    Mary Major/WASH/ORG@ORG
03/21/2011 10:15 AM              cc    Ann Lee/WASH/ORG@ORG
                                 Subject    Re: Budget figures

Here are the figures.
""".splitlines()


def test_lotus_notes_block_sender_and_date_left_of_the_labels() -> None:
    msg = header_blocks(LOTUS_NOTES)[0]
    assert (msg.sender, msg.date) == ("John Smith", datetime(2011, 3, 21, 10, 15))
    assert msg.recipients == ("Mary Major",) and msg.cc == ("Ann Lee",)
    assert msg.subject == "Re: Budget figures"


GMAIL = """\
Gmail - Meeting next week
2 messages
Jane Roe <jane.roe@gmail.com>                                  Mon, Mar 2, 2020 at 9:14 AM
To: John Doe <jdoe@agency.gov>
Can we meet on Tuesday?
John Doe <jdoe@agency.gov>                                     Mon, Mar 2, 2020 at 10:02 AM
To: Jane Roe <jane.roe@gmail.com>
Yes.
""".splitlines()


def test_gmail_printout_name_address_and_date_on_one_line() -> None:
    first, second = header_blocks(GMAIL)
    assert first.sender == "Jane Roe <jane.roe@gmail.com>" and first.date == datetime(2020, 3, 2, 9, 14)
    assert first.recipients == ("John Doe <jdoe@agency.gov>",)
    assert first.subject == second.subject == "Meeting next week"
    assert second.date == datetime(2020, 3, 2, 10, 2)


@pytest.mark.parametrize(
    ("lines", "sender", "when"),
    [
        (["De : Marie Dupont", "Envoyé : lundi 21 mars 2011 08:01", "À : Jean Martin", "Objet : Réunion"],
         "Marie Dupont", datetime(2011, 3, 21, 8, 1)),
        (["Von: Hans Müller", "Gesendet: Montag, 21. März 2011 08:01", "An: Eva Schmidt", "Betreff: Termin"],
         "Hans Müller", datetime(2011, 3, 21, 8, 1)),
        (["De: Ana López", "Enviado el: lunes, 21 de marzo de 2011 8:01", "Para: Luis Gómez", "Asunto: Informe"],
         "Ana López", datetime(2011, 3, 21, 8, 1)),
        (["发件人: 王伟", "发送时间: 2011年3月21日 8:01", "收件人: 李娜", "主题: 会议"],
         "王伟", datetime(2011, 3, 21, 8, 1)),
    ],
)
def test_header_labels_in_other_languages(lines: list[str], sender: str, when: datetime) -> None:
    msg = header_blocks(lines)[0]
    assert (msg.sender, msg.date) == (sender, when)
    assert msg.recipients and msg.subject


def test_blackberry_signature_is_no_header() -> None:
    lines = ["From: Jane Roe", "To: John Doe", "Subject: Late", "", "Running late.", "Sent from my BlackBerry"]
    assert len(header_blocks(lines)) == 1


def test_reply_attribution_is_a_quoted_message() -> None:
    lines = ["From: John Doe", "Sent: Monday, March 2, 2020 10:02 AM", "To: Jane Roe", "Subject: Re: Lunch", "",
             "Yes.", "On Mon, Mar 2, 2020 at 9:14 AM, Jane Roe <jane.roe@gmail.com> wrote:", "> Lunch?"]  # fmt: skip
    top, quoted = header_blocks(lines)
    assert quoted.quoted and quoted.sender == "Jane Roe <jane.roe@gmail.com>"
    assert quoted.date == datetime(2020, 3, 2, 9, 14)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024/03/21 08:01:11", datetime(2024, 3, 21, 8, 1, 11)),
        ("21.03.2024 08:01", datetime(2024, 3, 21, 8, 1)),
        ("03.04.2024 08:01", datetime(2024, 4, 3, 8, 1)),  # dotted dates are day first
        ("Fri, 6 Mar 2020 03:49:45 +0000", datetime(2020, 3, 6, 3, 49, 45)),
        ("Thursday, March 5, 2020 at 6:19 PM", datetime(2020, 3, 5, 18, 19)),
        ("7/7/19 6:18 PM (GMT-05:00)", datetime(2019, 7, 7, 18, 18)),
    ],
)
def test_parse_date_orders_and_zones(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


def test_parse_date_rejects_a_year_read_in_the_future() -> None:
    assert parse_date("October 4, 2063") is None  # an OCR'd 1963
    assert parse_date("October 4, 1963") == datetime(1963, 10, 4)


@pytest.mark.parametrize("value", ["ee", "(OLO)", "(©) (0)", "cee", "renee:"])
def test_what_ocr_makes_of_a_redaction_box_names_nobody(value: str) -> None:
    assert not named(value)


@pytest.mark.parametrize(
    "value", ["H", "H <hrod17©clintonemaiLcom>", "sulliyanfOstate.gott", "Mills, Cheryl D", "anthony trocchi"]
)
def test_initials_and_misread_addresses_name_someone(value: str) -> None:
    assert named(value)


def test_c05739901_page_1_subject_without_its_classification_marking(shared_corpus: Path) -> None:
    doc = indexer.read_file(shared_corpus / "state-f2015-04841" / "pdf" / "C05739901.pdf")[0]
    assert doc.meta.subject == "FW: UPDATE: Benghazi"  # printed `FW: (SBU) UPDATE: Benghazi`


def test_c05739562_page_1_ocr_damaged_forward_prefix_is_written_fw(shared_corpus: Path) -> None:
    doc = indexer.read_file(shared_corpus / "state-f2015-04841" / "pdf" / "C05739562.pdf")[0]
    assert doc.meta.subject == "Fw: Secretary's remarks"  # printed `FVV: Secretary's remarks`


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fvic From HRC friend", "Fw: From HRC friend"),
        ("(U) Trip report", "Trip report"),
        ("Fvicious dog", "Fvicious dog"),
    ],
)
def test_subject_prefixes_and_markings(text: str, expected: str) -> None:
    assert clean_subject(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RE: Have you been muzzled? Mr. Murray:", "RE: Have you been muzzled?"),
        ("RE: No BS Celia and Jim: Thank you for your kind note. Best, Tony", "RE: No BS"),
        ("Re: 'Meet the Press Transcript: U.S. Ambassador", "Re: 'Meet the Press Transcript: U.S. Ambassador"),
        ("Fwd: Invitation: BIO Coronavirus Collaboration", "Fwd: Invitation: BIO Coronavirus Collaboration"),
    ],
)
def test_salutation_run_into_a_subject_is_cut(text: str, expected: str) -> None:
    assert clean_subject(text) == expected


def test_nih_000002_page_45_cc_list_wrapped_without_indent(shared_corpus: Path) -> None:
    docs = indexer.read_file(shared_corpus / "hhs-nih-fauci" / "txt" / "NIH-000002_NIH-000119.txt")
    meta = _starting(docs, 45).meta
    assert meta.subject == "RE: Connection Request per Bill Gates"
    assert any(p.startswith("Collins, Francis") for p in meta.cc)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # NIH-000445_NIH-000551.txt line 384: the address after the name was redacted
        ('"Fauci, Anthony (NIH/NIAID) [E]" 9 @@-', "Fauci, Anthony (NIH/NIAID) [E]"),
        ('"Roe, Jane" <jr@x.gov>', "Roe, Jane <jr@x.gov>"),
    ],
)
def test_quoted_display_name_keeps_a_whole_address_and_drops_redaction_residue(value: str, expected: str) -> None:
    assert clean_person(value) == expected


def test_c05770169_original_message_line_without_dashes_is_a_separator(shared_corpus: Path) -> None:
    path = shared_corpus / "state-f2014-20439" / "txt" / "Clinton_Email_August_Release" / "C05770169.txt"
    meta = indexer.read_file(path)[0].meta
    assert "sbwhoeor" in meta.participants  # was `Original Message sbwhoeor`
    assert not any("Original Message" in p for p in meta.participants)


def test_comma_separated_recipients_split_after_an_address_or_before_a_quoted_name() -> None:
    value = '"Roe, Jane" <jr@x.gov>, jd@agency.gov, "Doe, John" <jd@y.org>'
    assert split_people(value) == ("Roe, Jane <jr@x.gov>", "jd@agency.gov", "Doe, John <jd@y.org>")
    assert split_people("Mills, Cheryl D; Sullivan, Jacob J") == ("Mills, Cheryl D", "Sullivan, Jacob J")


def test_nih_000445_page_28_forward_subject_is_the_forwarded_subject(shared_corpus: Path) -> None:
    docs = indexer.read_file(shared_corpus / "hhs-nih-fauci" / "txt" / "NIH-000445_NIH-000551.txt")
    assert _starting(docs, 28).meta.subject == "Fwd: Coronavirus antibodies"  # printed `... antibodies Please handle`


@pytest.fixture(scope="module")
def nih_000760(shared_corpus: Path) -> list[Document]:
    return indexer.read_file(shared_corpus / "hhs-nih-fauci" / "txt" / "NIH-000760_NIH-000865.txt")


@pytest.fixture(scope="module")
def nih_000445(shared_corpus: Path) -> list[Document]:
    return indexer.read_file(shared_corpus / "hhs-nih-fauci" / "txt" / "NIH-000445_NIH-000551.txt")


def test_nih_000552_page_29_labels_stacked_above_their_values(shared_corpus: Path) -> None:
    docs = indexer.read_file(shared_corpus / "hhs-nih-fauci" / "txt" / "NIH-000552_NIH-000657.txt")
    meta = _starting(docs, 29).meta  # `From: Sent: To: Subject:` on one line, one value a line below
    assert meta.sender == "Fauci, Anthony (NIH/NIAID) [E]"
    assert meta.date == datetime(2020, 3, 15, 18, 32, 34)
    assert meta.recipients == ("Birx, Deborah L. EOP/NSC",)
    assert meta.subject == "RE: [EXTERNAL] CNN question/German vaccine company?"


def test_nih_000760_page_70_stacked_labels_values_run_together_sender_redacted(nih_000760: list[Document]) -> None:
    meta = _starting(nih_000760, 70).meta  # `Sun, 8 Mar 2020 07:41:41 -0400 NIAID Public Inquiries Fwd: ...`
    assert meta.date == datetime(2020, 3, 8, 7, 41, 41)
    assert meta.recipients == ("NIAID Public Inquiries",)
    assert meta.subject == "Fwd: Ems Personnel & Ambulance Teams"


def test_nih_000760_page_66_stacked_labels_over_two_lines_and_recipients_without_separator(
    nih_000760: list[Document],
) -> None:
    meta = _starting(nih_000760, 66).meta  # `From: Sent: To:` / `Ce: Subject:`
    assert meta.subject == "Fwd: IL6 R"
    assert meta.recipients == ("Bright, Rick (OS/ASPR/BARDA)", "Lane, Cliff (NIH/NIAID) [E]")


def test_nih_000760_page_53_cc_list_wrapped_over_a_blank_line(nih_000760: list[Document]) -> None:
    meta = _starting(nih_000760, 53).meta
    assert meta.subject == "FW: Stability data - spoke to Vincent."  # `Attachments:` on the same line
    assert any(p.startswith("Lerner, Andrea") for p in meta.cc)


def test_nih_000445_page_44_to_list_wrapped_over_six_lines(nih_000445: list[Document]) -> None:
    assert _starting(nih_000445, 44).meta.subject == "Fwd: coronavirus vaccine using cow pox-small pox example"


def test_nih_000445_page_65_reply_to_label_run_into_the_forwarded_subject(nih_000445: list[Document]) -> None:
    # the forwarded header prints `Subject: natural course of the coronavirus pandemic Reply-To:`
    assert _starting(nih_000445, 65).meta.subject == "Fwd: natural course of the coronavirus pandemic"


def test_nih_000760_page_60_forwarded_subject_matched_through_an_ocr_slip(nih_000760: list[Document]) -> None:
    # printed `Fwd: COVID19, ACEls and ARBs Please handle` above the forwarded `COVID19, ACEIs and ARBs`
    assert _starting(nih_000760, 60).meta.subject == "Fwd: COVID19, ACEls and ARBs"


def test_nih_000552_pages_65_70_a_reply_sent_to_many_run_onto_their_subject_lines(shared_corpus: Path) -> None:
    docs = indexer.read_file(shared_corpus / "hhs-nih-fauci" / "txt" / "NIH-000552_NIH-000657.txt")
    assert _starting(docs, 65).meta.subject == "Re: Thank you for your leadership!"  # `... Thank you for your note.`
    assert _starting(docs, 70).meta.subject == "Re: Subject. Virus recommendations"
    assert _starting(docs, 70).meta.title == "Re: Subject. Virus recommendations"


SERIES = """\
From: {topic} Desk
Sent: Mon, {day} Mar 2020 09:14:00 -0400
To: {topic} Partners
Subject: Re: {topic} Weekly Update for Partners
The {topic} figures for this week are attached; the partners meeting moves to Thursday afternoon.
"""


def test_subjects_of_a_series_sharing_their_last_words_keep_them(tmp_path: Path) -> None:
    path = tmp_path / "series.txt"
    topics = ("Ebola", "Measles", "Zika")
    path.write_text("\f".join(SERIES.format(topic=t, day=n + 2) for n, t in enumerate(topics)))
    subjects = [d.meta.subject for d in indexer.read_file(path)]
    assert subjects == [f"Re: {t} Weekly Update for Partners" for t in topics]
