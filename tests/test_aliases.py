"""One story under several URLs: story ids in slugs, redirects, canonical links, merge and split."""

import json
from datetime import timedelta

import pytest
from helpers import T0, article_html, versioner_text

from versioner.aliases import merge, split, suggest
from versioner.capture import Capture
from versioner.errors import AliasError
from versioner.sources.fetch import Fetcher, FetchSettings
from versioner.story_ids import story_id
from versioner.versioning import ingest
from versioner.watch.poll import poll, track_url
from versioner.watch.schedule import parse_schedule

SITE = "https://www.harbourtimes.example"
OLD = f"{SITE}/news/2025/04/mayor-resigns-after-audit-88123456"
NEW = f"{SITE}/news/2025/04/mayor-steps-down-after-damning-audit-88123456"
OTHER = f"{SITE}/news/2025/04/harbour-budget-passes-88999999"
STORY = [
    "The mayor resigned on Tuesday after an audit found irregular payments to two contractors.",
    "The council will elect a successor within six weeks.",
    "Auditors said the payments totalled 2.4 million euros over three years.",
]


def page(paragraphs, title="Mayor resigns", head="") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>{body}</article></body></html>".encode()


def add(store, url, raw, hours=0.0, **extra):
    return ingest(store, Capture(raw, url, T0 + timedelta(hours=hours), "test", kind_hint="html", **extra))


@pytest.mark.parametrize(
    "url, expected",
    [
        (OLD, "88123456"),
        ("https://example.org/politics/article-1234567.html", "1234567"),
        ("https://example.org/a/5f3c9e2b7d1a4c80", "5f3c9e2b7d1a4c80"),
        (
            "https://example.org/s/3f2504e0-4f89-11d3-9a0c-0305e82c3301/slug",
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        ),
    ],
)
def test_a_long_id_in_the_path_is_the_story_id(url, expected):
    assert story_id(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/news/2025/04/02/mayor-resigns",
        "https://example.org/news/20250402/mayor-resigns",
        "https://example.org/news/202504-mayor-resigns",
        "https://example.org/news/story-12345",
        "https://example.org/news/decadebeefcafe-is-a-word",
    ],
)
def test_a_date_a_short_number_or_a_hex_word_is_no_story_id(url):
    assert story_id(url) is None


def test_a_slug_change_with_the_same_id_is_the_same_article(store):
    first = add(store, OLD, page(STORY), 0)
    second = add(store, NEW, page([*STORY, "The council meets on Friday."], "Mayor steps down"), 1)
    assert second.article_id == first.article_id
    assert [v.n for v in store.versions(first.article_id)] == [1, 2]
    assert store.article(NEW)["url"] == OLD


def test_another_id_under_the_same_dated_path_is_another_article(store):
    first = add(store, OLD, page(STORY), 0)
    other = add(store, OTHER, page(["The harbour budget passed by 21 votes to 9."], "Budget passes"), 1)
    assert other.article_id != first.article_id


def test_dated_paths_without_an_id_stay_apart(store):
    a = add(store, f"{SITE}/news/20250402/mayor-resigns", page(STORY), 0)
    b = add(store, f"{SITE}/news/20250402/budget-passes", page(["The harbour budget passed."]), 1)
    assert a.article_id != b.article_id


def test_the_url_asked_for_before_a_redirect_finds_the_article(store):
    done = add(store, NEW, page(STORY), 0, requested_url=f"{SITE}/s/mayor")
    assert store.article(f"{SITE}/s/mayor")["id"] == done.article_id
    assert store.aliases.get(f"{SITE}/s/mayor")["reason"] == "redirect"


def test_a_poll_of_a_redirecting_url_makes_it_an_alias(server, store):
    server.expect_request("/short").respond_with_data(
        "", status=301, headers={"Location": "/news/harbour-88123456"}
    )
    server.expect_request("/news/harbour-88123456").respond_with_data(
        article_html(), content_type="text/html"
    )
    track_url(store.watchlist, server.url_for("/short"), allow_private=True)
    settings = FetchSettings(allow_private=True, host_delay=0, backoff=0.01, timeout=2, retries=0)
    with Fetcher(settings) as fetcher:
        poll(store, fetcher, parse_schedule(None), force=True)
    article = store.article(server.url_for("/short"))
    assert article["url"] == server.url_for("/news/harbour-88123456")


def test_a_canonical_link_within_the_site_is_an_alias(store):
    head = f'<link rel="canonical" href="{SITE}/news/mayor-resigns">'
    done = add(store, f"{SITE}/amp/mayor-resigns", page(STORY, head=head), 0)
    assert store.article(f"{SITE}/news/mayor-resigns")["id"] == done.article_id
    later = add(store, f"{SITE}/news/mayor-resigns", page([*STORY, "More."], head=head), 1)
    assert later.article_id == done.article_id


def test_a_canonical_link_to_the_front_page_is_no_alias(store):
    head = f'<link rel="canonical" href="{SITE}/">'
    a = add(store, f"{SITE}/news/mayor-resigns", page(STORY, head=head), 0)
    b = add(store, f"{SITE}/news/budget-passes", page(["The harbour budget passed."], head=head), 1)
    assert a.article_id != b.article_id


def _state(store, *article_ids):
    """Everything a merge touches, as plain data: versions, captures and aliases of each article."""
    return {
        article_id: (
            [(v.n, v.text_hash, v.first_seen) for v in store.versions(article_id)],
            [c["id"] for c in store.captures(article_id)],
            store.aliases.of_articles([article_id])[article_id],
        )
        for article_id in article_ids
    }


