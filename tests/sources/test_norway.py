import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Money, Project, Record, Reject, Role, Status
from euprojects.sources import detect, formats, plan
from euprojects.sources.base import Head, SourceError
from euprojects.sources.norway import read

FOLDER = "forskningsradet-eu-grants-norway"


@pytest.fixture(scope="module")
def items(data: Path) -> list[Record | Reject]:
    return list(read(data / FOLDER / "dataset.csv"))


@pytest.fixture(scope="module")
def records(items: list[Record | Reject]) -> list[Record]:
    return [item for item in items if isinstance(item, Record)]


def participation_of(records: list[Record], grant: str, orgnr: str) -> Project:
    """The record of one organisation's participation in one grant."""
    [project] = [
        r.project
        for r in records
        if r.project.source_id == grant
        and any(p.organisation.identifiers.get("no-orgnr") == orgnr for p in r.project.participations)
    ]
    return project


def real_lines(data: Path, count: int) -> list[str]:
    """The header and the first data rows of the real file, to build small broken variants of it."""
    with (data / FOLDER / "dataset.csv").open(encoding="utf-8", newline="") as handle:
        return [handle.readline().rstrip("\r\n") for _ in range(count)]


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "dataset.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def with_cell(header: str, line: str, column: str, value: str) -> str:
    cells = line.split(";")
    cells[header.split(";").index(column)] = value
    return ";".join(cells)


# --- the real file ------------------------------------------------------------------------------


def test_every_row_is_a_record_and_none_is_rejected(items: list[Record | Reject]) -> None:
    assert len(items) == 2931
    assert [item for item in items if isinstance(item, Reject)] == []


def test_projects_and_roles(records: list[Record]) -> None:
    assert len({r.project.id for r in records}) == 1957
    roles = Counter(p.role_raw for r in records for p in r.project.participations)
    unnamed = Counter(r.project.flags[0].code for r in records if not r.project.participations)
    # 706 COORDINATOR and 2225 PARTICIPANT rows; three rows name no organisation (see below).
    assert roles == {"COORDINATOR": 705, "PARTICIPANT": 2223}
    assert unnamed == {"participant_unknown": 3}
    assert Counter(p.role for r in records for p in r.project.participations) == {Role.LEAD: 705, Role.PARTNER: 2223}


def test_keys_are_unique(records: list[Record]) -> None:
    keys = Counter(r.key for r in records)
    assert len(keys) == 2931 and max(keys.values()) == 1


def test_one_organisation_can_hold_two_participations_in_a_grant(records: list[Record]) -> None:
    keys = sorted(r.key for r in records if r.project.source_id == "636146" and "/979750730/" in r.key)
    assert keys == ["636146/979750730/23", "636146/979750730/40"]


def test_a_coordination_with_its_programme_hierarchy(records: list[Record]) -> None:
    project = participation_of(records, "951956", "919303808")
    assert project.id == "cordis:951956"
    assert (project.acronym, project.title) == (
        "Change2Twin",
        "Create and Harvest Offerings to support Manufacturing SMEs to become Digital Twin Champions",
    )
    assert (project.programme, project.programme_code) == (
        "Information and Communication Technologies",
        "H2020-EU.2.1.1.",
    )
    assert (project.fund, project.period) == ("H2020", "2014-2020")
    assert (project.call, project.topic) == ("H2020-DT-2019-2", "DT-ICT-03-2020")
    assert project.topic_title == "I4MS (phase 4) - uptake of digital game changers"
    assert project.funding_scheme == "Innovation action"


def test_dates_and_status(records: list[Record]) -> None:
    signed = participation_of(records, "951956", "919303808")
    assert (signed.start_date, signed.end_date) == (dt.date(2020, 6, 1), dt.date(2024, 5, 31))
    assert (signed.status, signed.status_source) == (Status.ONGOING, "SIGNED")
    assert signed.raw["Kontrakt startdato"] == "01.06.2020 00:00"
    closed = participation_of(records, "876696", "916735472")
    assert (closed.status, closed.status_source) == (Status.FINISHED, "CLOSED")


def test_the_norwegian_organisation(records: list[Record]) -> None:
    [participation] = participation_of(records, "951956", "919303808").participations
    org = participation.organisation
    assert org.id == "no-orgnr:919303808" and org.identifiers == {"no-orgnr": "919303808"}
    assert (org.name, org.short_name, org.country, org.city, org.type) == (
        "SINTEF AS",
        "SINTEF",
        "NO",
        "Trondheim",
        "Instituttsektor",
    )
    assert (participation.role, participation.role_raw, participation.order) == (Role.LEAD, "COORDINATOR", 1)
    assert participation.eu_contribution == Money(Decimal("3518202.75"), "EUR")


def test_unknown_short_names_are_not_names(records: list[Record]) -> None:
    [participation] = participation_of(records, "876696", "916735472").participations
    assert participation.organisation.name == "FUTUREON AS"
    assert participation.organisation.short_name is None  # published as "ukjent"


def test_float_noise_is_rounded_to_cents_and_the_published_text_kept(records: list[Record]) -> None:
    project = participation_of(records, "883188", "919303808")
    assert project.participations[0].eu_contribution == Money(Decimal("626200.00"))
    assert project.raw["Innvilget beløp organisasjon EUR (Deltakernr 4)"] == "626199.99999984"


