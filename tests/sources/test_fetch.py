"""Fetching against a real HTTP server on 127.0.0.1: politeness, limits, redirects, charsets, SSRF guard."""

import threading
import time

import pytest
from helpers import article_html
from werkzeug import Request, Response

from versioner import __version__
from versioner.capture import MAX_SNAPSHOT_BYTES
from versioner.errors import BadURL, FetchError, PrivateAddress, VersionerError
from versioner.sources.addresses import check_url, forbidden_reason
from versioner.sources.fetch import Fetcher, FetchSettings, user_agent
from versioner.versioning import ingest


def fetcher(**settings) -> Fetcher:
    return Fetcher(
        FetchSettings(**{"allow_private": True, "host_delay": 0, "backoff": 0.01, "timeout": 2, **settings})
    )


def test_requests_name_versioner_and_the_operators_contact_in_the_user_agent(server):
    server.expect_request("/story").respond_with_data(article_html(), content_type="text/html")
    with fetcher() as client:
        client.fetch(server.url_for("/story"))
    with fetcher(user_agent=user_agent("https://desk.example.org/crawler")) as client:
        client.fetch(server.url_for("/story"))
    agents = [request.headers["User-Agent"] for request, _ in server.log]
    assert agents == [
        f"versioner/{__version__}",
        f"versioner/{__version__} (+https://desk.example.org/crawler)",
    ]


@pytest.mark.parametrize(
    "contact", ["ops@example.org", "mailto:ops@example.org", "https://example.org/about"]
)
def test_a_contact_is_a_url_or_an_email_address(contact):
    assert user_agent(contact) == f"versioner/{__version__} (+{contact})"


@pytest.mark.parametrize("contact", ["two words", "x\r\nX-Injected: 1", "a(b)", "<x>"])
def test_a_contact_that_would_break_the_header_is_refused(contact):
    with pytest.raises(VersionerError, match="not a contact"):
        user_agent(contact)


def test_an_operators_own_user_agent_replaces_ours_whole():
    assert user_agent("ops@example.org", "NewsBot/1.0") == "NewsBot/1.0"
    with pytest.raises(VersionerError, match="one line"):
        user_agent(None, "NewsBot\r\nX-Injected: 1")


def test_redirects_are_followed_and_the_article_is_where_they_end(server):
    server.expect_request("/short").respond_with_data(
        "", status=301, headers={"Location": "/story?utm_source=x"}
    )
    server.expect_request("/story").respond_with_data(article_html(), content_type="text/html")
    with fetcher() as client:
        fetched = client.fetch(server.url_for("/short"))
    assert fetched.status == 200
    assert fetched.final_url == server.url_for("/story")
    assert fetched.to_capture().url == server.url_for("/story")


def test_a_redirect_loop_stops_at_the_redirect_limit(server):
    server.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    server.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    with fetcher(max_redirects=3) as client, pytest.raises(FetchError, match="more than 3 redirects"):
        client.fetch(server.url_for("/a"))
    assert len(server.log) == 4


def test_a_redirect_to_a_file_url_is_refused(server):
    server.expect_request("/evil").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )
    with fetcher() as client, pytest.raises(FetchError, match="only http and https"):
        client.fetch(server.url_for("/evil"))


def test_a_server_slower_than_the_timeout_is_an_error(server):
    answered = threading.Semaphore(0)

    def slow(_request: Request) -> Response:
        time.sleep(1.5)
        answered.release()
        return Response(article_html(), content_type="text/html")

    server.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()
    with fetcher(timeout=0.3, retries=1) as client, pytest.raises(FetchError, match="timed out"):
        client.fetch(server.url_for("/slow"))
    assert time.monotonic() - started < 1.4  # two short attempts, not one long wait
    for _attempt in range(2):  # the handlers finish before the next test, or they land in its log
        answered.acquire(timeout=5)
    assert len(server.log) <= 2


def test_a_server_error_is_retried_with_backoff_then_succeeds(server):
    server.expect_ordered_request("/flaky").respond_with_data("busy", status=503)
    server.expect_ordered_request("/flaky").respond_with_data(article_html(), content_type="text/html")
    with fetcher(retries=2) as client:
        fetched = client.fetch(server.url_for("/flaky"))
    assert fetched.status == 200 and len(server.log) == 2


def test_retries_are_bounded_and_the_last_answer_is_returned(server):
    server.expect_request("/down").respond_with_data("down", status=502)
    with fetcher(retries=2) as client:
        fetched = client.fetch(server.url_for("/down"))
    assert fetched.status == 502 and len(server.log) == 3


def test_a_page_over_the_size_cap_is_refused_without_reading_all_of_it(server):
    sent = []

    def endless(_request: Request) -> Response:
        def body():
            for _ in range(800):  # 50 MiB if read to the end
                sent.append(1)
                yield b"<p>" + b"x" * 65536 + b"</p>"

        return Response(body(), content_type="text/html")  # streamed: no Content-Length

    server.expect_request("/huge").respond_with_handler(endless)
    with fetcher(max_bytes=100_000) as client, pytest.raises(FetchError, match="over the 100000 byte cap"):
        client.fetch(server.url_for("/huge"))
    time.sleep(0.2)
    assert len(sent) < 800


