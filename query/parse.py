"""Turning a user's query string and filter options into a Whoosh query.

The query language is Whoosh's (words, "phrases", AND/OR/NOT, wildcards, fuzzy `term~`,
`field:value`, ranges `field:[a to b]`, `field:>a`) with friendlier field names, natural dates,
and checks that turn malformed input into a QueryError with a clear message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, GtLtPlugin, MultifieldParser, QueryParser

from indexer.errors import QueryError
from indexer.identifiers import normalize_bates
from indexer.schema import SentDate, build_schema, parse_period

from .aliases import Aliases, PersonMatch, PersonNames
from .wildcards import stems_too

MAX_QUERY_LENGTH = 2000
DEFAULT_FIELDS = ("text", "title")
"""What bare words search: the body and the title (an email's subject, a memo's title...)."""
STATUSES = ("full", "part", "denied")

ALIASES: dict[str, list[str]] = {
    "sender": ["from"],
    "recipients": ["to", "recipient"],
    "case_number": ["case"],
    "doc_number": ["doc"],
    "exemptions": ["exemption"],
    "release_status": ["status"],
    "participants": ["participant", "anyone"],
    "release_date": ["released"],
    "attachments": ["attachment"],
}
"""Short names accepted in queries (`from:abedin`) for the index's field names."""

