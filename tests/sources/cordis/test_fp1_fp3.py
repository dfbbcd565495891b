from collections import Counter
from pathlib import Path

import msgspec
import pytest

from euprojects.model import Record, Reject, Role
from euprojects.sources import detect, formats
from euprojects.sources.base import Head, SourceError
from euprojects.sources.cordis.fp1_fp3 import framework, read

FOLDER = "cordis-fp1-fp3-organizations"
# (fund, period, rows and projects as in the README, 'N/A' rows, duplicate rows).
FILES = {
    "organizations-fp1-1984-1987.csv": ("FP1", "1984-1987", 7_916, 3_282, 4, 0),
    "organizations-fp2-1987-1991.csv": ("FP2", "1987-1991", 19_075, 3_884, 1, 13),
    "organizations-fp3-1990-1994.csv": ("FP3", "1990-1994", 31_364, 5_527, 4, 69),
}
HEADER = (
    "projectRcn\tprojectID\tprojectAcronym\trole\tid\tname\tshortName\tactivityType\tendOfParticipation\t"
    "ecContribution\tcountry\tstreet\tcity\tpostCode\torganizationUrl\tvatNumber\tcontactForm\tcontactType\t"
    "contactTitle\tcontactFirstNames\tcontactLastNames\tcontactFunction\tcontactTelephoneNumber\tcontactFaxNumber"
)
CONTACT = "\thttps://example.org/contact-form\tMr\tDr\tJohanna\tMusterfrau\tHead\t+49 30 1234567\t+49 30 7654321"


def records(items: list[Record | Reject]) -> list[Record]:
    return [item for item in items if isinstance(item, Record)]


def rejects(items: list[Record | Reject]) -> list[Reject]:
    return [item for item in items if isinstance(item, Reject)]


@pytest.fixture(scope="module")
def files(data: Path) -> dict[str, list[Record | Reject]]:
    return {name: list(read(data / FOLDER / name)) for name in FILES}


def test_every_row_is_read_with_its_framework_programme(files: dict[str, list[Record | Reject]]) -> None:
    for name, (fund, period, rows, projects, unnamed, duplicates) in FILES.items():
        items = files[name]
        assert len(items) == rows and rejects(items) == [], name  # README row counts
        found = records(items)
        assert {(r.project.fund, r.project.period) for r in found} == {(fund, period)}
        assert len({r.project.id for r in found}) == projects, name
        keys = Counter(r.key for r in found)
        assert sum(n - 1 for n in keys.values()) == duplicates, name  # identical rows, and only those
        assert sum(r.project.participations[0].organisation.name is None for r in found) == unnamed, name


def test_a_participant_published_as_n_a_is_an_unnamed_organisation_of_its_own(
    files: dict[str, list[Record | Reject]], data: Path
) -> None:
    found = [
        r for items in files.values() for r in records(items) if r.project.participations[0].organisation.name is None
    ]
    lines = {name: (data / FOLDER / name).read_text(encoding="utf-8").split("\n") for name in FILES}
    for record in found:
        [name] = [n for n, items in files.items() if record in items]
        cells = lines[name][record.line - 1].split("\t")
        participation = record.project.participations[0]
        org = participation.organisation
        assert (cells[1], cells[3], cells[5]) == (record.project.source_id, participation.role_raw, "N/A")
        assert org.id == f"unnamed:{record.project.id}:{record.line}"
        assert (org.country, org.city, org.street) == (cells[10], cells[12] or None, cells[11] or None)
        assert record.project.raw == {f"name (line {record.line})": "N/A"}
        assert [f.code for f in record.project.flags] == ["organisation_unnamed"]
    assert len({r.project.participations[0].organisation.id for r in found}) == len(found) == 9
    torino = next(r for r in found if r.project.id == "cordis:JOU20365").project.participations[0]
    assert (torino.role, torino.organisation.street, torino.organisation.postcode) == (
        Role.LEAD,
        "Corso Giulio Cesare 300",
        "10154",
    )
    # Two FP1 projects are known only by such a row; three more have their coordinator in one.
    fp1 = Counter(r.project.id for r in records(files["organizations-fp1-1984-1987.csv"]))
    alone = sorted(r.project.id for r in found if r.project.fund == "FP1" and fp1[r.project.id] == 1)
    assert alone == ["cordis:EN3E0015", "cordis:EN3E0024"]
    coordinators = sorted(r.project.id for r in found if r.project.participations[0].role is Role.LEAD)
    assert coordinators == sorted(
        ["cordis:EN3E0015", "cordis:EN3E0024", "cordis:BI6*0223", "cordis:ST2*0084", "cordis:JOU20365"]
    )


def test_project_ids_are_unique_across_the_files_and_match_one_rcn(files: dict[str, list[Record | Reject]]) -> None:
    ids: dict[str, set[str]] = {}
    owner: dict[str, str] = {}
    for name, items in files.items():
        for record in records(items):
            ids.setdefault(record.project.id, set()).update(record.aliases)
            assert owner.setdefault(record.project.id, name) == name
    assert all(len(aliases) == 1 for aliases in ids.values())
    rcns = Counter(alias for aliases in ids.values() for alias in aliases)
    assert max(rcns.values()) == 1
    assert len(ids) == 3_282 + 3_884 + 5_527  # the README's 12 693


