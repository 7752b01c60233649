"""Email header blocks in the layouts agencies print them.

Read from a document's lines, whatever the mail program that printed them:

* Outlook and Exchange: `From:` / `Sent:` or `Date:` / `To:` / `Cc:` / `Subject:`, labels left- or
  right-aligned, a label beside any line of a multi-line value (geometry from the line indents),
  several labels run together on one line, senders as Exchange distinguished names;
* Gmail and Yahoo printouts: the sender's name, address and date on one line, `To:` below;
* Lotus Notes blocks: sender and date on the left, `To` / `cc` / `Subject` on the right;
* reply attributions: `On Mon, Mar 2, 2020 at 9:14 AM, Jane Roe <jr@x.org> wrote:`;
* labels in other languages (`De:`, `Von:`, `发件人:` ...).

A block after a quote separator (`-----Original Message-----`, a rule of underscores,
`Begin forwarded message:`) or an attribution is marked quoted: it is a message inside another.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from .dates import parse_date
from .exemptions import only_exemptions

_LABEL_WORDS: dict[str, tuple[str, ...]] = {
    "from": ("from", "prom", "fram", "frorn", "de", "von", "van", "da", "发件人", "寄件者", "差出人"),
    "sent": ("sent", "date", "envoyé", "envoye", "gesendet", "datum", "enviado el", "enviado", "enviada em", "enviada",
             "fecha", "data",
             "inviato", "verzonden", "发送时间", "发件时间", "日期", "寄件日期", "送信日時"),
    "to": ("to", "à", "an", "aan", "para", "a", "收件人", "收件者", "宛先"),
    "cc": ("cc", "ce", "cé", "kopie", "cópia", "copia", "抄送", "副本"),
    "bcc": ("bcc", "cci", "密送"),
    "subject": ("subject", "subj", "sublect", "subiect", "objet", "betreff", "asunto", "assunto", "oggetto",
                "onderwerp", "主题", "主旨", "件名"),
    "attachments": ("attachments", "attachment", "anhänge", "anlagen", "anexos", "pièces jointes", "附件"),
    "importance": ("importance", "wichtigkeit", "priorité", "importancia"),
    "reply_to": ("reply-to", "reply to", "antwort an", "responder a"),
}  # fmt: skip
LABELS = {word: key for key, words in _LABEL_WORDS.items() for word in words}
"""Every printed label (lower case), with the field it names."""
_WEAK = frozenset({"de", "da", "a", "an", "data", "van", "para"})
"""Labels that are ordinary words too: they start no block alone, only continue one."""
_ALTERNATION = "|".join(sorted((re.escape(w) for w in LABELS), key=len, reverse=True))
_COLON = r"\s?[:：;]"
_FIRST = "(?=[" + re.escape("".join(sorted({w[0] for w in LABELS} | {w[0].upper() for w in LABELS}))) + "])"
"""A lookahead for the first letter of some label: most places fail it at once, before the long
alternation of labels is tried (the patterns match what they matched without it)."""
_LINE_LABEL = re.compile(
    rf"^(?P<indent>\s*+)(?:[>|»]\s*+)?{_FIRST}(?P<label>{_ALTERNATION})(?:{_COLON}|(?=\s{{2,}}\S)|\s*$)\s*(?P<value>.*)$",
    re.IGNORECASE,
)
"""A line that starts with a label: `From: x`, `To    x` (Lotus Notes), a bare `cc`."""
_INLINE_LABEL = re.compile(rf"(?:(?<=\s)|^){_FIRST}(?P<label>{_ALTERNATION}){_COLON}(?=\s|$)", re.IGNORECASE)
"""A label with its colon inside a header line: `Sent: Fri, 6 Mar 2020 To: Jane Roe Cc: ...`."""
_SIDE_LABEL = re.compile(r"(?<!\s)\s{2,}+(?P<label>to|cc|bcc|subject)(?:\s?:|\s{2,}|\s*$)", re.IGNORECASE)
"""A Lotus Notes label standing right of the sender or date: `Jane Roe/ORG@ORG     To    ...`."""
SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:Original|Forwarded)\s+Message\s*-{2,}"
    r"|[-»>]*\s*(?:Original|Forwarded)\s+Message\s*-*\s*$"
    r"|_{8,}|-{8,}|Begin\s+forwarded\s+message\s*:"
    r"|-{2,}\s*(?:Mensaje\s+original|Message\s+d'origine|Urspr[üu]ngliche\s+Nachricht|原始邮件)\s*-{2,})\s*",
    re.IGNORECASE,
)
"""A line that ends one message and starts the one quoted below it."""
_ATTRIBUTION = re.compile(r"^\s*>?\s*On\s+(?P<rest>.+?)\s+wrote\s*:\s*$", re.IGNORECASE)
_ON = re.compile(r"\s*+>?\s*+on\s", re.IGNORECASE)
"""How an attribution's first line starts."""
EMAIL = re.compile(r"[\w.+'-]+\s?[@©®]\s?[\w-]+(?:\s?\.\s?[\w-]+)+")
"""An email address as OCR prints it: `jr@x.gov`, `jr © x . gov`."""
_AT_SIGNS = re.compile(r"[@©®]")
_LOCAL_PART = re.compile(r"[\w.+'-]")


