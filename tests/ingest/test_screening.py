"""What enters the store, whichever loader read it: safe web addresses, no personal data,
bounded texts, each change said in a flag; everything else byte for byte as the loader made it."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from euprojects.ingest.reading import prepare, prepare_beneficiary
from euprojects.ingest.screening import screen_project, screen_reject
from euprojects.model import Beneficiary, BeneficiaryRecord, Flag, Link, Project, Record, Reject
from euprojects.sources import by_name
from euprojects.store.codec import decode_beneficiary, decode_project, encode

DELIVERABLES = "cordis-horizon-reports-deliverables/projectDeliverables.xlsx"
ORGANISATIONS = "cordis-horizon-organizations-split"


def records(data: Path, format_name: str, name: str) -> list[Record]:
    return [item for item in by_name(format_name).read(data / name) if isinstance(item, Record)]


def stored(record: Record) -> Project:
    return decode_project(prepare(record).payload)


@pytest.fixture(scope="module")
def deliverables(data: Path) -> list[Record]:
    return records(data, "cordis-deliverables", DELIVERABLES)


@pytest.fixture(scope="module")
def erc(data: Path) -> Record:
    return records(data, "erc-grants", "erc-funded-projects/erc_advanced.csv")[0]


def test_a_data_protection_officers_address_and_phone_never_reach_the_store(deliverables: list[Record]) -> None:
    [published] = [
        link.description
        for r in deliverables
        if r.project.id == "cordis:101060635"
        for link in r.project.links
        if link.description and "@" in link.description
    ]
    assert "dpo@czu.cz" in published and "+420 224 38 2411" in published
    [record] = [r for r in deliverables if any(link.description == published for link in r.project.links)]
    project = stored(record)
    [description] = [link.description for link in project.links if link.description]
    assert description == published.replace("dpo@czu.cztel", "[e-mail removed]").replace(
        "+420 224 38 2411", "[phone removed]"
    )
    assert [f.code for f in project.flags] == ["personal_data_removed"]
    assert "1 e-mail address and 1 phone number" in project.flags[0].message
    assert "links[0].description" in project.flags[0].message


def test_every_other_record_is_stored_exactly_as_its_loader_made_it(deliverables: list[Record]) -> None:
    """Other descriptions hold an "@" ("CryoEM@NOVA", "split @B=2.0T/m", "@ M1 and M36"): none
    is an e-mail address, and every other record is stored byte for byte as read."""
    changed = [r.project.id for r in deliverables if prepare(r).payload != encode(r.project)]
    assert changed == ["cordis:101060635"]
    assert sum(any("@" in (link.description or "") for link in r.project.links) for r in deliverables) > 5


@pytest.mark.parametrize(
    ("file", "project_id", "field", "published", "kept"),
    [
        (
            "organization_39.xlsx",
            "cordis:101081298",
            "street",
            "E-Mail: iacr@rgcb.res.in",
            "E-Mail: [e-mail removed]",
        ),
        ("organization_27.xlsx", "cordis:101119596", "city", "+4930209346295", "[phone removed]"),
    ],
)
def test_an_organisations_address_loses_its_e_mail_and_phone(
    data: Path, file: str, project_id: str, field: str, published: str, kept: str
) -> None:
    rows = [
        r for r in records(data, "cordis-he-organizations", f"{ORGANISATIONS}/{file}") if r.project.id == project_id
    ]
    [record] = [r for r in rows if published in (getattr(r.project.participations[0].organisation, field) or "")]
    before = record.project.participations[0].organisation
    after = stored(record).participations[0].organisation
    assert getattr(after, field) == getattr(before, field).replace(published, kept)
    assert msgspec.structs.replace(after, **{field: getattr(before, field)}) == before


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.domain)",
        "JaVaScRiPt:alert(document.domain)",
        " javascript:alert(document.domain)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "../../etc/passwd",
    ],
)
def test_an_unsafe_address_is_left_out_kept_as_text_and_flagged(erc: Record, url: str) -> None:
    hostile = msgspec.structs.replace(
        erc.project,
        website=url,
        links=[Link(url=url, title="Report")],
        participations=[
            msgspec.structs.replace(p, organisation=msgspec.structs.replace(p.organisation, website=url))
            for p in erc.project.participations
        ],
    )
    project = stored(Record(key=erc.key, project=hostile, line=erc.line))
    assert project.website is None and project.links == [Link(title="Report")]
    assert project.participations[0].organisation.website is None
    assert project.raw == {
        **erc.project.raw,
        "website": url,
        "links[0].url": url,
        "participations[0].organisation.website": url,
    }
    assert [f.code for f in project.flags] == ["unsafe_url"] * 3
    assert all("is not an http(s) address with a host" in f.message for f in project.flags)
    assert msgspec.structs.replace(project, website=None, links=[], flags=[], raw=erc.project.raw) == (
        msgspec.structs.replace(erc.project, participations=project.participations)
    )


def test_a_bare_host_name_becomes_an_http_address(erc: Record) -> None:
    project = screen_project(msgspec.structs.replace(erc.project, website="www.example.org"))
    assert project.website == "http://www.example.org" and project.flags == []


def test_texts_are_cut_at_their_limit_and_the_cut_is_flagged(erc: Record) -> None:
    summary = erc.project.summary or ""
    long = msgspec.structs.replace(
        erc.project, summary=summary * (200_000 // len(summary) + 1), title="T" * 20_000, raw={"x": "y" * 50_000}
    )
    project = screen_project(long)
    assert project.summary == (long.summary or "")[:100_000] and project.title == "T" * 10_000
    assert project.raw == {"x": "y" * 10_000}
    assert project.flags == [
        Flag("text_cut", "title cut at 10,000 of 20,000 characters"),
        Flag("text_cut", f"summary cut at 100,000 of {len(long.summary or ''):,} characters"),
        Flag("text_cut", "raw['x'] cut at 10,000 of 50,000 characters"),
    ]


def test_an_address_on_the_cut_is_removed_whole(erc: Record) -> None:
    title = "T" * 9_990 + " write to jane.doe@example.org"
    project = screen_project(msgspec.structs.replace(erc.project, title=title))
    assert project.title == "T" * 9_990 + " write to " and "jane" not in project.title


def test_a_reject_is_cut_with_a_note_and_loses_its_personal_data() -> None:
    raw = '"BAD";"jane.doe@example.org";' + "x" * 5_000
    reject = screen_reject(Reject(line=7, reason="column 'x': 'jane.doe@example.org' is not a date", raw=raw))
    assert reject.line == 7 and reject.reason == "column 'x': '[e-mail removed]' is not a date"
    note = f"… [cut at 2,000 of {len(raw):,} characters]"
    assert reject.raw == ('"BAD";"[e-mail removed]";' + "x" * 5_000)[:2_000] + note
    assert screen_reject(reject) == reject


def test_a_beneficiary_row_is_screened_too(data: Path) -> None:
    path = data / "kohesio-beneficiaries-cee-2023" / "kohesio-data-export.tsv"
    first = next(item for item in by_name("kohesio-beneficiaries").read(path) if isinstance(item, BeneficiaryRecord))
    assert decode_beneficiary(prepare_beneficiary(first).payload) == first.beneficiary
    organisation = msgspec.structs.replace(
        first.beneficiary.organisation, street="Tel.: +359 2 123 4567", website="javascript:alert(1)"
    )
    hostile = msgspec.structs.replace(first.beneficiary, organisation=organisation)
    stored: Beneficiary = decode_beneficiary(
        prepare_beneficiary(msgspec.structs.replace(first, beneficiary=hostile)).payload
    )
    assert stored.organisation.street == "Tel.: [phone removed]" and stored.organisation.website is None
    assert stored.raw["organisation.website"] == "javascript:alert(1)"
    assert [f.code for f in stored.flags] == ["unsafe_url", "personal_data_removed"]


KEEP_PAGE = """<!DOCTYPE html><html><body>
<h1 class="page-title">Baltic Bike Routes (BBR)</h1>
<p><strong>Project start date:</strong> 2023-09-01</p>
<ul><li><a class="programme-link" href="/programmes/370/">
Programme 2021 - 2027 Interreg VI-B Baltic Sea Region</a></li></ul>
<a href="JaVaScRiPt:alert(document.domain)">Project Website</a>
<a href=" javascript:alert(1)">Project on KEEP Platform</a>
</body></html>"""


def test_a_keep_eu_page_linking_to_scripts_keeps_neither_link(tmp_path: Path) -> None:
    path = tmp_path / "bbr.html"
    path.write_text(KEEP_PAGE, encoding="utf-8")
    [record] = [item for item in by_name("keep-page-html").read(path) if isinstance(item, Record)]
    project = stored(record)
    assert project.website is None and [link.url for link in project.links] == [None]
    assert project.raw["website"] == "JaVaScRiPt:alert(document.domain)"
    assert project.raw["links[0].url"] == "javascript:alert(1)"
    assert [f.code for f in project.flags] == ["unsafe_url", "unsafe_url"]
