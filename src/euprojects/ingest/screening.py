"""What every record, beneficiary row and reject passes through on its way into the store.

Three rules hold for all sources alike, so they live here and not in the loaders:

- **web addresses**: a URL field (a project's or organisation's ``website``, a link's ``url``)
  keeps only an http(s) address with a host (:mod:`euprojects.normalise.urls`); anything else
  is left out, its text kept in ``raw`` and an ``unsafe_url`` flag says so;
- **personal data**: e-mail addresses and phone numbers in any text are replaced by a marker
  (:mod:`euprojects.normalise.personal`) and a ``personal_data_removed`` flag says where;
- **size**: every text is cut at its limit (:mod:`euprojects.normalise.limits`) with a
  ``text_cut`` flag giving the published length; a reject's text ends with a note of the cut.

Most records need none of this, and walking every text of 200,000 records in Python would
double the reading time: a record is walked only when its encoded form could hold a long
text, an e-mail address or a phone number, or one of its web addresses is not already as it
will be kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from functools import lru_cache
from typing import TypeVar

import msgspec

from euprojects.model import Beneficiary, Flag, Project, Reject
from euprojects.normalise.limits import REJECT_LIMIT, TEXT_LIMIT, is_cut, limit_for, shortened
from euprojects.normalise.personal import might_hold, redact
from euprojects.normalise.urls import web_address

S = TypeVar("S", bound=msgspec.Struct)
Screened = TypeVar("Screened", Project, Beneficiary)

URL_FIELDS = frozenset({"website", "url"})
_MARGIN = 320  # beyond a cut: an e-mail address (254 characters at most) cut in half is still found whole
_SHOWN = 200  # characters of a left-out address quoted in its flag
_encoder = msgspec.json.Encoder()


def screen_project(project: Project, encoded: bytes | None = None) -> Project:
    """The project as it may be stored; the same object when nothing had to change.

    ``encoded`` is the project as JSON when the caller has it already (the quick tests read it).
    """
    return _screen(project, encoded)


def screen_beneficiary(beneficiary: Beneficiary, encoded: bytes | None = None) -> Beneficiary:
    """The beneficiary row as it may be stored; the same object when nothing had to change."""
    return _screen(beneficiary, encoded)


def screen_reject(reject: Reject) -> Reject:
    """A reject without personal data, its texts cut at :data:`REJECT_LIMIT` with a note."""
    raw, reason = _reject_text(reject.raw), _reject_text(reject.reason)
    if raw is reject.raw and reason is reject.reason:
        return reject
    return Reject(line=reject.line, reason=reason, raw=raw)


def _reject_text(text: str) -> str:
    if len(text) > REJECT_LIMIT and not is_cut(text, REJECT_LIMIT):
        return shortened(redact(text[: REJECT_LIMIT + _MARGIN]).text, REJECT_LIMIT, len(text))
    redacted = redact(text)
    return redacted.text if redacted.emails or redacted.phones else text


def _screen(item: Screened, encoded: bytes | None) -> Screened:
    data = _encoder.encode(item) if encoded is None else encoded
    redacting = might_hold(data)
    if not redacting and _longest_text(data) <= TEXT_LIMIT and _addresses_kept(item):
        return item
    walk: _Walk = _Walk(redacting)
    screened: Screened = walk.struct(item, "")
    if not (walk.flags or walk.raw or walk.redacted):
        return screened
    return msgspec.structs.replace(
        screened, raw={**walk.raw, **screened.raw}, flags=[*screened.flags, *walk.flags, *walk.summary()]
    )


def _longest_text(data: bytes) -> int:
    """At least the length of the longest text of a record encoded as JSON.

    The pieces between quotes hold every text whole once its escaped quotes and backslashes
    are counted as two characters, and no character takes less than one byte.
    """
    if len(data) <= TEXT_LIMIT:
        return len(data)
    return max(map(len, data.replace(b"\\\\", b"..").replace(b'\\"', b"..").split(b'"')))


def _addresses_kept(item: Project | Beneficiary) -> bool:
    return all(map(_kept_as_is, _addresses(item)))


@lru_cache(maxsize=16_384)
def _kept_as_is(url: str) -> bool:
    """Whether an address is kept as written: most records repeat their partners' websites."""
    return web_address(url) == url