def addresses(text: str) -> list[str]:
    """`EMAIL.findall(text)`, found from each `@` (or what OCR makes of it) rather than by trying
    the pattern at every character: the same addresses, several times faster on long text."""
    found: list[str] = []
    end = 0
    for at in _AT_SIGNS.finditer(text):
        start = at.start()
        if start < end:
            continue
        if start > 0 and text[start - 1].isspace() and not _LOCAL_PART.match(text[start - 1]):
            start -= 1  # the one space allowed before the sign
        while start > end and _LOCAL_PART.match(text[start - 1]):
            start -= 1
        if (m := EMAIL.match(text, start)) is not None:
            found.append(m.group())
            end = m.end()
    return found


_ANGLE_ADDRESS = re.compile(r"<[^<>\s]+@[^<>\s]+>")
_SEGMENTS = re.compile(r"\s{2,}")
_STATUS_WORDS = re.compile(r"^(?:RELEASE\s+IN(?:\s+(?:FULL|PART))?|FULL|PART|DENIED|RELEASE\s+DENIED)\b", re.IGNORECASE)
_UNKNOWN_LABEL = re.compile(r"^\s*\W?[^\W\d_]{1,4}\s*:(?:\s{2,}|\s*$)")
_NOTES_NAME = re.compile(r"^(?P<name>[^/@<>]{2,60}?)\s*/[\w .&-]+(?:/[\w .&-]+)*@[\w.-]+")
_QUOTED_NAME = re.compile(r"^\s*[\"“”](?P<name>[^\"“”]{3,})[\"“”](?P<rest>.*)$")
"""A display name in quotes and what follows it: `"Roe, Jane" <jr@x.gov>`."""
_EXCHANGE_DN = re.compile(r"/\s*o\s*=.*?/\s*cn\s*=", re.IGNORECASE | re.DOTALL)
_EXCHANGE_CN = re.compile(r"cn\s*=\s*(?:[0-9a-f]{6,}\s*-\s*)?(?P<name>[^/=]+?)\s*$", re.IGNORECASE)
_REDACTION = re.compile(
    r"<\s*\(\s*b\s*\)\s*\(\s*\d\s*\)(?:\s*\(\s*[a-f]\s*\))?\s*>|\(\s*b\s*\)\s*\(\s*\d\s*\)(?:\s*\(\s*[a-f]\s*\))?",
    re.IGNORECASE,
)
_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|fw|fwd|tr|wg|aw|rv|sv|fvv|fvic|fv)\s*[:;.]\s*)+", re.IGNORECASE)
_MARKINGS = re.compile(r"^\s*\((?:U|SBU|C|S|TS|FOUO|U//FOUO|SBU//NF|S//NF)\)\s*", re.IGNORECASE)
_LIST_PIECE = re.compile(r"[,;\"<>@()\[\]]")
"""What a wrapped line of a recipient list holds: separators, quotes, addresses, offices."""
_LIST_LINES = 8
TABULAR_GAP = 4
"""Spaces between a label and its value that make a header tabular."""
TOP_LINES = 4
"""A header block starting within this many non-blank lines of a page's top starts the page."""


@dataclass(frozen=True)
class Message:
    """One message of an email chain, as its header block gives it; `line` is where the block
    starts in the lines read, `quoted` whether it stands after a quote separator or attribution."""

    sender: str | None = None
    recipients: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    date: datetime | None = None
    subject: str | None = None
    attachments: tuple[str, ...] = ()
    line: int = field(default=0, compare=False)
    quoted: bool = field(default=False, compare=False)
    tabular: bool = field(default=False, compare=False)
    """Whether its first label stands apart from its value, in a column of labels (Outlook's print)."""
    sender_inferred: bool = field(default=False, compare=False)
    """Whether the sender was not printed but is the one recipient of the message it answers."""
    end: int = field(default=0, compare=False)
    """The line after its header block."""


