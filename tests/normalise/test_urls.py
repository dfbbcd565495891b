"""Web addresses: only what a page may link to is kept."""

from pathlib import Path

import pytest

from euprojects.model import Record
from euprojects.normalise.urls import web_address
from euprojects.sources.cordis.fp1_fp3 import FORMATS as FP1_FP3
from euprojects.sources.cordis.reports import FORMATS as REPORTS


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(document.domain)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\x01\x1fjavascript:alert(1)",
        "java\nscript:alert(1)",  # a browser drops the line break and runs the script
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "mailto:someone@example.org",
        "ftp://ftp.example.org/file",
        "file:///etc/passwd",
        "/docs/results/report.pdf",
        "//evil.example/x",  # no scheme: not a relative path a page of ours should resolve
        "http://",
        "https:///no-host",
        "http://[not-an-ipv6",
        "N/A",
        "e.g.",
        "",
        " \t ",
    ],
)
def test_anything_but_http_with_a_host_is_refused(text: str) -> None:
    assert web_address(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://cordis.europa.eu/project/id/101060635", "https://cordis.europa.eu/project/id/101060635"),
        ("HTTP://WWW.EXAMPLE.ORG", "HTTP://WWW.EXAMPLE.ORG"),  # the scheme compared without case, kept as given
        ("  https://www.imatra.fi \n", "https://www.imatra.fi"),
        ("www.imatra.fi", "http://www.imatra.fi"),  # a bare host name: http, as its https is not known
        ("keep.eu/projects/1234/", "http://keep.eu/projects/1234/"),
    ],
)
def test_web_addresses_are_kept(text: str, expected: str) -> None:
    assert web_address(text) == expected


def test_none_is_none() -> None:
    assert web_address(None) is None


def test_every_published_address_of_the_old_participant_lists_is_kept_as_it_is(data: Path) -> None:
    """FP1-FP3 organisation URLs are the oddest in the data ('http://www/bbc.co.uk/rd', two sites
    in one cell): they are still http addresses with a host, and none is changed."""
    read = FP1_FP3[0].read
    folder = data / "cordis-fp1-fp3-organizations"
    websites = [
        p.organisation.website
        for path in sorted(folder.glob("*.csv"))
        for item in read(path)
        if isinstance(item, Record)
        for p in item.project.participations
        if p.organisation.website
    ]
    assert len(websites) > 1000
    assert [w for w in websites if web_address(w) != w] == []


def test_every_deliverable_link_is_kept_as_it_is(data: Path) -> None:
    deliverables = next(f for f in REPORTS if f.name == "cordis-deliverables")
    path = data / "cordis-horizon-reports-deliverables" / "projectDeliverables.xlsx"
    urls = [link.url for item in deliverables.read(path) if isinstance(item, Record) for link in item.project.links]
    assert len(urls) > 20_000
    assert [u for u in urls if u is not None and web_address(u) != u] == []
