"""Helpers several source modules share: building ids, organisations and checked values."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import TypeVar

from euprojects.model import Beneficiary, Flag, Money, Organisation, Project, Reject
from euprojects.normalise.money import parse_rate
from euprojects.normalise.names import organisation_id, unnamed_id
from euprojects.normalise.places import country_code
from euprojects.normalise.text import without_accents
from euprojects.sources.base import Item, Row

T = TypeVar("T")
P = TypeVar("P", Project, Beneficiary)


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


class Checked:
    """The amounts and rates of one row, read so that an unreadable one costs only itself.

    A budget of ``12,3,4`` or ``-5`` must not cost a project its title, dates and partners, nor
    the co-financing rate on the same line: the value is left out (None), its published text
    kept in ``raw`` and a Flag names the column and the value. :meth:`onto` adds both to the
    record's project. ``where`` tells whose values they are when a project's rows each give one
    partner's (``[pic/role/order]``): it is added to the raw keys and the flags.
    """

    def __init__(self, where: str = "") -> None:
        self.where = where
        self.flags: list[Flag] = []
        self.raw: dict[str, str] = {}

    def amount(self, row: Row, column: str, parse: Callable[[str | None], Money | None]) -> Money | None:
        """An amount cell, which must not be negative."""
        return self.text(column, row.cells.get(column), lambda text: non_negative(parse(text)))

    def rate(self, row: Row, column: str, parse: Callable[[str | None], Decimal | None] = parse_rate) -> Decimal | None:
        """A co-financing rate cell."""
        return self.text(column, row.cells.get(column), parse, code="invalid_rate")

    def text(
        self,
        key: str,
        text: str | None,
        parse: Callable[[str | None], T],
        *,
        code: str = "invalid_amount",
        label: str | None = None,
    ) -> T | None:
        """Parse a published value kept under ``key`` in raw; ``label`` names it in the flag
        (``column 'key'`` unless given)."""
        try:
            return parse(text)
        except ValueError as err:
            self.flags.append(Flag(code, f"{label or f'column {key!r}'}{self.where}: {err}; left out"))
            if text is not None and text.strip():
                self.raw[key + self.where] = text.strip()
            return None

    def onto(self, project: P) -> P:
        """The project with the flags added and the texts in raw (where it keeps none of its own)."""
        if self.flags:
            project.flags = [*project.flags, *self.flags]
            project.raw = {**self.raw, **project.raw}
        return project


def non_negative(money: Money | None) -> Money | None:
    """No source means a negative amount (a sign flipped in an export)."""
    if money is not None and money.amount < 0:
        raise ValueError(f"{money.amount} is negative")
    return money


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


def unnamed_organisation(project_id: str, line: int, country: str | None = None, **details: object) -> Organisation:
    """A participant whose row names no organisation (``N/A``): the participation still counts,
    so it is kept under an id of its own (``normalise.names.unnamed_id``)."""
    code = country_code(country) if country else None
    return Organisation(
        id=unnamed_id(project_id, line),
        country=code,
        country_raw=country if country and country != code else None,
        **details,  # type: ignore[arg-type]
    )


def reject(row: Row, err: Exception, delimiter: str = ";") -> Reject:
    return Reject(line=row.line, reason=str(err), raw=row.raw(delimiter))


def build_records(rows: Iterable[Row | Item], build: Callable[[Row], Item], delimiter: str = ";") -> Iterator[Item]:
    """The read loop loaders share: what the reader already rejected passes through; every other
    row becomes what ``build`` makes of it, or a reject naming the column when it cannot be used."""
    for row in rows:
        if not isinstance(row, Row):
            yield row
            continue
        try:
            yield build(row)
        except RowError as err:
            yield reject(row, err, delimiter)
