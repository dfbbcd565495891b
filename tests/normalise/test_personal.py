"""E-mail addresses and phone numbers in free text, and the numbers that are neither."""

from collections.abc import Iterator
from enum import Enum
from pathlib import Path

import msgspec
import pytest

from euprojects.model import Record
from euprojects.normalise.personal import EMAIL_MARKER, PHONE_MARKER, might_hold, redact
from euprojects.sources import detect


@pytest.mark.parametrize(
    ("text", "expected", "emails", "phones"),
    [
        (  # a CORDIS deliverable description, as published
            "Data Protection Officer (at CZU): Ing. Jan Borák Ph.D., e-mail: dpo@czu.cztel:+420 224 38 2411",
            f"Data Protection Officer (at CZU): Ing. Jan Borák Ph.D., e-mail: {EMAIL_MARKER}:{PHONE_MARKER}",
            1,
            1,
        ),
        (  # a Horizon Europe organisation's street
            "Poojappura, Thycaud, Thiruvananthapuram, Kerala, India E-Mail: iacr@rgcb.res.in",
            f"Poojappura, Thycaud, Thiruvananthapuram, Kerala, India E-Mail: {EMAIL_MARKER}",
            1,
            0,
        ),
        ("+4930209346295", PHONE_MARKER, 0, 1),  # a Horizon Europe organisation's city
        ("Tel.: +49 30 1234567, Fax: +49 30 1234568", f"Tel.: {PHONE_MARKER}, Fax: {PHONE_MARKER}", 0, 2),
        ("phone (office): 0049 (0)30 123 456", f"phone (office): {PHONE_MARKER}", 0, 1),
        ("Tel/Fax: 030-123456", f"Tel/Fax: {PHONE_MARKER}", 0, 1),
        ("puh. 040 1234 567 tai tlf 22 33 44 55", f"puh. {PHONE_MARKER} tai tlf {PHONE_MARKER}", 0, 2),
        ("TÉLÉPHONE : 01 23 45 67 89", f"TÉLÉPHONE : {PHONE_MARKER}", 0, 1),
        ("Mobile 0171 2345678; GSM: 0475 12 34 56", f"Mobile {PHONE_MARKER}; GSM: {PHONE_MARKER}", 0, 2),
        ("Write to First.Last+eu@uni-example.ac.uk.", f"Write to {EMAIL_MARKER}.", 1, 0),
    ],
)
def test_addresses_and_numbers_are_replaced(text: str, expected: str, emails: int, phones: int) -> None:
    assert redact(text) == (expected, emails, phones)


@pytest.mark.parametrize(
    "text",
    [
        "Grant agreement 101060635 under HORIZON-CL6-2021-FARM2FORK-01",
        "PIC 999999999, VAT DE123456789, OIB 12345678901",
        "Total 1 234 567,89 EUR of which 808 536,81 EUR ERDF (85,00 %)",
        "From 01/10/2024 to 31/03/2028, period 2014-2020, years 1984-1987",
        "Virastokatu 2, 55100 Imatra; 9220 Aalborg Øst; NL-2333 CA Leiden; 00-001 Warszawa",
        "Tel Aviv University, Ramat Aviv 6997801",  # "Tel" before a name is no label
        "Telecommunication standards 5G (2019-2025) and satellite telemetry 2021",
        "temperatures +20 to +35 °C, an increase of +15 %",
        "Horizon@EU and @euprojects on social media",
        "H2O2 + 2 HCl, pH 7.5, 1.5e+10 cells",
    ],
)
def test_numbers_that_are_no_phone_numbers_stay(text: str) -> None:
    assert redact(text) == (text, 0, 0)


LABELLED = [
    "Tel.:\n+49 30 1234567",
    "Phone\u00a0:\u00a0030 123456",
    "TÉL\t01 23 45 67 89",
    "TÉLÉPHONE\r\n01 23 45 67 89",
    "tel/fax/mobile:\x1c 030 123456",
    "Puhelin (vaihde): 029 123 4567",
    "Telefono.\u2028\u2028\u2028(06) 1234 5678",
]


@pytest.mark.parametrize("text", LABELLED)
def test_labels_with_line_breaks_and_wide_spaces_before_the_number(text: str) -> None:
    assert redact(text).phones == 1 and PHONE_MARKER in redact(text).text


@pytest.mark.parametrize("text", [*LABELLED, "a@b.eu", "+49 30 1234567", "Tel.: +49 30 1234567"])
def test_the_quick_test_on_an_encoded_record_misses_nothing_the_patterns_find(text: str) -> None:
    record = {"title": "A project", "description": f"Contact: {text}.", "start": "2023-09-01"}
    assert might_hold(msgspec.json.encode(record))


def test_the_quick_test_passes_records_without_addresses_or_labelled_numbers() -> None:
    record = {"title": "Satellite telemetry and intelligence for mobility in 2030", "start": "2023-09-01"}
    assert not might_hold(msgspec.json.encode(record))


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            yield from _texts(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        yield from _texts(list(value.values()))
    elif isinstance(value, str) and not isinstance(value, Enum):
        yield value


@pytest.mark.parametrize(
    "name",
    [
        "erc-funded-projects/erc_advanced.csv",
        "erc-funded-projects/erc_starting.csv",
        "cordis-h2020-cleantech-subset/cleantechtag_joint_results.csv",
        "structural-funds-os-data/HR_ESIF_Croatia_2007-2020.csv",
        "structural-funds-os-data/DK_ERDF_Denmark_2014-2020.original.csv",
        "forskningsradet-eu-grants-norway/dataset.csv",
    ],
)
def test_real_texts_full_of_numbers_lose_nothing(data: Path, name: str) -> None:
    """Abstracts, amounts, dates, grant numbers, organisation numbers and addresses of files
    that name no contact: not one text may be changed (a false positive would show here)."""
    path = data / name
    texts = [t for item in detect(path).read(path) if isinstance(item, Record) for t in _texts(item.project)]
    assert len(texts) > 1000 and sum(any(c.isdigit() for c in t) for t in texts) > 500
    assert [t for t in texts if redact(t).text != t] == []
