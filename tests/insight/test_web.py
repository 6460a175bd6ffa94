"""The blame page, its JSON and the article's timeline, through the Flask test client on a real database."""

import re

import pytest
from insight_fixtures import PORT, STRIKE

from versioner.web import create_app

A, B, C = STRIKE


@pytest.fixture
def client(store):
    return create_app({"DATABASE": store.path, "TESTING": True}).test_client()


@pytest.fixture
def article(archive):
    return archive([[A, B, C], [A, B, C, PORT], [A, B.replace("6", "8"), PORT, C]])


def test_each_blamed_paragraph_links_to_the_diff_that_brought_it(client, article):
    page = client.get(f"/articles/{article['id']}/blame").get_data(as_text=True)
    links = re.findall(r'class="blame-since"><a href="([^"]+)">Since version (\d+)', page)
    assert [n for _, n in links] == ["1", "3", "2", "1"]
    assert links[0][0] == f"/articles/{article['id']}/versions/1"
    assert all(
        re.fullmatch(rf"/articles/{article['id']}/diff/[0-9a-f]+\.\.[0-9a-f]+", url) for url, _ in links[1:3]
    )


def test_the_newest_paragraph_has_the_darkest_shade_and_the_oldest_none(client, article):
    page = client.get(f"/articles/{article['id']}/blame").get_data(as_text=True)
    assert re.findall(r'class="blame-paragraph (age-\d)"', page) == ["age-0", "age-4", "age-2", "age-0"]


def test_the_blame_of_an_earlier_version_is_its_own_page(client, article):
    page = client.get(f"/articles/{article['id']}/blame/2").get_data(as_text=True)
    assert re.findall(r"Since version (\d+)</a>", page) == ["1", "1", "1", "2"]


def test_the_blame_api_answers_as_the_command_does(client, article):
    data = client.get(f"/api/articles/{article['id']}/blame/3").get_json()
    assert (list(data), [p["since"] for p in data["paragraphs"]]) == (
        ["article", "n", "paragraphs"],
        [1, 3, 2, 1],
    )


def test_the_blame_of_a_missing_version_is_a_404_in_json(client, article):
    response = client.get(f"/api/articles/{article['id']}/blame/9")
    assert (response.status_code, "versions 1 to 3" in response.get_json()["error"]) == (404, True)


def test_the_article_page_charts_its_length_with_a_table_of_the_figures(client, article):
    page = client.get(f"/articles/{article['id']}").get_data(as_text=True)
    svg = page[
        page.index('<svg class="timeline-chart"') : page.index("</svg>", page.index("timeline-chart")) + 6
    ]
    assert len(re.findall(r'<circle class="tl-dot"', svg)) == 3
    rows = re.findall(
        r"<tr><td>(\d+)</td><td>.*?</td><td>(\d+)</td><td>([–\d]+)</td><td>([–\d]+)</td></tr>", page
    )
    assert [(n, added, removed) for n, _, added, removed in rows] == [
        ("1", "–", "–"),
        ("2", "7", "0"),
        ("3", "1", "1"),
    ]


def test_the_timeline_chart_has_no_style_attribute(client, article):
    page = client.get(f"/articles/{article['id']}").get_data(as_text=True)
    assert "timeline-chart" in page and " style=" not in page
