"""Times and URLs as they come in: one parser each, which gives a value every later step accepts or
refuses with a VersionerError that names the value, and never lets a stored value break a page.
"""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from helpers import T0, text_capture

from versioner.capture import MAX_CLOCK_SKEW, check_not_future
from versioner.errors import BadURL, VersionerError
from versioner.store import Store
from versioner.times import parse_time, plausible, to_iso
from versioner.urls import canonical_link, canonical_url
from versioner.versioning import ingest
from versioner.web import create_app
from versioner.web.filters import elapsed, human_time, short_time

# --- times -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "0999-06-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "1989-12-31T23:59:59Z",
        "1990-01-01T00:30:00+01:00",  # 1989 once in UTC
        "1970-01-01T00:00:00Z",  # a zeroed clock
    ],
)
def test_a_time_before_1990_is_refused_with_its_value_named(text):
    with pytest.raises(VersionerError, match="out of range") as err:
        parse_time(text)
    assert text[:19] in str(err.value)


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_time_that_leaves_the_calendar_in_utc_is_a_versioner_error_not_an_overflow(text):
    with pytest.raises(VersionerError, match="out of range once converted to UTC"):
        parse_time(text)


def test_a_three_digit_year_is_not_an_iso_time():
    with pytest.raises(VersionerError, match="not an ISO 8601 time"):
        parse_time("999-06-01T00:00:00Z")


def test_the_first_moment_of_1990_and_a_local_time_are_accepted_in_utc():
    assert parse_time("1990-01-01T00:00:00Z") == datetime(1990, 1, 1, tzinfo=UTC)
    assert parse_time("2025-02-07T12:54:00+01:00") == datetime(2025, 2, 7, 11, 54, tzinfo=UTC)


def test_to_iso_pads_the_year_so_stored_times_sort_as_text():
    assert to_iso(datetime(999, 6, 1, tzinfo=UTC)) == "0999-06-01T00:00:00Z"
    assert sorted([to_iso(datetime(999, 6, 1, tzinfo=UTC)), to_iso(T0)])[0].startswith("0999")


def test_to_iso_of_a_time_that_overflows_in_utc_is_a_versioner_error():
    from datetime import timezone

    moment = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    with pytest.raises(VersionerError, match="out of range"):
        to_iso(moment)


def test_an_absurd_time_read_from_a_page_becomes_none_not_an_error():
    from datetime import timezone

    assert plausible(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))) is None
    assert plausible(datetime(999, 6, 1, tzinfo=UTC)) is None
    assert plausible(None) is None
    assert plausible(T0) == T0


def test_a_fetch_time_before_1990_is_refused_by_the_check_every_capture_passes():
    with pytest.raises(VersionerError, match="out of range"):
        check_not_future(datetime(1980, 1, 1, tzinfo=UTC), T0)


def test_a_fetch_time_past_the_clock_skew_is_still_refused_and_one_within_it_accepted():
    with pytest.raises(VersionerError, match="in the future"):
        check_not_future(T0 + MAX_CLOCK_SKEW + timedelta(seconds=1), T0)
    assert check_not_future(T0 + MAX_CLOCK_SKEW, T0) == T0 + MAX_CLOCK_SKEW


# --- a bad stored time never breaks a page ---------------------------------------------------


@pytest.mark.parametrize("stored", ["999-06-01T00:00:00Z", "0001-01-01T00:00:00Z", "<b>soon</b>", "garbage"])
def test_the_time_filters_show_a_bad_stored_value_as_it_is(stored):
    assert human_time(stored) == stored
    assert short_time(stored) == stored
    assert stored in elapsed(stored, "2025-02-07T10:00:00Z")
    assert stored in elapsed("2025-02-07T10:00:00Z", stored)


def test_the_time_filters_still_read_good_values():
    assert human_time("2025-02-07T11:54:00Z") == "7 Feb 2025, 11:54 UTC"
    assert short_time("2025-02-07T11:54:00Z") == "7 Feb, 11:54"
    assert elapsed("2025-02-07T11:54:00Z", "2025-02-07T11:35:00Z") == "19 min"


