"""The query language people type, parsed leniently into a small syntax tree.

    hydrogen storage            every word must match (ranked by BM25)
    "sea water"                 an exact phrase
    health OR care              either word
    -research                   exclude a word or "a phrase"
    cooperat*                   words starting with a prefix
    title:twins org:"city of imatra" country:FI programme:interreg
    start:2014  start:2014..2020  end:..2010  status:finished  source:cordis

Anything a user types parses: unbalanced quotes close at the end, lone operators and stray
punctuation are ignored, control characters are dropped and very long input is cut. Only a
value that cannot mean anything for its field (``start:abc``) is an error, with a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from euprojects import limits
from euprojects.errors import QueryError
from euprojects.fields import SCOPES

MAX_CLAUSES = 32

TEXT_SCOPES = {"title": "title", "acronym": "acronym", "org": "orgs", "organisation": "orgs", "programme": "programme"}
TEXT_SCOPES |= {"summary": "summary", "theme": "themes", "results": "results"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# An id as the portal shows them: a source or register, a colon, and the id within it.
_IDENTIFIER = re.compile(r"(?:cordis|erc|keep|interreg|os-[a-z]{2}|pic|name|hr-oib|no-orgnr|unnamed):\S+", re.I)
_TOKEN = re.compile(r'(-?)(?:([A-Za-z_]+):)?("([^"]*)"?|[^\s"]+)')


@dataclass(frozen=True, slots=True)
class Term:
    """One thing to match: a word, a prefix or a phrase, anywhere or in one field (scope)."""

    text: str
    phrase: bool = False
    prefix: bool = False
    scope: str | None = None
    identifier: bool = False  # a project's or organisation's id as typed: cordis:826352, pic:999822263


@dataclass(frozen=True, slots=True)
class FieldFilter:
    """A ``name:value`` that restricts rather than searches (country:FI, start:2014..2020)."""

    name: str
    value: str


@dataclass(slots=True)
class Clause:
    """Terms joined by OR; clauses are joined by AND. ``negated`` clauses exclude."""

    terms: list[Term] = field(default_factory=list)
    negated: bool = False


@dataclass(slots=True)
class ParsedQuery:
    clauses: list[Clause] = field(default_factory=list)
    filters: list[FieldFilter] = field(default_factory=list)
    excluded_filters: list[FieldFilter] = field(default_factory=list)

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.negated]

    def words(self) -> list[str]:
        """The plain words of the query, for spelling suggestions."""
        return [t.text for c in self.positive for t in c.terms if not t.phrase and not t.prefix]


def sanitise(text: str) -> str:
    return _CONTROL.sub(" ", text)[: limits.QUERY_CHARS]


def parse(text: str) -> ParsedQuery:
    """Parse a query string; raises QueryError only for invalid field values."""
    parsed = ParsedQuery()
    pending_or = False
    for negated, scope, token, quoted in _tokens(sanitise(text)):
        if token == "OR" and not negated and scope is None:
            pending_or = bool(parsed.clauses)
            continue
        if token in ("AND", "+", "-", "*", "|", "&") and scope is None:
            continue
        item = _item(scope, token, quoted)
        if item is None:
            continue
        if isinstance(item, FieldFilter):
            (parsed.excluded_filters if negated else parsed.filters).append(item)
            pending_or = False
            continue
        if pending_or and not negated and parsed.clauses and not parsed.clauses[-1].negated:
            parsed.clauses[-1].terms.append(item)
        elif len(parsed.clauses) < MAX_CLAUSES:
            parsed.clauses.append(Clause(terms=[item], negated=negated))
        pending_or = False
    return parsed


def _tokens(text: str) -> list[tuple[bool, str | None, str, str | None]]:
    tokens = []
    for match in _TOKEN.finditer(text):
        negated, scope, token, quoted = match[1] == "-", match[2], match[3], match[4]
        tokens.append((negated, scope.lower() if scope else None, token, quoted))
    return tokens


def _item(scope: str | None, token: str, quoted: str | None) -> Term | FieldFilter | None:
    phrase = quoted is not None
    value = (quoted if quoted is not None else token).strip()
    whole = f"{scope}:{value}" if scope else value
    if not phrase and scope not in SCOPES and scope not in TEXT_SCOPES and _IDENTIFIER.fullmatch(whole):
        return Term(whole.lower(), identifier=True)
    if scope is not None and scope in SCOPES:
        if not value:
            raise QueryError(f"{scope}: needs a value, e.g. {scope}:{SCOPES[scope].example}")
        return FieldFilter(scope, value)
    text_scope = TEXT_SCOPES.get(scope) if scope else None
    if scope and text_scope is None:
        value = f"{scope} {value}"  # an unknown "word:" is just words
    prefix = not phrase and value.endswith("*")
    value = value.strip("*").strip() if not phrase else value
    words = _words(value)
    if not words:
        return None
    if phrase or len(words) > 1:
        return Term(" ".join(words), phrase=True, scope=text_scope)
    return Term(words[0], prefix=prefix and len(words[0]) >= 2, scope=text_scope)


def _words(value: str) -> list[str]:
    """Word characters only; punctuation between words separates them as it does in the index."""
    return re.findall(r"\w+", value)
