"""The check schedule: young articles often, old ones rarely, then never; time controlled by time-machine."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from pytest_httpserver import HTTPServer

from versioner.errors import VersionerError
from versioner.sources.fetch import Fetcher, FetchSettings
from versioner.watch.poll import poll, track_url
from versioner.watch.schedule import anchor_time, interval_at, next_check, parse_schedule

T0 = datetime(2025, 2, 7, 10, 0, tzinfo=UTC)
DEFAULT = parse_schedule(None)
ARTICLE = (
    "<html><head><title>Harbour plan</title></head><body><article><h1>Harbour plan</h1>"
    + "<p>The council met on Tuesday evening to discuss the new harbour plan and its costs.</p>" * 3
    + "</article></body></html>"
)


@pytest.mark.parametrize(
    ("age", "every"),
    [
        (timedelta(minutes=0), timedelta(minutes=10)),
        (timedelta(hours=2, minutes=59), timedelta(minutes=10)),
        (timedelta(hours=3), timedelta(hours=1)),
        (timedelta(days=1), timedelta(hours=1)),
        (timedelta(days=3), timedelta(hours=6)),
        (timedelta(days=10), timedelta(days=1)),
        (timedelta(days=29, hours=23), timedelta(days=1)),
    ],
)
def test_young_articles_are_checked_often_and_old_ones_rarely(age, every):
    assert interval_at(DEFAULT, age) == every


def test_checks_stop_after_the_last_tier():
    assert interval_at(DEFAULT, timedelta(days=30)) is None
    assert next_check(DEFAULT, T0, T0 + timedelta(days=31)) is None


def test_the_next_check_is_the_interval_after_the_check():
    assert next_check(DEFAULT, T0, T0 + timedelta(minutes=20)) == T0 + timedelta(minutes=30)
    assert next_check(DEFAULT, T0, T0 + timedelta(days=5)) == T0 + timedelta(days=5, hours=6)


def test_age_counts_from_publication_when_it_came_before_the_first_sighting():
    published = T0 - timedelta(days=3)
    assert anchor_time(first_seen=T0, published=published) == published
    assert anchor_time(first_seen=T0, published=T0 + timedelta(hours=1)) == T0  # a page that re-dates itself
    assert anchor_time(first_seen=T0) == T0


def test_a_schedule_can_be_configured_and_printed():
    custom = parse_schedule("5m<1h, 2h < 1d, 1d<1w")
    assert interval_at(custom, timedelta(minutes=30)) == timedelta(minutes=5)
    assert interval_at(custom, timedelta(days=6)) == timedelta(days=1)
    assert interval_at(custom, timedelta(days=8)) is None
    assert str(custom) == "5m<1h, 2h<1d, 1d<7d"
    assert str(DEFAULT) == "10m<3h, 1h<2d, 6h<7d, 1d<30d"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10m", "is not EVERY<AGE"),
        ("10x<3h", "not a duration"),
        ("1h<2d, 10m<1d", "must grow in age"),
        ("0m<1h", "must be positive"),
    ],
)
def test_a_bad_schedule_says_what_is_wrong(text, message):
    with pytest.raises(VersionerError, match=message):
        parse_schedule(text)


def test_poll_checks_a_tracked_article_as_the_schedule_says(store):
    with HTTPServer(host="127.0.0.1") as server:
        server.expect_request("/story").respond_with_data(ARTICLE, content_type="text/html")
        url = server.url_for("/story")
        settings = FetchSettings(allow_private=True, host_delay=0, retries=0, timeout=2)
        with Fetcher(settings) as fetcher, time_machine.travel(T0, tick=False) as clock:

            def poll_at(offset: timedelta) -> int:
                clock.move_to(T0 + offset)
                return poll(store, fetcher, DEFAULT).fetched

            track_url(store.watchlist, url, allow_private=True)
            [row] = store.watchlist.tracked()
            assert row["next_check"] == "2025-02-07T10:00:00Z"  # a new article is due at once
            fetched = [
                poll_at(timedelta(0)),
                poll_at(timedelta(minutes=5)),
                poll_at(timedelta(minutes=10)),
                poll_at(timedelta(minutes=15)),
                poll_at(timedelta(hours=4)),
                poll_at(timedelta(hours=4, minutes=30)),
                poll_at(timedelta(hours=5)),
            ]
            assert fetched == [1, 0, 1, 0, 1, 0, 1]
            assert store.watchlist.tracked()[0]["next_check"] == "2025-02-07T16:00:00Z"
            assert poll_at(timedelta(days=3)) == 1
            assert store.watchlist.tracked()[0]["next_check"] == "2025-02-10T16:00:00Z"
            assert poll_at(timedelta(days=31)) == 1
            assert store.watchlist.tracked()[0]["next_check"] is None
            assert poll_at(timedelta(days=60)) == 0
            clock.move_to(T0 + timedelta(days=61))
            assert poll(store, fetcher, DEFAULT, force=True).fetched == 1  # --force checks it anyway
