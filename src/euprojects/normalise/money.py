"""Amounts and rates as sources write them.

Decimal comma or point; ``.``, space, NBSP or apostrophe as thousands separators; currency
codes, symbols and suffixes such as Croatian ``kn``. ``808 536,81`` (with NBSPs) is 808536.81.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from euprojects.model import Money
from euprojects.normalise.text import is_null

DecimalMark = Literal[",", "."]

# Fixed or long-run rates to the euro, used only to compare and sort amounts across currencies.
# DKK: ERM II central rate; HRK: the irrevocable conversion rate of 2023; PLN: ECB average 2014-2020.
EUR_RATES: dict[str, Decimal] = {
    "EUR": Decimal("1"),
    "DKK": Decimal("7.46038"),
    "HRK": Decimal("7.53450"),
    "PLN": Decimal("4.2630"),
    "NOK": Decimal("9.6000"),
    "SEK": Decimal("10.2000"),
    "CZK": Decimal("26.000"),
    "HUF": Decimal("320.00"),
    "RON": Decimal("4.5500"),
    "BGN": Decimal("1.95583"),
    "GBP": Decimal("0.8600"),
    "CHF": Decimal("1.1000"),
}

_CURRENCY_WORDS = {
    "eur": "EUR",
    "€": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "kn": "HRK",
    "hrk": "HRK",
    "kr": "DKK",
    "kr.": "DKK",
    "dkk": "DKK",
    "zł": "PLN",
    "zl": "PLN",
    "pln": "PLN",
    "nok": "NOK",
    "sek": "SEK",
    "czk": "CZK",
    "kč": "CZK",
    "huf": "HUF",
    "ft": "HUF",
    "ron": "RON",
    "lei": "RON",
    "bgn": "BGN",
    "лв": "BGN",
    "gbp": "GBP",
    "£": "GBP",
    "chf": "CHF",
}
_CURRENCY = re.compile(
    r"^\s*(?P<pre>[^\d\s+\-.,()]+\.?)?\s*(?P<num>[+\-]?[\d\s\u00a0\u202f.,']*\d[\d\s\u00a0\u202f.,']*)\s*(?P<post>[^\d\s.,()]+\.?)?\s*$"
)
_GROUP_SPACES = re.compile(r"[\s\u00a0\u202f']")
_GROUP_MARKS = re.compile(r"[\s\u00a0\u202f'.,]")
_CENT = Decimal("0.01")


def parse_amount(text: str | None, decimal: DecimalMark | None = None) -> Decimal | None:
    """A number from an amount cell. ``decimal`` is the file's decimal mark when known;
    without it the mark is inferred (the last of ``.``/``,`` when both occur)."""
    number, _ = _split(text)
    if number is None:
        return None
    return _to_decimal(number, decimal, text or "")


def parse_money(text: str | None, currency: str = "EUR", decimal: DecimalMark | None = None) -> Money | None:
    """Money from an amount cell; a currency named in the cell overrides ``currency``.

    Amounts keep at most two decimals: ``626199.99999984`` (float noise in an export) is 626200.00.
    """
    number, named = _split(text)
    if number is None:
        return None
    amount = _to_decimal(number, decimal, text or "")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    return Money(amount=amount, currency=named or currency)


def _split(text: str | None) -> tuple[str | None, str | None]:
    if text is None or is_null(text):
        return None, None
    match = _CURRENCY.match(text)
    if not match:
        raise ValueError(f"{text.strip()!r} is not an amount")
    named = None
    for word in (match["pre"], match["post"]):
        if word:
            code = _CURRENCY_WORDS.get(word.lower()) or (word.upper() if word.upper() in EUR_RATES else None)
            if code is None:
                raise ValueError(f"{text.strip()!r} is not an amount: unknown currency {word!r}")
            named = code
    return match["num"], named


def _to_decimal(number: str, decimal: DecimalMark | None, original: str) -> Decimal:
    """The number, when its marks can be read one way only.

    Thousands groups after the first must have exactly three digits and the decimal mark may
    occur once, with nothing but digits after it: ``12,3,4`` or ``1.234,5`` in a file of decimal
    points is refused, never read as 1234 or 1.2345.
    """
    text = number.strip()
    sign = text[0] if text[0] in "+-" else ""
    text = text[len(sign) :].strip()
    mark = decimal or _infer_mark(_GROUP_SPACES.sub("", text))
    whole, _, fraction = text.partition(mark)
    if mark in fraction:
        raise ValueError(f"{original.strip()!r} is not an amount: more than one decimal mark {mark!r}")
    if fraction and not fraction.isdigit():
        raise ValueError(f"{original.strip()!r} is not an amount: {fraction!r} after the decimal mark {mark!r}")
    groups = _GROUP_MARKS.split(whole)
    if len(groups) > 1 and not (0 < len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        raise ValueError(f"{original.strip()!r} is not an amount: its digit groups are not thousands")
    try:
        return Decimal(sign + "".join(groups) + (f".{fraction}" if fraction else ""))
    except InvalidOperation:
        raise ValueError(f"{original.strip()!r} is not an amount") from None


def _infer_mark(digits: str) -> DecimalMark:
    """The decimal mark of a file that does not say: the later of ``.``/``,`` when both occur;
    a repeated mark, or a lone one between a group of one to three digits (not ``0``) and
    exactly three digits (``1,500``), is a thousands separator. ``1234.567`` cannot be grouped
    that way, so its point is a decimal point."""
    last_dot, last_comma = digits.rfind("."), digits.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        return "." if last_dot > last_comma else ","
    if last_dot < 0 and last_comma < 0:
        return "."
    mark: DecimalMark = "." if last_dot >= 0 else ","
    other: DecimalMark = "," if mark == "." else "."
    groups = digits.split(mark)
    first = groups[0].lstrip("+-")
    if len(groups) > 2 or (len(groups[-1]) == 3 and first not in ("", "0") and len(first) <= 3):
        return other
    return mark


def parse_rate(text: str | None, fraction_ok: bool = False) -> Decimal | None:
    """A co-financing rate as a percentage: ``53.6%`` → 53.6, ``85,00`` → 85.00, ``18,13 %`` → 18.13.

    With ``fraction_ok`` a bare number up to 1 is read as a fraction (``0.8`` → 80).
    """
    if text is None or is_null(text):
        return None
    value = text.strip()
    has_percent = value.endswith("%")
    number = value.rstrip("%").strip().replace(",", ".")
    try:
        rate = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a rate") from None
    if fraction_ok and not has_percent and rate <= 1:
        rate *= 100
    if not 0 <= rate <= 100:
        raise ValueError(f"{value!r} is not a rate between 0 and 100 %")
    return rate


def to_eur(money: Money | None) -> float | None:
    """The amount in euro at :data:`EUR_RATES`, for sorting and ranges across currencies."""
    if money is None:
        return None
    rate = EUR_RATES.get(money.currency)
    if rate is None:
        return None
    return float(money.amount / rate)


def format_eur_style(amount: Decimal, currency: str = "EUR") -> str:
    """European notation with NBSP thousands and a decimal comma: ``808 536,81 EUR``."""
    whole, _, cents = f"{amount:,.2f}".partition(".")
    nbsp = "\u00a0"
    return f"{whole.replace(',', nbsp)},{cents}{nbsp}{currency}"
