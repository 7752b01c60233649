"""Dates as releases print them: in headers, forms and stamps, in several languages and orders."""

from __future__ import annotations

import functools
import re
from datetime import datetime

from dateutil import parser as dateparser

_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)|(?<!\d)\d{1,2}[/.]\d{1,2}[/.]\d{2}(?!\d)")
_GLUED_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d{1,2}:\d\d)")
_DOTTED_TIME = re.compile(r"(?<!\d)(\d{1,2})[.,;](\d{2})(?=\s*[AaPp]\.?\s?[Mm]\b)")
_DAY_FIRST = re.compile(r"(?<!\d)\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}(?!\d)")
"""`21.03.2024`: dotted dates are written day first."""
_CJK_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CJK_HALF_DAY = {"上午": "AM", "下午": "PM", "午前": "AM", "午後": "PM"}
_NOT_DATE_WORDS = re.compile(r"[^\w:/,.\- ]")
EARLIEST_YEAR = 1900
"""Years before this are OCR misreadings, not dates of a record."""


class _Names(dateparser.parserinfo):
    """Month and weekday names in English and the other languages agencies' mail programs print."""

    MONTHS = [
        ("Jan", "January", "janvier", "janv", "Januar", "Jänner", "enero", "ene", "janeiro", "gennaio", "januari"),
        ("Feb", "February", "février", "fevrier", "févr", "Februar", "febrero", "fevereiro", "febbraio", "februari"),
        ("Mar", "March", "mars", "März", "Maerz", "Mrz", "marzo", "março", "marco", "maart"),
        ("Apr", "April", "avril", "avr", "abril", "abr", "aprile"),
        ("May", "mai", "Mai", "mayo", "maio", "maggio", "mei", "mag"),
        ("Jun", "June", "juin", "Juni", "junio", "junho", "giugno", "juni"),
        ("Jul", "July", "juillet", "juil", "Juli", "julio", "julho", "luglio", "juli"),
        ("Aug", "August", "août", "aout", "agosto", "ago", "augustus"),
        ("Sep", "Sept", "September", "septembre", "septiembre", "setembro", "settembre", "set"),
        ("Oct", "October", "octobre", "Oktober", "Okt", "octubre", "outubro", "out", "ottobre", "ott", "oktober"),
        ("Nov", "November", "novembre", "noviembre", "novembro"),
        ("Dec", "December", "décembre", "decembre", "déc", "Dezember", "Dez", "diciembre", "dic", "dezembro",
         "dicembre", "december"),
    ]  # fmt: skip
    WEEKDAYS = [
        ("Mon", "Monday", "lundi", "Montag", "lunes", "segunda-feira", "lunedì", "maandag"),
        ("Tue", "Tuesday", "Tues", "mardi", "Dienstag", "martes", "terça-feira", "martedì", "dinsdag"),
        ("Wed", "Wednesday", "mercredi", "Mittwoch", "miércoles", "quarta-feira", "mercoledì", "woensdag"),
        ("Thu", "Thursday", "Thurs", "jeudi", "Donnerstag", "jueves", "quinta-feira", "giovedì", "donderdag"),
        ("Fri", "Friday", "vendredi", "Freitag", "viernes", "sexta-feira", "venerdì", "vrijdag"),
        ("Sat", "Saturday", "samedi", "Samstag", "sábado", "sabato", "zaterdag"),
        ("Sun", "Sunday", "dimanche", "Sonntag", "domingo", "domenica", "zondag"),
    ]
    JUMP = [*dateparser.parserinfo.JUMP, "le", "el", "de", "del", "à", "um", "às", "alle", "om", "den", "der"]


_NAMES = _Names()


def parse_date(text: str, latest: datetime | None = None) -> datetime | None:
    """A date and time from a header value, tolerant of OCR noise and trailing junk.

    `Thursday, March 3, 2011 9:45 PM`, `2024/03/21 08:01:11`, `Mon Jan 24 17:55:40 2011`,
    `lundi 21 mars 2011 08:01`, `2024年3月21日 下午 3:05` and dotted OCR'd times all parse; dotted
    dates (`21.03.2024`) are read day first. A value with no recognizable year, or a year before
    1900 or after `latest` (default: now; a misread `2063` in a 1963 record), gives None.
    """
    found = _read_date(text)
    return found if found is not None and plausible(found, latest) else None


@functools.lru_cache(maxsize=4096)
def _read_date(text: str) -> datetime | None:
    """The date `parse_date` reads, plausible or not; cached, since a document's header lines are
    read again for each of its pages and messages, and dateutil is slow."""
    text = _CJK_DATE.sub(r"\1-\2-\3 ", text)
    for word, half in _CJK_HALF_DAY.items():
        text = text.replace(word, f" {half} ")
    text = _GLUED_YEAR.sub(r"\1 \2", text)
    text = _DOTTED_TIME.sub(r"\1:\2", text)
    day_first = bool(_DAY_FIRST.search(text))
    text = re.sub(r",(?=\S)", ", ", text)
    text = _NOT_DATE_WORDS.sub(" ", text)
    if not _YEAR.search(text):
        return None
    words = text.split()
    for end in range(len(words), 0, -1):
        candidate = " ".join(words[:end])
        if not _YEAR.search(candidate):
            break
        try:
            found = dateparser.parse(candidate, _NAMES, default=datetime(1900, 1, 1), ignoretz=True, dayfirst=day_first)
        except (ValueError, OverflowError):
            continue
        return found
    return None


def plausible(when: datetime, latest: datetime | None = None) -> bool:
    """Whether a date can be a record's: not before 1900, not after `latest` (default: now)."""
    return EARLIEST_YEAR <= when.year and when <= (latest or datetime.now())