# --- people ----------------------------------------------------------------------------------


def clean_person(text: str) -> str:
    """A sender or recipient tidied: OCR'd letters repaired, spaces inside addresses removed,
    redaction labels dropped, an Exchange distinguished name turned into the person it names."""
    text = _REDACTION.sub(" ", text)
    text = exchange_person(text)
    text = re.sub(r"(?<!\S)lvl", "M", text)
    text = re.sub(r"[\[(]?\s*\b(?:mailto|maitto|mallto|rnailto|mailt0)\b\s*[:;]?\s*", " [mailto:", text, flags=re.I)
    text = re.sub(r"\s+(?=[>\]])|(?<=[<\[])\s+", "", text)
    if m := _NOTES_NAME.match(text.strip()):
        text = m.group("name")
    if m := _QUOTED_NAME.match(text):  # without a whole address after it, the address was redacted
        address = re.search(r"\w[@©®]\w+\.\w", m.group("rest"))
        text = f"{m.group('name')} {m.group('rest').strip()}" if address else m.group("name")
    return " ".join(text.strip(" ,;'\"").split())


def exchange_person(text: str) -> str:
    """`Jane Roe /o=ExchangeLabs/ou=.../cn=Recipients/cn=0a1b-Roe Jane` gives `Jane Roe`; without a
    display name, the last `cn=` gives the person (`Roe Jane` is surname first: `Roe, Jane`)."""
    m = _EXCHANGE_DN.search(text)
    if not m:
        return text
    before = text[: m.start()].strip(" ,;<>\"'")
    if re.search(r"[^\W\d_]{2}", before):
        return before
    cn = _EXCHANGE_CN.search(re.sub(r"\s+", " ", text.rstrip(" >\"'")))
    if not cn:
        return text
    name = cn.group("name").strip()
    parts = name.split()
    return f"{parts[0]}, {' '.join(parts[1:])}" if len(parts) >= 2 else name


def named(person: str | None) -> bool:
    """Whether a sender or recipient names someone: an address, a capitalized word, a lone capital
    initial (`H`) or a name in a script without capitals; not what OCR makes of a redaction box
    (`ee`, `(OLO)`, `(©) (0)`)."""
    if not person:
        return False
    bare = re.sub(r"\(.*?\)|\[.*?\]", " ", person)
    address = re.search(r"\w[@©®]\w|\w{3,}\.\w{2,}", person)  # an address, even with its `@` misread
    caseless = not bare.isascii() and sum(c.isalpha() and c.lower() == c.upper() for c in bare) >= 2  # 王伟
    capitalized = re.search(r"(?<!\w)[A-Z][^\W\d_]{2}", bare) or re.fullmatch(r"\s*[A-Z]\s*", bare)
    words = len(re.findall(r"[^\W\d_]{3,}", bare)) >= 2 or re.search(r"[^\W_]{6}", bare)  # anthony trocchi, sbwhoeop
    return bool(address or capitalized or caseless or words)


def split_people(text: str) -> tuple[str, ...]:
    """Names and addresses of a To or Cc value, split on semicolons, on commas after an address or
    before a quoted name (`"Roe, Jane" <jr@x.gov>, jd@x.gov, "Doe, J"`; `Roe, Jane` stays whole), and
    where a `Surname, Given` follows an office in brackets with its separator lost."""
    chunks = (c for part in text.split(";") for c in _AFTER_OFFICE.split(part))
    people = (clean_person(part) for chunk in chunks for part in _comma_list(chunk))
    return tuple(p for p in people if named(p) and not only_exemptions(p))


_AFTER_OFFICE = re.compile(r"(?<=[)\]])\s+(?=[A-Z][^\W\d_'-]+,\s)")


def _comma_list(text: str) -> list[str]:
    parts: list[str] = []
    for piece in text.split(","):
        ends_address = parts and re.search(r"(?:>|\w@[\w.-]+\.\w{2,})\s*$", parts[-1])
        if parts and not ends_address and not re.match(r"\s*[\"“]", piece):
            parts[-1] += "," + piece
        else:
            parts.append(piece)
    return parts


