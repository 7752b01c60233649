"""Exemption codes cited in a release, in every written form, as canonical codes.

Federal FOIA exemptions `(b)(1)` to `(b)(9)` become `B1`..`B9` (`B7(C)` with its subparagraph),
Executive Order 13526 reasons `1.4(A)`..`1.4(H)`, CIA's `3.3(b)(1)` and `3.5(c)`, the Illinois
FOIA's `5 ILCS 140/7(1)(c)`. Each citation gives a *code*, what facets count and queries match,
and a *detail* when the release says more: an agency's statute after `B3` (`B3 CIA PERS/ORG`), an
Illinois sub-subparagraph (`5 ILCS 140/7(1)(d)(v)`).

Some written forms leave no doubt (`(b)(6)`, `b7C`, `B7(C)`, `1.4(D)`); others could be words or
OCR noise, and count only beside other codes, in a run:
- letters and digits apart, `b 6 b 7 C` (form fields);
- OCR's `(0) (7) (E)`, `(D)(6)` for `(b)`;
- a bare `b6` between two words of a sentence (`vitamin b6 levels`);
- FBI margin codes, which give a count of redactions after a dash (`b6 - 3,-5; b7C - 3,-5;`), as
  OCR misreads them: `b?c`, `bic`, `b/c`, `bYD`, `b6é`, `bo`. A misread letter after the `b` is
  exemption 7's subparagraph (only 7 has lettered ones): `b?c` is `B7(C)`. These count when
  another code with a count stands within two lines, or when the text holds a few clear ones
  (`b6 - 1`) anywhere (`b/c` meaning "because" does not).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_SP = r"[ \t]*"
_SUB_OK = {"1": "AB", "3": "AB", "7": "ABCDEF"}
"""Lettered subparagraphs each federal exemption has: (b)(1)(A), (b)(3)(B), (b)(7)(A)..(F)."""
_DIGIT_LIKE = {"o": "6", "O": "6", "e": "6", "é": "6", "G": "6", "&": "6", "@": "6", "S": "5", "s": "5", "$": "5"}
"""What OCR prints for the digit of an FBI margin code when it prints no digit (`bé - 3` is b6)."""

EXEMPTION = re.compile(
    rf"""
    (?=[315(bB§Ss])  # the first character of some form below: most places fail here at once
    (?:
        (?<![\w.])3\.3{_SP}\({_SP}b{_SP}\){_SP}\({_SP}(?P<cia33>[1-9]){_SP}\)
      | (?<![\w.])3\.5{_SP}\({_SP}(?P<cia35>[a-z]){_SP}\)
      | (?<![\w.])1\.4{_SP}\({_SP}(?P<eo>[A-Ha-h]){_SP}\)
      | (?:(?<=552)|(?<![\w.]))
        \({_SP}(?P<pb>[bB]|[bB]{{2}}|[0ODo]){_SP}(?:\){_SP}\(|X){_SP}(?P<paren>[1-9]){_SP}
        (?:\)(?:{_SP}\({_SP}(?P<paren_sub>[A-Fa-f]){_SP}\)(?!{_SP}\({_SP}[1-9]))?|X{_SP}(?P<paren_x>[A-Fa-f]){_SP}\))
      | (?<![\w.])(?P<b>[bB])(?P<num>[1-9])(?:[ \t]?\({_SP}(?P<sub_paren>[A-Fa-f]){_SP}\)|(?P<sub>[A-Fa-f]))?
        (?P<qualifier>(?:\s+(?!AND\b|OR\b|THE\b)[A-Z]{{2,6}}(?:/[A-Z]{{2,6}})?){{1,2}})?(?!\w)
      | (?<![\w.])[bB][ \t](?P<spaced>[1-9])(?:[ \t](?P<spaced_sub>[A-F])(?![ \t]?[1-9]))?(?!\w)
      | (?<![\w.'’/])[bB]['’`]?(?P<fbi>[0-9A-Za-z?/|!’'`¢&@éÉè]{{1,4}}?)(?={_SP}[-—–]{{1,3}}{_SP}-?{_SP}\d)
      | 5{_SP}ILCS{_SP}140{_SP}/{_SP}(?P<ilcs>7(?:\.5)?)(?!\d|\.\d)(?P<ilcs_parts>{_SP}(?:\({_SP}[\dlI|]{{1,2}}{_SP}\))?
        (?:[ \t]?\({_SP}[a-z]{{1,2}}(?:{_SP}[-—–]{_SP}\d+)?{_SP}\)(?:[ \t]?\({_SP}[ivxIVX]{{1,5}}{_SP}\))*)?)
      | (?:§{{1,2}}|\b[Ss]ection){_SP}(?P<sect>7(?:\.5)?)(?P<sect_parts>[ \t]?\({_SP}[\dlI|]{{1,2}}{_SP}\)
        (?:[ \t]?\({_SP}[a-z]{{1,2}}(?:{_SP}[-—–]{_SP}\d+)?{_SP}\)(?:[ \t]?\({_SP}[ivxIVX]{{1,5}}{_SP}\))*)?)
    )
    """,
    re.VERBOSE,
)
"""Every written form of a code: strong ones and the weak ones that need a run (see the module)."""

FBI_NOTATION = 3
"""Clear FBI margin codes with counts (`b6 - 3`) that make a text's OCR'd ones count anywhere in it."""
_COUNT = re.compile(rf"{_SP}[-—–]{{1,3}}{_SP}-?{_SP}\d{{1,2}}(?![\d.%]|{_SP}[-—–]{_SP}\d{{2}})")
"""An FBI margin code's count of redactions: `b6 - 3`, `b7C -1, -2` (not a range or a quantity:
`Vitamin B6 - 50-100 mg`)."""
_PROSE_BEFORE = re.compile(r"[A-Za-z]{2,} \Z")
_PROSE_AFTER = re.compile(r" [a-z]{2}")
_JOINED = re.compile(r"(?:[\s,;:&|~.\-—–]|\d{1,2}(?!\d)|\band\b|\bor\b)*\Z", re.IGNORECASE)
"""What may stand between two codes of a run: separators, counts, `and`, `or`."""
_ILCS_PART = re.compile(r"\(\s*([^()]*?)\s*\)")


@dataclass(frozen=True)
class Citation:
    """One exemption code as cited: its canonical code, its detail (the code with what the release
    adds, or the code itself), where it is in the text, and how sure its form is."""

    code: str
    detail: str
    start: int
    end: int
    weak: bool = False
    counted: bool = False
    """Followed by an FBI count of redactions (`b6 - 3,-5`)."""
    conditional: bool = False
    """A bare Illinois section (`§7(1)(b)`), an exemption only where the text cites 5 ILCS 140."""


def _federal(num: str, sub: str | None) -> str:
    """`B7(C)`; a letter the exemption has no subparagraph for is OCR noise (`b6e` is B6)."""
    sub = (sub or "").upper().replace("¢", "C")
    return f"B{num}({sub})" if sub and sub in _SUB_OK.get(num, "") else f"B{num}"


def _fbi(body: str) -> str | None:
    """The code an OCR'd FBI margin code stands for, from what follows its `b`: `?c` B7(C),
    `YD` B7(D), `6é` B6, `o` B6; None when it cannot be told."""
    body = body.strip("'’`")
    if re.search(r"\d\d", body):
        return None  # `B12 - 200`: a number, not a code
    digit = next((c for c in body if c in "123456789"), None)
    last = body[-1:].upper().replace("¢", "C")
    letter = last if last and last in "ABCDEF" else None
    if digit is not None:
        return _federal(digit, letter if digit == "7" else None)
    if len(body) == 1 and body in _DIGIT_LIKE:
        return f"B{_DIGIT_LIKE[body]}"
    if letter is not None and (len(body) > 1 or letter in "CDE"):
        return f"B7({letter})"  # `bc` is b7c, but `ba` could be b3 as well as b7A
    return None


def _ilcs(section: str, parts: str) -> tuple[str, str]:
    """(code, detail) of an Illinois FOIA citation: `7(1)(d)` and `7(1)(d)(v)(vi)`; OCR's `l` for 1."""
    found = [p.replace(" ", "") for p in _ILCS_PART.findall(parts)]
    if found and re.fullmatch(r"[\dlI|]+", found[0]):
        found[0] = re.sub(r"[lI|]", "1", found[0])
    code = "5 ILCS 140/" + section + "".join(f"({p})" for p in found[:2])
    detail = code + "".join(f"({p.lower()})" for p in found[2:])
    return code, detail


