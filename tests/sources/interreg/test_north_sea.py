import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Record, Role
from euprojects.sources import detect
from euprojects.sources.interreg.north_sea import euros, period, read

TABLE = "interreg_projects_20250826_211501.csv"
PAGES = "interreg_ultimate_20250826_221828.csv"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture(scope="module")
def folder(data: Path) -> Path:
    return data / "interreg-north-sea-projects-2025"


def records(path: Path) -> list[Record]:
    items = list(read(path))
    assert all(isinstance(item, Record) for item in items)
    return [item for item in items if isinstance(item, Record)]


def test_both_layouts_are_detected_and_hold_the_same_65_projects(folder: Path) -> None:
    assert detect(folder / TABLE).name == detect(folder / PAGES).name == "interreg-north-sea"
    table, pages = records(folder / TABLE), records(folder / PAGES)
    assert len(table) == len(pages) == 65
    assert [r.project.id for r in table] == [r.project.id for r in pages]
    assert len({r.project.id for r in table}) == 65


def test_a_project_keeps_lead_partner_dates_budgets_programme_and_fund(folder: Path) -> None:
    project = next(r.project for r in records(folder / TABLE) if r.project.acronym == "DigiH4A")
    assert project.id == "interreg:north-sea-2021-2027:digih4a"
    assert project.title == "Digital Health for All"  # the table's " [FA]" mark is not part of the name
    assert (project.start_date, project.end_date) == (dt.date(2024, 10, 1), dt.date(2028, 3, 31))
    assert project.total_cost and project.total_cost.amount == Decimal(4_246_412)
    assert project.eu_contribution and project.eu_contribution.amount == Decimal(2_427_976)
    assert project.cofinancing_rate == Decimal("57.18")
    assert (project.programme, project.period, project.fund) == ("Interreg North Sea", "2021-2027", "ERDF")
    assert project.funding_scheme == "Full application" and project.call == "Call 4C (FA)"
    [lead] = project.participations
    assert lead.role is Role.LEAD and lead.organisation.name == "Innovation Skåne AB"
    assert project.raw["norway_funding"] == "99.892€"


def test_the_readme_sums_of_the_budgets_hold(folder: Path) -> None:
    projects = [r.project for r in records(folder / TABLE)]
    assert sum(p.total_cost.amount for p in projects if p.total_cost) == Decimal(264_253_008)
    assert sum(p.eu_contribution.amount for p in projects if p.eu_contribution) == Decimal(155_449_615)
    assert all(p.participations for p in projects)


def test_page_text_becomes_the_summary_without_the_staff_contacts(folder: Path) -> None:
    assert EMAIL.search((folder / PAGES).read_text(encoding="utf-8"))  # the file holds some
    projects = [r.project for r in records(folder / PAGES)]
    described = [p for p in projects if p.summary]
    assert len(described) == 47  # the pages the scraper could fetch
    assert not any(EMAIL.search(repr(p)) for p in projects)
    digih4a = next(p for p in projects if p.acronym == "DigiH4A")
    assert digih4a.summary and digih4a.summary.startswith("As healthcare costs soar")
    assert digih4a.website == "https://www.interregnorthsea.eu/digih4a/about-us"
    assert sum(1 for p in projects if p.website) == 47  # no link to the 18 pages that answered 404


def test_amounts_and_periods_as_the_table_writes_them() -> None:
    amount = euros("4.246.412€")
    assert amount is not None and amount.amount == Decimal(4_246_412) and amount.currency == "EUR"
    zero = euros("0€")
    assert zero is not None and zero.amount == 0
    assert period("01/09/2022-29/02/2024") == (dt.date(2022, 9, 1), dt.date(2024, 2, 29))
    with pytest.raises(ValueError, match="start-end"):
        period("01/09/2022")
