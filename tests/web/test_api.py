"""The JSON API under /api/: the CLI's JSON shapes, paginated, with JSON errors."""

import json

import pytest
from click.testing import CliRunner
from web_fixtures import HOSTILE_URL, KURSK_URL_PART, article_id

from versioner.cli import cli
from versioner.present import article_summaries, version_detail
from versioner.store import Store


@pytest.fixture(scope="module")
def kursk(db_path):
    return article_id(db_path, KURSK_URL_PART)


def get_json(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.data[:200])
    assert response.mimetype == "application/json"
    return response.get_json()


def test_articles_lists_summaries_most_recently_changed_first(client, db_path):
    body = get_json(client, "/api/articles")
    store = Store(db_path)
    try:
        assert body["articles"] == article_summaries(store, store.articles())
    finally:
        store.close()
    assert body["total"] == 7 and body["page"] == 1 and body["next"] is None and body["previous"] is None
    first = body["articles"][0]
    assert {"id", "url", "title", "versions", "last_changed"} <= set(first)
    assert first["title"].startswith("Storm Orrin live")
    assert any(a["url"] == HOSTILE_URL for a in body["articles"])


def test_articles_paginate_with_next_and_previous_links(client):
    first = get_json(client, "/api/articles?per_page=3")
    assert len(first["articles"]) == 3 and first["next"] == "/api/articles?page=2&per_page=3"
    second = get_json(client, first["next"])
    assert second["previous"] == "/api/articles?page=1&per_page=3"
    assert {a["id"] for a in first["articles"]}.isdisjoint(a["id"] for a in second["articles"])
    assert get_json(client, "/api/articles?page=9")["articles"] == []


def test_articles_filter_by_site(client):
    body = get_json(client, "/api/articles?site=heute.at")
    assert [a["site"] for a in body["articles"]] == ["heute.at"] and body["total"] == 1


@pytest.mark.parametrize(
    "query", ["page=0", "page=abc", "page=-2", "per_page=0", "per_page=101", "per_page=x"]
)
def test_malformed_list_parameters_are_a_400_with_a_json_error(client, query):
    body = get_json(client, f"/api/articles?{query}", 400)
    assert "whole number" in body["error"] or "at most 100" in body["error"]


def test_article_with_its_versions(client, kursk):
    body = get_json(client, f"/api/articles/{kursk}")
    assert body["article"]["id"] == kursk and body["article"]["versions"] == 2
    assert [v["n"] for v in body["versions"]] == [1, 2]
    assert body["versions"][1]["first_seen"] == "2025-02-07T11:54:00Z"
    assert "text" not in body["versions"][0]


def test_one_version_is_the_cli_show_json(client, db_path, kursk):
    body = get_json(client, f"/api/articles/{kursk}/versions/2")
    store = Store(db_path)
    try:
        assert body == version_detail(store.article(kursk), store.version(kursk, 2))
    finally:
        store.close()
    assert "Sluzki" in body["text"]


def test_diff_is_exactly_the_cli_diff_json(client, db_path, kursk):
    body = get_json(client, f"/api/articles/{kursk}/diff?from=1&to=2")
    printed = CliRunner().invoke(
        cli, ["--db", str(db_path), "diff", str(kursk), "1", "2", "--format", "json"]
    )
    assert printed.exit_code == 0, printed.output
    assert body == json.loads(printed.output)
    assert (body["from"], body["to"]) == (1, 2)
    inserted = "".join(text for op, text in body["ops"] if op == "+")
    assert "Sluzki" in inserted


def test_diff_ops_rebuild_both_texts(client, kursk):
    body = get_json(client, f"/api/articles/{kursk}/diff?from=1&to=2")
    old = get_json(client, f"/api/articles/{kursk}/versions/1")["text"]
    new = get_json(client, f"/api/articles/{kursk}/versions/2")["text"]
    assert "".join(t for op, t in body["ops"] if op != "+") == old
    assert "".join(t for op, t in body["ops"] if op != "-") == new


def test_diff_defaults_to_the_latest_against_the_one_before(client, kursk):
    body = get_json(client, f"/api/articles/{kursk}/diff")
    assert (body["from"], body["to"]) == (1, 2)


def test_diff_answers_conditional_requests(client, kursk):
    response = client.get(f"/api/articles/{kursk}/diff?from=1&to=2")
    again = client.get(
        f"/api/articles/{kursk}/diff?from=1&to=2", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "url",
    [
        "/api/articles/999999",
        "/api/articles/999999/versions/1",
        "/api/articles/999999/diff",
        "/api/articles/{kursk}/versions/3",
        "/api/articles/{kursk}/diff?from=1&to=3",
        "/api/nothing-here",
    ],
)
def test_unknown_article_or_version_out_of_range_is_a_json_404(client, kursk, url):
    body = get_json(client, url.format(kursk=kursk), 404)
    assert body["status"] == 404 and body["error"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/articles/abc",
        "/api/articles/-1",
        "/api/articles/{kursk}/versions/x",
        "/api/articles/{kursk}/versions/0",
        "/api/articles/{kursk}/diff?from=one",
        "/api/articles/{kursk}/diff?to=-2",
    ],
)
def test_malformed_parameters_are_a_json_400(client, kursk, url):
    body = get_json(client, url.format(kursk=kursk), 400)
    assert "whole number" in body["error"]


def test_the_api_only_reads(client):
    response = client.post("/api/articles")
    assert response.status_code == 405 and response.get_json()["status"] == 405


def test_search_gives_plain_snippets_with_match_offsets(client, kursk):
    body = get_json(client, "/api/search?q=sluzki")
    assert body["total"] == 1 and body["next"] is None
    [hit] = body["results"]
    assert (hit["article"], hit["version"], hit["matching"]) == (kursk, 2, [2])
    assert [hit["snippet"][start:end] for start, end in hit["matches"]] == ["Sluzki"]


def test_search_pages_link_to_each_other(client):
    first = get_json(client, "/api/search?q=the&per_page=1")
    assert first["total"] > 1 and len(first["results"]) == 1 and first["previous"] is None
    second = get_json(client, first["next"])
    assert second["page"] == 2 and second["results"][0]["article"] != first["results"][0]["article"]


def test_search_without_a_query_is_a_400_that_says_why(client):
    for url in ("/api/search", "/api/search?q=%20", "/api/search?q=" + "a" * 501):
        response = client.get(url)
        assert response.status_code == 400 and "?q=" in response.get_json()["error"]
