"""Following RSS and Atom feeds: every new item link becomes a tracked article (real server on 127.0.0.1)."""

import json
import subprocess
from pathlib import Path

import pytest
from helpers import versioner_text
from werkzeug import Request, Response

from versioner.errors import SnapshotError
from versioner.sources.feeds import parse_feed
from versioner.sources.fetch import Fetcher, FetchSettings
from versioner.watch.poll import follow_feed, poll
from versioner.watch.schedule import parse_schedule

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = parse_schedule(None)
ARTICLE = (
    "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    + "<p>The council met on Tuesday evening to discuss the new harbour plan and its costs.</p>" * 3
    + "</article></body></html>"
)


def rss(*items: tuple[str, str]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        f"<pubDate>Fri, 07 Feb 2025 09:30:00 GMT</pubDate></item>"
        for title, link in items
    )
    channel = f"<channel><title>City news</title>{entries}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'


@pytest.fixture
def server(running_server):
    running_server.clear()
    running_server.expect_request("/news/a").respond_with_data(
        ARTICLE.format(title="Story A"), content_type="text/html"
    )
    running_server.expect_request("/news/b").respond_with_data(
        ARTICLE.format(title="Story B"), content_type="text/html"
    )
    running_server.expect_request("/news/c").respond_with_data(
        ARTICLE.format(title="Story C"), content_type="text/html"
    )
    yield running_server
    running_server.clear()


@pytest.fixture
def fetcher():
    with Fetcher(FetchSettings(allow_private=True, host_delay=0, retries=0, timeout=2)) as client:
        yield client


def test_a_feed_adds_its_item_links_as_tracked_articles(server, store, fetcher):
    feed = rss(
        ("A", "/news/a?utm_source=rss"), ("B", server.url_for("/news/b")), ("Bad", "javascript:alert(1)")
    )
    server.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")
    follow_feed(store.watchlist, server.url_for("/feed.xml"), allow_private=True)
    summary = poll(store, fetcher, SCHEDULE)
    assert (summary.feeds, summary.new_items, summary.new_articles, summary.errors) == (1, 2, 2, [])
    tracked = store.watchlist.tracked()
    assert sorted(row["url"] for row in tracked) == [server.url_for("/news/a"), server.url_for("/news/b")]
    assert {row["published"] for row in tracked} == {"2025-02-07T09:30:00Z"}
    assert store.watchlist.feeds()[0]["title"] == "City news"


def test_items_a_feed_adds_later_are_tracked_on_a_later_poll(server, store, fetcher):
    feed = {"xml": rss(("A", "/news/a"), ("B", "/news/b"))}
    server.expect_request("/feed.xml").respond_with_handler(
        lambda _r: Response(feed["xml"], content_type="application/rss+xml")
    )
    follow_feed(store.watchlist, server.url_for("/feed.xml"), allow_private=True)
    poll(store, fetcher, SCHEDULE)
    feed["xml"] = rss(("C", "/news/c"), ("A", "/news/a"), ("B", "/news/b"))
    later = poll(store, fetcher, SCHEDULE, force=True)
    assert (later.new_items, later.new_articles) == (1, 1)
    assert len(store.watchlist.tracked()) == 3
    assert store.watchlist.feeds()[0]["items"] == 3


def test_an_atom_feed_is_read_too():
    atom = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title>'
        '<entry><title>A</title><link href="https://news.example.org/a#top"/>'
        "<published>2025-02-07T09:30:00+01:00</published></entry></feed>"
    )
    parsed = parse_feed(atom.encode(), "https://news.example.org/feed")
    assert parsed.title == "Atom news"
    [item] = parsed.items
    assert item.url == "https://news.example.org/a"
    assert item.published.isoformat() == "2025-02-07T08:30:00+00:00"


def test_an_unchanged_feed_costs_a_304(server, store, fetcher):
    def etagged(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"f1"':
            return Response(status=304)
        return Response(rss(("A", "/news/a")), content_type="application/rss+xml", headers={"ETag": '"f1"'})

    server.expect_request("/feed.xml").respond_with_handler(etagged)
    follow_feed(store.watchlist, server.url_for("/feed.xml"), allow_private=True)
    poll(store, fetcher, SCHEDULE)
    again = poll(store, fetcher, SCHEDULE, force=True)
    feed_requests = [r for r, _ in server.log if r.path == "/feed.xml"]
    assert [r.headers.get("If-None-Match") for r in feed_requests] == [None, '"f1"']
    assert (again.feeds, again.new_items) == (1, 0)
    assert store.watchlist.feeds()[0]["last_status"] == 304


def test_a_page_that_is_not_a_feed_is_an_error_that_names_it(server, store, fetcher):
    server.expect_request("/not-a-feed").respond_with_data("some text, no feed", content_type="text/plain")
    follow_feed(store.watchlist, server.url_for("/not-a-feed"), allow_private=True)
    summary = poll(store, fetcher, SCHEDULE)
    [error] = summary.errors
    assert "not a readable feed" in error["error"]
    assert store.watchlist.feeds()[0]["last_error"]
    with pytest.raises(SnapshotError):
        parse_feed(b"<html><body>hello</body></html>", "https://news.example.org/")


def test_feeds_are_added_listed_and_removed_from_the_command_line(server, tmp_path):
    server.expect_request("/feed.xml").respond_with_data(
        rss(("A", "/news/a")), content_type="application/rss+xml"
    )
    db, url = tmp_path / "v.db", server.url_for("/feed.xml")

    def versioner(*args: str) -> subprocess.CompletedProcess:
        return versioner_text(db, *args, check=False)

    refused = versioner("feeds", "add", url)
    assert refused.returncode == 1 and "private" in refused.stderr
    assert versioner("feeds", "add", "--allow-private", url).stdout == f"following: {url}\n"
    assert versioner("poll", "--allow-private", "--delay", "0").returncode == 0
    [listed] = json.loads(versioner("feeds", "list", "--json").stdout)
    assert (listed["url"], listed["items"], listed["title"]) == (url, 1, "City news")
    assert versioner("feeds", "remove", url).returncode == 0
    assert json.loads(versioner("feeds", "list", "--json").stdout) == []
    assert len(json.loads(versioner("articles", "--json").stdout)) == 1  # its articles stay


def test_a_polled_page_over_the_extraction_budget_is_kept_as_rejected_and_the_run_goes_on(
    server, store, fetcher
):
    hostile = "<html><head><title>Hostile</title></head><body><div " + " ".join(
        f"a{i}" for i in range(64_000)
    )
    server.expect_request("/news/hostile").respond_with_data(hostile + ">x</div>", content_type="text/html")
    server.expect_request("/feed.xml").respond_with_data(
        rss(("Hostile", "/news/hostile"), ("A", "/news/a")), content_type="application/rss+xml"
    )
    follow_feed(store.watchlist, server.url_for("/feed.xml"), allow_private=True)
    summary = poll(store, fetcher, SCHEDULE)
    assert (summary.new_articles, summary.errors) == (1, [])  # story A is read after it
    [kept] = store.captures(store.article_id_for_url(server.url_for("/news/hostile")))
    assert kept["status"] == "rejected"
    assert kept["reason"] == "over the extraction budget: more than 1,000 attributes on one tag"