def _citation(m: re.Match[str], text: str) -> Citation | None:
    """The citation one match of EXEMPTION stands for, or None (an FBI code that cannot be told)."""
    g = m.groupdict()
    start, end = m.span()
    counted = _COUNT.match(text, end) is not None
    weak = False
    if g["cia33"]:
        code = f"3.3(b)({g['cia33']})"
    elif g["cia35"]:
        code = f"3.5({g['cia35']})"
    elif g["eo"]:
        code = f"1.4({g['eo'].upper()})"
    elif g["paren"]:
        code = _federal(g["paren"], g["paren_sub"] or g["paren_x"])
        weak = g["pb"] not in ("b", "B")
    elif g["num"]:
        sub = g["sub_paren"] or g["sub"]
        code = _federal(g["num"], sub)
        weak = bool(g["sub"]) and g["num"] != "7"  # `b6e`, `B3D`: a letter glued on by OCR or a word
        weak = weak or (not g["qualifier"] and not sub and _prose(text, start, end))
        if g["qualifier"] and g["num"] == "3":
            return Citation(code, f"{code} {' '.join(g['qualifier'].split())}", start, end, weak, counted)
    elif g["spaced"]:
        code, weak = _federal(g["spaced"], g["spaced_sub"]), True
    elif g["fbi"] is not None:
        found = _fbi(g["fbi"]) if counted else None
        if found is None:
            return None
        code, weak = found, True
    else:
        section, parts = (g["ilcs"], g["ilcs_parts"]) if g["ilcs"] else (g["sect"], g["sect_parts"])
        code, detail = _ilcs(section, parts)
        return Citation(code, detail, start, end, conditional=not g["ilcs"])
    return Citation(code, code, start, end, weak, counted)


