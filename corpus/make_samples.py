"""Write small, fictional sample FOIA releases for tests and demos.

The samples imitate the shape of real agency releases (page stamps, Bates numbers, release
markings, email headers laid out in two columns, a scanned page without a text layer) while
every name, number and address in them is invented.

Files written (into this script's folder unless ``--out DIR`` is given):

* ``state-email-release.pdf``: one 3-page email with multi-line stamps at top and bottom.
* ``production-several-documents.pdf``: 5 pages holding 3 documents of one production.
* ``plain-text-release.txt``: a 3-page UTF-8 text release, pages separated by form feeds.
* ``scanned-page.pdf``: a cover letter page and a page that is only an image (needs OCR).

The output is deterministic: no timestamps, no randomness, so running the script twice
produces byte-identical files. Only the standard library is used; the PDFs come from the
small writer below (base-14 fonts, uncompressed content streams, one Flate-compressed image).

Usage::

    python corpus/make_samples.py [--out DIR]
"""

from __future__ import annotations

import argparse
import textwrap
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# --- Page geometry and type ----------------------------------------------------------------

PAGE_WIDTH = 612
PAGE_HEIGHT = 792

HELVETICA = "F1"
COURIER = "F2"
FONTS: dict[str, str] = {HELVETICA: "Helvetica", COURIER: "Courier"}
COURIER_ADVANCE = 0.6
"""Width of every Courier glyph, as a fraction of the font size."""

BODY_SIZE = 10
STAMP_SIZE = 8
LEADING = 12
STAMP_LEADING = 9

LEFT = 50
"""Left margin: body text, stamps, header labels."""
VALUE_X = 190
"""Where the values of a laid-out email header start."""
MARGIN_CODE_X = 560
"""Where exemption codes written in the right margin start."""
RIGHT = 562
"""Right edge used to right-align Bates numbers."""
MARKING_X = 470
"""Where the release marking at the top right starts."""
MARKING_BELOW_LINE_STAMP = 752
"""Baseline of a release marking on pages whose one-line stamp spans the top of the page."""

TOP_ROW = 770
"""Baseline of the first stamp row at the top of a page."""
BOTTOM_ROW = 34
"""Baseline of the last stamp row at the bottom of a page."""
BODY_BOTTOM = 84
"""No body line may be placed below this baseline (the bottom stamp lives there)."""

WRAP_COLUMNS = 92
"""Characters per body line when wrapping prose in 10-point Helvetica."""

TEXT_COLUMNS = 100
"""Width of a line in the plain-text release, for right-aligned markings."""
TEXT_VALUE_COLUMN = 30
"""Column where header values start in the plain-text release."""

CASE_NUMBER = "F-2099-00123"
AGENCY = "U.S. Department of State"


# --- Page model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TextRun:
    """One string drawn with its baseline starting at (x, y)."""

    x: float
    y: float
    text: str
    font: str = HELVETICA
    size: float = BODY_SIZE


@dataclass(frozen=True)
class GrayImage:
    """An 8-bit grayscale raster, rows top to bottom, one byte per pixel."""

    width: int
    height: int
    pixels: bytes


@dataclass
class PageDraft:
    """The text runs of one page, and optionally an image painted over the whole page."""

    runs: list[TextRun] = field(default_factory=list)
    image: GrayImage | None = None

    def text(self, x: float, y: float, text: str, font: str = HELVETICA, size: float = BODY_SIZE) -> None:
        """Draw a string with its baseline starting at (x, y)."""
        self.runs.append(TextRun(x, y, text, font, size))


