"""Reading feeds: what a careless or hostile feed can put in an entry never becomes a tracked article or an error."""

import pytest
from werkzeug import Response

from versioner.sources.feeds import MAX_ITEMS, MAX_TITLE_CHARACTERS, parse_feed
from versioner.sources.fetch import Fetcher, FetchSettings
from versioner.watch.poll import follow_feed, poll
from versioner.watch.schedule import parse_schedule

FEED_URL = "https://news.example.org/feed.xml"


def rss(*entries: str, title: str = "City news") -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{"".join(entries)}</channel></rss>'.encode()


def item(link: str | None, date: str = "Fri, 07 Feb 2025 09:30:00 GMT") -> str:
    link_element = "" if link is None else f"<link>{link}</link>"
    return f"<item><title>Story</title>{link_element}<pubDate>{date}</pubDate></item>"


@pytest.mark.parametrize("link", [None, "", "   ", "#", "#comments", "?utm_source=rss", FEED_URL], ids=repr)
def test_an_entry_without_a_link_of_its_own_is_skipped_not_the_feed_itself(link):
    parsed = parse_feed(rss(item(link), item("/news/a")), FEED_URL)
    assert [i.url for i in parsed.items] == ["https://news.example.org/news/a"]
    assert parsed.skipped == 1


def test_a_long_feed_is_cut_at_the_cap_and_says_so():
    parsed = parse_feed(rss(*(item(f"/news/{n}") for n in range(MAX_ITEMS + 250))), FEED_URL)
    assert len(parsed.items) == MAX_ITEMS
    assert (
        parsed.items[0].url == "https://news.example.org/news/0"
    )  # the first entries, as the feed orders them
    assert parsed.cut == 250


def test_a_feed_under_the_cap_is_not_cut():
    assert parse_feed(rss(item("/news/a")), FEED_URL).cut == 0


@pytest.mark.parametrize(
    "date",
    [
        "Fri, 07 Feb 0001 09:30:00 GMT",
        "Sat, 01 Jan 1970 00:00:00 GMT",
        "Fri, 31 Dec 1989 23:59:59 GMT",
        "Fri, 07 Feb 9999 09:30:00 GMT",
        "Fri, 07 Feb 2999 09:30:00 GMT",
        "Mon, 99 Feb 2025 99:99:00 GMT",
        "not a date at all",
    ],
)
def test_an_entry_time_out_of_range_or_unreadable_becomes_none(date):
    [entry] = parse_feed(rss(item("/news/a", date)), FEED_URL).items
    assert entry.published is None


def test_an_atom_time_before_year_one_in_utc_becomes_none():
    atom = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        '<entry><link href="/a"/><published>0001-01-01T00:00:00+01:00</published></entry>'
        '<entry><link href="/b"/><updated>99999-01-01T00:00:00Z</updated></entry></feed>'
    )
    assert [i.published for i in parse_feed(atom.encode(), FEED_URL).items] == [None, None]


def test_a_plausible_entry_time_is_kept_in_utc():
    [entry] = parse_feed(rss(item("/news/a", "Fri, 07 Feb 2025 09:30:00 +0100")), FEED_URL).items
    assert entry.published.isoformat() == "2025-02-07T08:30:00+00:00"


def test_a_feed_title_loses_control_characters_and_is_bounded():
    parsed = parse_feed(rss(item("/a"), title="City\x1b]0;owned\x07 news\x1b[2J&#10;" + "x" * 5000), FEED_URL)
    assert parsed.title.startswith("City ]0;owned news [2J x")
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in parsed.title)
    assert len(parsed.title) == MAX_TITLE_CHARACTERS


def test_a_poll_tracks_only_the_entries_with_links_of_their_own(running_server, store):
    server = running_server
    server.clear()
    links = [None, "", "#top", "/news/a", "/news/a#comments", "/news/b"]
    feed = rss(*(item(link) for link in links))
    server.expect_request("/feed.xml").respond_with_handler(
        lambda _r: Response(feed, content_type="application/rss+xml")
    )
    server.expect_request("/news/a").respond_with_data("no", status=404)
    server.expect_request("/news/b").respond_with_data("no", status=404)
    follow_feed(store.watchlist, server.url_for("/feed.xml"), allow_private=True)
    with Fetcher(FetchSettings(allow_private=True, host_delay=0, retries=0, timeout=2)) as fetcher:
        summary = poll(store, fetcher, parse_schedule(None))
    assert summary.new_items == 2
    tracked = sorted(row["url"] for row in store.watchlist.tracked())
    assert tracked == [server.url_for("/news/a"), server.url_for("/news/b")]
    server.clear()


def test_a_poll_of_a_huge_feed_tracks_at_most_the_cap(running_server, store, caplog):
    server = running_server
    server.clear()
    feed = rss(*(item(f"/news/{n}") for n in range(MAX_ITEMS + 100)))
    server.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")
    follow_feed(store.watchlist, server.url_for("/feed.xml"), allow_private=True)
    with Fetcher(FetchSettings(allow_private=True, host_delay=0, retries=0, timeout=2)) as fetcher:
        # feeds first, then the due articles: none is served, so each is an error, never a capture
        summary = poll(store, fetcher, parse_schedule(None))
    assert summary.new_items == MAX_ITEMS
    assert len(store.watchlist.tracked()) == MAX_ITEMS
    assert f"only the first {MAX_ITEMS} entries read, 100 left out" in caplog.text  # and the log says so
    server.clear()