def test_programme_falls_back_to_the_programme_and_the_pillar(records: list[Record]) -> None:
    project = participation_of(records, "883188", "919303808")
    assert project.programme == "Secure societies - Protecting freedom and security of Europe and its citizens"
    assert project.programme_code == "H2020-EU.3.7."
    euratom = next(r.project for r in records if r.project.source_id == "899990")
    assert (euratom.programme, euratom.programme_code) == ("Euratom", None)
    cross = Counter(r.project.programme_code for r in records if r.project.programme == "Cross-theme")
    assert cross == {"H2020-EU.0.": 24}


def test_unnamed_participants_keep_the_project_and_a_flag(records: list[Record]) -> None:
    [project] = [r.project for r in records if r.key == "101003805//12"]
    assert project.participations == []
    assert project.acronym == "EUROqCHARM" and project.start_date == dt.date(2020, 11, 1)
    [flag] = project.flags
    assert "participant 12" in flag.message and "144187.50 EUR" in flag.message


def test_the_publication_date_from_meta_xml(records: list[Record], tmp_path: Path, data: Path) -> None:
    assert records[0].project.raw["publication_date"] == "2022-01-28"
    assert records[0].project.raw["meta.xml updated"] == "1643360248"
    [alone] = read(write(tmp_path, real_lines(data, 2)))
    assert isinstance(alone, Record) and "publication_date" not in alone.project.raw
    (tmp_path / "meta.xml").write_text("<metadata><updated>99999999999999999999</updated></metadata>")
    [absurd] = read(tmp_path / "dataset.csv")
    assert isinstance(absurd, Record) and "publication_date" not in absurd.project.raw


# --- detection ----------------------------------------------------------------------------------


def test_detected_by_its_header_and_by_no_other_format(data: Path) -> None:
    path = data / FOLDER / "dataset.csv"
    assert detect(path).name == "norway-h2020"
    head = Head(path)
    assert [fmt.name for fmt in formats() if fmt.detect(head)] == ["norway-h2020"]


def test_field_list_and_metadata_are_companions(data: Path) -> None:
    planned = {p.path.name: p for p in plan([data / FOLDER])}
    assert planned["dataset.csv"].format is not None and planned["dataset.csv"].format.name == "norway-h2020"
    assert "norway-h2020" in (planned["fields.csv"].skipped or "")
    assert "norway-h2020" in (planned["meta.xml"].skipped or "")


# --- bad input ----------------------------------------------------------------------------------


def test_an_empty_file_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "dataset.csv"
    path.write_bytes(b"")
    with pytest.raises(SourceError, match="empty"):
        read(path)


def test_a_missing_column_is_a_source_error(tmp_path: Path, data: Path) -> None:
    header, row = real_lines(data, 2)
    drop = header.split(";").index("Prosjektnr")
    lines = [";".join(c for i, c in enumerate(line.split(";")) if i != drop) for line in (header, row)]
    with pytest.raises(SourceError, match=r"missing required column\(s\) Prosjektnr "):
        read(write(tmp_path, lines))


def test_an_impossible_date_rejects_the_row_naming_line_and_column(tmp_path: Path, data: Path) -> None:
    header, first, second = real_lines(data, 3)
    bad = with_cell(header, second, "Kontrakt startdato", "31.02.2020 00:00")
    good, rejected = read(write(tmp_path, [header, first, bad]))
    assert isinstance(good, Record)
    assert isinstance(rejected, Reject) and rejected.line == 3
    assert rejected.reason == "column 'Kontrakt startdato': '31.02.2020 00:00' is not a valid date"
    assert rejected.raw == bad


def test_a_negative_amount_is_left_out_naming_column_and_value(tmp_path: Path, data: Path) -> None:
    header, first = real_lines(data, 2)
    bad = with_cell(header, first, "Innvilget beløp organisasjon EUR", "-626199.99999984")
    [kept] = read(write(tmp_path, [header, first]))
    [record] = read(write(tmp_path, [header, bad]))
    assert isinstance(record, Record) and isinstance(kept, Record) and record.line == 2
    [participation] = record.project.participations
    assert participation.eu_contribution is None
    assert participation.organisation == kept.project.participations[0].organisation
    assert [(f.code, f.message) for f in record.project.flags] == [
        ("invalid_amount", "column 'Innvilget beløp organisasjon EUR': -626200.00 is negative; left out")
    ]
    assert record.project.raw["Innvilget beløp organisasjon EUR"] == "-626199.99999984"


def test_an_unknown_role_or_malformed_organisation_number_is_rejected(tmp_path: Path, data: Path) -> None:
    header, first = real_lines(data, 2)
    role = with_cell(header, first, "Organisasjon rolle", "OBSERVER")
    orgnr = with_cell(header, first, "Organisasjonsnummer", "91930")
    rejects = read(write(tmp_path, [header, role, orgnr]))
    assert [(r.line, r.reason) for r in rejects if isinstance(r, Reject)] == [
        (2, "column 'Organisasjon rolle': 'OBSERVER' is not a known role"),
        (3, "column 'Organisasjonsnummer': '91930' is not a 9-digit organisation number"),
    ]