class BodyCursor:
    """Writes body lines downwards on a page, one baseline every `LEADING` points."""

    def __init__(self, page: PageDraft, top: float) -> None:
        self.page = page
        self.y = top

    def _advance(self) -> float:
        if self.y < BODY_BOTTOM:
            raise ValueError(f"body text overflows the page at y={self.y}")
        y = self.y
        self.y -= LEADING
        return y

    def line(self, text: str, x: float = LEFT, margin_code: str | None = None) -> None:
        """One line of body text, optionally with an exemption code in the right margin."""
        y = self._advance()
        if text:
            self.page.text(x, y, text)
        if margin_code:
            self.page.text(MARGIN_CODE_X, y, margin_code)

    def blank(self, count: int = 1) -> None:
        """Leave empty lines."""
        for _ in range(count):
            self._advance()

    def paragraph(self, text: str, blank_after: bool = True) -> None:
        """Wrap prose into body lines, then leave one empty line."""
        for line in textwrap.wrap(text, WRAP_COLUMNS):
            self.line(line)
        if blank_after:
            self.blank()

    def header_field(self, label: str, value: str, more: Sequence[str] = (), margin_code: str | None = None) -> None:
        """An email header in the 'layout' form: label at `LEFT`, value at `VALUE_X`, same baseline.

        `more` are wrapped continuation lines of the value, aligned under it; `margin_code` is an
        exemption code printed in the right margin on the label's baseline.
        """
        y = self._advance()
        self.page.text(LEFT, y, label)
        self.page.text(VALUE_X, y, value)
        if margin_code:
            self.page.text(MARGIN_CODE_X, y, margin_code)
        for extra in more:
            self.page.text(VALUE_X, self._advance(), extra)


# --- Stamps and markings -------------------------------------------------------------------


def stamp_rows(doc_number: str, date: str, case_number: str = CASE_NUMBER) -> list[str]:
    """The rows of a State-style page stamp."""
    return ["UNCLASSIFIED", AGENCY, f"Case No. {case_number}", f"Doc No. {doc_number}", f"Date: {date}"]


def draw_stacked_stamp(page: PageDraft, rows: Sequence[str]) -> None:
    """The stamp as several 8-point rows, once at the top left and once at the bottom left."""
    for i, row in enumerate(rows):
        page.text(LEFT, TOP_ROW - i * STAMP_LEADING, row, size=STAMP_SIZE)
    bottom_first = BOTTOM_ROW + (len(rows) - 1) * STAMP_LEADING
    for i, row in enumerate(rows):
        page.text(LEFT, bottom_first - i * STAMP_LEADING, row, size=STAMP_SIZE)


def draw_line_stamp(page: PageDraft, rows: Sequence[str]) -> None:
    """The stamp as a single 8-point line, at the top and again at the bottom of the page."""
    line = " ".join(rows)
    page.text(LEFT, TOP_ROW, line, size=STAMP_SIZE)
    page.text(LEFT, BOTTOM_ROW + STAMP_LEADING, line, size=STAMP_SIZE)


def draw_bates(page: PageDraft, number: str) -> None:
    """A Bates number in 8-point Courier, right-aligned at the bottom right."""
    width = len(number) * STAMP_SIZE * COURIER_ADVANCE
    page.text(round(RIGHT - width, 2), BOTTOM_ROW, number, font=COURIER, size=STAMP_SIZE)


def draw_marking(page: PageDraft, lines: Sequence[str], top: float = TOP_ROW) -> None:
    """A release marking ('RELEASE IN PART B6') at the top right, one or more lines."""
    for i, line in enumerate(lines):
        page.text(MARKING_X, top - i * LEADING, line)


# --- Minimal PDF writer --------------------------------------------------------------------


def _num(value: float) -> str:
    """A PDF number: integers without a decimal point, others with at most two decimals."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _pdf_string(text: str) -> bytes:
    """A literal string in WinAnsi encoding with backslash and parentheses escaped."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("cp1252") + b")"


def content_stream(page: PageDraft) -> bytes:
    """The page's drawing operators: the image first (if any), then one BT..ET per text run."""
    ops: list[bytes] = []
    if page.image is not None:
        ops.append(f"q {PAGE_WIDTH} 0 0 {PAGE_HEIGHT} 0 0 cm /Im1 Do Q".encode("ascii"))
    for run in page.runs:
        head = f"BT /{run.font} {_num(run.size)} Tf {_num(run.x)} {_num(run.y)} Td ".encode("ascii")
        ops.append(head + _pdf_string(run.text) + b" Tj ET")
    return b"\n".join(ops) + b"\n"


def _stream(dictionary: str, data: bytes) -> bytes:
    return f"<< {dictionary}/Length {len(data)} >>\nstream\n".encode("ascii") + data + b"\nendstream"


