import zipfile
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter

from euprojects.model import Money, Record, Reject, Role
from euprojects.sources import formats
from euprojects.sources.base import Head, SourceError
from euprojects.sources.cordis.organisations import read

FOLDER = "cordis-horizon-organizations-split"
HEADER = [
    "projectID", "projectAcronym", "organisationID", "vatNumber", "name", "shortName", "SME", "activityType",
    "street", "postCode", "city", "country", "nutsCode", "geolocation", "organizationURL", "contactForm",
    "contentUpdateDate", "rcn", "order", "role", "ecContribution", "netEcContribution", "totalCost",
    "endOfParticipation", "active",
]  # fmt: skip


def chunks(data: Path) -> list[Path]:
    return [data / FOLDER / f"organization_{n}.xlsx" for n in range(1, 82)]


@pytest.fixture(scope="module")
def everything(data: Path) -> list[Record | Reject]:
    return [item for path in chunks(data) for item in read(path)]


@pytest.fixture(scope="module")
def records(everything: list[Record | Reject]) -> list[Record]:
    return [item for item in everything if isinstance(item, Record)]


def test_every_participation_of_the_81_chunks_is_a_record(everything: list[Record | Reject]) -> None:
    assert len(everything) == 80_276
    assert [item for item in everything if isinstance(item, Reject)] == []
    records = [item for item in everything if isinstance(item, Record)]
    assert len({r.project.id for r in records}) == 12_900
    assert len({r.project.participations[0].organisation.id for r in records}) == 23_270


def test_roles_are_counted_as_the_readme_says(records: list[Record]) -> None:
    roles = Counter((p.role, p.role_raw) for r in records for p in r.project.participations)
    assert roles == {
        (Role.PARTNER, "participant"): 51_325,
        (Role.LEAD, "coordinator"): 12_900,
        (Role.ASSOCIATED, "associatedPartner"): 12_325,
        (Role.THIRD_PARTY, "thirdParty"): 3_726,
    }


def test_keys_are_unique_over_all_chunks_and_stable(data: Path, records: list[Record]) -> None:
    keys = Counter(r.key for r in records)
    assert len(keys) == len(records)
    first = [r.key for r in read(chunks(data)[0]) if isinstance(r, Record)]
    assert first == [r.key for r in read(chunks(data)[0]) if isinstance(r, Record)]
    assert "101101443/999964562/coordinator/1" in keys


def test_a_coordinator_row_keeps_organisation_role_and_money(records: list[Record]) -> None:
    [record] = [r for r in records if r.key == "101101443/999964562/coordinator/1"]
    project = record.project
    assert (project.id, project.acronym, project.fund, project.period) == (
        "cordis:101101443",
        "RHeaDHy",
        "HORIZON",
        "2021-2027",
    )
    assert project.programme is None  # the programme part comes from legalBasis, which ranks lower
    [engie] = project.participations
    org = engie.organisation
    assert (org.id, org.name, org.country, org.nuts, org.city, org.type, org.sme) == (
        "pic:999964562",
        "ENGIE",
        "FR",
        "FR105",
        "Courbevoie",
        "PRC",
        False,
    )
    assert org.identifiers["pic"] == "999964562" and org.identifiers["vat"] == "FR13542107651"
    assert org.latitude == pytest.approx(48.89579355) and org.longitude == pytest.approx(2.23946928140648)
    assert (engie.role, engie.role_raw, engie.order) == (Role.LEAD, "coordinator", 1)
    assert engie.eu_contribution == Money(Decimal("491873.75"))
    assert engie.total_cost == Money(Decimal("491873.75"))  # published as "491873,75"
    assert project.raw["totalCost[999964562/coordinator/1]"] == "491873,75"
    assert record.line == 5


def test_a_decimal_comma_total_cost_differs_from_the_contribution(records: list[Record]) -> None:
    [record] = [r for r in records if r.key == "101101443/886340411/participant/2"]
    [hrs] = record.project.participations
    assert hrs.eu_contribution == Money(Decimal("1037963.75"))
    assert hrs.total_cost == Money(Decimal("1087963.75"))


def test_a_greek_partner_gets_the_iso_code_and_keeps_the_eu_one(records: list[Record]) -> None:
    greek = next(
        r for r in records if r.project.participations[0].organisation.name == "ARISTOTELIO PANEPISTIMIO THESSALONIKIS"
    )
    org = greek.project.participations[0].organisation
    assert (org.country, org.country_raw, org.nuts) == ("GR", "EL", "EL522")


def test_rcn_numbers_the_organisation_not_the_project(records: list[Record]) -> None:
    rcns_of_org: dict[str, set[str]] = defaultdict(set)
    rcns_of_project: dict[str, set[str]] = defaultdict(set)
    for r in records:
        org = r.project.participations[0].organisation
        rcns_of_org[org.id].add(org.identifiers["cordis-org-rcn"])
        rcns_of_project[r.project.id].add(org.identifiers["cordis-org-rcn"])
    assert all(len(rcns) == 1 for rcns in rcns_of_org.values())
    assert sum(len(rcns) > 1 for rcns in rcns_of_project.values()) > 6_000
    assert all(r.aliases == [] for r in records)