def test_a_declared_length_over_the_cap_is_refused_before_reading(server):
    server.expect_request("/big").respond_with_data(b"x" * 5000, content_type="text/html")
    with fetcher(max_bytes=1000) as client, pytest.raises(FetchError, match="5000 bytes is over the 1000"):
        client.fetch(server.url_for("/big"))


def test_the_default_size_cap_is_the_snapshot_cap():
    assert FetchSettings().max_bytes == MAX_SNAPSHOT_BYTES


def test_latin1_bytes_declared_as_utf8_still_read_right(server, store):
    html = article_html("Größere Brücke für Köln", extra="Die Bürger äußern Sorgen über Lärm und Straßenbau.")
    server.expect_request("/lying").respond_with_data(
        html.encode("latin-1"), content_type="text/html; charset=utf-8"
    )
    with fetcher() as client:
        fetched = client.fetch(server.url_for("/lying"))
    assert fetched.charset == "utf-8"
    result = ingest(store, fetched.to_capture())
    version = store.version(result.article_id, 1)
    assert version.title == "Größere Brücke für Köln"
    assert "Bürger äußern Sorgen über Lärm" in version.text


def test_the_header_charset_reaches_extraction(server, store):
    html = article_html("Новый мост через реку", extra="Жители обеспокоены шумом и движением транспорта.")
    server.expect_request("/cp1251").respond_with_data(
        html.encode("windows-1251"), content_type="text/html; charset=windows-1251"
    )
    with fetcher() as client:
        capture = client.fetch(server.url_for("/cp1251")).to_capture()
    assert capture.charset == "windows-1251" and capture.kind_hint == "html"
    result = ingest(store, capture)
    assert store.version(result.article_id, 1).title == "Новый мост через реку"


def test_known_validators_make_the_request_conditional(server):
    server.expect_request("/story", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    with fetcher() as client:
        fetched = client.fetch(
            server.url_for("/story"), etag='"v1"', last_modified="Fri, 07 Feb 2025 10:00:00 GMT"
        )
    assert fetched.not_modified
    [(request, _)] = server.log
    assert request.headers["If-Modified-Since"] == "Fri, 07 Feb 2025 10:00:00 GMT"


def test_a_same_site_canonical_link_names_the_article(server):
    head = '<link rel="canonical" href="/news/harbour-plan">'
    server.expect_request("/amp/harbour").respond_with_data(article_html(head=head), content_type="text/html")
    with fetcher() as client:
        capture = client.fetch(server.url_for("/amp/harbour?fbclid=1")).to_capture()
    assert capture.url == server.url_for("/news/harbour-plan")


def test_a_canonical_link_to_another_site_is_ignored(server):
    head = '<link href="https://syndicated.example.org/original" rel="canonical">'
    server.expect_request("/copy").respond_with_data(article_html(head=head), content_type="text/html")
    with fetcher() as client:
        capture = client.fetch(server.url_for("/copy")).to_capture()
    assert capture.url == server.url_for("/copy")


def test_requests_to_one_host_are_one_at_a_time_and_spaced(server):
    active, most, starts = [0], [0], []
    lock = threading.Lock()

    def counted(_request: Request) -> Response:
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
            starts.append(time.monotonic())
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return Response(article_html(), content_type="text/html")

    server.expect_request("/story").respond_with_handler(counted)
    with fetcher(host_delay=0.2) as client:
        threads = [threading.Thread(target=client.fetch, args=(server.url_for("/story"),)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert most[0] == 1
    gaps = [b - a for a, b in zip(sorted(starts), sorted(starts)[1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.2


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8080/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.100.100.200/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:127.0.0.1]/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "http://240.0.0.1/",
        "http://[2002:7f00:1::]/",
    ],
)
def test_private_loopback_link_local_multicast_reserved_and_metadata_addresses_are_refused(url):
    with pytest.raises(PrivateAddress, match="private"):
        check_url(url)


def test_a_public_address_passes_and_allow_private_lets_loopback_through():
    assert check_url("http://93.184.215.14/story?utm_medium=x") == "http://93.184.215.14/story"
    assert check_url("http://127.0.0.1:8000/story", allow_private=True) == "http://127.0.0.1:8000/story"


def test_cloud_metadata_addresses_are_named_as_such():
    import ipaddress

    assert forbidden_reason(ipaddress.ip_address("169.254.169.254")) == "a cloud metadata address"
    assert forbidden_reason(ipaddress.ip_address("2606:4700::1111")) is None


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://example.org/", "/x"])
def test_only_http_and_https_urls_get_in(url):
    with pytest.raises(BadURL):
        check_url(url, allow_private=True)
