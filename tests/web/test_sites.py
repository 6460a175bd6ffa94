"""The outlet pages and their JSON: the same figures, charts drawn on the server, a table beside each."""

import re
from datetime import timedelta

import pytest
from helpers import T0

from versioner.capture import Capture
from versioner.store import Store
from versioner.versioning import ingest
from versioner.web import create_app

URL = "https://www.harbourtimes.example/news/bridge-costs-700102"
BASE = ["The bridge will cost 12 million euros.", "Works start in May.", "The council approved it."]


def page(paragraphs, title="Bridge costs rise") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>".encode()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    path = tmp_path_factory.mktemp("sites") / "v.db"
    store = Store(path)
    for hours, paragraphs in ((0, BASE), (3, [BASE[0].replace("12", "19"), *BASE[1:]])):
        ingest(store, Capture(page(paragraphs), URL, T0 + timedelta(hours=hours), "t", kind_hint="html"))
    store.close()
    return create_app({"DATABASE": str(path), "TESTING": True}).test_client()


def test_api_sites_names_each_site_with_its_stealth_edits(client):
    [row] = client.get("/api/sites").get_json()["sites"]
    assert (row["site"], row["articles"], row["edits"], row["stealth_edits"]) == (
        "harbourtimes.example",
        1,
        1,
        1,
    )


def test_api_site_gives_the_same_row_as_the_list(client):
    assert (
        client.get("/api/sites/harbourtimes.example").get_json()
        == client.get("/api/sites").get_json()["sites"][0]
    )


def test_an_unknown_site_is_a_json_404(client):
    response = client.get("/api/sites/nowhere.example")
    assert response.status_code == 404 and "nowhere.example" in response.get_json()["error"]


def test_the_site_page_draws_its_charts_as_inline_svg_with_tables(client):
    html = client.get("/sites/harbourtimes.example").get_data(as_text=True)
    assert html.count('<svg class="bar-chart"') == 2
    assert html.count('<table class="chart-table">') == 2
    assert "1 to 6 hours" in html and "3 h" in html  # the delay bucket and the median


def test_chart_markup_has_no_style_attribute_the_csp_would_block(client):
    response = client.get("/sites/harbourtimes.example")
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    assert not re.search(r"<[^>]+\sstyle=", response.get_data(as_text=True))


def test_the_sites_page_links_each_site(client):
    html = client.get("/sites").get_data(as_text=True)
    assert 'href="/sites/harbourtimes.example"' in html and '<svg class="bar-chart"' in html
