"""What follows the status word on a line of Finland's list: the start and end dates, the
beneficiary and the four amounts, read back where the export shifted them.

A sound line ends ``start, end, beneficiary…, granted, paid, planned, realised``; the beneficiary
may hold commas, the dates may be empty. Sixteen lines of the 2016 list are otherwise, in three
shapes, and each is told by what its fields are — dates, amounts, empty fields or text — never
by position alone:

* a date among the amounts: the start column repeats the end date and the start date stands in
  one of the amount columns (``31.12.2015, 31.12.2015, …, 100000, 15.10.2014, 100000, 93277``).
  The stray date is the start; that amount column is not known.
* an amount in the start column that stands again after an empty field where the granted amount
  belongs (``425180, 31.12.2015, …, , 425180, 425180, 425180``): the amounts stand one column to
  the right of their place. Read where they stand, the amount paid would exceed the planned
  funding on seven of the ten such lines, which no sound line of the list does; read one column
  to the left, none does. The start date and the realised funding are not on the line.
* fewer than four amounts after a beneficiary (``…, MIKKELIN KUNTOPALVELU, AVOIN YHTIÖ, 15660,
  15660, 15660``): one amount is missing and which one is not known, so none is read.

Whatever is not known is left out; what a column held instead is kept in ``misplaced`` (the
project's raw values), and ``note`` says what was read and why, for a data-quality flag. A line
of any other shape stays a reject with the reason a sound line's check gives.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from euprojects.normalise.dates import parse_date
from euprojects.sources.common import RowError

START = "Aloituspvm"
END = "Päättymispvm"
BENEFICIARY = "Toteuttajan nimi"
GRANTED = "Myönnetty EU- ja valtion rahoitus"
PAID = "Toteutunut EU- ja valtion rahoitus"
PLANNED = "Suunniteltu julkinen rahoitus yhteensä"
REALISED = "Toteutunut julkinen rahoitus yhteensä"
AMOUNTS = (GRANTED, PAID, PLANNED, REALISED)
UNPLACED = "amounts (columns not known)"  # raw key of amounts a short line gives

DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}")
AMOUNT = re.compile(r"-?\d+(?:\.\d+)?")


class Tail(NamedTuple):
    """The tail's cells by column (empty when not known), what columns held instead of their
    value, and how a shifted tail was read."""

    cells: dict[str, str]
    misplaced: dict[str, str]
    note: str | None = None


def read_tail(values: Sequence[str]) -> Tail:
    """The cells of the fields after the status word (the line's trailing empty fields removed)."""
    problem = _unsound(values)
    if problem is None:
        return Tail(_cells(values[0], values[1], values[2:-4], values[-4:]), {})
    for shape in SHAPES:
        found = shape(values)
        if found is not None:
            return found
    raise RowError(problem)


def _kind(value: str) -> str:
    value = value.strip()
    if not value:
        return "empty"
    if DATE.fullmatch(value):
        return "date"
    return "amount" if AMOUNT.fullmatch(value) else "text"


def _unsound(values: Sequence[str]) -> str | None:
    """Why the fields are not a sound tail, in the words of the column that shows it."""
    for column, value in zip(AMOUNTS, values[-4:], strict=True):
        if _kind(value) != "amount":
            return (
                f"column {column!r}: {value!r} is not an amount: the line does not end in the four amounts, "
                "its columns are shifted"
            )
    for column, value in ((START, values[0]), (END, values[1])):
        if _kind(value) not in ("date", "empty"):
            return f"column {column!r}: {value!r} is not a date: the columns of this line are shifted"
    return None


def _cells(start: str, end: str, beneficiary: Sequence[str], amounts: Sequence[str]) -> dict[str, str]:
    """Cells by column; a beneficiary split at its commas is joined again as it was written."""
    cells = {START: start, END: end, BENEFICIARY: ",".join(beneficiary), **dict(zip(AMOUNTS, amounts, strict=True))}
    return {column: value.strip() for column, value in cells.items()}


def _is_beneficiary(values: Sequence[str]) -> bool:
    """Text fields (a name split at its commas), at least one of them text."""
    kinds = [_kind(v) for v in values]
    return "text" in kinds and kinds[-1] == "text"


def _date_among_amounts(values: Sequence[str]) -> Tail | None:
    start, end, amounts = values[0].strip(), values[1].strip(), [v.strip() for v in values[-4:]]
    kinds = [_kind(v) for v in amounts]
    if sorted(kinds) != ["amount", "amount", "amount", "date"] or not _is_beneficiary(values[2:-4]):
        return None
    at = kinds.index("date")
    stray = amounts[at]
    first, last = _date(stray), _date(end)
    if _kind(start) != "date" or start != end or first is None or last is None or first > last:
        return None
    known = [("" if i == at else v) for i, v in enumerate(amounts)]
    note = (
        f"the start column repeats the end date {end} and the date {stray} stands in the column "
        f"{AMOUNTS[at]!r}: it is read as the start date, and that column's amount is not known"
    )
    return Tail(_cells(stray, end, values[2:-4], known), {AMOUNTS[at]: stray}, note)


def _amount_for_start(values: Sequence[str]) -> Tail | None:
    start, end, amounts = values[0].strip(), values[1], [v.strip() for v in values[-3:]]
    if _kind(start) != "amount" or _kind(end) not in ("date", "empty") or _kind(values[-4]) != "empty":
        return None
    if [_kind(v) for v in amounts] != ["amount"] * 3 or not _is_beneficiary(values[2:-4]):
        return None
    if _number(start) != _number(amounts[0]):
        return None
    note = (
        f"the start column holds the amount {start}, which stands again after an empty field where the "
        f"granted amount belongs: the amounts stand one column to the right of their place and are read one "
        "column to the left; the line gives no start date and no realised public funding"
    )
    return Tail(_cells("", end, values[2:-4], [*amounts, ""]), {START: start}, note)


def _short_of_amounts(values: Sequence[str]) -> Tail | None:
    kinds = [_kind(v) for v in values]
    count = next((i for i, kind in enumerate(reversed(kinds)) if kind != "amount"), len(kinds))
    if not 1 <= count <= 3 or any(kind not in ("date", "empty") for kind in kinds[:2]):
        return None
    if not _is_beneficiary(values[2:-count]):
        return None
    shown = ", ".join(v.strip() for v in values[-count:])
    note = (
        f"the line ends in {count} amounts ({shown}) for the four amount columns: which column lacks its "
        "amount is not known, so none is read"
    )
    return Tail(_cells(values[0], values[1], values[2:-count], [""] * 4), {UNPLACED: shown}, note)


def _date(text: str) -> dt.date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


SHAPES: tuple[Callable[[Sequence[str]], Tail | None], ...] = (_date_among_amounts, _amount_for_start, _short_of_amounts)
