"""The HTML pages, through Flask's test client, over a database filled by ingesting snapshots/."""

import re
import sqlite3

import pytest
from helpers import text_capture
from web_fixtures import (
    HOSTILE_URL,
    KURSK_URL_PART,
    REVERT_URL,
    UNESCAPED,
    article_id,
    build_database,
    hostile_pages,
    hrefs,
    start_tags,
)

import versioner.web.diff_display
import versioner.web.pages
from versioner import changes
from versioner.store import Store
from versioner.versioning import ingest
from versioner.web import create_app


@pytest.fixture(scope="module")
def ids(db_path):
    return {
        name: article_id(db_path, part)
        for name, part in (
            ("kursk", KURSK_URL_PART),
            ("fire", "harbourtimes"),
            ("bus", "valleyledger"),
            ("freibad", "elbtal"),
            ("hostile", HOSTILE_URL),
            ("revert", REVERT_URL),
        )
    }


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def kursk_diff(client, ids) -> str:
    return page(client, f"/articles/{ids['kursk']}/diff?from=1&to=2")


# --- home ------------------------------------------------------------------------------------------


def test_home_lists_articles_most_recently_changed_first_with_their_last_change(client):
    html = page(client, "/")
    titles = re.findall(r'class="card-title"><a href="/articles/\d+">([^<]+)</a>', html)
    assert titles[0].startswith("Storm Orrin live")  # changed 22 Oct 2025, the latest
    assert len(titles) == 7
    assert "3 versions" in html and "heute.at" in html
    assert "Headline changed, paragraph moved" in html  # the fire story's last edit summary
    assert 'datetime="2025-10-22T09:10:00Z"' in html


def test_home_announces_the_atom_feed_with_a_root_relative_link(client):
    html = page(client, "/")
    head = html.split("</head>")[0]
    assert re.search(r'<link rel="alternate" type="application/atom\+xml" href="/feed.atom"', head)


def test_home_links_each_changed_article_to_its_last_diff(client, ids):
    links = hrefs(page(client, "/"))
    assert any(link.startswith(f"/articles/{ids['kursk']}/diff/") for link in links)


def test_every_link_on_the_pages_is_root_relative_except_the_original_article(client, ids):
    for url in (
        "/",
        f"/articles/{ids['fire']}",
        f"/articles/{ids['fire']}/versions/2",
        f"/articles/{ids['fire']}/diff?from=1&to=3",
        "/search?q=fire",
        "/about",
    ):
        html = page(client, url)
        for link in hrefs(html):
            assert (
                link.startswith(("/", "#"))
                or link
                == "https://www.harbourtimes.example/news/local/2025/06/14/"
                "firefighters-battle-moorland-fire-above-kestle-bay-48213"
            ), (url, link)


def test_home_filters_by_site(client):
    html = page(client, "/?site=heute.at")
    assert html.count('class="card"') == 1
    assert "Russen in Panik" in html and "Storm Orrin" not in html
    assert 'aria-current="page">heute.at' in html


def test_home_paginates(client, monkeypatch):
    monkeypatch.setattr(versioner.web.pages, "PER_PAGE", 3)
    first, second = page(client, "/"), page(client, "/?page=2")
    assert 'href="/?page=2"' in first and "Page 1 of 3" in first
    assert "Page 2 of 3" in second and 'rel="prev" href="/"' in second
    assert set(re.findall(r'href="(/articles/\d+)"', first)).isdisjoint(
        re.findall(r'href="(/articles/\d+)"', second)
    )


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=-1", "page=1.5"])
def test_malformed_page_number_is_a_400_page_that_explains(client, query):
    html = page(client, f"/?{query}", 400)
    assert "whole number" in html and 'href="/"' in html


def test_page_past_the_end_is_a_404(client):
    assert "pages of articles" in page(client, "/?page=99", 404)


# --- article ---------------------------------------------------------------------------------------