class PdfWriter:
    """Collects numbered objects and serializes them with a cross-reference table."""

    def __init__(self) -> None:
        self.objects: list[bytes] = []

    def reserve(self) -> int:
        """A number for an object whose body is set later."""
        self.objects.append(b"")
        return len(self.objects)

    def set(self, number: int, body: bytes | str) -> None:
        self.objects[number - 1] = body.encode("ascii") if isinstance(body, str) else body

    def add(self, body: bytes | str) -> int:
        number = self.reserve()
        self.set(number, body)
        return number

    def serialize(self, root: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets: list[int] = []
        for number, body in enumerate(self.objects, start=1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(self.objects) + 1}\n".encode("ascii")
        out += b"0000000000 65535 f \n"
        for offset in offsets:
            out += f"{offset:010d} 00000 n \n".encode("ascii")
        out += (
            f"trailer\n<< /Size {len(self.objects) + 1} /Root {root} 0 R /Info {info} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n"
        ).encode("ascii")
        return bytes(out)


def build_pdf(pages: Sequence[PageDraft], title: str) -> bytes:
    """A complete PDF file holding the given pages, letter size, base-14 fonts."""
    pdf = PdfWriter()
    catalog = pdf.reserve()
    page_tree = pdf.reserve()
    info = pdf.add(b"<< /Title " + _pdf_string(title) + b" /Producer (corpus/make_samples.py) >>")
    fonts = {
        name: pdf.add(f"<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding /WinAnsiEncoding >>")
        for name, base in FONTS.items()
    }
    font_resources = " ".join(f"/{name} {number} 0 R" for name, number in fonts.items())
    kids: list[int] = []
    for page in pages:
        resources: list[str] = []
        if page.runs:
            resources.append(f"/Font << {font_resources} >>")
        if page.image is not None:
            image = page.image
            data = zlib.compress(image.pixels, 9)
            image_obj = pdf.add(
                _stream(
                    f"/Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} "
                    "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode ",
                    data,
                )
            )
            resources.append(f"/XObject << /Im1 {image_obj} 0 R >>")
        contents = pdf.add(_stream("", content_stream(page)))
        kids.append(
            pdf.add(
                f"<< /Type /Page /Parent {page_tree} 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
                f"/Resources << {' '.join(resources)} >> /Contents {contents} 0 R >>"
            )
        )
    pdf.set(page_tree, f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>")
    pdf.set(catalog, f"<< /Type /Catalog /Pages {page_tree} 0 R >>")
    return pdf.serialize(catalog, info)


# --- Sample 1: one email over three pages --------------------------------------------------


def email_release_pages() -> list[PageDraft]:
    """`state-email-release.pdf`: a forwarded email, doc C09900001, released in part."""
    rows = stamp_rows("C09900001", "03/14/2099")
    pages = [PageDraft() for _ in range(3)]
    for number, page in enumerate(pages, start=101):
        draw_stacked_stamp(page, rows)
        draw_bates(page, f"STATE-SMP0000{number}")

    first = pages[0]
    draw_marking(first, ["RELEASE IN", "PART B6"])
    body = BodyCursor(first, 700)
    body.header_field("From:", "Rivera, Dana L <RiveraDL@example.gov>")
    body.header_field("Sent:", "Thursday, March 3, 2011 9:45 PM")
    body.header_field("To:", "Okafor, Samuel", margin_code="B6")
    body.header_field("Cc:", "Lindqvist, Petra; Haddad, Omar")
    body.header_field("Subject:", "FW: Harbor inspection schedule for the", more=["northern terminals"])
    body.blank()
    body.line("Samuel,")
    body.blank()
    body.paragraph(
        "Forwarding Omar's note below. The revised harbor inspection schedule for the northern "
        "terminals is attached, but the short version is that the container scanning backlog has "
        "grown again since the January rotation. Terminal 4 is now running about nine days behind "
        "on secondary screening, and the customs liaison expects it to get worse before it gets better."
    )
    body.paragraph(
        "The port authority also told us this morning that the dredging contract for the outer "
        "channel will not start until late April. Until the channel is cleared, the larger feeder "
        "vessels are being sent to Terminal 2, which has the oldest scanning portals. That is most "
        "of the reason the numbers below look the way they do."
    )
    body.paragraph(
        "The quarterly report we promised the economic section is delayed as a result. I would "
        "rather send it late with corrected throughput figures than on time with numbers we already "
        "know are wrong. Please tell me if you see a problem with moving it to the end of the month."
    )
    body.line("Thanks,")
    body.line("Dana")
    body.blank()
    body.line("-----Original Message-----")
    body.line("From: Haddad, Omar [mailto:HaddadO@example.gov]")
    body.line("Sent: Wednesday, March 2, 2011 5:10 PM")
    body.line("To: Rivera, Dana L")
    body.line("Subject: Harbor inspection schedule for the northern terminals")
    body.blank()
    body.line("Dana,")
    body.blank()
    body.paragraph(
        "Here is where things stand after today's walk-through with the harbor master and the two "
        "terminal operators. The short answer is that we can keep the inspection rotation, but only "
        "if we accept a slower pace at the northern berths for at least six weeks.",
        blank_after=False,
    )

    second = BodyCursor(pages[1], 700)
    second.paragraph("Proposed inspection schedule for the northern terminals, starting the week of March 14:")
    for item in (
        "- Terminal 1: Monday and Thursday, morning shift, two inspectors",
        "- Terminal 2: daily, both shifts, three inspectors while the feeder vessels are diverted",
        "- Terminal 3: Wednesday only, afternoon shift, one inspector",
        "- Terminal 4: Tuesday and Friday, morning shift, two inspectors plus the mobile scanner",
    ):
        second.line(item)
    second.blank()
    second.paragraph(
        "The mobile scanner is the main constraint. It can cover one terminal a day, and it needs a "
        "calibration visit from the contractor every ten days. The contractor has been reliable, "
        "but their technician also covers the southern port, so a missed visit costs us most of a week."
    )
    second.paragraph(
        "On the dredging: the harbor master expects the outer channel work to close the northern "
        "approach for two tide windows a day once it begins. The operators want inspections moved "
        "to the hours when the channel is closed, since no vessel can leave the berth then anyway. "
        "I think that is a good idea and have asked the customs liaison to check whether their "
        "staff can work those hours."
    )
    second.paragraph(
        "I would not commit to a date for the report yet. The throughput figures the operators gave "
        "us last month counted empty containers twice, and they have promised corrected numbers by "
        "the end of next week.",
        blank_after=False,
    )

    third = BodyCursor(pages[2], 700)
    third.paragraph(
        "Two smaller points. First, the new gate procedure at Terminal 3 is working; trucks are "
        "clearing the gate in under twenty minutes, down from almost an hour in December. Second, "
        "the operators asked again whether we could share the inspection calendar with them in "
        "advance. I told them we would consider it for routine visits only."
    )
    third.line("The security manager at Terminal 4, (b)(6), asked that follow-up questions go through")
    third.line("the port authority rather than to him directly.")
    third.blank()
    third.paragraph("I can walk you through all of this on Friday if that helps.")
    third.line("Omar")
    return pages


# --- Sample 2: three documents of one production -------------------------------------------


def _production_page(doc_number: str, bates: int) -> PageDraft:
    page = PageDraft()
    draw_line_stamp(page, stamp_rows(doc_number, "04/02/2099"))
    draw_bates(page, f"STATE-SMP0000{bates}")
    return page


def production_pages() -> list[PageDraft]:
    """`production-several-documents.pdf`: two emails and a memo, pages Bates 201 to 205."""
    pages = [
        _production_page(doc, bates)
        for doc, bates in (
            ("C09900011", 201),
            ("C09900011", 202),
            ("C09900012", 203),
            ("C09900013", 204),
            ("C09900013", 205),
        )
    ]

    # C09900011, pages 1-2: an email released in full.
    draw_marking(pages[0], ["RELEASE IN FULL"], MARKING_BELOW_LINE_STAMP)
    body = BodyCursor(pages[0], 720)
    body.header_field("From:", "Nakamura, Kenji <NakamuraK@example.gov>")
    body.header_field("Sent:", "Monday, January 24, 2011 5:55 PM")
    body.header_field("To:", "Haddad, Omar; Rivera, Dana L")
    body.header_field("Subject:", "Port security budget")
    body.blank()
    body.line("Omar, Dana,")
    body.blank()
    body.paragraph(
        "The budget office wants our port security request for next year by February 4. I have "
        "started from last year's numbers and adjusted for the second mobile scanner, the training "
        "course for the new inspectors, and the higher maintenance rates in the contractor's renewal."
    )
    body.paragraph(
        "The largest open question is whether we ask for the scanner outright or lease it. Buying "
        "is cheaper over four years but puts the whole cost into one year, which the budget office "
        "has told us it does not like to see.",
        blank_after=False,
    )
    body = BodyCursor(pages[1], 720)
    body.paragraph(
        "I would also like to add a small line for translating the inspection manuals into the two "
        "languages the terminal crews actually use. It is a modest amount and would save us time "
        "at every inspection."
    )
    body.paragraph("Could you each send me your corrections by Wednesday noon?")
    body.line("Kenji")

    # C09900012, page 3: a reply released in part.
    draw_marking(pages[2], ["RELEASE IN PART", "B5, B6"], MARKING_BELOW_LINE_STAMP)
    body = BodyCursor(pages[2], 720)
    body.header_field("From:", "Haddad, Omar")
    body.header_field("Sent:", "Tue Jan 25 09:12:40 2011")
    body.header_field("To:", "Nakamura, Kenji", margin_code="B6")
    body.header_field("Cc:", "Rivera, Dana L")
    body.header_field("Subject:", "RE: Port security budget")
    body.blank()
    body.line("Kenji,")
    body.blank()
    body.paragraph(
        "Corrections are in the attached copy. I agree with the translation line and would keep it "
        "even if something else has to give."
    )
    body.line("(b)(5)", margin_code="B5")
    body.blank()
    body.line("Omar")

    # C09900013, pages 4-5: a classified memo, released in part.
    draw_marking(pages[3], ["RELEASE IN PART B1,1.4(D)"], MARKING_BELOW_LINE_STAMP)
    body = BodyCursor(pages[3], 720)
    body.line("CONFIDENTIAL")
    body.blank()
    body.line("INFORMATION MEMO FOR THE ASSISTANT SECRETARY")
    body.blank()
    body.line("FROM: Office of Port Affairs")
    body.line("SUBJECT: Northern terminals: inspection capacity through the dredging season")
    body.blank()
    body.paragraph(
        "This memo summarizes the inspection capacity at the northern terminals while the outer "
        "channel is dredged, and the options for keeping the rotation on schedule."
    )
    body.paragraph(
        "Capacity. The terminals can be inspected on the current rotation only if the second mobile "
        "scanner arrives before the dredging begins. Without it, inspections at the northern berths "
        "will fall about one week behind for each month of dredging."
    )
    body.line("(b)(1) 1.4(D)", margin_code="B1")
    body.blank()
    body.paragraph(
        "Options. We can lease a scanner for the season, borrow the southern port's unit two days "
        "a week, or accept the delay and tell the operators now.",
        blank_after=False,
    )
    body = BodyCursor(pages[4], 720)
    body.paragraph(
        "Recommendation. Lease a scanner for the season and revisit the purchase in next year's "
        "budget request. The operators have been told only that the schedule is under review."
    )
    body.blank(2)
    body.line("Classified by: Deputy Director, Office of Port Affairs")
    body.line("Reason: 1.4(D)")
    body.line("Declassify on: 03/01/2026")
    return pages


# --- Sample 3: a plain-text release ---------------------------------------------------------


def _text_page(stamp: str, lines: Sequence[str]) -> str:
    """One page of the text release: stamp, lines, stamp, each line ending in a newline."""
    return "\n".join([stamp, "", *lines, "", stamp]) + "\n"


def _text_header(label: str, value: str) -> str:
    return label.ljust(TEXT_VALUE_COLUMN) + value


def _text_paragraph(text: str) -> list[str]:
    return [*textwrap.wrap(text, 80), ""]


def plain_text_release() -> str:
    """`plain-text-release.txt`: doc C09900021, three pages separated by form feeds."""
    stamp = " " * 6 + " ".join(stamp_rows("C09900021", "05/20/2099"))
    page1 = [
        "RELEASE IN FULL".rjust(TEXT_COLUMNS),
        "",
        _text_header("From:", "Ibáñez, José <IbanezJ@example.gov>"),
        _text_header("Sent:", "Friday, May 6, 2011 8:20 AM"),
        _text_header("To:", "Lindqvist, Petra"),
        _text_header("Subject:", "Desalination plant tariff schedule"),
        "",
        "Petra,",
        "",
        *_text_paragraph(
            "The draft tariff schedule for the new desalination plant came out yesterday. "
            "It is longer than we expected, and several of the rates depend on tables that "
            "have not been released yet, so please treat the figures below as provisional."
        ),
        "Main points of the draft:",
        "",
        "  • Residential rates rise in three steps over eighteen months.",
        "  • Industrial users in the port zone pay a separate, higher rate.",
        "  • The plant operator may adjust rates each year for energy costs.",
        "",
    ]
    page2 = [
        *_text_paragraph(
            "The energy adjustment is the part the operators and the chamber of commerce are "
            "watching most closely. The plant uses more electricity than any other facility on the "
            "coast, and the draft lets the operator pass the full cost of any increase through to "
            "customers without a public hearing."
        ),
        *_text_paragraph(
            "José Ibáñez from the utility board told me informally that the board expects comments "
            "on that clause and may add a cap before the final tariff schedule is adopted. He did "
            "not say how large the cap would be."
        ),
        "Questions we should put to the board:",
        "",
        "  • Will existing port-zone contracts keep their current rates until they expire?",
        "  • When will the missing tables be published?",
        "  • Is there a hearing date for the final schedule?",
        "",
    ]
    page3 = [
        *_text_paragraph(
            "I suggest we send the questions in writing this week and offer a meeting after the "
            "tables are out. I can draft the letter if you agree."
        ),
        "Regards,",
        "José",
    ]
    return "\f".join(_text_page(stamp, page) for page in (page1, page2, page3))


# --- Sample 4: a cover letter and a scanned page --------------------------------------------


def scanned_image(width: int = 200, height: int = 260) -> GrayImage:
    """A procedurally drawn 'scan': white paper, a letterhead bar and dark bars for text lines."""
    pixels = bytearray([250]) * (width * height)

    def fill(x0: int, y0: int, x1: int, y1: int, value: int) -> None:
        for y in range(y0, y1):
            pixels[y * width + x0 : y * width + x1] = bytes([value]) * (x1 - x0)

    fill(20, 14, 120, 22, 40)  # letterhead
    lengths = (150, 158, 141, 160, 96, 0, 155, 149, 160, 138, 152, 71, 0, 160, 144, 157, 60)
    for i, length in enumerate(lengths):
        if length:
            y = 40 + i * 11
            fill(20, y, 20 + length, y + 4, 60 + (i * 23) % 50)
    fill(20, 236, 80, 241, 70)  # signature
    for y in range(height):  # faint deterministic speckle, like paper grain
        for x in range(width):
            if (x * 31 + y * 17) % 97 == 0:
                pixels[y * width + x] = 205
    return GrayImage(width, height, bytes(pixels))


def scanned_pages() -> list[PageDraft]:
    """`scanned-page.pdf`: page 1 has a text layer, page 2 is only an image."""
    letter = PageDraft()
    letter.text(LEFT, 740, AGENCY, size=12)
    letter.text(LEFT, 726, "Office of Information Programs and Services")
    letter.text(LEFT, 714, "Washington, D.C. 20520")
    letter.text(400, 714, "Case No. F-2099-00123")
    body = BodyCursor(letter, 670)
    body.line("Ms. Alex Example")
    body.line("1 Sample Street")
    body.line("Springfield, XX 00000")
    body.blank()
    body.line("Dear Ms. Example:")
    body.blank()
    body.paragraph(
        "This letter responds to FOIA request 99-0042, which you made under the Freedom of "
        "Information Act for records about harbor inspections at the northern terminals. We "
        "searched the files of the Office of Port Affairs and located one record responsive to "
        "your request."
    )
    body.paragraph(
        "We have enclosed one scanned page, which is released in full. The original is a paper "
        "record, so the enclosed copy is an image of that page."
    )
    body.paragraph(
        "If you have questions about this response, you may write to the FOIA Requester Service "
        "Center at foia-requests@example.gov."
    )
    body.line("Sincerely,")
    body.blank(2)
    body.line("Jordan Sample")
    body.line("Chief, Requester Liaison Division")
    return [letter, PageDraft(image=scanned_image())]


# --- Entry point ----------------------------------------------------------------------------


def build_samples() -> dict[str, bytes]:
    """Every sample file, by file name, as bytes."""
    return {
        "state-email-release.pdf": build_pdf(email_release_pages(), "Sample email release C09900001"),
        "production-several-documents.pdf": build_pdf(production_pages(), "Sample production F-2099-00123"),
        "plain-text-release.txt": plain_text_release().encode("utf-8"),
        "scanned-page.pdf": build_pdf(scanned_pages(), "Sample cover letter and scanned page"),
    }


def write_samples(out: Path) -> list[Path]:
    """Write every sample into `out` (created if missing) and return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, data in build_samples().items():
        path = out / name
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the samples, print one line per file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "releases",
        help="folder to write into (default: corpus/releases)",
    )
    args = parser.parse_args(argv)
    for path in write_samples(args.out):
        print(f"{path}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