def test_ended_participations_stay_listed_and_say_so(records: list[Record]) -> None:
    ended = [r for r in records if any(k.startswith("endOfParticipation[") for k in r.project.raw)]
    assert len(ended) == 625
    assert all(r.project.participations for r in ended)


def test_associated_partners_have_no_contribution_and_third_parties_keep_their_net_share(records: list[Record]) -> None:
    associated = [r.project.participations[0] for r in records if r.project.participations[0].role is Role.ASSOCIATED]
    assert all(p.eu_contribution is None for p in associated)
    [third] = [r for r in records if r.key == "101060426/888812553/thirdParty/14"]
    assert third.project.participations[0].eu_contribution == Money(Decimal("0"))
    assert third.project.raw["netEcContribution[888812553/thirdParty/14]"] == "32922.75"


def test_the_contact_form_is_not_read(data: Path) -> None:
    text = repr(list(read(chunks(data)[0])))
    assert "contact-form" not in text


def test_every_chunk_is_detected_as_this_format_only(data: Path) -> None:
    for path in chunks(data):
        head = Head(path)
        assert [f.name for f in formats() if f.detect(head)] == ["cordis-he-organizations"], path.name


def write_sheet(path: Path, header: list[str], *rows: list[str]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("DATA")
    for r, cells in enumerate([header, *rows]):
        for c, value in enumerate(cells):
            sheet.write_string(r, c, value)
    book.close()
    return path


def row(**changes: str) -> list[str]:
    values = dict.fromkeys(HEADER, "")
    values.update(
        projectID="101101443",
        projectAcronym="RHeaDHy",
        organisationID="999964562",
        name="ENGIE",
        SME="false",
        country="FR",
        nutsCode="FR105",
        geolocation="48.89,2.23",
        rcn="1905789",
        order="1",
        role="coordinator",
        ecContribution="491873.75",
        netEcContribution="491873.75",
        totalCost="491873,75",
        endOfParticipation="false",
    )
    values.update(changes)
    return [values[column] for column in HEADER]


def test_a_negative_contribution_is_left_out_with_a_flag_and_the_partner_kept(tmp_path: Path) -> None:
    path = write_sheet(
        tmp_path / "organization.xlsx",
        HEADER,
        row(),
        row(organisationID="886340411", order="2", role="participant", ecContribution="-100"),
    )
    first, second = list(read(path))
    assert isinstance(first, Record) and isinstance(second, Record) and second.line == 3
    [partner] = second.project.participations
    assert partner.organisation.identifiers["pic"] == "886340411" and partner.eu_contribution is None
    assert partner.total_cost is not None
    [flag] = second.project.flags
    assert flag.code == "invalid_amount"
    assert "'ecContribution'[886340411/participant/2]" in flag.message and "-100 is negative" in flag.message
    assert second.project.raw["ecContribution[886340411/participant/2]"] == "-100"


def test_an_unknown_role_or_order_rejects_the_row(tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "organization.xlsx", HEADER, row(role="observer"), row(order="first"))
    first, second = list(read(path))
    assert isinstance(first, Reject) and "'role'" in first.reason and "observer" in first.reason
    assert isinstance(second, Reject) and "'order'" in second.reason and "first" in second.reason


def test_a_sheet_without_a_required_column_is_a_source_error(tmp_path: Path) -> None:
    header = [c for c in HEADER if c != "role"]
    path = write_sheet(tmp_path / "organization.xlsx", header, row()[: len(header)])
    with pytest.raises(SourceError, match=r"missing required column.*role"):
        list(read(path))


def test_garbage_bytes_are_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "organization_1.xlsx"
    path.write_bytes(b"\x00\x01garbage, not a workbook\xff" * 50)
    with pytest.raises(SourceError, match="not an XLSX workbook"):
        list(read(path))


def test_a_zip_that_is_not_a_workbook_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "organization_1.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "projectID;organisationID")
    with pytest.raises(SourceError, match=r"no xl/workbook\.xml"):
        list(read(path))


def test_an_unreadable_sme_flag_rejects_the_row_and_a_bad_geolocation_is_kept_raw(tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "organization.xlsx", HEADER, row(SME="maybe"), row(geolocation="somewhere"))
    bad_sme, record = list(read(path))
    assert isinstance(bad_sme, Reject) and "'SME'" in bad_sme.reason and "maybe" in bad_sme.reason
    assert isinstance(record, Record)
    org = record.project.participations[0].organisation
    assert (org.latitude, org.longitude) == (None, None)
    assert record.project.raw["geolocation[999964562/coordinator/1]"] == "somewhere"
