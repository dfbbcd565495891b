import csv
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import BeneficiaryRecord
from euprojects.sources import detect
from euprojects.sources.kohesio.beneficiaries import euros, read

FILE = "kohesio-beneficiaries-cee-2023/kohesio-data-export.tsv"


@pytest.fixture(scope="module")
def rows(data: Path) -> list[BeneficiaryRecord]:
    items = list(read(data / FILE))
    assert all(isinstance(item, BeneficiaryRecord) for item in items)
    return [item for item in items if isinstance(item, BeneficiaryRecord)]


def test_every_line_is_one_beneficiary_even_with_bare_quotes_in_names(
    data: Path, rows: list[BeneficiaryRecord]
) -> None:
    # A default CSV reader merges lines at the bare quotes (27,147 records): the README's trap.
    with (data / FILE).open(encoding="utf-8") as handle:
        assert sum(1 for _ in csv.reader(handle, delimiter="\t")) - 1 < 27_222
    assert len(rows) == 27_222
    quoted = next(r.beneficiary for r in rows if r.beneficiary.organisation.name == '"Зора-ЕС" ЕООД')
    assert quoted.names == ['"Zora-ES" EOOD'] and quoted.region == "Blagoevgrad Province"


def test_countries_amounts_and_counts(rows: list[BeneficiaryRecord]) -> None:
    countries = {r.beneficiary.organisation.country for r in rows}
    assert countries == {"BG", "HU", "HR", "PL", "CZ", "SI", "LT", "RO", "SK", "EE", "LV"}
    first = rows[0].beneficiary
    assert first.total_budget and first.total_budget.amount == Decimal("127024.68")
    assert first.eu_contribution and first.eu_contribution.amount == Decimal("86376.78")
    assert first.projects == 1
    assert sum(1 for r in rows if r.beneficiary.eu_contribution is None) == 1_916
    assert sum(1 for r in rows if r.beneficiary.total_budget is None) == 3
    assert max(r.beneficiary.projects or 0 for r in rows) == 3_038


def test_same_name_in_one_region_with_other_totals_stays_two_rows(rows: list[BeneficiaryRecord]) -> None:
    schools = [
        r
        for r in rows
        if r.beneficiary.organisation.name == "Základní škola" and r.beneficiary.region == "Karlovy Vary Region"
    ]
    assert len(schools) == 2 and len({r.key for r in schools}) == 2


def test_exact_repeats_share_a_key(rows: list[BeneficiaryRecord]) -> None:
    assert len(rows) - len({r.key for r in rows}) == 41


def test_java_floats_in_scientific_notation() -> None:
    amount = euros("4.729375062E7")
    assert amount is not None and amount.amount == Decimal("47293750.62")
    with pytest.raises(ValueError, match="not an amount"):
        euros("12,3")


def test_an_unreadable_total_costs_only_itself(data: Path, tmp_path: Path, rows: list[BeneficiaryRecord]) -> None:
    header, first = (data / FILE).read_text(encoding="utf-8").splitlines()[:2]
    cells = first.split("\t")
    cells[header.split("\t").index("Total Budget")] = "12,3,4"
    path = tmp_path / "kohesio-data-export.tsv"
    path.write_text(f"{header}\n{chr(9).join(cells)}\n", encoding="utf-8")
    good = rows[0]
    [item] = list(read(path))
    assert isinstance(item, BeneficiaryRecord)
    kept = item.beneficiary
    assert kept.total_budget is None and kept.eu_contribution == good.beneficiary.eu_contribution
    assert kept.organisation == good.beneficiary.organisation and kept.raw["Total Budget"] == "12,3,4"
    assert [f.code for f in kept.flags] == ["invalid_amount"] and "'Total Budget'" in kept.flags[0].message


def test_detected_by_its_header(data: Path) -> None:
    assert detect(data / FILE).name == "kohesio-beneficiaries"