def _prose(text: str, start: int, end: int) -> bool:
    """Whether a bare code sits between two words of a sentence (`the b6 form`)."""
    return bool(_PROSE_BEFORE.search(text, max(0, start - 40), start)) and bool(_PROSE_AFTER.match(text, end))


def _accepted(found: Sequence[Citation], text: str) -> list[Citation]:
    """The citations that count: strong ones, weak ones in a run, Illinois sections where the
    text cites the Act."""
    lines = [text.count("\n", 0, found[0].start)]
    for before, after in zip(found, found[1:], strict=False):
        lines.append(lines[-1] + text.count("\n", before.start, after.start))

    def joined(a: Citation, b: Citation) -> bool:
        return a.end <= b.start and _JOINED.match(text, a.end, b.start) is not None

    def counted_near(i: int) -> bool:
        """Another code with a count within two lines (an FBI margin run)."""
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(found) and abs(lines[j] - lines[i]) <= 2:
                if found[j].counted:
                    return True
                j += step
        return False

    fbi_notation = sum(c.counted and not c.weak for c in found) >= FBI_NOTATION

    def in_run(i: int) -> bool:
        return (
            (i > 0 and joined(found[i - 1], found[i]))
            or (i + 1 < len(found) and joined(found[i], found[i + 1]))
            or (found[i].counted and (fbi_notation or counted_near(i)))
        )

    keep = [not c.conditional and (not c.weak or in_run(i)) for i, c in enumerate(found)]
    cites_act = any(k and c.code.startswith("5 ILCS") for k, c in zip(keep, found, strict=True))
    return [c for k, c in zip(keep, found, strict=True) if k or (c.conditional and cites_act)]


def citations(text: str) -> tuple[Citation, ...]:
    """Every exemption citation that counts in a text, in order."""
    found = [c for m in EXEMPTION.finditer(text) if (c := _citation(m, text)) is not None]
    return tuple(_accepted(found, text)) if found else ()


@functools.lru_cache(maxsize=2)
def _document_citations(text: str) -> tuple[Citation, ...]:
    """`citations` of the last documents read: their codes and details come from one scan."""
    return citations(text)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def exemptions(text: str) -> tuple[str, ...]:
    """Every exemption code cited in a text, canonical, in order of first appearance. A code cut
    short beside its complete form (`(b) (7)` where `(b) (7)(C)` is cited) is left out."""
    codes = _unique(c.code for c in _document_citations(text))
    return tuple(code for code in codes if not any(other.startswith(code + "(") for other in codes))


def exemption_details(text: str) -> tuple[str, ...]:
    """What the release adds to its codes, where it adds something: `B3 CIA PERS/ORG`."""
    return _unique(c.detail for c in _document_citations(text) if c.detail != c.code)


def parent_codes(code: str) -> list[str]:
    """The broader codes a code belongs to: `B7` for `B7(C)`, `5 ILCS 140/7(1)` and `5 ILCS 140/7`
    for `5 ILCS 140/7(1)(c)`."""
    parents: list[str] = []
    while (cut := re.sub(r"\([^()]*\)$", "", code)) != code:
        code = cut
        parents.append(code)
    return parents


def only_exemptions(text: str) -> bool:
    """Whether a text holds exemption codes and nothing else (a margin mark on a header line)."""
    found = citations(text) if text.strip() else ()
    if not found:
        return False
    between = (text[a.end : b.start] for a, b in zip(found, found[1:], strict=False))
    return not (text[: found[0].start] + "".join(between) + text[found[-1].end :]).strip(" ,;")
