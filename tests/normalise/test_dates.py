"""Dates as the real files write them."""

import datetime as dt

import pytest

from euprojects.normalise.dates import from_epoch, from_excel_serial, looks_shifted_back, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2011-10-01", dt.date(2011, 10, 1)),  # CORDIS FP7 startDate
        ("2022-09-13 17:50:47", dt.date(2022, 9, 13)),  # CORDIS contentUpdateDate
        ("01.06.2020 00:00", dt.date(2020, 6, 1)),  # Norway "Kontrakt startdato"
        ("15.03.2016", dt.date(2016, 3, 15)),  # DK / HR / AT DD.MM.YYYY
        ("1.9.2014", dt.date(2014, 9, 1)),  # FI D.M.YYYY
        ("31/12/2023", dt.date(2023, 12, 31)),  # EL DD/MM/YYYY
        ("Dec 31, 2003", dt.date(2003, 12, 31)),  # keep.eu page
        ("Mar 30, 2007", dt.date(2007, 3, 30)),
        ("  2019-05-01  ", dt.date(2019, 5, 1)),
    ],
)
def test_written_forms(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "NA", "N.a.", "  ", "n/a"])
def test_null_markers_are_no_date(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize("text", ["2019-02-30", "31.02.2020 00:00", "30/13/2020", "Feb 30, 2004"])
def test_impossible_dates_say_so(text: str) -> None:
    with pytest.raises(ValueError, match="not a valid date"):
        parse_date(text)


@pytest.mark.parametrize("text", ["soon", "2019", "12-2019-01", "Smarch 3, 2004"])
def test_unknown_forms_say_so(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_epoch_seconds_are_read_in_brussels_time() -> None:
    # marzeelabs: 1199142000 is 2008-01-01 00:00 CET, which a UTC reading turns into 2007-12-31.
    assert from_epoch("1199142000") == dt.date(2008, 1, 1)
    assert from_epoch("") is None
    with pytest.raises(ValueError):
        from_epoch("yesterday")


def test_excel_serials() -> None:
    assert from_excel_serial("45292") == dt.date(2024, 1, 1)
    assert from_excel_serial(37987.0) == dt.date(2004, 1, 1)
    with pytest.raises(ValueError):
        from_excel_serial("-3")


def test_one_day_shifts_are_recognised() -> None:
    assert looks_shifted_back(dt.date(2003, 12, 31)) == dt.date(2004, 1, 1)  # a start on 1 January
    assert looks_shifted_back(dt.date(2007, 3, 30)) == dt.date(2007, 3, 31)  # an end on 31 March
    assert looks_shifted_back(dt.date(2004, 4, 15)) is None
    assert looks_shifted_back(dt.date(2004, 1, 1)) is None