def test_article_page_shows_headline_history_timeline_and_current_text(client, ids):
    html = page(client, f"/articles/{ids['fire']}")
    history = html.split('id="headlines-heading"')[1]
    assert history.index("Firefighters battle moorland fire above Kestle Bay") < history.index(
        "Kestle Bay fire: 30 homes told to keep windows shut"
    )
    assert "Versions 1–2" in history
    for n in (1, 2, 3):
        assert f'href="/articles/{ids["fire"]}/versions/{n}"' in html
    assert html.count("See what changed") == 2  # one diff link per change
    assert "+25" in html and "−1" in html  # version 2: words added and removed against version 1
    assert "1 h 35 min after version 1" in html
    current = html.split('id="current-heading"')[1]
    assert "About 70 hectares of moorland" in current and "About 50 hectares" not in current
    feed = f'<link rel="alternate" type="application/atom+xml" href="/articles/{ids["fire"]}/feed.atom"'
    assert feed in html


def test_article_timeline_marks_a_revert(client, ids):
    html = page(client, f"/articles/{ids['revert']}")
    assert "Reverts to version 1" in html


def test_unknown_article_is_a_404_page(client):
    html = page(client, "/articles/999999", 404)
    assert "Not found" in html and "No article" in html


@pytest.mark.parametrize("ref", ["abc", "-1", "0", "1e3", "99999999999999999999999"])
def test_malformed_article_id_is_a_400_page(client, ref):
    assert "article id" in page(client, f"/articles/{ref}", 400)


# --- version ---------------------------------------------------------------------------------------


def test_version_page_shows_the_text_as_it_stood(client, ids):
    html = page(client, f"/articles/{ids['fire']}/versions/1")
    assert "About 50 hectares" in html
    assert "Firefighters battle moorland fire above Kestle Bay" in html
    assert f'href="/articles/{ids["fire"]}/diff?from=1' not in html  # no "what changed" for version 1
    assert "Version 2 →" in html


def test_version_page_lists_captures_with_the_reason_a_capture_was_rejected(client, ids):
    html = page(client, f"/articles/{ids['bus']}/versions/1")
    rows = re.findall(r'<tr class="capture-(\w+)">', html)
    assert rows == ["accepted", "rejected", "accepted"]
    assert "error page (" in html  # the reason the capture was rejected
    assert re.search(r'href="/captures/\d+/raw"', html) and re.search(
        r'href="/captures/\d+/raw\?download=1"', html
    )


def test_raw_capture_is_served_as_plain_text_never_as_html(client, ids):
    html = page(client, f"/articles/{ids['bus']}/versions/1")
    raw_url = re.search(r'href="(/captures/\d+/raw)"', html)[1]
    response = client.get(raw_url)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert b"<html" in response.data.lower()  # the page's bytes, as fetched
    download = client.get(raw_url + "?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")


def test_version_out_of_range_is_a_404_page(client, ids):
    assert "has no version 9" in page(client, f"/articles/{ids['kursk']}/versions/9", 404)


def test_malformed_version_number_is_a_400_page(client, ids):
    assert "version number" in page(client, f"/articles/{ids['kursk']}/versions/two", 400)


def test_unknown_capture_is_a_404(client):
    page(client, "/captures/999999/raw", 404)


# --- diff ------------------------------------------------------------------------------------------


def test_seed_diff_shows_the_inserted_words_as_insertions(client, ids):
    html = kursk_diff(client, ids)
    inserted = " ".join(re.findall(r"<ins>(.*?)</ins>", html, re.S))
    assert "Sluzki" in inserted
    assert "Moskauer Politiker: Baldiges Treffen Putins mit Trump" in inserted
    assert "<del>" not in html.split('class="diff-body"')[1]  # 12:54 only added text
    assert "5 paragraphs added" in html


