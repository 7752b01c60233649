"""indexer.metadata: email headers, dates, release status, exemption codes, classification."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

import indexer
from indexer.dates import parse_date
from indexer.emails import Message, clean_person, header_blocks, split_people
from indexer.metadata import classification, jfk_form, read_metadata, release_status

# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thursday, March 3, 2011 9:45 PM", datetime(2011, 3, 3, 21, 45)),
        ("Thursday, March 03, 2011 09:45 PM", datetime(2011, 3, 3, 21, 45)),
        ("Wednesday, September 12, 2012 5.48 PM", datetime(2012, 9, 12, 17, 48)),  # OCR'd colon
        ("Sunday, October 14, 2012 09;00 AM", datetime(2012, 10, 14, 9, 0)),  # OCR'd colon
        ("Thursday, March 3, 2011 5;48 p.m.", datetime(2011, 3, 3, 17, 48)),
        ("Mon Jan 24 17:55:40 2011", datetime(2011, 1, 24, 17, 55, 40)),
        ("Wednesday, December 15, 201011:01 PM", datetime(2010, 12, 15, 23, 1)),  # year glued to time
        ("Friday,March 11,2011 1:36 PM", datetime(2011, 3, 11, 13, 36)),
        ("Sunday, April 03, 2011 12:36 PM               B6", datetime(2011, 4, 3, 12, 36)),  # margin code
        ("Tuesday, 15 June 2010 10:13", datetime(2010, 6, 15, 10, 13)),
        ("04/27/1962", datetime(1962, 4, 27)),
    ],
)
def test_parse_date_reads_header_date_forms(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["5.48 PM", "", "B6", "tomorrow morning"])
def test_parse_date_without_a_year_gives_none(text: str) -> None:
    assert parse_date(text) is None


# --- release status --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RELEASE IN FULL", "full"),
        ("RELEASE IN PART B6", "part"),
        ("                        RELEASE IN\n                        PART B6", "part"),  # split over two lines
        ("                        RELEASE IN\n                        FULL", "full"),
        ("              RELEASE\n              IN PART B6", "part"),
        ("              RELEASE\n              IN FULL", "full"),
        ("RELEASE IN PART\n1.4(B),B1,B5,1.4(D)", "part"),
        ("From:      Sullivan, Jacob J          RELEASE IN\nSent:      Friday         PART B6", "part"),
        ("RELEASE DENIED", "denied"),
        ("  DENIED IN FULL B1", "denied"),
        ("Some header text      PART B5,B6", "part"),
    ],
)
def test_release_status_from_first_page_marking(text: str, expected: str) -> None:
    assert release_status(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Body text with no marking", "The request was DENIED by the court", "Part of the plan was full of holes"],
)
def test_release_status_is_none_without_a_marking(text: str) -> None:
    assert release_status(text) is None


# --- classification --------------------------------------------------------------------------


@pytest.mark.parametrize("marking", ["CONFIDENTIAL", "SECRET//NOFORN", "TOP SECRET//SI", "SECRET / NOFORN"])
def test_classification_marking_on_its_own_line(marking: str) -> None:
    assert classification(f"Memo\n   {marking}   \nbody")[0] == marking


@pytest.mark.parametrize("text", ["The secret plan", "This email is UNCLASSIFIED", "Top Secret"])
def test_classification_word_in_a_sentence_or_mixed_case_is_no_marking(text: str) -> None:
    assert classification(text)[0] is None


def test_classified_by_and_declassify_on_from_labelled_lines() -> None:
    text = "CONFIDENTIAL\nClassified by: DAS, A/GIS, DoS on 05/22/2015\nReason: 1.4(D)\nDeclassify on: 11/18/2032"
    assert classification(text) == ("CONFIDENTIAL", "DAS, A/GIS, DoS on 05/22/2015", "11/18/2032")


def test_classified_by_labels_are_case_insensitive() -> None:
    assert classification("Classified By Jane Doe\nDECLASSIFY ON 2030-01-01") == (None, "Jane Doe", "2030-01-01")


# --- people ----------------------------------------------------------------------------------


def test_clean_person_repairs_ocr_m_and_spaces_in_address() -> None:
    assert clean_person("lvlills, Cheryl D < MillsCD@state.gov >") == "Mills, Cheryl D <MillsCD@state.gov>"


@pytest.mark.parametrize("mailto", ["(mailto:", "[rnailto:", "[mallto: ", "[maitto;"])
def test_clean_person_repairs_ocr_mailto(mailto: str) -> None:
    assert (
        clean_person(f"Sullivan, Jacob J {mailto}SullivanJJ@state.gov]")
        == "Sullivan, Jacob J [mailto:SullivanJJ@state.gov]"
    )


def test_split_people_on_semicolons_dropping_exemption_codes() -> None:
    assert split_people("H; Sullivan, Jacob J;  B6 ; 'abedinh@state.gov'") == (
        "H",
        "Sullivan, Jacob J",
        "abedinh@state.gov",
    )


# --- email header blocks ---------------------------------------------------------------------

LAYOUT_EMAIL = """\
                                                                  RELEASE IN
                                                                  PART B6