def clean_subject(text: str) -> str | None:
    """A subject without classification markings (`(SBU)`) nor a salutation run into it, OCR-damaged
    forward prefixes (`Fvic`) written `Fw:`."""
    text = _MARKINGS.sub("", " ".join(text.split()))
    text = re.sub(r"^(?:fvv|fvic|fv)(?:\s*[:;.]|\s+(?=[A-Z]))\s*", "Fw: ", text, flags=re.IGNORECASE)
    m = _REPLY_PREFIX.match(text)
    if m:
        text = m.group(0) + _MARKINGS.sub("", text[m.end() :])
    return cut_salutation(text.strip()) or None


_SALUTATION = re.compile(
    r"\s(?:(?:Mr|Mrs|Ms|Dr)\.?\s+)?[A-Z][a-z]+(?:\s+(?:and|&)\s+[A-Z][a-z]+)?:(?=\s|$)(?P<after>.*)$"
)


def cut_salutation(subject: str) -> str:
    """A subject that OCR ran together with the body's salutation and first sentence
    (`RE: Have you been muzzled? Mr. Murray:`, `RE: X Kim: Please call him tomorrow.`) without them:
    cut where a name and colon follow two words or more and end the line or start a sentence."""
    prefix = _REPLY_PREFIX.match(subject)
    start = prefix.end() if prefix else 0
    for m in _SALUTATION.finditer(subject, start):
        after = m.group("after").strip()
        if len(subject[start : m.start()].split()) >= 2 and (not after or re.search(r"[a-z]{2}[.!?](?:\s|$)", after)):
            return subject[: m.start()].rstrip()
    return subject


def reply_prefix(subject: str) -> str:
    """The reply and forward prefixes a subject starts with (`Re: Fw: `), or ''."""
    m = _REPLY_PREFIX.match(subject)
    return m.group(0) if m else ""


def subject_key(subject: str | None) -> str:
    """A subject reduced for comparison: reply prefixes, markings, case and punctuation gone."""
    text = _REPLY_PREFIX.sub("", _MARKINGS.sub("", subject or ""))
    return re.sub(r"[^\w]+", " ", _MARKINGS.sub("", text)).strip().casefold()


# --- one header line ---------------------------------------------------------------------------


def _value_segments(value: str) -> list[str]:
    """A header value without the margin marks that share its line (exemption codes, status)."""
    keep = []
    for segment in _SEGMENTS.split(value.strip()):
        if not segment or _STATUS_WORDS.match(segment) or only_exemptions(segment):
            continue
        keep.append(segment)
    return keep


def _fields_of(first: str, rest: str) -> list[tuple[str, str]]:
    """The (field, value) pairs of one header line whose first label is `first`: more labels
    with colons may follow on the same line."""
    pairs: list[tuple[str, str]] = []
    key, start = LABELS[first.lower()], 0
    for m in _INLINE_LABEL.finditer(rest):
        pairs.append((key, rest[start : m.start()]))
        key, start = LABELS[m.group("label").lower()], m.end()
    pairs.append((key, rest[start:]))
    return [(k, " ".join(_value_segments(v))) for k, v in pairs]


def _gmail_line(line: str) -> tuple[str, datetime] | None:
    """`Jane Roe <jr@x.org>        Mon, Mar 2, 2020 at 9:14 AM`: the sender and date of a Gmail or
    Yahoo printout."""
    m = _ANGLE_ADDRESS.search(line)
    if not m or m.start() == 0 and not line[m.end() :].strip():
        return None
    tail = line[m.end() :].strip()
    when = parse_date(tail) if tail else None
    if when is None:
        return None
    return line[: m.end()].strip(), when


def _attribution(lines: Sequence[str], i: int) -> tuple[str, datetime | None, int] | None:
    """`On <date>, <person> wrote:` over one or two lines: (sender, date, lines used)."""
    if not _ON.match(lines[i]):
        return None  # what the loop below finds too, at the cost of two joins and three matches
    for used in (1, 2):
        if i + used > len(lines):
            break
        text = " ".join(line.strip() for line in lines[i : i + used])
        m = _ATTRIBUTION.match(text)
        if m:
            rest = m.group("rest")
            who = re.split(r"(?:\d{1,2}:\d\d(?:\s*[AaPp]\.?[Mm]\.?)?|\d{4})\s*,?\s*", rest)[-1]
            return clean_person(who) or rest, parse_date(rest), used
        if used == 1 and not re.match(r"^\s*>?\s*On\s", lines[i]):
            break
    return None


