import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Money, Record, Reject, Role
from euprojects.sources import detect
from euprojects.sources.base import SourceError
from euprojects.sources.erc import read


def records(path: Path) -> list[Record]:
    return [item for item in read(path) if isinstance(item, Record)]


def test_every_row_of_each_file_is_read(data: Path) -> None:
    folder = data / "erc-funded-projects"
    counts = {
        name: len(list(read(folder / name)))
        for name in ("erc_advanced.csv", "erc_starting.csv", "erc_consolidator.csv")
    }
    assert counts == {"erc_advanced.csv": 969, "erc_starting.csv": 1536, "erc_consolidator.csv": 684}


def test_a_grant_keeps_title_abstract_budget_dates_and_host(data: Path) -> None:
    grant = next(
        r.project for r in records(data / "erc-funded-projects" / "erc_advanced.csv") if r.project.acronym == "0MSPIN"
    )
    assert grant.id.startswith("erc:adg-0mspin-")
    assert grant.title == "Spintronics based on relativistic phenomena in systems with zero magnetic moment"
    assert grant.summary and grant.summary.startswith("The 0MSPIN project consists")
    assert grant.eu_contribution and grant.eu_contribution.amount > Decimal(1_000_000)
    assert grant.funding_scheme == "ERC Advanced Grant"
    [host] = grant.participations
    assert host.role is Role.LEAD and host.organisation.name == "FYZIKALNI USTAV AV CR V.V.I"


def test_the_principal_investigator_is_not_kept(data: Path) -> None:
    path = data / "erc-funded-projects" / "erc_advanced.csv"
    grant = next(r.project for r in records(path) if r.project.acronym == "0MSPIN")
    assert "Jungwirth" not in repr(grant)


def test_exact_duplicate_rows_share_a_key(data: Path) -> None:
    keys = Counter(r.key for r in records(data / "erc-funded-projects" / "erc_consolidator.csv"))
    assert sum(n - 1 for n in keys.values()) == 72


def test_detected_by_its_header(data: Path) -> None:
    assert detect(data / "erc-funded-projects" / "erc_starting.csv").name == "erc-grants"


def test_a_negative_or_garbled_budget_is_left_out_naming_column_and_value(tmp_path: Path) -> None:
    path = tmp_path / "erc_starting.csv"
    header = ",".join(
        f'"{c}"'
        for c in (
            "project_acronym",
            "project",
            "main_researcher",
            "institution",
            "details_project",
            "budget_project",
            "date_start_project",
            "date_end_project",
        )
    )
    good = '"GOOD","A title","X","UNI","Text","1500000","2012-01-01","2016-12-31"'
    negative = '"NEG","A title","X","UNI","Text","-5","2012-01-01","2016-12-31"'
    garbled = '"GARBLED","A title","X","UNI","Text","12,3,4","2012-01-01","2016-12-31"'
    items = list(read_path(path, header, good, negative, garbled))
    assert all(isinstance(item, Record) for item in items)
    kept = [item.project for item in items if isinstance(item, Record)]
    assert [p.eu_contribution for p in kept] == [Money(Decimal("1500000")), None, None]
    assert [p.raw["budget_project"] for p in kept[1:]] == ["-5", "12,3,4"]
    assert [(p.title, p.summary, p.start_date) for p in kept[1:]] == [("A title", "Text", dt.date(2012, 1, 1))] * 2
    assert [[(f.code, f.message) for f in p.flags] for p in kept[1:]] == [
        [("invalid_amount", "column 'budget_project': -5 is negative; left out")],
        [
            (
                "invalid_amount",
                "column 'budget_project': '12,3,4' is not an amount: its digit groups are not thousands; left out",
            )
        ],
    ]


def test_a_missing_column_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "erc_starting.csv"
    path.write_text('"project_acronym","project"\n"A","B"\n', encoding="utf-8")
    with pytest.raises(SourceError, match="missing required column"):
        list(read(path))


def read_path(path: Path, *lines: str) -> list[Record | Reject]:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return list(read(path))


def test_a_grant_s_framework_follows_its_start(data: Path) -> None:
    """FP7's last grants started in 2014, H2020's first in 2015 (see the module's note)."""
    grants = {r.project.acronym: r.project for r in records(data / "erc-funded-projects" / "erc_advanced.csv")}
    fp7, h2020 = grants["3DNANOMECH"], grants["1stProposal"]
    assert (fp7.start_date, fp7.fund, fp7.period) == (dt.date(2014, 2, 1), "FP7", "2007-2013")
    assert (h2020.start_date, h2020.fund, h2020.period) == (dt.date(2015, 8, 1), "H2020", "2014-2020")
    assert fp7.raw["fund"].startswith("inferred from the start date")
    assert fp7.programme == h2020.programme == "European Research Council (ERC)"


def test_every_grant_of_the_lists_gets_a_framework(data: Path) -> None:
    """The lists' grants start from 2008 to 2020, all within FP7 and H2020."""
    folder = data / "erc-funded-projects"
    grants = [r.project for name in ("erc_advanced.csv", "erc_starting.csv", "erc_consolidator.csv")
              for r in records(folder / name)]  # fmt: skip
    by_fund = Counter((p.fund, p.period) for p in grants)
    assert set(by_fund) == {("FP7", "2007-2013"), ("H2020", "2014-2020")}
    assert sum(by_fund.values()) == 3_189
    assert all((p.fund == "FP7") == (p.start_date is not None and p.start_date.year < 2015) for p in grants)