def test_a_participant_keeps_name_address_and_website(files: dict[str, list[Record | Reject]]) -> None:
    first = records(files["organizations-fp1-1984-1987.csv"])[0]
    assert (first.line, first.aliases, first.project.id) == (2, ["cordis:rcn-11643"], "cordis:MA1B0008")
    assert first.project.programme == "First Framework Programme (FP1)"
    [oxford] = first.project.participations
    org = oxford.organisation
    assert (oxford.role, oxford.role_raw) == (Role.PARTNER, "participant")
    assert (org.name, org.short_name, org.country, org.country_raw) == (
        "THE CHANCELLOR, MASTERS AND SCHOLARS OF THE UNIVERSITY OF OXFORD",
        "UOXF.CZ",
        "GB",
        "UK",
    )
    assert (org.street, org.city, org.website) == (
        "University Offices, Wellington Square",
        "OXFORD",
        "http://www.ox.ac.uk",
    )
    assert org.id == "name:GB:the chancellor masters and scholars of the university of oxford"


def test_a_quoted_multi_line_street_becomes_one_line(files: dict[str, list[Record | Reject]]) -> None:
    [record] = [r for r in records(files["organizations-fp1-1984-1987.csv"]) if r.line == 23]
    org = record.project.participations[0].organisation
    assert (record.project.id, record.project.acronym) == ("cordis:EV4V0111", "EROS 2000")
    assert (org.name, org.street, org.city, org.postcode) == (
        "NERC Centre of Coastal and Marine Sciences",
        "Prospect Place, West Hoe",
        "Plymouth",
        "PL1 3DH",
    )


def test_coordinators_lead_and_namibia_is_not_missing(files: dict[str, list[Record | Reject]]) -> None:
    fp2 = records(files["organizations-fp2-1987-1991.csv"])
    teagasc = fp2[0]
    assert (teagasc.project.id, teagasc.project.participations[0].role) == ("cordis:AGRE0067", Role.LEAD)
    assert teagasc.project.participations[0].organisation.name == "Teagasc, Agriculture and Food Development Authority"
    roles = Counter(p.role for r in fp2 for p in r.project.participations)
    assert roles == {Role.LEAD: 3_884, Role.PARTNER: 15_191}  # README counts
    fp3 = records(files["organizations-fp3-1990-1994.csv"])
    [namibia] = [r for r in fp3 if r.project.participations[0].organisation.country == "NA"]
    assert namibia.project.participations[0].organisation.name == "University of Namibia"


def test_participation_order_follows_the_file_and_duplicates_keep_theirs(
    files: dict[str, list[Record | Reject]],
) -> None:
    eros = [r for r in records(files["organizations-fp1-1984-1987.csv"]) if r.project.id == "cordis:EV4V0111"]
    assert [r.project.participations[0].order for r in eros] == list(range(len(eros)))
    fp3 = records(files["organizations-fp3-1990-1994.csv"])
    by_key: dict[str, set[int]] = {}
    for record in fp3:
        by_key.setdefault(record.key, set()).add(record.project.participations[0].order)
    assert all(len(orders) == 1 for orders in by_key.values())


def test_the_framework_comes_from_the_file_name_only() -> None:
    assert framework(Path("organizations-fp2-1987-1991.csv"))[0] == "FP2"  # type: ignore[index]
    assert framework(Path("cordis-1990-1994.csv"))[0] == "FP3"  # type: ignore[index]
    assert framework(Path("organizations.csv")) is None


def test_contact_columns_are_never_read(tmp_path: Path) -> None:
    good = "100\tABC1\tACR\tcoordinator\t\tSome Institute\t\t\t\t\tDE\tStr. 1\tBerlin\t10115\t\t" + CONTACT
    bad_role = "100\tABC1\tACR\tobserver\t\tOther Institute\t\t\t\t\tFR\t\tParis\t\t\t" + CONTACT
    missing_tab = "101\tABC2\t\tparticipant\t\tThird Institute\t\t\t\tIT\t\tRoma\t\t\t" + CONTACT
    path = tmp_path / "organizations-fp3-x.csv"
    path.write_text("\n".join([HEADER, good, bad_role, missing_tab]) + "\n", encoding="utf-8")
    items = list(read(path))
    [record] = records(items)
    assert record.project.participations[0].role is Role.LEAD
    found = {r.line: r.reason for r in rejects(items)}
    assert "role" in found[3] and "observer" in found[3]
    assert "23 fields" in found[4]
    text = msgspec.json.encode(items).decode()
    for personal in ("Musterfrau", "Johanna", "1234567", "7654321", "contact-form", "Head"):
        assert personal not in text


def test_the_official_semicolon_layout_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "cordis-fp2-organizations.csv"
    cells = ["7639", "AGRE0067", "", "coordinator", "", "Teagasc", "", "", "", "", "IE", "Malahide\nRoad", "Dublin"]
    row = ";".join(f'"{c}"' for c in [*cells, "17", *[""] * 10])
    path.write_text(HEADER.replace("\t", ";") + "\n" + row + "\n", encoding="utf-8")
    assert detect(path).name == "cordis-fp1-fp3-organizations"
    [record] = records(list(read(path)))
    org = record.project.participations[0].organisation
    assert (record.project.fund, org.street, org.country) == ("FP2", "Malahide, Road", "IE")


def test_a_file_without_its_columns_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "organizations-fp1.csv"
    path.write_text("projectRcn\tprojectID\trole\n1\tA\tcoordinator\n", encoding="utf-8")
    with pytest.raises(SourceError, match="missing required column"):
        list(read(path))


def test_detected_by_content_and_by_no_other_format(data: Path, tmp_path: Path) -> None:
    for name in FILES:
        path = data / FOLDER / name
        assert detect(path).name == "cordis-fp1-fp3-organizations"
        assert [f.name for f in formats() if f.detect(Head(path))] == ["cordis-fp1-fp3-organizations"]
    renamed = tmp_path / "participants.txt"
    renamed.write_bytes((data / FOLDER / "organizations-fp1-1984-1987.csv").read_bytes())
    assert detect(renamed).name == "cordis-fp1-fp3-organizations"
    assert {r.project.fund for r in records(list(read(renamed)))} == {None}