def test_diff_shows_the_headline_change_on_top_and_a_moved_paragraph_as_a_move(client, ids):
    html = page(client, f"/articles/{ids['fire']}/diff?from=2&to=3")
    headline = html.split('id="c1"')[1].split("</div>")[0]
    assert "Headline changed" in headline
    assert "<del>Firefighters battle moorland fire above Kestle Bay</del>" in headline
    assert (
        "<ins>Kestle Bay fire: 30 homes told to keep windows shut as 70 hectares of moorland burn</ins>"
        in headline
    )
    assert html.index('id="c1"') < html.index('class="diff-body"')
    assert 'class="blk blk-moved"' in html and "Moved up from ¶" in html
    assert 'class="blk blk-moved-away"' in html
    assert "<ins>" not in html.split('class="diff-body"')[1]  # the move itself is not an insertion


def test_diff_defaults_to_the_latest_version_against_the_one_before(client, ids):
    html = page(client, f"/articles/{ids['fire']}/diff")
    assert re.search(r"Version 2</a> \(.*?→.*?Version 3</a>", html, re.S)


def test_diff_view_is_chosen_by_a_query_parameter(client, ids):
    inline, side = (
        kursk_diff(client, ids),
        page(client, f"/articles/{ids['kursk']}/diff?from=1&to=2&view=side"),
    )
    assert 'class="diff view-inline"' in inline and 'class="diff view-side"' in side
    assert f'href="/articles/{ids["kursk"]}/diff?from=1&amp;to=2&amp;view=side"' in inline


def test_diff_page_has_choosers_navigation_permalink_and_other_formats(client, ids):
    html = kursk_diff(client, ids)
    assert f'<form class="chooser" action="/articles/{ids["kursk"]}/diff" method="get">' in html
    assert '<option value="1" selected>' in html and '<option value="2" selected>' in html
    assert 'data-nav="next"' in html and 'aria-keyshortcuts="j n"' in html
    permalink = re.search(r'href="(/articles/\d+/diff/[0-9a-f]{12}\.\.[0-9a-f]{12})"', html)[1]
    assert f'href="{permalink}.txt"' in html
    assert f'href="/api/articles/{ids["kursk"]}/diff?from=1&amp;to=2"' in html
    assert page(client, permalink).count("<ins>") == html.count("<ins>")


def test_plain_text_diff_marks_insertions(client, ids):
    html = kursk_diff(client, ids)
    permalink = re.search(r'href="(/articles/\d+/diff/[0-9a-f.]+)"', html)[1]
    response = client.get(permalink + ".txt")
    assert response.mimetype == "text/plain"
    assert "{+" in response.get_data(as_text=True) and "Sluzki" in response.get_data(as_text=True)


def test_diff_path_with_version_numbers_redirects_to_the_permalink(client, ids):
    response = client.get(f"/articles/{ids['kursk']}/diff/1..2?view=side")
    assert response.status_code == 302
    assert re.fullmatch(
        r"/articles/\d+/diff/[0-9a-f]{12}\.\.[0-9a-f]{12}\?view=side", response.headers["Location"]
    )


def test_permalink_of_a_revert_shows_the_same_change_as_the_numbered_page(client, ids):
    html = page(client, f"/articles/{ids['revert']}/diff?from=2&to=3")
    permalink = re.search(r'<link rel="canonical" href="([^"]+)"', html)[1]
    body = re.compile(r'<div class="diff-body">.*?</div>\n</div>', re.S)
    assert body.search(page(client, permalink))[0] == body.search(html)[0]


