"""keep.eu's Open Data API answer (hand-written fixture from formats/keep.md §3.4 and §4, see its
README): the seed page's project keeps its facts and its page's id, partners in keep.eu's order,
2021-2027 identifiers, and the answer's other plausible shapes read alike."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Record, Reject, Role, Status
from euprojects.sources import SourceError, detect
from euprojects.sources.keep.open_data import read
from euprojects.sources.keep.page import read_text_page

ANSWER = Path(__file__).resolve().parents[2] / "fixtures" / "keep-open-data" / "keep-open-data.json"
CITY_TWINS = "keep:interreg-iiic-north-2000-2006:city-twins"


def records_of(path: Path) -> dict[str, Record]:
    return {r.project.id: r for r in read(path) if isinstance(r, Record)}


@pytest.fixture(scope="module")
def records() -> dict[str, Record]:
    return records_of(ANSWER)


def test_the_seed_pages_project_keeps_its_facts(records: dict[str, Record], seeds: Path) -> None:
    assert detect(ANSWER).name == "keep-json"
    record = records[CITY_TWINS]
    twins = record.project
    assert (twins.title, twins.acronym) == ("City Twins Co-operation Network", "City Twins")
    assert (twins.start_date, twins.end_date) == (dt.date(2003, 12, 31), dt.date(2007, 3, 30))
    assert twins.cofinancing_rate == Decimal("53.6") and twins.status is Status.FINISHED
    assert twins.eu_contribution is not None and twins.eu_contribution.amount == Decimal("808536.81")
    assert (twins.programme, twins.period, twins.fund) == ("Interreg IIIC North", "2000-2006", "ERDF")
    # partners in keep.eu's order (by partnership id), named in English, budgets "n/a" left out
    assert [(p.organisation.name, p.organisation.country, p.role) for p in twins.participations] == [
        ("City of Imatra", "FI", Role.LEAD),
        ("Narva City Government", "EE", Role.PARTNER),
        ("City of Tornio", "FI", Role.PARTNER),
    ]
    assert all(p.total_cost is None for p in twins.participations)
    assert twins.participations[0].organisation.latitude == pytest.approx(61.1719)
    assert record.aliases == ["keep:8152"]  # keep.eu's number, which its addresses use
    page = next(r for r in read_text_page(next(seeds.glob("000_*.txt"))) if isinstance(r, Record))
    assert page.project.id == CITY_TWINS  # the page, the export and the API describe one project


def test_english_filed_under_another_language_is_found(records: dict[str, Record]) -> None:
    coben = records["keep:interreg-vb-north-sea-2014-2020:coben"].project
    assert coben.title == "Community Benefits" and coben.summary and coben.end_date is None
    assert coben.participations[0].total_cost is not None
    assert coben.participations[0].total_cost.amount == Decimal("1499210.30")
    assert coben.participations[1].organisation.country == "GB"


def test_2021_2027_partners_carry_pic_national_id_and_co_financing(records: dict[str, Record]) -> None:
    project = records["keep:interreg-vi-b-next-black-sea-basin-2021-2027:blacksealit"].project
    lead, partner = project.participations
    assert lead.organisation.id == "pic:951881080" and lead.role is Role.LEAD
    assert lead.organisation.type == "Higher education and research organisations"
    assert lead.eu_contribution is not None and lead.eu_contribution.amount == Decimal("541940.63")
    # "N/A | RO 4388643": the marker skipped; keep.eu's own code BG120000012 never taken for an id
    assert partner.organisation.identifiers == {"national": "RO 4388643"}
    assert project.programme_code == "BSB00963" and project.cofinancing_rate == Decimal("90")


def test_a_bad_value_costs_only_itself_and_a_nameless_project_is_refused(records: dict[str, Record]) -> None:
    budget = records["keep:interreg-vi-b-next-black-sea-basin-2021-2027:seabudget"].project
    assert budget.total_cost is None and budget.eu_contribution is not None
    assert [f.code for f in budget.flags] == ["invalid_amount"] and "1.204.312,50" in budget.raw["total_budget"]
    assert budget.start_date is None  # Jems' 1970-01-01 for a missing date
    rejects = [r for r in read(ANSWER) if isinstance(r, Reject)]
    assert [r.reason for r in rejects] == ["project 5: neither 'acronym' nor an English 'name' is given"]


def test_programmes_holding_their_projects_or_partnerships_apart_read_alike(
    records: dict[str, Record], tmp_path: Path
) -> None:
    answer = json.loads(ANSWER.read_text(encoding="utf-8"))
    nested = [
        {**programme, "projects": [p for p in answer["projects"] if p["programme"]["id"] == programme["id"]]}
        for programme in answer["programmes"]
    ]
    (tmp_path / "nested.json").write_text(json.dumps(nested), encoding="utf-8")
    apart = {
        "programmes": answer["programmes"],
        "projects": [{**p, "programme": p["programme"]["id"], "partnerships": []} for p in answer["projects"]],
        "partnerships": [{**s, "project": p["id"]} for p in answer["projects"] for s in p["partnerships"]],
    }
    (tmp_path / "apart.json").write_text(json.dumps(apart), encoding="utf-8")
    for name in ("nested.json", "apart.json"):
        assert detect(tmp_path / name).name == "keep-json"
        other = records_of(tmp_path / name)
        assert other.keys() == records.keys()
        assert other[CITY_TWINS].project.participations == records[CITY_TWINS].project.participations


def test_an_answer_without_projects_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "keep-open-data.json"
    path.write_text('{"programmes": [{"id": 1, "title": "x", "date_of_data_import": "2025-01-01"}]}', encoding="utf-8")
    with pytest.raises(SourceError, match=r"no keep\.eu project objects"):
        list(read(path))
