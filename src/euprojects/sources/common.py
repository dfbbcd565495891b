"""Helpers several source modules share: building ids, organisations and checked values."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import TypeVar

from euprojects.model import Money, Organisation, Reject
from euprojects.normalise.money import require_non_negative
from euprojects.normalise.names import organisation_id
from euprojects.normalise.places import country_code
from euprojects.normalise.text import without_accents
from euprojects.sources.base import Row

T = TypeVar("T")


class RowError(ValueError):
    """A row cannot be used; the message names the column and the value."""


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens, for readable ids: ``EARLY EARTH`` → ``early-earth``.

    Accents come off as in ``places.fold``, but what has no ASCII form is dropped rather than
    spelt out (``ł``, ``ß``, Greek): ids in stores and links were made that way and must not change.
    """
    ascii_text = without_accents(text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def short_hash(*parts: str | None) -> str:
    """A stable 12-character id for records whose source gives none (title, beneficiary, dates)."""
    joined = "\x1f".join(p or "" for p in parts)
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=6).hexdigest()


def field(row: Row, column: str, parse: Callable[[str | None], T]) -> T:
    """Parse one cell, turning a ValueError into a RowError that names the column."""
    try:
        return parse(row.cells.get(column))
    except ValueError as err:
        raise RowError(f"column {column!r}: {err}") from None


def money_field(row: Row, column: str, parse: Callable[[str | None], Money | None]) -> Money | None:
    """An amount cell that must not be negative."""
    money = field(row, column, parse)
    try:
        return require_non_negative(money, f"column {column!r}:")
    except ValueError as err:
        raise RowError(str(err)) from None


def organisation(
    name: str | None,
    country: str | None = None,
    *,
    pic: str | None = None,
    national: tuple[str, str] | None = None,
    **details: object,
) -> Organisation:
    """An Organisation with its identity key computed from the best identifier given."""
    code = country_code(country) if country else None
    identifiers = dict(details.pop("identifiers", {}) or {})  # type: ignore[call-overload]
    if pic:
        identifiers["pic"] = pic
    if national:
        identifiers[national[0]] = national[1]
    return Organisation(
        id=organisation_id(name, code, pic=pic, national=national),
        name=name,
        country=code,
        country_raw=country if country and country != code else None,
        identifiers=identifiers,
        **details,  # type: ignore[arg-type]
    )


def reject(row: Row, err: Exception, delimiter: str = ";") -> Reject:
    return Reject(line=row.line, reason=str(err), raw=row.raw(delimiter))
