"""keep.eu's XLSX export (hand-written fixture from formats/keep.md, see its README): sheets found
by their headers, partners joined to their projects, the seed page's project under the page's id."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Record, Role
from euprojects.sources import detect
from euprojects.sources.keep.export import read

EXPORT = Path(__file__).resolve().parents[2] / "fixtures" / "keep-export" / "keep-export.xlsx"


@pytest.fixture(scope="module")
def records() -> dict[str, Record]:
    found = [r for r in read(EXPORT) if isinstance(r, Record)]
    return {r.project.id: r for r in found}


def test_the_export_is_recognised_and_duplicates_dropped(records: dict[str, Record]) -> None:
    assert detect(EXPORT).name == "keep-xlsx"
    assert len(records) == 3


def test_the_seed_projects_row_matches_its_page(records: dict[str, Record]) -> None:
    twins = records["keep:interreg-iiic-north-2000-2006:city-twins"].project
    assert (twins.title, twins.acronym, twins.period) == ("City Twins Co-operation Network", "City Twins", "2000-2006")
    assert twins.eu_contribution is not None and twins.eu_contribution.amount == Decimal("808536.81")
    assert twins.cofinancing_rate == Decimal("53.6") and twins.declared_partner_count == 9
    assert [(p.organisation.name, p.role) for p in twins.participations] == [
        ("City of Imatra", Role.LEAD),
        ("Narva City Government", Role.PARTNER),
    ]


def test_2021_2027_partners_carry_pic_national_id_and_co_financing(records: dict[str, Record]) -> None:
    project = records["keep:interreg-vi-b-next-black-sea-basin-2021-2027:blacksealit"].project
    lead, partner = project.participations
    assert lead.organisation.id == "pic:951881080" and lead.role is Role.LEAD
    assert partner.organisation.identifiers == {"national": "RO 4388643"}
    assert lead.eu_contribution is not None and lead.eu_contribution.amount == Decimal("541940.63")
    assert project.programme_code == "BSB00963" and len(project.themes) == 3


def test_text_amounts_and_na_dates(records: dict[str, Record]) -> None:
    coben = records["keep:interreg-vb-north-sea-2014-2020:coben"].project
    assert coben.end_date is None and coben.eu_contribution is not None
    assert coben.eu_contribution.amount == Decimal("1879493.6") and coben.cofinancing_rate == Decimal("80")
    assert coben.participations[0].eu_contribution is not None
    assert coben.participations[0].eu_contribution.amount == Decimal("119846")
    assert coben.participations[1].organisation.country == "GB"