def test_diff_permalink_is_immutable_and_answers_if_none_match_with_304(client, ids):
    html = kursk_diff(client, ids)
    permalink = re.search(r'<link rel="canonical" href="([^"]+)"', html)[1]
    response = client.get(permalink)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    etag = response.headers["ETag"]
    again = client.get(permalink, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert "frame-ancestors 'none'" in again.headers["Content-Security-Policy"]


def test_diff_by_version_numbers_is_revalidated_not_cached_for_good(client, ids):
    response = client.get(f"/articles/{ids['kursk']}/diff?from=1&to=2")
    assert response.headers["Cache-Control"] == "no-cache"
    assert (
        client.get(
            f"/articles/{ids['kursk']}/diff?from=1&to=2", headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )


def test_diff_etag_differs_per_pair_and_per_view(client, ids):
    tags = {
        client.get(url).headers["ETag"]
        for url in (
            f"/articles/{ids['kursk']}/diff?from=1&to=2",
            f"/articles/{ids['kursk']}/diff?from=1&to=2&view=side",
            f"/articles/{ids['fire']}/diff?from=1&to=2",
            f"/articles/{ids['fire']}/diff?from=2&to=3",
        )
    }
    assert len(tags) == 4


def test_a_second_request_for_a_diff_does_no_diffing(tmp_path, monkeypatch):
    path = build_database(tmp_path / "fresh.db")
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM diff_cache")  # computed by the ingest: start from an empty cache
    conn.commit()
    conn.close()
    client = create_app({"DATABASE": str(path), "TESTING": True}).test_client()
    calls = []
    real = changes.diff_versions
    monkeypatch.setattr(changes, "diff_versions", lambda *args: calls.append(args) or real(*args))
    kursk = article_id(path, KURSK_URL_PART)
    first = client.get(f"/articles/{kursk}/diff?from=1&to=2")
    assert len(calls) == 1
    second = create_app({"DATABASE": str(path)}).test_client().get(f"/articles/{kursk}/diff?from=1&to=2")
    assert len(calls) == 1  # served from the diff cache, even by another app (process) on the same file
    assert second.data == first.data


def test_a_new_version_changes_the_diff_page_etag_as_its_chooser_changes(tmp_path):
    path = build_database(tmp_path / "fresh.db")
    client = create_app({"DATABASE": str(path)}).test_client()
    revert = article_id(path, REVERT_URL)
    before = client.get(f"/articles/{revert}/diff?from=1&to=2")
    store = Store(path)
    try:
        ingest(store, text_capture("Harbour plan approved\n\nThe plan was approved.", 200, url=REVERT_URL))
    finally:
        store.close()
    after = client.get(
        f"/articles/{revert}/diff?from=1&to=2", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200 and '<option value="4"' in after.get_data(as_text=True)


@pytest.mark.parametrize(
    "query, status",
    [("from=1&to=9", 404), ("from=0", 400), ("from=x&to=2", 400), ("from=-1", 400), ("view=columns", 400)],
)
def test_bad_diff_parameters_are_explained(client, ids, query, status):
    html = page(client, f"/articles/{ids['kursk']}/diff?{query}", status)
    assert "error-code" in html


@pytest.mark.parametrize("spec", ["1-2", "abc..def", "1..", "zzzzzzzzzzzz..yyyyyyyyyyyy", "4325126e8bd5..2"])
def test_malformed_permalink_is_a_400(client, ids, spec):
    page(client, f"/articles/{ids['kursk']}/diff/{spec}", 400)


def test_permalink_to_an_unknown_text_is_a_404(client, ids):
    page(client, f"/articles/{ids['kursk']}/diff/000000000000..111111111111", 404)


# --- search ----------------------------------------------------------------------------------------


def test_search_finds_words_with_highlighted_snippets(client, ids):
    html = page(client, "/search?q=Sluzki")
    assert "1 article found" in html
    assert "<mark>Sluzki</mark>" in html
    assert f'href="/articles/{ids["kursk"]}/versions/2"' in html
    assert "Found in version 2 of 2" in html


def test_search_finds_text_that_was_later_removed(client):
    html = page(client, "/search?q=Sanierungsarbieten")  # the typo fixed in version 3
    assert "Found in versions 1, 2 of 3" in html


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "NEAR",
        "NEAR(a b)",
        "'; DROP TABLE versions; --",
        'a" OR "b',
        "title:fire",
        "fire AND",
        "(",
        "^",
        "-",
        '""',
        "*fire",
        "fire*",
    ],
)
def test_search_never_fails_on_query_syntax(client, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert "error-code" not in response.get_data(as_text=True)


def test_search_prefix_and_phrase(client):
    assert "<mark>" in page(client, "/search?q=Sluz*")
    assert "1 article found" in page(client, '/search?q="Kestle Bay community hall"')


def test_search_with_no_hits_says_so(client):
    assert "Nothing found" in page(client, "/search?q=xylophone")


def test_overlong_search_is_a_400(client):
    page(client, "/search?q=" + "a" * 600, 400)


# --- safety and headers ----------------------------------------------------------------------------


def test_hostile_article_text_is_escaped_on_every_page(client, ids):
    hostile = ids["hostile"]
    for url in hostile_pages(hostile):
        html = page(client, url)
        assert not UNESCAPED.search(html), url
        assert "&lt;script&gt;" in html, url
    assert "{{ 7*7 }}" in page(client, f"/articles/{hostile}/versions/1")  # shown, not evaluated


def test_every_response_carries_a_strict_content_security_policy(client, ids):
    for url in (
        "/",
        f"/articles/{ids['kursk']}",
        "/articles/999999",
        "/static/style.css",
        "/feed.atom",
        "/api/articles",
    ):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_style_or_event_handler(client, ids):
    for url in (
        "/",
        f"/articles/{ids['fire']}",
        f"/articles/{ids['hostile']}/versions/1",
        f"/articles/{ids['hostile']}/diff",
        "/search?q=alert",
        "/about",
        "/articles/0",
    ):
        tags = start_tags(client.get(url).get_data(as_text=True))
        assert [attrs for tag, attrs in tags if tag == "script"] == [{"src": "/static/app.js", "defer": None}]
        assert "style" not in [tag for tag, _ in tags] and "img" not in [tag for tag, _ in tags]
        assert not [
            name for _, attrs in tags for name in attrs if name == "style" or name.startswith("on")
        ], url


def test_nothing_changes_state(client, ids):
    for url in ("/", f"/articles/{ids['kursk']}", f"/articles/{ids['kursk']}/diff", "/search"):
        assert client.post(url).status_code == 405
        assert client.delete(url).status_code == 405


def test_about_page_documents_the_api(client):
    html = page(client, "/about")
    assert "/api/articles" in html and 'href="/static/openapi.json"' in html


def test_long_unchanged_stretches_fold_away_but_keep_context_around_changes():
    equal = {"op": "equal", "old_index": 0, "new_index": 0, "ops": [["=", "Same."]]}
    changed = {"op": "changed", "old_index": 0, "new_index": 0, "ops": [["-", "Old."], ["+", "New."]]}
    data = {"title": [], "byline": [], "blocks": [equal] * 10 + [changed] + [equal] * 10}
    shown = [block["op"] for block in versioner.web.diff_display.display_blocks(data)]
    assert shown == ["fold", "equal", "equal", "changed", "equal", "equal", "fold"]
    short = {"title": [], "byline": [], "blocks": [equal] * 5 + [changed] + [equal] * 5}
    assert "fold" not in [
        block["op"] for block in versioner.web.diff_display.display_blocks(short)
    ]  # too little to hide
    same = {"title": [], "byline": [], "blocks": [equal] * 20}
    assert "fold" not in [block["op"] for block in versioner.web.diff_display.display_blocks(same)]


def test_a_long_history_is_shown_a_page_of_versions_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setattr(versioner.web.pages, "VERSIONS_PER_PAGE", 4)
    path = tmp_path / "long.db"
    store = Store(path)
    url = "https://news.example.org/live"
    for n in range(10):
        ingest(store, text_capture(f"Live\n\nUpdate number {n} of the storm.", n * 10, url=url))
    versions = store.versions(1)
    store.close()
    client = create_app({"DATABASE": str(path)}).test_client()
    latest = versioner.web.diff_display.permalink(1, versions[-2], versions[-1])

    def shown(html: str) -> list[int]:
        return [int(n) for n in re.findall(r">Version (\d+)</a>", html)]

    first, last = page(client, "/articles/1"), page(client, "/articles/1?page=3")
    assert shown(first) == [10, 9, 8, 7] and "Page 1 of 3" in first
    assert shown(page(client, "/articles/1?page=2")) == [6, 5, 4, 3]
    assert shown(last) == [2, 1] and "First version" in last
    assert latest in first and latest in last  # the latest change stays one click away on every page
    page(client, "/articles/1?page=4", status=404)