def _addresses(item: Project | Beneficiary) -> Iterator[str]:
    if isinstance(item, Beneficiary):
        organisations = [item.organisation]
    else:
        organisations = [p.organisation for p in item.participations]
        yield from (link.url for link in item.links if link.url is not None)
        if item.website is not None:
            yield item.website
    yield from (o.website for o in organisations if o.website is not None)


class _Walk:
    """One record's pass over all its texts, and what it changed; ``redacting`` is False when the
    record cannot hold personal data, and only lengths and addresses need a look."""

    def __init__(self, redacting: bool = True) -> None:
        self.redacting = redacting
        self.flags: list[Flag] = []
        self.raw: dict[str, str] = {}
        self.emails = 0
        self.phones = 0
        self.redacted: dict[str, None] = {}  # where personal data was found, in order

    def struct(self, value: S, path: str) -> S:
        changes = {}
        for name in value.__struct_fields__:
            old = getattr(value, name)
            where = f"{path}.{name}" if path else name
            new = self.address(old, where) if name in URL_FIELDS else self.value(old, where, name)
            if new is not old:
                changes[name] = new
        return msgspec.structs.replace(value, **changes) if changes else value

    def value(self, value: object, path: str, field: str) -> object:
        if isinstance(value, str):
            return value if isinstance(value, Enum) else self.text(value, path, field)
        if isinstance(value, msgspec.Struct):
            return self.struct(value, path)
        if isinstance(value, list):
            items = [self.value(item, f"{path}[{i}]", field) for i, item in enumerate(value)]
            return value if all(a is b for a, b in zip(items, value, strict=True)) else items
        if isinstance(value, dict):
            pairs = [
                (self.text(k, f"{path} key", field), self.value(v, f"{path}[{k[:40]!r}]", field))
                for k, v in value.items()
            ]
            unchanged = all(k is a and v is b for (k, v), (a, b) in zip(pairs, value.items(), strict=True))
            return value if unchanged else dict(pairs)
        return value

    def text(self, text: str, path: str, field: str) -> str:
        """The text without personal data, cut at its field's limit."""
        limit = limit_for(field)
        cut = len(text) > limit
        if not (cut or self.redacting):
            return text
        redacted = redact(text[: limit + _MARGIN] if cut else text)
        if redacted.emails or redacted.phones:
            self.emails += redacted.emails
            self.phones += redacted.phones
            self.redacted.setdefault(path, None)
        elif not cut:
            return text
        if cut:
            self.flags.append(Flag("text_cut", f"{path} cut at {limit:,} of {len(text):,} characters"))
            return redacted.text[:limit]
        return redacted.text

    def address(self, value: object, path: str) -> object:
        """A URL field: kept when a page may link to it, else left out and kept as text in raw."""
        if not isinstance(value, str):
            return value
        url = web_address(value)
        if url is not None:
            return self.text(url, path, "url")
        text = self.text(value, path, "url")
        self.raw.setdefault(path, text)
        shown = shortened(text, _SHOWN)
        self.flags.append(
            Flag("unsafe_url", f"{path} {shown!r} is not an http(s) address with a host: left out, kept in raw")
        )
        return None

    def summary(self) -> list[Flag]:
        """One flag that says how much personal data was removed, and from where."""
        if not self.redacted:
            return []
        counts = [
            f"{n} {noun if n == 1 else plural}"
            for n, noun, plural in (
                (self.emails, "e-mail address", "e-mail addresses"),
                (self.phones, "phone number", "phone numbers"),
            )
            if n
        ]
        where = ", ".join(self.redacted)
        return [Flag("personal_data_removed", f"{' and '.join(counts)} removed at ingest from {where}")]
