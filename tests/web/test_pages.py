"""The server-rendered pages, in-process: content, escaping, errors, weight."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from euprojects.store import Store
from tests.web.conftest import CITY_TWINS, HOSTILE

PAGE_BUDGET = 200_000


def page(client: TestClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def text_of(html: str) -> str:
    """Visible text with tags removed and all runs of white space (NBSP included) as one space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_project_page_shows_every_fact_of_the_keep_page(client: TestClient) -> None:
    html = page(client, f"/projects/{CITY_TWINS}")
    text = text_of(html)
    for fact in (
        "City Twins Co-operation Network",
        "(City Twins)",
        "Start date: 31 Dec 2003",
        "End date: 30 Mar 2007",
        "Finished",
        "PROJECT FINISHED",
        "53,6 %",
        "808 536,81 EUR",
        "Interreg IIIC North",
        "2000-2006",
        "Partners 9",
        "The overall objective is to foster local development in twin cities",
        "Achievements",
        "the cultural event was held in Slubice",
        "looks shifted by one day",
    ):
        assert fact in text, fact
    assert "keep-page-text" in text and "keep-page-html" in text  # its two sources
    assert "Similar projects" in text


def test_partners_link_to_their_organisation_pages(client: TestClient) -> None:
    html = page(client, f"/projects/{CITY_TWINS}")
    links = re.findall(r'href="(/organisations/[^"]+)"', html)
    assert len(links) == 9
    org = page(client, links[0].replace("&amp;", "&"))
    assert "City Twins Co-operation Network" in org and "Lead partner" in org


def test_markup_in_source_text_is_shown_as_text(client: TestClient) -> None:
    html = page(client, f"/projects/{HOSTILE}")
    assert "&lt;script&gt;window.__xss" in html and "&lt;img src=x onerror=" in html
    assert "<script>window" not in html and "<img src=x" not in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script src="/static/app.js" defer>']
    results = page(client, "/?q=hostile+markup")
    assert "<script>window" not in results and "<img src=x" not in results


def test_search_page_with_facets_sort_and_pages(client: TestClient) -> None:
    html = page(client, "/?q=energy&country=EE")
    text = text_of(html)
    assert re.search(r"[\d\u00a0]+ projects for “energy”", text)
    assert 'aria-current="true"' in html  # the selected country
    assert "Partner country" in text and "Start year" in text
    assert 'rel="next"' in html and "Download all" in text
    second = page(client, "/?q=energy&country=EE&page=2")
    assert 'aria-current="page">2<' in second


def test_empty_results_help_and_suggest(client: TestClient) -> None:
    text = text_of(page(client, "/?q=spintronicss"))
    assert "Did you mean spintronics" in text and "Nothing found" in text


def test_invalid_input_is_a_400_page_with_a_message(client: TestClient) -> None:
    html = page(client, "/?q=start:abc", 400)
    assert "start_year: &#39;abc&#39; is not a year" in html or "start_year: 'abc' is not a year" in html


def test_unknown_pages_are_404(client: TestClient) -> None:
    assert "There is no project" in page(client, "/projects/cordis:0", 404)
    page(client, "/organisations/pic:000000000", 404)
    page(client, "/programmes/Nothing", 404)
    page(client, "/nothing-here", 404)


def test_programme_and_about_pages(client: TestClient) -> None:
    text = text_of(page(client, "/programmes/European%20Research%20Council%20(ERC)"))
    assert "projects" in text and "EUR" in text
    listing = page(client, "/programmes")
    assert "Interreg IIIC North" in listing
    about = text_of(page(client, "/about"))
    assert "never read, shown, indexed or exported" in about


def test_pages_weigh_less_than_200_kb_with_css_and_js(client: TestClient) -> None:
    assets = len(client.get("/static/style.css").content) + len(client.get("/static/app.js").content)
    for url in ("/?q=energy", f"/projects/{CITY_TWINS}", "/programmes/European%20Research%20Council%20(ERC)"):
        assert len(client.get(url).content) + assets <= PAGE_BUDGET, url


def test_landmarks_labels_and_a_skip_link(client: TestClient) -> None:
    html = page(client, "/?q=energy")
    for landmark in ('<header class="site">', '<nav aria-label="Main">', '<main id="main"', "<footer", "<aside"):
        assert landmark in html
    assert '<label for="q">' in html and 'class="skip" href="#main"' in html
    assert '<html lang="en">' in html


def test_the_search_form_with_its_empty_fields_searches(client: TestClient) -> None:
    empty = "&start_year=&end_year=&eu_contribution=&budget=&has_website=&has_partners=&sort=relevance"
    text = text_of(page(client, "/?q=energy" + empty))
    assert re.search(r"[\d ]+ projects for “energy”", text)


def test_export_links_carry_the_search_encoded(client: TestClient) -> None:
    html = page(client, "/?q=R%26D+cooperation&country=EE")
    links = re.findall(r'href="(/api/v1/export\?format=csv&amp;[^"]+)"', html)
    assert links and "q=R%26D+cooperation" in links[0] and "country=EE" in links[0]
    export = client.get(links[0].replace("&amp;", "&"))
    total = int(export.headers["x-total-count"])
    assert total == client.get("/api/v1/search?q=R%26D+cooperation&country=EE&limit=0").json()["data"]["total"]


def test_a_favicon(client: TestClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")


def test_an_id_typed_alone_goes_straight_to_its_page(client: TestClient, corpus: tuple[Store, Path]) -> None:
    store, _ = corpus
    project = next(
        p
        for p in store.iter_projects()
        if p.source == "cordis"
        and p.source_id.isdigit()
        and any("pic" in x.organisation.identifiers for x in p.participations)
    )
    for typed in (project.id, project.source_id):
        response = client.get("/", params={"q": typed}, follow_redirects=False)
        assert response.status_code == 302 and response.headers["location"] == f"/projects/{project.id}"
    pic = next(p.organisation.identifiers["pic"] for p in project.participations if "pic" in p.organisation.identifiers)
    response = client.get("/", params={"q": pic}, follow_redirects=False)
    assert response.headers["location"] == f"/organisations/pic:{pic}"
    words = client.get("/", params={"q": "hydrogen storage"}, follow_redirects=False)
    assert words.status_code == 200
