"""Amounts and rates as the real files write them."""

import re
from decimal import Decimal

import pytest

from euprojects.model import Money
from euprojects.normalise.money import format_eur_style, parse_amount, parse_money, parse_rate, to_eur


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("808\u00a0536,81", None, Money(Decimal("808536.81"))),  # keep.eu page, NBSP thousands
        ("808 536,81", None, Money(Decimal("808536.81"))),
        ("1.912,96", ",", Money(Decimal("1912.96"))),  # EL
        ("15.414.794", ",", Money(Decimal("15414794"))),  # DK budget, no decimals
        ("5.172.338,50 kn", ",", Money(Decimal("5172338.50"), "HRK")),  # HR
        ("EUR 5 218 256", None, Money(Decimal("5218256"))),  # scraped CORDIS page
        ("642632.00", ".", Money(Decimal("642632.00"))),  # CORDIS FP7
        ("100000", ".", Money(Decimal("100000"))),
        ("626199.99999984", ".", Money(Decimal("626200.00"))),  # Norway float noise
        ("403514,06", ",", Money(Decimal("403514.06"))),  # AT
        ("1568930487.38", ".", Money(Decimal("1568930487.38"))),  # PL
        ("491873,75", None, Money(Decimal("491873.75"))),  # CORDIS HE totalCost with a decimal comma
    ],
)
def test_amounts(text: str, decimal: str | None, expected: Money) -> None:
    assert parse_money(text, decimal=decimal) == expected  # type: ignore[arg-type]


def test_currency_given_by_the_file() -> None:
    assert parse_money("15.414.794", currency="DKK", decimal=",") == Money(Decimal("15414794"), "DKK")


@pytest.mark.parametrize("text", ["NA", "", "-", None])
def test_empty_amounts(text: str | None) -> None:
    assert parse_money(text) is None


@pytest.mark.parametrize("text", ["twelve", "12,5,6", "1 000 bananas"])
def test_not_amounts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_money(text, decimal=",")


@pytest.mark.parametrize(
    ("text", "decimal", "why"),
    [
        ("12,3,4", None, "digit groups are not thousands"),  # was read as 1234
        ("1,23,456", None, "digit groups are not thousands"),
        ("1.234.56", ",", "digit groups are not thousands"),
        ("1 23 456", ",", "digit groups are not thousands"),
        ("1234.5", ",", "digit groups are not thousands"),  # a decimal point in a file of decimal commas
        ("1.5", ",", "digit groups are not thousands"),
        ("1.234,5", ".", "'234,5' after the decimal mark '.'"),  # a thousands mark after the decimal one
        ("1,234.567,89", None, "more than one decimal mark ','"),
        ("1.234,567.89", None, "more than one decimal mark '.'"),
        ("1,5,", ",", "more than one decimal mark ','"),
    ],
)
def test_amounts_that_can_be_read_several_ways_are_refused(text: str, decimal: str | None, why: str) -> None:
    with pytest.raises(ValueError, match=re.escape(why)):
        parse_amount(text, decimal)  # type: ignore[arg-type]


def test_a_lone_mark_that_cannot_group_thousands_is_the_decimal_mark() -> None:
    assert parse_amount("1234.567") == Decimal("1234.567")  # "1234" is no group of thousands
    assert parse_amount("1,500") == Decimal("1500")
    assert parse_amount("100.") == Decimal("100")


def test_negative_amounts_parse_so_loaders_can_leave_them_out_with_a_flag() -> None:
    assert parse_amount("-5") == Decimal("-5")


def test_thousands_inferred_without_a_hint() -> None:
    assert parse_amount("15.414.794") == Decimal("15414794")
    assert parse_amount("1,234,567.5") == Decimal("1234567.5")
    assert parse_amount("0.123") == Decimal("0.123")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("53.6%", Decimal("53.6")), ("85,00", Decimal("85.00")), ("18,13 %", Decimal("18.13")), ("50%", Decimal("50"))],
)
def test_rates(text: str, expected: Decimal) -> None:
    assert parse_rate(text) == expected


def test_fraction_rates_when_the_format_allows() -> None:
    assert parse_rate("0.8", fraction_ok=True) == Decimal("80.0")
    assert parse_rate("0.8") == Decimal("0.8")


@pytest.mark.parametrize("text", ["150%", "abc", "-3%"])
def test_impossible_rates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rate(text)


def test_euro_conversion_for_sorting() -> None:
    assert to_eur(Money(Decimal("808536.81"))) == pytest.approx(808536.81)
    assert to_eur(Money(Decimal("7534.50"), "HRK")) == pytest.approx(1000.0)
    assert to_eur(Money(Decimal("1"), "XYZ")) is None


def test_european_notation() -> None:
    assert format_eur_style(Decimal("808536.81")) == "808\u00a0536,81\u00a0EUR"