_PERSON = ("a name or an address", "smith")
_EXACT_PERSON = ("a name exactly as written", '"Smith, Jane"')
_WORD = ('a word or a "phrase"', "budget")
_NUMBER = ("a page number", "3")
VALUE_HINTS: dict[str, tuple[str, str]] = {
    "text": _WORD,
    "subject": _WORD,
    "title": _WORD,
    "sender": _PERSON,
    "recipients": _PERSON,
    "cc": _PERSON,
    "participants": _PERSON,
    "sender_key": _EXACT_PERSON,
    "recipient_keys": _EXACT_PERSON,
    "participant_keys": _EXACT_PERSON,
    "attachments": ("words of an attachment's name", "report"),
    "date": ("a date, a month, a year or a range", "2011-03"),
    "release_date": ("a date, a month, a year or a range", "2015-05"),
    "year": ("a year", "2011"),
    "month": ("a year and month", "2011-03"),
    "day": ("a date", "2011-03-04"),
    "case_number": ("a case number", "F-2015-04841"),
    "doc_number": ("a doc number", "C05739545"),
    "record_number": ("a record number", "104-10004-10143"),
    "record_agency": ("an agency's name", "cia"),
    "record_pages": ("a number of pages", "12"),
    "first_page": _NUMBER,
    "last_page": _NUMBER,
    "bates": ("a Bates number", "ABC-0001234"),
    "exemptions": ("an exemption code", "b6"),
    "exemption_code": ("an exemption code", "b6"),
    "release_status": ("full, part or denied", "part"),
    "classification": ("a classification marking", "confidential"),
    "agency": ("words of the releasing agency", "state"),
    "id": ("a document id", "3f16fa827ace-p1"),
    "sha256": ("a file's SHA-256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    "source": ("a file's path", '"/releases/letter.pdf"'),
}
"""What each field's value is, and an example, for the message about a field written without one."""
_CANONICAL = {alias: name for name, aliases in ALIASES.items() for alias in aliases}

_FIELD_REF = re.compile(r"(?:^|(?<=[\s(]))([A-Za-z_]+):")
_QUOTED = re.compile(r'"[^"]*"')
_PAREN_VALUE = re.compile(r"\b(exemptions?):(?!\")([^\s\"]*\([^\s\"]*)")
_EMPTY_VALUE = re.compile(r"(?:^|(?<=[\s(]))([A-Za-z_]\w*):(?=\s|\)|$)")
_STATUS_VALUE = re.compile(r"\b(?:status|release_status):([^\s()\[\]]+)")
_QUOTED_DATE = re.compile(r'\b(date|released|release_date):"([^"]*)"')
_BATES_VALUE = re.compile(r'\bbates:(?:"([^"]*)"|([^\s()"*?]+)(?=[\s()]|$))')
_DATE_FIELDS = ("date", "released", "release_date")
_BARE_COMPARISON = re.compile(r"(?:^|(?<=[\s(]))[<>]")
_PERSON_VALUE = re.compile(r'(?:^|(?<=[\s(]))(from|sender|to|recipients?|cc|participants?|anyone):("[^"]*"|[^\s()"]+)')
_PLACEHOLDER = "qqalias{}qq"
_OPERATOR = re.compile(r"\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE|REQUIRE)\b")
"""Whoosh's operator words (only upper case is an operator)."""
PERSON_KEYS = {"sender": "sender_key", "recipients": "recipient_keys"}
"""Person fields and the field holding each person as written (matched exactly, for aliases like `H`)."""
PARTICIPANT_KEYS = tuple(PERSON_KEYS.values())
"""Where anyone in the chain is written exactly: the sender's and the recipients' key fields."""


@dataclass(frozen=True)
class Filters:
    """Field filters given as options rather than in the query string."""

    case: str | None = None
    doc: str | None = None
    sender: str | None = None
    recipient: str | None = None
    since: str | None = None
    until: str | None = None
    exemption: str | None = None
    status: str | None = None
    participant: str | None = None
    agency: str | None = None
    classification: str | None = None


def _parser(schema: Schema, fields: tuple[str, ...] = DEFAULT_FIELDS) -> QueryParser:
    parser = MultifieldParser(list(fields), schema)
    parser.add_plugin(FieldAliasPlugin(ALIASES))
    parser.add_plugin(GtLtPlugin())
    parser.add_plugin(FuzzyTermPlugin())
    return parser


def known_fields(schema: Schema) -> set[str]:
    return {name for name in schema.names() if schema[name].indexed} | {a for names in ALIASES.values() for a in names}


def check_syntax(text: str, schema: Schema) -> None:
    """Raise QueryError for input Whoosh would silently misread."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"query is too long ({len(text)} characters; the limit is {MAX_QUERY_LENGTH})")
    if text.count('"') % 2:
        raise QueryError('unbalanced quote: every " needs a closing "')
    bare = _QUOTED.sub('"q"', text)
    for opening, closing in ("()", "[]"):
        depth = 0
        for char in bare:
            depth += (char == opening) - (char == closing)
            if depth < 0:
                break
        if depth:
            raise QueryError(f"unbalanced brackets: every {opening} needs a matching {closing}")
    fields = known_fields(schema)
    for name in _FIELD_REF.findall(bare):
        if name.lower() not in fields:
            raise QueryError(f"unknown field {name!r}; known fields: {', '.join(sorted(fields))}")
    if _BARE_COMPARISON.search(bare):
        raise QueryError("< and > compare a field's value: write them after a field, as in date:>2012-09-11")
    for empty in _EMPTY_VALUE.findall(bare):
        if empty.lower() in fields:
            raise QueryError(_needs_value(empty.lower()))
    for status in _STATUS_VALUE.findall(bare):
        if status.lower().strip('"') not in STATUSES:
            raise QueryError(f"unknown release status {status!r}; use one of {', '.join(STATUSES)}")


def _needs_value(name: str) -> str:
    """The message for a field written without a value: what its value is, with an example."""
    what, example = VALUE_HINTS.get(_CANONICAL.get(name, name), _WORD)
    return f"{name}: needs a value ({what}), as in {name}:{example}"


def _outside_quotes(text: str, change: Callable[[str], str]) -> str:
    """Apply `change` to the parts of `text` that are not inside double quotes."""
    parts = re.split(r'("[^"]*")', text)
    return "".join(part if i % 2 else change(part) for i, part in enumerate(parts))


def _normalize(text: str) -> str:
    """Unicode NFKC, single spaces, lower-case field names, quoted dates as ranges."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    text = _outside_quotes(text, lambda part: _FIELD_REF.sub(lambda m: m.group(0).lower(), part))
    return _QUOTED_DATE.sub(lambda m: f"{m.group(1)}:[{m.group(2)} to {m.group(2)}]", text)


def _errors(q: wq.Query) -> list[str]:
    found = [str(q.error)] if getattr(q, "error", None) else []
    for child in q.children():
        found.extend(_errors(child))
    return found


def person_query(schema: Schema, field: str, name: str, aliases: PersonNames | None = None) -> wq.Query:
    """Documents whose `field` names the person `name` or, through the aliases and the index's
    groups of people, any of their names: the words of each name, or the name exactly as
    written; the forms the index holds of the person, exactly as written."""
    match = (aliases.match(name) if aliases else None) or PersonMatch((name,))
    keys = _key_fields(field)
    parts: list[wq.Query] = []
    for each in match.names:
        words = [t.text for t in schema[field].analyzer(each)]
        if words:
            parts.append(wq.And([wq.Term(field, w) for w in words]) if len(words) > 1 else wq.Term(field, words[0]))
        parts.extend(wq.Term(key, each) for key in keys)
    parts.extend(wq.Term(key, form) for form in match.forms for key in keys)
    if not parts:
        raise QueryError(f"nothing to match in {name!r} for {field}")
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def _key_fields(field: str) -> tuple[str, ...]:
    """The fields holding people exactly as written for a person field."""
    if field in PERSON_KEYS:
        return (PERSON_KEYS[field],)
    return PARTICIPANT_KEYS if field == "participants" else ()


def _mark_aliases(text: str, aliases: PersonNames) -> tuple[str, dict[str, str]]:
    """Person values that name a known person (an alias, a person of the index) replaced by
    placeholders; returns the text and what each stands for."""
    found: dict[str, str] = {}

    def mark(m: re.Match[str]) -> str:
        value = m.group(2).strip('"')
        if not aliases.match(value):
            return m.group(0)
        key = _PLACEHOLDER.format(len(found))
        found[key] = value
        return f"{m.group(1)}:{key}"

    return _PERSON_VALUE.sub(mark, text), found


def _resolve(q: wq.Query, schema: Schema, aliases: PersonNames, marked: dict[str, str]) -> wq.Query:
    """Placeholders back to alias queries; phrases on fields without positions to plain AND;
    wildcards on stemmed fields widened to stems (see `wildcards`)."""

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Term) and node.text in marked:
            return person_query(schema, node.fieldname, marked[node.text], aliases)
        if isinstance(node, wq.Phrase) and not schema[node.fieldname].format.supports("positions"):
            return wq.And([wq.Term(node.fieldname, w) for w in node.words])
        if isinstance(node, (wq.Prefix, wq.Wildcard)) and node.fieldname in schema:
            return stems_too(node, schema[node.fieldname].analyzer)
        return node

    return q.accept(fix)