# --- blocks ------------------------------------------------------------------------------------


class _Reader:
    """Walks the lines once, gathering fields into blocks and closing each block into a Message."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        self.messages: list[Message] = []
        self.fields: dict[str, list[str]] = {}
        self.left: list[str] = []
        self.last: str | None = None
        self.start = 0
        self.quoted = self.tabular = False
        self.moved = ""
        self.after_separator = False
        self.label_column = self.value_column = 0
        self.stacked: list[str] = []
        self.stacked_values: list[str] = []
        self.at = 0

    def close(self) -> None:
        self._share_stacked()
        f = self.fields
        if self.left and "from" not in f:
            self._notes_left()
        subject_only = self.tabular and any(v.strip() for v in f.get("subject", []))  # From and Sent lost to OCR
        if "from" in f or ("sent" in f and ("to" in f or "subject" in f)) or subject_only:
            self.messages.append(replace(_message(f, self.start, self.quoted, self.tabular), end=self.at))
        self.fields, self.left, self.last = {}, [], None

    def _notes_left(self) -> None:
        """Lotus Notes: the sender and date printed left of the `To` / `cc` / `Subject` labels."""
        for value in self.left:
            if "sent" not in self.fields and (when := parse_date(value)) is not None and len(value) < 40:
                self.fields["sent"] = [when.isoformat(sep=" ")]
            elif "from" not in self.fields and re.search(r"[^\W\d_]{2}", value):
                self.fields["from"] = [value]

    def begin(self, i: int) -> None:
        self.close()
        self.start, self.quoted = i, self.after_separator or bool(self.messages)
        self.after_separator = False

    def add(self, key: str, value: str) -> None:
        self.fields.setdefault(key, []).append(value)
        self.last = key

    def read(self) -> list[Message]:
        lines, i = self.lines, 0
        while i < len(lines):
            self.at = i
            i += self.step(i)
        self.at = i
        self.close()
        return self.messages

    def step(self, i: int) -> int:
        """Read line i (and any line it takes with it); how many lines were used."""
        line = self.lines[i]
        sep = SEPARATOR.match(line)
        if sep:
            self.close()
            self.after_separator = True
            line = line[sep.end() :]
            if not line.strip():
                return 1
        if (att := _attribution(self.lines, i)) is not None:
            self.begin(i)
            self.quoted = True
            who, when, used = att
            self.add("from", who)
            if when:
                self.add("sent", when.isoformat(sep=" "))
            self.close()
            self.after_separator = True
            return used
        if self.fields and self._moved_date(i, line):
            return 1
        if self._stacked_labels(i, line):
            return 1
        m = _LINE_LABEL.match(line)
        if self.stacked and not m:
            self._stacked_value(line)
            return 1
        if m and self._takes(i, m.group("label").lower()):
            self._label_line(i, line, m)
            return 1
        side = _SIDE_LABEL.search(line)
        if side and (self.fields or self._notes_start(line[: side.start()])):
            if not self.fields:
                self.begin(i)
            self.left.append(line[: side.start()].strip())
            for key, value in _fields_of(side.group("label"), line[side.end() :]):
                self.add(key, value)
            return 1
        gmail = _gmail_line(line) if not self.fields else None
        if gmail and self._next_is_to(i):
            self.begin(i)
            self.add("from", gmail[0])
            self.add("sent", gmail[1].isoformat(sep=" "))
            return 1
        self._other_line(i, line)
        return 1

    def _stacked_labels(self, i: int, line: str) -> bool:
        """Outlook printed through a PDF's columns: a line of labels alone (`From: Sent: To:
        Subject:`, perhaps over two lines), their values on the lines below in the same order."""
        keys = _labels_only(line)
        if len(keys) < (1 if self.stacked else 2):
            return False
        if not self.stacked:
            self.begin(i)
        self.stacked += keys
        return True

    def _stacked_value(self, line: str) -> None:
        """One line below a column of labels: gathered until a blank line, the subject or as many
        lines as labels, then shared out among the labels."""
        if line.strip():
            self.stacked_values.append(line.strip())
        subject = _REPLY_PREFIX.match(line) or _MID_PREFIX.search(line)
        if not line.strip() or subject or len(self.stacked_values) >= len(self.stacked):
            self._share_stacked()

    def _share_stacked(self) -> None:
        if self.stacked_values:
            for key, value in _share_out(self.stacked, self.stacked_values):
                self.add(key, value)
            self.last = "subject"
        self.stacked, self.stacked_values = [], []

    def _moved_date(self, i: int, line: str) -> bool:
        """A date that OCR printed on its own line above its empty `Sent:` label: kept for that label."""
        below = next((x for x in self.lines[i + 1 : i + 3] if x.strip()), "")
        m = _LINE_LABEL.match(below)
        if not m or LABELS[m.group("label").lower()] != "sent" or _fields_of(m.group("label"), m.group("value"))[0][1]:
            return False
        when = parse_date(line) if len(line.split()) <= 8 else None
        if when is not None:
            self.moved = when.isoformat(sep=" ")
        return when is not None

    def _takes(self, i: int, label: str) -> bool:
        """Whether a line starting with this label is a header line: inside a block any label is;
        a label that is also a common word (`De:`, `A:`) starts one only above another label."""
        if self.fields or label not in _WEAK:
            return True
        return any(_LINE_LABEL.match(line) for line in self.lines[i + 1 : i + 3] if line.strip())

    def _notes_start(self, left: str) -> bool:
        return bool(_NOTES_NAME.match(left.strip()) or addresses(left))

    def _next_is_to(self, i: int) -> bool:
        for line in self.lines[i + 1 : i + 3]:
            if line.strip():
                m = _LINE_LABEL.match(line)
                return bool(m and LABELS[m.group("label").lower()] in ("to", "cc"))
        return False

    def _label_line(self, i: int, line: str, m: re.Match[str]) -> None:
        pairs = _fields_of(m.group("label"), m.group("value"))
        key = pairs[0][0]
        if key == "from" and self.fields or any(k in self.fields and k not in ("to", "cc") for k, _ in pairs[:1]):
            self.close()
        if not self.fields:
            self.begin(i)
            gap = re.match(r"\s*[:：;]?(\s*)", line[m.end("label") :])
            self.tabular = bool(gap and len(gap.group(1)) >= TABULAR_GAP and m.group("value").strip())
            if key == "from":
                self._name_above(i, line, m, pairs)
        value = m.group("value")
        self.label_column = len(m.group("indent"))
        self.value_column = len(line) - len(value) if value.strip() else self.label_column + 10
        if pairs[0][0] == "sent" and not pairs[0][1] and self.moved:
            pairs[0], self.moved = ("sent", self.moved), ""
        for k, v in pairs:
            if k in self.fields and k not in ("to", "cc"):
                self.close()
                self.begin(i)
            self.add(k, v)

    def _name_above(self, i: int, line: str, m: re.Match[str], pairs: list[tuple[str, str]]) -> None:
        """Right-aligned labels: the `From:` label may stand beside the second line of its value,
        the first (the display name) on the line above, starting where the value starts."""
        if i == 0 or not m.group("value").strip():
            return
        above = self.lines[i - 1]
        column = len(line) - len(m.group("value"))
        indent = len(above) - len(above.lstrip())
        right_aligned = len(m.group("indent")) >= 2
        value_above = not (_LINE_LABEL.match(above) or SEPARATOR.match(above))
        if right_aligned and above.strip() and abs(indent - column) <= 3 and value_above:
            pairs[0] = (pairs[0][0], above.strip() + " " + pairs[0][1])

    def _wrapped_list(self, i: int, line: str) -> bool:
        """Whether a line between a To or Cc line and the next label line is the rest of that list
        (text releases show no indent): not if it is a label itself (`TITLE :` on a form); more
        such lines and blank ones may stand between it and the label."""
        if re.match(r"^\s*[^\W\d_]+(?:\s[^\W\d_]+)?\s*:", line):
            return False
        between = 0
        for below in self.lines[i + 1 : i + 1 + _LIST_LINES]:
            if _LINE_LABEL.match(below):
                return between == 0 or bool(_LIST_PIECE.search(line))
            if below.strip() and (not _LIST_PIECE.search(below) or _gmail_line(below)):
                return False
            between += bool(below.strip())
        return False

    def _other_line(self, i: int, line: str) -> None:
        if self.last is None:
            return
        if not line.strip():
            if "subject" in self.fields:
                self.close()
            return
        indent = len(line) - len(line.lstrip())
        wrapped = indent >= self.value_column - 3 and indent > self.label_column + 3
        segments = _value_segments(line)
        if not segments or (indent > self.label_column + 40 and "subject" not in self.fields):
            return  # a margin mark (exemption code, release status) between header lines
        if wrapped and self.last in ("subject", "to", "cc", "attachments", "from"):
            self.fields[self.last][-1] = (self.fields[self.last][-1] + " " + " ".join(segments)).strip()
        elif self.last == "from" and _EXCHANGE_DN.search(self.fields["from"][-1] + " " + line):
            self.fields["from"][-1] += " " + line.strip()  # an Exchange name wrapped without indent
        elif "subject" not in self.fields and self.last in ("to", "cc", "bcc") and self._wrapped_list(i, line):
            self.fields[self.last][-1] += " " + " ".join(segments)  # a list wrapped with no indent to show it
        elif "subject" not in self.fields and _UNKNOWN_LABEL.match(line):
            self.add("unknown", "")  # a label garbled by OCR, such as `=To:` or `Tut:`
        else:
            self.close()


_LABEL_COLON = re.compile(rf"{_FIRST}(?P<label>{_ALTERNATION}){_COLON}\s*", re.IGNORECASE)


def _labels_only(line: str) -> list[str]:
    """The fields named by a line that holds labels with colons and nothing else."""
    rest, keys = line.strip(), []
    while rest:
        m = _LABEL_COLON.match(rest)
        if not m:
            return []
        keys.append(LABELS[m.group("label").lower()])
        rest = rest[m.end() :]
    return keys


def _share_out(keys: list[str], values: list[str]) -> list[tuple[str, str]]:
    """Values printed below a column of labels, given to the labels: in order when there are as
    many; else around the date (names before it are the sender's, after it the recipients'), the
    subject being the piece that starts with a reply prefix or the last."""
    pieces: list[str] = []
    for value in values:
        pieces += _date_first(value)
        if (m := _MID_PREFIX.search(pieces[-1])) is not None:
            pieces[-1:] = [pieces[-1][: m.start()].strip(), pieces[-1][m.start() :].strip()]
    pieces = [p for p in pieces if p]
    if len(pieces) == len(keys):
        return list(zip(keys, pieces, strict=True))
    out: list[tuple[str, str]] = []
    dated = next((n for n, p in enumerate(pieces) if p.startswith(_DATE_MARK)), None)
    if "subject" in keys and pieces and (dated is None or dated < len(pieces) - 1):
        out.append(("subject", pieces.pop()))
    if dated is not None:
        out.append(("sent", pieces[dated][len(_DATE_MARK) :]))
        before, after = pieces[:dated], pieces[dated + 1 :]
        out += [("from", p) for p in before[-1:] if ";" not in p]
        people = [k for k in keys if k in ("to", "cc")]
        out += list(zip(people, after[: len(people) - 1] + [" ".join(after[len(people) - 1 :])], strict=False))
    return [(k, v) for k, v in out if v]


_DATE_MARK = "\x00"
_MID_PREFIX = re.compile(r"(?<=\s)(?:re|fw|fwd)\s?:\s", re.IGNORECASE)


def _date_first(value: str) -> list[str]:
    """A value line that starts with a date split into the date (marked) and the rest."""
    when = parse_date(value) if re.match(r"\s*(?:[^\W\d_]{3,9},?\s+)?\d", value) else None
    if when is None:
        return [value]
    words = value.split()
    cut = next(n for n in range(1, len(words) + 1) if parse_date(" ".join(words[:n])) == when)
    rest = re.sub(r"^(?:[+-]\d{4}|\(?(?:UTC|GMT)\S*)\s*", "", " ".join(words[cut:]))
    return [_DATE_MARK + when.isoformat(sep=" "), rest]


def _message(fields: dict[str, list[str]], start: int, quoted: bool, tabular: bool) -> Message:
    def first(key: str) -> str:
        return next((v for v in fields.get(key, []) if v.strip()), "")

    return Message(
        sender=sender if named(sender := clean_person(first("from"))) else None,
        recipients=tuple(p for v in fields.get("to", []) for p in split_people(v)),
        cc=tuple(p for v in fields.get("cc", []) for p in split_people(v)),
        date=parse_date(first("sent")),
        subject=clean_subject(first("subject")),
        attachments=tuple(a for v in fields.get("attachments", []) for a in split_people(v)),
        line=start,
        quoted=quoted,
        tabular=tabular,
    )


def header_blocks(lines: Sequence[str]) -> list[Message]:
    """Every email header block in a document, top message first."""
    messages = _Reader(lines).read()
    return _reply_senders(_reply_subjects(_gmail_subject(lines, messages)))


def _reply_subjects(messages: list[Message]) -> list[Message]:
    """A reply or forward's subject is the subject it answers with a prefix: a sentence after it on
    the printed line is the body's first line run into it (`Fwd: X Please handle` answers `X`;
    `Re: X schedule` goes on with the subject). Subjects are compared with OCR's slips forgiven."""
    out = list(messages)
    for i, msg in enumerate(out[:-1]):
        below = next((m.subject for m in out[i + 1 :] if m.subject), None)
        prefix = _REPLY_PREFIX.match(msg.subject or "")
        if not (msg.subject and below and prefix):
            continue
        words, want = msg.subject[prefix.end() :].split(), subject_key(below)
        for n in range(1, len(words)):
            if re.match(r"[A-Z][a-z]", words[n]) and _same_subject(subject_key(" ".join(words[:n])), want):
                out[i] = replace(msg, subject=prefix.group(0) + " ".join(words[:n]))
                break
    return out


_OCR_FOLD = str.maketrans({"i": "l", "1": "l", "0": "o"})


def _same_subject(key: str, other: str) -> bool:
    """Whether two subject keys are one, up to the letters OCR confuses (`ACEls`, `ACEIs`)."""
    return key.translate(_OCR_FOLD) == other.translate(_OCR_FOLD)


def _reply_senders(messages: list[Message]) -> list[Message]:
    """A reply whose sender was redacted or lost is from the one person the message it answers was
    sent to (not a forward: one forwards one's own sent mail too)."""
    out = list(messages)
    for i, msg in enumerate(out[:-1]):
        below = out[i + 1]
        reply = re.match(r"\s*re\s*:", msg.subject or "", re.IGNORECASE)
        if msg.sender is None and reply and len(below.recipients) == 1 and not below.cc:
            out[i] = replace(msg, sender=below.recipients[0], sender_inferred=True)
    return out


_SIGN_OFF_WORDS = 4
"""Words a line of a sign-off (`A.S. Fauci.`, `Sent from my iPhone`) holds at most."""
_QUOTE_START = re.compile(r"^\s*>?\s*On\s.*\d{4}|^\s*Begin\s+forwarded", re.IGNORECASE)


def bodiless(lines: Sequence[str], messages: Sequence[Message]) -> bool:
    """Whether the first message holds nothing between its header and what it quotes but a
    sign-off of two short lines at most: a reply whose words OCR ran onto its subject line."""
    if not messages:
        return False
    stop = messages[1].line if len(messages) > 1 else len(lines)
    body: list[str] = []
    for line in lines[messages[0].end : stop]:
        if SEPARATOR.match(line) or _QUOTE_START.match(line):
            break
        if line.strip():
            body.append(line)
    return len(body) <= 2 and all(len(line.split()) <= _SIGN_OFF_WORDS for line in body)


def _gmail_subject(lines: Sequence[str], messages: list[Message]) -> list[Message]:
    """A Gmail printout names the conversation once, above `N messages`: its messages take it."""
    for i, line in enumerate(lines[:12]):
        if re.fullmatch(r"\s*\d+\s+messages?\s*", line) and i > 0:
            subject = clean_subject(re.sub(r"^\s*(?:Gmail|Yahoo\S*)\s*-\s*", "", lines[i - 1]))
            return [m if m.subject else replace(m, subject=subject) for m in messages]
    return messages


def starts_page(lines: Sequence[str], messages: Sequence[Message] | None = None) -> Message | None:
    """The message whose header block opens a page (within its first few non-blank lines), unless
    a quote separator or attribution stands before it; `messages` are the page's header blocks
    when the caller has read them already."""
    messages = header_blocks(lines) if messages is None else messages
    if not messages or messages[0].quoted:
        return None
    before = [line for line in lines[: messages[0].line] if line.strip()]
    if len(before) >= TOP_LINES or any(len(line.split()) > 12 for line in before):
        return None
    return messages[0]


__all__ = [
    "EMAIL", "SEPARATOR", "Message", "addresses", "bodiless", "clean_person", "clean_subject", "header_blocks", "named",
    "reply_prefix", "split_people", "starts_page", "subject_key",
]  # fmt: skip
