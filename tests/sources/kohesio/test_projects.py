"""Kohesio's per-country project exports (reconstructed fixture, see its README): operations keyed
by their Kohesio item, beneficiaries from ``|``-separated lists, the Interreg export ``TC`` giving
no country where it names none."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Record, Reject, Role
from euprojects.sources import detect
from euprojects.sources.kohesio.projects import read

EXPORTS = Path(__file__).resolve().parents[2] / "fixtures" / "kohesio-projects"
NATIONAL = EXPORTS / "kohesio-projects-PL-2014-2020.csv"
INTERREG = EXPORTS / "kohesio-projects-TC-2021-2027.csv"


def records(path: Path) -> dict[str, Record]:
    return {r.project.id: r for r in read(path) if isinstance(r, Record)}


@pytest.mark.parametrize("path", [NATIONAL, INTERREG])
def test_both_exports_are_recognised(path: Path) -> None:
    assert detect(path).name == "kohesio-projects"


def test_an_operation_keeps_its_facts() -> None:
    kepno = records(NATIONAL)["kohesio:Q2612041"].project
    assert kepno.title == "Thermal modernisation of public buildings in Kępno"
    assert kepno.summary is not None and "<p>" not in kepno.summary
    assert (kepno.start_date, kepno.end_date) == (dt.date(2017, 3, 1), dt.date(2019, 12, 31))
    assert kepno.total_cost is not None and kepno.total_cost.amount == Decimal("2450000.0")
    assert kepno.eu_contribution is not None and kepno.eu_contribution.amount == Decimal("2082500.0")
    assert kepno.cofinancing_rate == Decimal("85.0") and kepno.fund == "ERDF"
    assert (kepno.period, kepno.nuts) == ("2014-2020", ["PL418"])
    [beneficiary] = kepno.participations
    assert beneficiary.role is Role.LEAD and beneficiary.organisation.country == "PL"
    assert beneficiary.organisation.id == "kohesio-beneficiary:Q2493816"
    assert beneficiary.organisation.identifiers["national"] == "6191000546"


def test_quotes_line_breaks_lists_and_bad_values() -> None:
    found = records(NATIONAL)
    folplast = found["kohesio:Q2633977"].project
    assert folplast.title is not None and folplast.title.endswith('linii "FOL-3" w przedsiębiorstwie FOLPLAST')
    assert folplast.summary is not None and "\n" in folplast.summary
    assert folplast.themes == ["Investment in fixed assets in SMEs", "Advanced support services for SMEs"]
    pair = found["kohesio:Q2640518"].project
    assert [(p.organisation.name, p.role) for p in pair.participations] == [
        ("GMINA PNIEWY", Role.LEAD),
        ("Gmina Krobia", Role.PARTNER),
    ]
    assert pair.total_cost is None and [f.code for f in pair.flags] == ["invalid_amount"]
    assert pair.end_date == dt.date(2021, 3, 31)
    [refused] = [r for r in read(NATIONAL) if isinstance(r, Reject)]
    assert "is not a Kohesio item" in refused.reason and refused.line == 6


def test_interreg_rows_name_no_country_unless_paired() -> None:
    found = records(INTERREG)
    aurora = found["kohesio:Q7412093"].project
    assert (aurora.programme, aurora.period) == ("Interreg VI-A Aurora", "2021-2027")
    assert [p.organisation.country for p in aurora.participations] == [None, None]  # "TC" is no country
    baltic = found["kohesio:Q7415502"].project
    assert [p.organisation.country for p in baltic.participations] == ["PL", "SE"]