def parse_query(text: str, schema: Schema | None = None, aliases: PersonNames | None = None) -> wq.Query:
    """The Whoosh query for a query string; an empty string matches every document."""
    return _parse(text, schema or build_schema(), aliases)[0]


def _parse(text: str, schema: Schema, aliases: PersonNames | None) -> tuple[wq.Query, str]:
    """The query and the text the parser read (normalized; the positions of its terms are in it)."""
    text = _normalize(text)
    if not text:
        return wq.Every(), text
    check_syntax(text, schema)
    text = _PAREN_VALUE.sub(lambda m: f'{m.group(1)}:"{m.group(2)}"', text)
    text = _BATES_VALUE.sub(lambda m: f"bates:{normalize_bates(m.group(1) or m.group(2))}", text)
    text, marked = _mark_aliases(text, aliases or Aliases())
    try:
        q = _parser(schema).parse(text)
    except QueryError:
        raise
    except Exception as exc:  # Whoosh's parser has corners that raise plain errors
        raise QueryError(f"cannot read the query {text[:80]!r}: {type(exc).__name__}") from exc
    errors = _errors(q)
    if errors:
        raise QueryError(errors[0])
    if q is wq.NullQuery:
        raise QueryError(_nothing_searchable(text))
    return _resolve(q, schema, aliases or Aliases(), marked), text


def literal_reading(text: str) -> str | None:
    """The query with its upper-case operator words outside quotes (`NOT`, `AND`, `OR`...) in lower
    case, read as the words they are in a pasted title; None when it has none."""
    literal = _outside_quotes(text, lambda part: _OPERATOR.sub(lambda m: m.group(0).lower(), part))
    return literal if literal != text else None


@dataclass(frozen=True)
class Word:
    """One word of a query (or a phrase, a wildcard, a group) searched in the body and title: as
    typed, and its query."""

    text: str
    query: wq.Query


@dataclass(frozen=True)
class Loose:
    """A query's words matched loosely: documents holding any of them, each word held adding its
    score; field clauses, NOT clauses and filters still required."""

    query: wq.Query
    words: tuple[Word, ...]


def loose_query(
    text: str, filters: Filters, schema: Schema | None = None, aliases: PersonNames | None = None
) -> Loose | None:
    """The loose form of a query whose words are all required (an AND, written or implied): the
    same clauses, its words joined by an Or (as Whoosh's `OrGroup` joins them: a document's score
    is the sum of the scores of the words it holds). None for fewer than two words.

    Whoosh's coordination bonus (`OrGroup.factory(scale)`) is too small to rank documents by the
    number of words they hold (`search` does that) and is scored a document at a time, twice as
    slow on 20,000 documents; a plain Or is scored a term at a time (`topk`)."""
    schema = schema or build_schema()
    q, parsed = _parse(text, schema, aliases)
    clauses = list(q.children()) if type(q) is wq.And else [q]
    words = tuple(Word(_typed(c, parsed, schema), c) for c in clauses if _is_word(c))
    if len(words) < 2:
        return None
    kept = [c for c in clauses if not _is_word(c)]
    f = filter_query(filters, schema, aliases)
    filtering = [] if f is None else list(f.children()) if type(f) is wq.And else [f]
    parts = [wq.Or([w.query for w in words]), *kept, *filtering]
    return Loose(parts[0] if len(parts) == 1 else wq.And(parts), words)