def test_a_bad_time_stored_by_an_older_version_leaves_every_page_readable(tmp_path):
    db = tmp_path / "versioner.db"
    store = Store(db)
    ingest(store, text_capture("Harbour plan\n\nThe council approved the harbour plan on Tuesday evening."))
    ingest(store, text_capture("Harbour plan\n\nThe council approved the harbour plan on Tuesday night.", 60))
    store.close()
    # What an older versioner stored for a year-999 upload, and for year 1, written as it did.
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE articles SET first_seen = '0001-01-01T00:00:00Z', last_seen = '999-06-01T00:00:00Z'"
        )
        conn.execute("UPDATE versions SET first_seen = '999-06-01T00:00:00Z' WHERE n = 1")
        conn.execute("UPDATE captures SET fetched_at = '<i>0001</i>'")
    client = create_app({"DATABASE": str(db), "TESTING": True}).test_client()
    for page in ("/", "/articles/1", "/articles/1/versions/1", "/articles/1/diff"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert b"<i>0001</i>" not in response.data
    assert b"999-06-01T00:00:00Z" in client.get("/articles/1").data


# --- URLs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://[::1/x", "malformed URL"),
        ("https://[::1/", "malformed URL"),
        ("http://0177.0.0.1/", "four decimal numbers"),
        ("http://127.000.000.001/", "four decimal numbers"),
        ("http://127.1/", "four decimal numbers"),
        ("http://2130706433/", "four decimal numbers"),
        ("http://0x7f.0.0.1/", "four decimal numbers"),
        ("http://1.2.3.0x4/", "four decimal numbers"),
        ("http://256.0.0.1/", "four decimal numbers"),
        ("http://news.example.123/", "four decimal numbers"),
        ("http://[fe80::1%25eth0]/", "zone index"),
        ("http://[::1:x]/", "malformed URL"),
        ("http://xn--zz.example/", "international host name"),
        ("http://☃.example/", "international host name"),
        ("http://ex..ample.org/", "not a valid host name"),
        ("http://%31%32%37.0.0.1/", "not a valid host name"),
        ("http://evil.example\\@127.0.0.1/", "backslash"),
        ("http://news.example.org:0/", "port 0"),
        ("http://news.example.org:99999/", "malformed URL"),
        ("javascript:alert(1)", "only http and https"),
        ("http://news.example.org/\x7f", "not a usable URL"),
    ],
)
def test_a_url_two_parsers_would_read_differently_is_refused_with_a_reason(url, reason):
    with pytest.raises(BadURL, match=reason):
        canonical_url(url)


@pytest.mark.parametrize(
    "url, canonical",
    [
        ("http://１２７.０.０.１/", "http://127.0.0.1/"),  # full-width digits, as a browser maps them
        ("http://１２７．０．０．１/", "http://127.0.0.1/"),  # and full-width dots
        ("http://ｎｅｗｓ.example.org/a", "http://news.example.org/a"),
        ("http://Bücher.Example./x", "http://xn--bcher-kva.example/x"),
        ("http://NEWS.example.org:80/a?utm_source=x&b=1#top", "http://news.example.org/a?b=1"),
        ("http://[::FFFF:127.0.0.1]:8080/", "http://[::ffff:7f00:1]:8080/"),
        ("http://user:secret@news.example.org/", "http://news.example.org/"),
        ("https://10.0.0.1/", "https://10.0.0.1/"),
    ],
)
def test_hosts_are_normalised_once_to_the_form_every_step_reads(url, canonical):
    assert canonical_url(url) == canonical


@pytest.mark.parametrize("url", ["http://１２７.０.０.１/", "http://Bücher.example/x", "http://[::1]:8/"])
def test_a_canonical_url_is_its_own_canonical_form(url):
    once = canonical_url(url)
    assert canonical_url(once) == once


@pytest.mark.parametrize("href", ["http://[::1/x", "http://0177.0.0.1/", "http://[fe80::1%25eth0]/"])
def test_a_malformed_canonical_link_is_no_link(href):
    page = f'<html><head><link rel="canonical" href="{href}"></head><body>x</body></html>'.encode()
    assert canonical_link(page) is None
    assert canonical_link(page, "https://news.example.org/a") is None


def test_a_malformed_canonical_link_gives_way_to_a_good_og_url():
    page = (
        b'<html><head><link rel="canonical" href="http://[::1/x">'
        b'<meta property="og:url" content="https://news.example.org/story"></head></html>'
    )
    assert canonical_link(page) == "https://news.example.org/story"
