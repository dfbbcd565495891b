"""Dates as sources write them: ISO, European day-first forms, English month names,
Unix epoch seconds and Excel serial numbers."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from euprojects.normalise.text import is_null

BRUSSELS = ZoneInfo("Europe/Brussels")
_EXCEL_EPOCH = dt.date(1899, 12, 30)

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_MONTH_NAME = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})")
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})")


def parse_date(text: str | None) -> dt.date | None:
    """A calendar date from text in any of the written forms the sources use.

    Numbers alone are not accepted here (an epoch and an Excel serial look alike);
    use :func:`from_epoch` or :func:`from_excel_serial` where the source says which.
    """
    if text is None or is_null(text):
        return None
    value = text.strip()
    for pattern, build in _PATTERNS:
        match = pattern.fullmatch(value)
        if match:
            return _checked(value, build(match))
    raise ValueError(f"{value!r} is not a date in a known format")


def _iso(m: re.Match[str]) -> tuple[int, int, int]:
    return int(m[1]), int(m[2]), int(m[3])


def _day_first(m: re.Match[str]) -> tuple[int, int, int]:
    return int(m[4]), int(m[3]), int(m[1])


def _month_name(m: re.Match[str]) -> tuple[int, int, int]:
    return int(m[3]), _month(m[1]), int(m[2])


def _day_month_name(m: re.Match[str]) -> tuple[int, int, int]:
    return int(m[3]), _month(m[2]), int(m[1])


_PATTERNS = (
    (_ISO, _iso),
    (_DAY_FIRST, _day_first),
    (_MONTH_NAME, _month_name),
    (_DAY_MONTH_NAME, _day_month_name),
)


def _month(name: str) -> int:
    try:
        return _MONTHS[name.lower()]
    except KeyError:
        raise ValueError(f"{name!r} is not a month name") from None


def _checked(text: str, ymd: tuple[int, int, int]) -> dt.date:
    year, month, day = ymd
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date") from None


def from_epoch(value: str | int | None, tz: ZoneInfo = BRUSSELS) -> dt.date | None:
    """A date from Unix epoch seconds, read in the publisher's time zone.

    CORDIS-derived exports count seconds to midnight in Brussels: 1199142000 is
    2008-01-01 00:00 CET, which a UTC reading would turn into 2007-12-31.
    """
    if value is None or (isinstance(value, str) and is_null(value)):
        return None
    try:
        seconds = int(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a number of seconds") from None
    return dt.datetime.fromtimestamp(seconds, tz).date()


def from_excel_serial(value: str | float | None) -> dt.date | None:
    """A date from an Excel serial day number (1900 date system; 45292 is 2024-01-01)."""
    if value is None or (isinstance(value, str) and is_null(value)):
        return None
    try:
        days = float(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an Excel day number") from None
    if not 1 <= days < 2_958_466:
        raise ValueError(f"{value!r} is out of the range of Excel dates")
    return _EXCEL_EPOCH + dt.timedelta(days=int(days))


def looks_shifted_back(day: dt.date) -> dt.date | None:
    """The date a one-day time-zone shift would have turned into ``day``, if ``day`` looks like one.

    Exports that store midnight local time and print it in UTC move a project start on
    1 January 2004 to 31 December 2003 and an end on 31 March to 30 March. Starts fall on the
    first of a month and ends on the last far more often than on the days before them, so a
    date one day before either is suspicious. Returns the likely intended date, else None.
    """
    next_day = day + dt.timedelta(days=1)
    if next_day.day == 1:
        return next_day
    if (next_day + dt.timedelta(days=1)).day == 1:
        return next_day
    return None