def _is_word(clause: wq.Query) -> bool:
    """A clause that searches words of the body and title (not a field, a date or a NOT)."""
    if isinstance(clause, (wq.Not, wq.AndNot)):
        return False
    leaves = list(clause.leaves()) if not clause.is_leaf() else [clause]
    return bool(leaves) and all(getattr(leaf, "fieldname", None) in DEFAULT_FIELDS for leaf in leaves)


def _typed(clause: wq.Query, parsed: str, schema: Schema) -> str:
    """A clause's words as typed: the span of its terms in the text the parser read (Whoosh keeps
    it for words, not for phrases and wildcards), else its phrase or pattern."""
    leaves = list(clause.leaves()) if not clause.is_leaf() else [clause]
    spans = [(t.startchar, t.endchar) for t in leaves if type(t) in (wq.Term, wq.FuzzyTerm) and t.startchar is not None]
    if spans:
        return parsed[min(s for s, _ in spans) : max(e for _, e in spans)]
    first = leaves[0]
    if isinstance(first, wq.Phrase):
        analyzer = schema[first.fieldname].analyzer
        quoted = (m.group(0) for m in _QUOTED.finditer(parsed))
        same = (q for q in quoted if [t.text for t in analyzer(q[1:-1])] == list(first.words))
        return next(same, " ".join(first.words))
    return f"{first.text}*" if isinstance(first, wq.Prefix) else str(getattr(first, "text", clause))


def _nothing_searchable(text: str) -> str:
    """Why a query finds nothing to search, with the exemption filter when it cites a code such as
    "(b)(6)", whose one-letter parts are not indexed as words."""
    from indexer.exemptions import exemptions  # only on this error: the import costs a cold start

    codes = exemptions(text)
    hint = f"; for documents citing it, search {' '.join(f'exemption:{code}' for code in codes)}" if codes else ""
    return f"nothing searchable in {text!r}{hint}"


def _field_query(schema: Schema, field: str, value: str) -> wq.Query:
    q = QueryParser(field, schema).parse(value)
    if q is wq.NullQuery:
        raise QueryError(f"nothing to match in {value!r} for {field}")
    return q


def filter_query(filters: Filters, schema: Schema | None = None, aliases: PersonNames | None = None) -> wq.Query | None:
    """A query that every result must also match, from the filter options; None without filters."""
    schema = schema or build_schema()
    parts: list[wq.Query] = []
    if filters.case:
        parts.append(wq.Term("case_number", filters.case.strip().lower()))
    if filters.doc:
        parts.append(wq.Term("doc_number", filters.doc.strip().lower()))
    if filters.sender:
        parts.append(_person(schema, "sender", filters.sender, aliases))
    if filters.recipient:
        parts.append(wq.Or([_person(schema, f, filters.recipient, aliases) for f in ("recipients", "cc")]))
    if filters.participant:
        parts.append(_person(schema, "participants", filters.participant, aliases))
    if filters.agency:
        parts.append(_field_query(schema, "agency", filters.agency))
    if filters.exemption:
        parts.append(_field_query(schema, "exemptions", f'"{filters.exemption}"'))
    if filters.classification:
        parts.append(wq.Term("classification", filters.classification.strip().lower()))
    if filters.status:
        status = filters.status.strip().lower()
        if status not in STATUSES:
            raise QueryError(f"unknown release status {filters.status!r}; use one of {', '.join(STATUSES)}")
        parts.append(wq.Term("release_status", status))
    if filters.since or filters.until:
        start = parse_period(filters.since)[0] if filters.since else None
        end = parse_period(filters.until)[1] if filters.until else None
        if start and end and start > end:
            raise QueryError(f"--since {filters.since} is after --until {filters.until}")
        parts.append(SentDate(start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _person(schema: Schema, field: str, value: str, aliases: PersonNames | None) -> wq.Query:
    """A filter option on a person field: every form of the person when the value names a known
    person (an alias, a person of the index), else its words."""
    if aliases and aliases.match(value):
        return person_query(schema, field, value, aliases)
    return _field_query(schema, field, value)


def combine(text: str, filters: Filters, schema: Schema | None = None, aliases: PersonNames | None = None) -> wq.Query:
    """The query string and the filter options as one query."""
    schema = schema or build_schema()
    q = parse_query(text, schema, aliases)
    f = filter_query(filters, schema, aliases)
    if f is None:
        return q
    return f if isinstance(q, wq.Every) else wq.And([q, f])


def positive_leaves(q: wq.Query) -> Iterator[wq.Query]:
    """The leaves of a parsed query that a match must or may hold (not those under a NOT)."""
    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        yield from positive_leaves(q.a)
        return
    if q.is_leaf():
        yield q
        return
    for child in q.children():
        yield from positive_leaves(child)