def test_merge_makes_one_article_and_split_restores_both_exactly(store):
    a = add(store, f"{SITE}/news/mayor-resigns", page(STORY), 0).article_id
    add(store, f"{SITE}/news/mayor-resigns", page([*STORY, "A second paragraph."]), 2)
    b = add(
        store, f"{SITE}/news/mayor-steps-down", page([*STORY, "A third one."], "Mayor steps down"), 1
    ).article_id
    add(
        store,
        f"{SITE}/news/mayor-steps-down",
        page(STORY, "Mayor steps down"),
        3,
        requested_url=f"{SITE}/s/m",
    )
    before = _state(store, a, b)
    merge(store, str(a), f"{SITE}/news/mayor-steps-down")
    assert [v.first_seen for v in store.versions(a)] == [
        (T0 + timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ") for h in range(4)
    ]
    assert store.article(f"{SITE}/news/mayor-steps-down")["id"] == a
    assert store.article(f"{SITE}/s/m")["id"] == a
    assert store.articles() and all(row["id"] != b for row in store.articles())
    split(store, f"{SITE}/news/mayor-steps-down")
    assert _state(store, a, b) == before
    assert store.article(f"{SITE}/s/m")["id"] == b


def test_split_of_a_story_id_alias_makes_it_an_article_of_its_own(store):
    first = add(store, OLD, page(STORY), 0)
    add(store, NEW, page([*STORY, "The council meets on Friday."]), 1)
    done = split(store, NEW)
    assert store.article(NEW)["id"] == done["split"] != first.article_id
    assert [len(store.versions(i)) for i in (first.article_id, done["split"])] == [1, 1]


def test_split_of_a_url_that_is_no_alias_is_refused(store):
    add(store, OLD, page(STORY), 0)
    with pytest.raises(AliasError):
        split(store, OLD)


def test_suggest_proposes_a_new_url_with_nearly_the_same_first_text(store):
    old = ingest(store, Capture(page(STORY), f"{SITE}/news/mayor-resigns", T0, "t", kind_hint="html"))
    late = T0 + timedelta(hours=5)
    new = ingest(
        store, Capture(page([*STORY, "Updated."]), f"{SITE}/news/mayor-out", late, "t", kind_hint="html")
    )
    ingest(
        store, Capture(page(["Unrelated budget news."]), f"{SITE}/news/budget", late, "t", kind_hint="html")
    )
    [found] = suggest(store)
    assert (found.article, found.same_as) == (new.article_id, old.article_id)


def test_articles_json_lists_aliases_and_merge_runs_from_the_cli(tmp_path):
    db = tmp_path / "v.db"
    for n, (url, text) in enumerate([(OLD, STORY), (f"{SITE}/news/mayor-out", [*STORY, "More."])]):
        file = tmp_path / f"{n}.html"
        file.write_bytes(page(text))
        versioner_text(db, "ingest", "--url", url, "--fetched-at", f"2025-04-01T0{n}:00:00Z", file)
    versioner_text(db, "merge", OLD, f"{SITE}/news/mayor-out")
    [article] = json.loads(versioner_text(db, "articles", "--json").stdout)
    assert [a["url"] for a in article["aliases"]] == [f"{SITE}/news/mayor-out"]
    assert article["versions"] == 2


def test_the_page_of_a_merged_article_leads_to_the_article_it_joined(store, tmp_path):
    from versioner.web import create_app

    a = add(store, f"{SITE}/news/mayor-resigns", page(STORY), 0).article_id
    b = add(store, f"{SITE}/news/mayor-out", page([*STORY, "More."]), 1).article_id
    merge(store, str(a), str(b))
    client = create_app({"DATABASE": store.path, "TESTING": True}).test_client()
    response = client.get(f"/articles/{b}")
    assert response.status_code == 302 and response.headers["Location"] == f"/articles/{a}"
    assert "mayor-out" in client.get(f"/articles/{a}").get_data(as_text=True)  # listed among its aliases


def test_the_memento_timemap_of_an_alias_lists_the_article_versions(store):
    from versioner.web import create_app

    add(store, OLD, page(STORY), 0)
    add(store, NEW, page([*STORY, "The council meets on Friday."]), 1)
    client = create_app({"DATABASE": store.path, "TESTING": True}).test_client()
    timemap = client.get(f"/timemap/json/{NEW}").get_json()
    assert len(timemap["mementos"]["list"]) == 2


def test_split_of_an_article_url_is_a_message_and_exit_status_1(tmp_path):
    db = tmp_path / "v.db"
    file = tmp_path / "a.html"
    file.write_bytes(page(STORY))
    versioner_text(db, "ingest", "--url", OLD, "--fetched-at", "2025-04-01T00:00:00Z", file)
    done = versioner_text(db, "split", OLD, check=False)
    assert done.returncode == 1 and "no alias" in done.stderr and "Traceback" not in done.stderr


def test_a_story_redirecting_to_a_section_front_is_not_merged_into_it(store):
    story = add(store, OLD, page(STORY), 0)
    front = add(store, f"{SITE}/news", page(["Today's news."], "News"), 1, requested_url=OLD)
    assert front.article_id != story.article_id
    assert [len(store.versions(i)) for i in (story.article_id, front.article_id)] == [1, 1]
