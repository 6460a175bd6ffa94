"""The pure parts of Memento: the version in force at a time, HTTP dates, link-format text."""

from datetime import UTC, datetime

import pytest

from versioner.memento import BadAcceptDatetime, Link, http_date, in_force, link_format, parse_accept_datetime
from versioner.store import VersionInfo


def version(n: int, first_seen: str) -> VersionInfo:
    return VersionInfo(n, 1, n, "Title", "", "ab" * 32, 100, None, None, first_seen, first_seen, 1, None)


VERSIONS = [version(1, "2025-02-07T10:00:00Z"), version(2, "2025-02-08T10:00:00Z")]


def test_the_version_in_force_is_the_last_first_seen_at_or_before_the_moment():
    assert in_force(VERSIONS, datetime(2025, 2, 8, 9, 59, 59, tzinfo=UTC)).n == 1
    assert in_force(VERSIONS, datetime(2025, 2, 8, 10, tzinfo=UTC)).n == 2


def test_before_the_first_version_the_first_is_in_force():
    assert in_force(VERSIONS, datetime(2001, 1, 1, tzinfo=UTC)).n == 1


def test_without_a_moment_the_latest_is_in_force():
    assert in_force(VERSIONS, None).n == 2


def test_stored_times_become_rfc_1123_dates_in_gmt():
    assert http_date("2025-02-07T10:00:00Z") == "Fri, 07 Feb 2025 10:00:00 GMT"


def test_an_accept_datetime_in_another_zone_is_read_as_the_same_moment():
    assert parse_accept_datetime("Fri, 07 Feb 2025 11:00:00 +0100") == datetime(2025, 2, 7, 10, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "yesterday", "2025-02-07T10:00:00Z", "Fri, 99 Feb 2025 10:00:00 GMT"])
def test_an_accept_datetime_that_is_no_http_date_is_refused_with_an_example(text):
    with pytest.raises(BadAcceptDatetime, match="GMT"):
        parse_accept_datetime(text)


def test_link_values_are_quoted_and_targets_escaped_for_a_header():
    link = Link("https://example.org/caf\u00e9 <x>", "first memento", (("datetime", 'a "b"'),))
    assert (
        link_format([link])
        == '<https://example.org/caf%C3%A9%20%3Cx%3E>; rel="first memento"; datetime="a \\"b\\""'
    )