From:                         Mills, Cheryl D <MillsCD@state.gov>                 B6
Sent:                         Monday, November 26, 2012 8:05 AM
To:                           H; Sullivan, Jacob J
Cc:                           Abedin, Huma
Subject:                      Re: Hearings schedule for the Benghazi review and the
                              accountability board report
Attachments:                  schedule.docx; memo.pdf

Will do.

-----Original Message-----
From: H [mailto:HDR22@clintonemail.com]
Sent: Sunday, November 25, 2012 09:45 PM
To: Mills, Cheryl D
Subject: Hearings

Pls get me the schedule. Reach me at HDR22©clintonemail.com.
""".splitlines()


def test_layout_header_block_with_wrapped_subject() -> None:
    top = header_blocks(LAYOUT_EMAIL)[0]
    assert top == Message(
        sender="Mills, Cheryl D <MillsCD@state.gov>",
        recipients=("H", "Sullivan, Jacob J"),
        cc=("Abedin, Huma",),
        date=datetime(2012, 11, 26, 8, 5),
        subject="Re: Hearings schedule for the Benghazi review and the accountability board report",
        attachments=("schedule.docx", "memo.pdf"),
    )


def test_forwarded_chain_gives_one_message_per_header_block_top_first() -> None:
    messages = header_blocks(LAYOUT_EMAIL)
    assert len(messages) == 2
    assert messages[1] == Message(
        sender="H [mailto:HDR22@clintonemail.com]",
        recipients=("Mills, Cheryl D",),
        date=datetime(2012, 11, 25, 21, 45),
        subject="Hearings",
    )


def test_header_blocks_separated_by_a_blank_line_are_two_messages() -> None:
    lines = [
        "From: Sid", "Sent: Thursday, March 3, 2011 9:45 PM", "To: H", "Subject: Libya", "",
        "From: Jake", "Sent: Friday, March 4, 2011 1:00 AM", "To: Sid", "Subject: RE: Libya",
    ]  # fmt: skip
    assert [(m.sender, m.subject) for m in header_blocks(lines)] == [("Sid", "Libya"), ("Jake", "RE: Libya")]


def test_redacted_sender_with_only_a_margin_code_is_none() -> None:
    lines = [
        "From:                                                                      B6",
        "Sent:                Thursday, March 3, 2011 5.48 PM",
        "To:                  H",
        "Subject:             H: Latest",
    ]
    assert header_blocks(lines) == [
        Message(sender=None, recipients=("H",), date=datetime(2011, 3, 3, 17, 48), subject="H: Latest")
    ]


def test_margin_code_line_between_header_lines_does_not_end_the_block() -> None:
    lines = [
        "From: Burns, William J",
        "Sent: Sunday, April 03, 2011 12:18 PM",
        "                                                                       1.4(B)",
        "To: H; Sullivan, Jacob J",
        "                                                                       1.4(D)",
        "Subject: Re: Scots police",
    ]
    [message] = header_blocks(lines)
    assert message.recipients == ("H", "Sullivan, Jacob J")
    assert message.subject == "Re: Scots police"


def test_margin_code_at_left_edge_between_header_lines_does_not_end_the_block() -> None:
    lines = [
        "           From: Jones, Beth E",
        " B7(A)",
        "           Sent: Sunday, November 18, 2012 07:14 PM",
        "           To: Burns, William J",
        "           Subject: FYI - Report of arrests",
    ]
    assert header_blocks(lines) == [
        Message(
            sender="Jones, Beth E",
            recipients=("Burns, William J",),
            date=datetime(2012, 11, 18, 19, 14),
            subject="FYI - Report of arrests",
        )
    ]


@pytest.mark.parametrize(("from_label", "subject_label"), [("Frorn:", "Sublect:"), ("Prom:", "Subiect:")])
def test_ocr_variants_of_header_labels(from_label: str, subject_label: str) -> None:
    lines = [f"{from_label} Sid", "Sent: Thursday, March 3, 2011 9:45 PM", "To: H", f"{subject_label} Libya"]
    assert header_blocks(lines) == [
        Message(sender="Sid", recipients=("H",), date=datetime(2011, 3, 3, 21, 45), subject="Libya")
    ]


def test_layout_labels_without_colons() -> None:
    lines = ["From      Sid Blumenthal", "Sent      Mon Jan 24 17:55:40 2011", "To        H", "Subject   Libya"]
    [message] = header_blocks(lines)
    assert (message.sender, message.date, message.subject) == (
        "Sid Blumenthal",
        datetime(2011, 1, 24, 17, 55, 40),
        "Libya",
    )


def test_garbled_label_in_layout_block_does_not_end_it() -> None:
    lines = [
        "From:          Sid",
        "Sent:          Thursday, March 3, 2011 9:45 PM",
        "=To:           H",
        "Subject:       Libya",
    ]
    [message] = header_blocks(lines)
    assert (message.sender, message.subject) == ("Sid", "Libya")


def test_date_label_counts_as_sent_and_block_without_from_needs_to_or_subject() -> None:
    assert header_blocks(["Date: Thursday, March 3, 2011 9:45 PM", "To: H", "Subject: no sender"]) == [
        Message(recipients=("H",), date=datetime(2011, 3, 3, 21, 45), subject="no sender")
    ]
    assert header_blocks(["Date: Thursday, March 3, 2011 9:45 PM", "", "Body."]) == []


def test_memo_lines_are_not_an_email_without_from() -> None:
    assert header_blocks(["For: Hillary", "Re: Syria aiding Qaddafi", "Text."]) == []


# --- read_metadata ---------------------------------------------------------------------------


def test_read_metadata_takes_top_message_and_collects_participants() -> None:
    meta = read_metadata(LAYOUT_EMAIL)
    assert meta.sender == "Mills, Cheryl D <MillsCD@state.gov>"
    assert meta.subject == "Re: Hearings schedule for the Benghazi review and the accountability board report"
    assert meta.release_status == "part"
    assert meta.exemptions == ("B6",)
    assert meta.participants == (
        "Mills, Cheryl D <MillsCD@state.gov>",
        "H",
        "Sullivan, Jacob J",
        "Abedin, Huma",
        "H [mailto:HDR22@clintonemail.com]",
        "Mills, Cheryl D",
        "MillsCD@state.gov",
        "HDR22@clintonemail.com",  # also the OCR'd `HDR22©clintonemail.com` in the body, deduplicated
    )


def test_read_metadata_takes_release_status_from_first_page_when_given() -> None:
    meta = read_metadata(["From: Sid", "Body mentions RELEASE IN FULL later."], first_page="RELEASE IN PART B5")
    assert meta.release_status == "part"


def test_read_metadata_of_empty_body_is_empty() -> None:
    assert read_metadata([]) == indexer.Metadata()


# --- real releases ---------------------------------------------------------------------------

FBI_LETTER_PAGE = "affidavit+court-document+scanned-document__EFTA01325321_20260130_p006_i001.md"
"""An FBI FOIPA letter (DOJ Epstein files) with two Bates lines at the bottom."""


def test_state_pdf_metadata_with_split_release_marking_and_forwarded_message(shared_corpus: Path) -> None:
    [doc] = indexer.read_file(shared_corpus / "state-f2015-04841/pdf/C05739554.pdf")
    meta = doc.meta
    assert meta.sender == "H <hrod17@clintonemail.com>"
    assert meta.recipients == ("Huma Abedin",)
    assert meta.date == datetime(2011, 3, 11, 13, 36)
    assert meta.subject == "Fw: H: Latest: How Syria is aiding Qaddafi and more... Sid"
    assert meta.attachments == ("hrc memo syria aiding libya 030311.docx",)
    assert meta.release_status == "part"  # `RELEASE IN` / `PART B6` on two lines
    assert meta.exemptions == ("B6",)
    assert meta.classification == "CONFIDENTIAL"
    forwarded = header_blocks(doc.text.splitlines())[1]
    assert forwarded.sender is None  # redacted: only `B6` in the margin
    assert forwarded.date == datetime(2011, 3, 3, 21, 45)
    assert forwarded.subject == "H: Latest: How Syria is aiding Qaddafi and more... Sid"


def test_state_text_release_metadata(shared_corpus: Path) -> None:
    [doc] = indexer.read_file(shared_corpus / "state-f2014-20439/txt/HRCEmail_DecWeb/C05779658.txt")
    meta = doc.meta
    assert meta.recipients == ("H", "Sullivan, Jacob J")
    assert meta.date == datetime(2011, 4, 3, 12, 47)
    assert meta.subject == "Re: Scots police, UK govt to meet over Libyan defector (Reuters)"
    assert meta.release_status == "part"
    assert meta.exemptions == ("1.4(B)", "B1", "B5", "1.4(D)")


def test_fbi_letter_exemptions_from_doj_release(shared_corpus: Path) -> None:
    path = shared_corpus / "doj-efta/text-pages" / FBI_LETTER_PAGE
    [doc] = indexer.read_file(path)
    assert doc.meta.exemptions == ("B6", "B7(C)")


# --- regressions ---------------------------------------------------------------------------------


def test_state_classification_block_joined_by_dashes() -> None:
    text = (
        "Classified by DAS, A/GIS, DoS on 05/22/2015 — Class: SECRET/NOFORN —\n"
        "Reason: 1.4(D) — Declassify on: 11/18/2032"
    )
    assert classification(text) == ("SECRET/NOFORN", "DAS, A/GIS, DoS on 05/22/2015", "11/18/2032")


def test_time_written_with_a_comma_keeps_its_time() -> None:
    assert parse_date("Thursday, March 3, 2011 5,48 PM") == datetime(2011, 3, 3, 17, 48)


def test_indented_original_message_line_ends_the_header() -> None:
    lines = [
        "From:          Sid",
        "Sent:          Thursday, March 3, 2011 9:45 PM",
        "To:            H",
        "Subject:       Hi",
        "               -----Original Message-----",
        "From: Jake",
        "Subject: Older",
    ]
    assert [m.subject for m in header_blocks(lines)] == ["Hi", "Older"]


# --- JFK identification form -----------------------------------------------------------------

JFK_FORM_OCR = """\
                       JFK Assassination System                      Date:    6/17/201
                          Identification Form
                         Agency Information
       AGENCY: — FBI
