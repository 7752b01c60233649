"""Exemption codes in every form releases print them, made canonical: `B6`, `B7(C)`, `1.4(D)`."""

from __future__ import annotations

import re

# Exemption codes, in the forms releases print them.
EXEMPTION = re.compile(
    r"""
    (?<![\w.])
    (?:
        \(\s*[bB]\s*\)\s*\(\s*(?P<paren>[1-9])\s*\)(?:\s*\(\s*(?P<paren_sub>[A-Fa-f])\s*\))?
      | (?P<b>[bB])(?P<num>[1-9])(?:\s?\(\s*(?P<sub_paren>[A-Fa-f])\s*\)|(?P<sub>[A-Fa-f]))?
        (?P<qualifier>(?:\s+(?!AND\b|OR\b|THE\b)[A-Z]{2,6}(?:/[A-Z]{2,6})?){1,2})?
      | 1\.4\s?\(\s*(?P<eo>[A-Ha-h])\s*\)
      | 3\.3\s?\(\s*b\s*\)\s?\(\s*(?P<cia33>[1-9])\s*\)
      | 3\.5\s?\(\s*(?P<cia35>[a-z])\s*\)
      | 5\s*ILCS\s*140\s*/\s*(?P<ilcs>7(?:\.5)?(?:\s?\(\s*\d+\s*\))?(?:\s?\(\s*[a-z.]+\s*\))?)
    )
    (?![\w])
    """,
    re.VERBOSE,
)

def normalize_exemption(m: re.Match[str]) -> str:
    """The canonical form of one matched exemption code: `B6`, `B7(C)`, `1.4(D)`, `B3 CIA PERS/ORG`."""
    g = m.groupdict()
    if g["paren"]:
        return f"B{g['paren']}" + (f"({g['paren_sub'].upper()})" if g["paren_sub"] else "")
    if g["num"]:
        sub = g["sub_paren"] or g["sub"]
        code = f"B{g['num']}" + (f"({sub.upper()})" if sub else "")
        if g["qualifier"] and g["num"] == "3":
            code += " " + " ".join(g["qualifier"].split())
        return code
    if g["eo"]:
        return f"1.4({g['eo'].upper()})"
    if g["cia33"]:
        return f"3.3(b)({g['cia33']})"
    if g["cia35"]:
        return f"3.5({g['cia35']})"
    return "5 ILCS 140/" + re.sub(r"\s+", "", g["ilcs"])


def exemptions(text: str) -> tuple[str, ...]:
    """Every exemption code cited in a text, canonical, in order of first appearance."""
    seen: dict[str, None] = {}
    for m in EXEMPTION.finditer(text):
        if m.group("b") == "b" and not m.group("num"):
            continue
        seen.setdefault(normalize_exemption(m), None)
    return tuple(seen)


def only_exemptions(text: str) -> bool:
    return bool(text.strip()) and not EXEMPTION.sub("", text).strip(" ,;")