RECORD NUMBER: — 124-90158-10062
RECORD SERIES:   HQ
AGENCY FILE NUMBER: = CR 109-12-228-1924
                         Document Information
   ORIGINATOR:    =CENTRAL INTELLIGENCE AGENCY
         FROM:    CIA
           TO:   HQ
         TITLE :
         DATE:    01/31/1973
         PAG 2
      SUBJECTS :
                  POLITICAL MATTERS"""


def test_jfk_identification_form_fields_as_ocr_reads_them() -> None:
    form = jfk_form(JFK_FORM_OCR.splitlines())
    assert form is not None
    assert (form.agency, form.record_number, form.sender, form.recipient) == ("FBI", "124-90158-10062", "CIA", "HQ")
    assert (form.title, form.date, form.pages) == (None, datetime(1973, 1, 31), 2)


def test_jfk_form_fills_metadata_where_there_is_no_email_header() -> None:
    lines = JFK_FORM_OCR.replace("TITLE :", "TITLE: CASE CLOSURE").splitlines()
    meta = read_metadata(lines)
    assert (meta.sender, meta.recipients, meta.subject) == ("CIA", ("HQ",), "CASE CLOSURE")
    assert meta.date == datetime(1973, 1, 31)
    assert (meta.record_number, meta.record_agency, meta.record_pages) == ("124-90158-10062", "FBI", 2)


def test_labels_without_the_form_title_are_not_a_jfk_form() -> None:
    assert jfk_form(["AGENCY: FBI", "RECORD NUMBER: 124-90158-10062", "FROM: CIA"]) is None
    assert read_metadata(["FROM: CIA", "TO: HQ"]).record_number is None


def test_jfk_form_on_nara_text(shared_corpus: Path) -> None:
    lines = (shared_corpus / "jfk-nara" / "text" / "2022" / "docid-32108731.md").read_text().splitlines()
    form = jfk_form(lines)
    assert form is not None
    assert (form.agency, form.record_number, form.title, form.pages) == ("DIA", "111-10001-10090", "CASE CLOSURE", 1)
    assert form.date == datetime(1972, 8, 14)


def test_review_board_notification_gives_agency_and_record_number() -> None:
    lines = [
        "Assassination Records Review Board",
        "   Final Determination Notification",
        "        AGENCY : HSCA",
        "RECORD NUMBER : 180-10060-10494",
        "RECORD SERIES : STAFF PAYROLL RECORDS",
        "December 8, 1995",
    ]
    meta = read_metadata(lines)
    assert (meta.record_agency, meta.record_number, meta.date) == ("HSCA", "180-10060-10494", None)


def test_jfk_form_section_heading_is_not_the_agency() -> None:
    """The form's `AGENCY INFORMATION` heading (upper case on the 1998 forms, docid-34529191)
    stands above the `AGENCY : INSCOM/CSF` field."""
    lines = [
        "JFK ASSASSINATION SYSTEM",
        "IDENTIFICATION FORM",
        "AGENCY INFORMATION",
        "AGENCY       INSCOM/CSF",
        "RECORD NUMBER          194-10004-10375",
    ]
    form = jfk_form(lines)
    assert form is not None
    assert (form.agency, form.record_number) == ("INSCOM/CSF", "194-10004-10375")
