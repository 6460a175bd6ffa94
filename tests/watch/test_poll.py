"""`versioner poll` and `track` against a real HTTP server on 127.0.0.1: versions, 304s, errors, claims."""

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import article_html
from helpers import versioner_text as versioner
from werkzeug import Request, Response

from versioner import __version__ as versioner_version
from versioner.sources.fetch import Fetcher, FetchSettings
from versioner.store import Store
from versioner.store.watchlist import URLS
from versioner.times import now, parse_time
from versioner.watch.poll import follow_feed, poll, track_url
from versioner.watch.schedule import parse_schedule

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = parse_schedule(None)


@pytest.fixture
def fetcher():
    settings = FetchSettings(allow_private=True, host_delay=0, backoff=0.01, timeout=2, retries=0)
    with Fetcher(settings) as client:
        yield client


def track(store: Store, *urls: str) -> None:
    for url in urls:
        track_url(store.watchlist, url, allow_private=True)


def test_an_article_that_changes_between_polls_gets_a_new_version(server, store, fetcher):
    page = {"html": article_html()}
    server.expect_request("/story").respond_with_handler(
        lambda _r: Response(page["html"], content_type="text/html")
    )
    track(store, server.url_for("/story"))
    first = poll(store, fetcher, SCHEDULE, force=True)
    page["html"] = article_html(extra="Update: the council postponed the vote.")
    second = poll(store, fetcher, SCHEDULE, force=True)
    assert (first.new_articles, second.changed, second.errors) == (1, 1, [])
    article = store.article(server.url_for("/story"))
    assert [v.n for v in store.versions(article["id"])] == [1, 2]
    assert "postponed the vote" in store.version(article["id"], 2).text


def test_an_unchanged_page_with_an_etag_costs_a_304_and_stores_nothing(server, store, fetcher):
    def etagged(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(article_html(), content_type="text/html", headers={"ETag": '"v1"'})

    server.expect_request("/story").respond_with_handler(etagged)
    track(store, server.url_for("/story"))
    poll(store, fetcher, SCHEDULE, force=True)
    again = poll(store, fetcher, SCHEDULE, force=True)
    assert (again.fetched, again.not_modified, again.changed, again.unchanged) == (1, 1, 0, 0)
    assert [r.headers.get("If-None-Match") for r, _ in server.log] == [None, '"v1"']
    article = store.article(server.url_for("/story"))
    assert (article["capture_count"], article["version_count"]) == (1, 1)
    [row] = store.watchlist.tracked()
    assert row["last_status"] == 304 and row["etag"] == '"v1"' and row["next_check"]


def test_an_unchanged_article_in_a_changed_page_is_a_capture_but_no_version(server, store, fetcher):
    served = []

    def new_chrome_each_time(_request: Request) -> Response:
        served.append(1)
        html = article_html().replace("Home | News", f"Home | News | {len(served)} readers online")
        return Response(html, content_type="text/html")

    server.expect_request("/story").respond_with_handler(new_chrome_each_time)
    track(store, server.url_for("/story"))
    poll(store, fetcher, SCHEDULE, force=True)
    again = poll(store, fetcher, SCHEDULE, force=True)
    assert again.unchanged == 1
    article = store.article(server.url_for("/story"))
    assert (article["capture_count"], article["version_count"]) == (2, 1)


def test_a_redirect_and_a_canonical_link_make_two_links_one_article(server, store, fetcher):
    head = '<link rel="canonical" href="/news/harbour-plan">'
    server.expect_request("/short").respond_with_data("", status=301, headers={"Location": "/amp/harbour"})
    for path in ("/amp/harbour", "/news/harbour-plan"):
        server.expect_request(path).respond_with_data(article_html(head=head), content_type="text/html")
    track(store, server.url_for("/short"), server.url_for("/news/harbour-plan?utm_source=feed"))
    poll(store, fetcher, SCHEDULE, force=True)
    [article] = store.articles()
    assert article["url"] == server.url_for("/news/harbour-plan")
    assert article["version_count"] == 1
    assert len(store.watchlist.tracked()) == 1  # the second link is dropped: the article is checked once


def test_a_failed_fetch_is_an_error_and_the_other_articles_still_land(server, store, fetcher):
    server.expect_request("/story").respond_with_data(article_html(), content_type="text/html")
    track(store, server.url_for("/story"), "http://127.0.0.1:9/closed-port")
    summary = poll(store, fetcher, SCHEDULE)
    assert summary.new_articles == 1
    [error] = summary.errors
    assert error["url"] == "http://127.0.0.1:9/closed-port"
    failed = next(row for row in store.watchlist.tracked() if row["url"].endswith("closed-port"))
    assert failed["last_error"] and failed["next_check"] and failed["claimed_by"] is None


def test_an_error_status_of_a_known_article_is_kept_as_a_rejected_capture(server, store, fetcher):
    status = {"code": 200}

    def story(_request: Request) -> Response:
        html = article_html() if status["code"] == 200 else "<h1>Gone</h1>"
        return Response(html, status=status["code"], content_type="text/html")

    server.expect_request("/story").respond_with_handler(story)
    track(store, server.url_for("/story"))
    poll(store, fetcher, SCHEDULE, force=True)
    status["code"] = 410
    summary = poll(store, fetcher, SCHEDULE, force=True)
    assert "HTTP status 410" in summary.errors[0]["error"]
    article = store.article(server.url_for("/story"))
    captures = store.captures(article["id"])
    assert [(c["http_status"], c["status"]) for c in captures] == [(200, "accepted"), (410, "rejected")]
    assert article["version_count"] == 1


def test_a_row_claimed_by_one_run_is_not_claimed_by_another_until_the_claim_expires(store):
    watchlist = store.watchlist
    watchlist.track("https://news.example.org/a", "2025-02-07T10:00:00Z")
    claim = {"ticket": watchlist.ticket(URLS), "cutoff": "2025-02-07T10:01:00Z", "limit": 10, "force": False}
    first = watchlist.claim(URLS, "run-a", at="2025-02-07T10:00:00Z", expires="2025-02-07T10:15:00Z", **claim)
    second = watchlist.claim(
        URLS, "run-b", at="2025-02-07T10:00:05Z", expires="2025-02-07T10:15:05Z", **claim
    )
    after_expiry = watchlist.claim(
        URLS, "run-b", at="2025-02-07T10:15:00Z", expires="2025-02-07T10:30:00Z", **claim
    )
    assert ([r["url"] for r in first], second) == (["https://news.example.org/a"], [])
    assert [r["claimed_by"] for r in after_expiry] == ["run-b"]


def test_claims_of_a_killed_run_on_this_host_are_freed_at_the_next_poll(server, store, fetcher):
    server.expect_request("/story").respond_with_data(article_html(), content_type="text/html")
    track(store, server.url_for("/story"))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its pid is free now: a run with that pid was killed
    watchlist = store.watchlist
    ticket = watchlist.ticket(URLS)
    at, far = "2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z"
    claimed = watchlist.claim(URLS, f"{socket.gethostname()}:{dead.pid}:dead", ticket, far, at, far, 10, True)
    assert claimed, "the dead run holds the article"
    summary = poll(store, fetcher, SCHEDULE)
    assert summary.fetched == 1 and store.article_id_for_url(server.url_for("/story"))


def test_a_run_never_checks_a_row_that_an_overlapping_run_checked_after_it_started(store):
    watchlist = store.watchlist
    for path in ("a", "b"):
        watchlist.track(f"https://news.example.org/{path}", "2025-02-07T10:00:00Z")
    at, expires = "2025-02-07T10:00:00Z", "2025-02-07T10:15:00Z"
    late_ticket = watchlist.ticket(URLS)  # run B starts
    first, second = watchlist.claim(URLS, "run-a", watchlist.ticket(URLS), at, at, expires, 10, True)
    watchlist.record_url_check(first["id"], "run-a", {"last_checked": at})
    watchlist.release("run-a")  # run A stops before checking the second row
    late = watchlist.claim(URLS, "run-b", late_ticket, at, at, expires, 10, True)
    assert [row["url"] for row in late] == [second["url"]]
    watchlist.release("run-b")
    later = watchlist.claim(URLS, "run-c", watchlist.ticket(URLS), at, at, expires, 10, True)
    assert len(later) == 2  # a forced run started afterwards checks both again


def test_two_poll_processes_at_once_fetch_each_article_once(server, database):
    hits: Counter = Counter()
    lock = threading.Lock()

    def counted(request: Request) -> Response:
        with lock:
            hits[request.path] += 1
        time.sleep(0.05)
        return Response(article_html(title=f"Story {request.path}"), content_type="text/html")

    server.expect_request(re.compile(r"/story-\d+")).respond_with_handler(counted)
    db = database
    versioner(db, "track", "--allow-private", *(server.url_for(f"/story-{n}") for n in range(24)))
    command = [
        sys.executable,
        "-P",
        "-m",
        "versioner",
        "--db",
        str(db),
        "poll",
        "--allow-private",
        "--delay",
        "0",
        "--json",
    ]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=60) for run in runs]
    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
        assert "locked" not in err
    assert len(hits) == 24 and set(hits.values()) == {1}
    fetched = [json.loads(out)["fetched"] for out, _err in outputs]
    assert sum(fetched) == 24


def test_tracking_a_private_address_needs_allow_private_and_poll_remembers_it(server, tmp_path):
    server.expect_request("/story").respond_with_data(article_html(), content_type="text/html")
    db, url = tmp_path / "v.db", server.url_for("/story")
    refused = versioner(db, "track", url, check=False)
    assert refused.returncode != 0 and "private" in refused.stderr
    assert Store(db).watchlist.tracked() == []
    versioner(db, "track", "--allow-private", url)
    done = versioner(db, "poll", "--log", str(tmp_path / "poll.log"))
    assert done.stdout.count("\n") == 1 and "1 new" in done.stdout
    assert url in (tmp_path / "poll.log").read_text()
    [article] = json.loads(versioner(db, "articles", "--json").stdout)
    assert article["next_check"] > article["first_seen"]
    assert "next check" in versioner(db, "articles").stdout


def test_untrack_stops_checking_an_article(tmp_path):
    db = tmp_path / "v.db"
    versioner(db, "track", "--allow-private", "http://127.0.0.1:9/a")
    assert "untracked: http://127.0.0.1:9/a" in versioner(db, "untrack", "http://127.0.0.1:9/a").stdout
    missing = versioner(db, "untrack", "http://127.0.0.1:9/a", check=False)
    assert missing.returncode == 1 and "not tracked" in missing.stderr


def test_poll_names_the_operators_contact_in_the_user_agent(server, tmp_path):
    server.expect_request("/story").respond_with_data(article_html(), content_type="text/html")
    db, url = tmp_path / "v.db", server.url_for("/story")
    versioner(db, "track", "--allow-private", url)
    anonymous = versioner(db, "poll", "--allow-private", "--force")
    assert "VERSIONER_CONTACT" in anonymous.stderr  # the operator is told how to be reachable
    versioner(db, "poll", "--allow-private", "--force", "--contact", "mailto:desk@example.org")
    own = subprocess.run(
        [sys.executable, "-P", "-m", "versioner", "--db", str(db), "poll", "--allow-private", "--force"],
        capture_output=True,
        text=True,
        env={**os.environ, "VERSIONER_USER_AGENT": "NewsroomBot/2 (+https://desk.example.org/bot)"},
    )
    assert own.returncode == 0 and "VERSIONER_CONTACT" not in own.stderr
    agents = [request.headers["User-Agent"] for request, _response in server.log]
    assert agents == [
        f"versioner/{versioner_version}",
        f"versioner/{versioner_version} (+mailto:desk@example.org)",
        "NewsroomBot/2 (+https://desk.example.org/bot)",
    ]


@pytest.mark.parametrize("contact", ["desk@example.org\r\nX-Evil: 1", "a b", "<script>"])
def test_a_contact_that_is_not_a_url_or_address_is_refused_before_any_fetch(server, tmp_path, contact):
    db, url = tmp_path / "v.db", server.url_for("/story")
    versioner(db, "track", "--allow-private", url)
    refused = versioner(db, "poll", "--allow-private", "--force", "--contact", contact, check=False)
    assert refused.returncode == 1 and "not a contact" in refused.stderr and "Traceback" not in refused.stderr
    assert len(server.log) == 0


# --- private addresses: only for the hosts the user allowed -----------------------------------


def rss(*links: str) -> str:
    items = "".join(f"<item><title>Story</title><link>{link}</link></item>" for link in links)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>City</title>{items}</channel></rss>'


def test_a_feed_allowed_private_passes_it_to_its_items_on_its_own_host_only(server, store):
    inside = server.url_for("/inside").replace("127.0.0.1", "localhost")  # private, another host
    server.expect_request("/feed.xml").respond_with_data(rss(server.url_for("/news/a"), inside))
    server.expect_request("/news/a").respond_with_data(article_html(), content_type="text/html")
    follow_feed(store.watchlist, server.url_for("/feed.xml"), allow_private=True)
    with Fetcher(FetchSettings(host_delay=0, retries=0, timeout=2)) as client:
        summary = poll(store, client, SCHEDULE)
    assert summary.new_articles == 1
    [error] = summary.errors
    assert error["url"] == inside and "refused as a private address" in error["error"]
    assert [request.path for request, _ in server.log] == ["/feed.xml", "/news/a"]


def test_a_redirect_to_another_private_host_is_refused_in_a_poll(server, store):
    inside = server.url_for("/inside").replace("127.0.0.1", "localhost")
    server.expect_request("/story").respond_with_data("", status=302, headers={"Location": inside})
    track_url(store.watchlist, server.url_for("/story"), allow_private=True)
    with Fetcher(FetchSettings(host_delay=0, retries=0, timeout=2)) as client:
        summary = poll(store, client, SCHEDULE)
    [error] = summary.errors
    assert "localhost resolves to" in error["error"] and "private" in error["error"]
    assert len(server.log) == 1


def test_a_url_tracked_before_the_permission_was_stored_needs_poll_allow_private(server, tmp_path):
    server.expect_request("/story").respond_with_data(article_html(), content_type="text/html")
    db, url = tmp_path / "v.db", server.url_for("/story")
    versioner(db, "track", "--allow-private", url)
    store = Store(db)  # what the migration leaves on rows tracked before it: no permission
    store.db.execute("UPDATE tracked_urls SET allow_private = 0")
    store.close()
    blocked = versioner(db, "poll", check=False)
    assert blocked.returncode == 1 and "private" in blocked.stderr and len(server.log) == 0
    assert "1 new" in versioner(db, "poll", "--allow-private", "--force").stdout


def test_poll_allow_private_never_reaches_a_host_only_a_feed_names(server, tmp_path):
    inside = server.url_for("/inside").replace("127.0.0.1", "localhost")
    server.expect_request("/feed.xml").respond_with_data(rss(inside))
    db = tmp_path / "v.db"
    versioner(db, "feeds", "add", "--allow-private", server.url_for("/feed.xml"))
    run = versioner(db, "poll", "--allow-private", "--json", check=False)
    [error] = json.loads(run.stdout)["errors"]
    assert run.returncode == 1 and error["url"] == inside and "private" in error["error"]


@pytest.mark.parametrize("host", ["169.254.169.254", "[::ffff:169.254.169.254]", "100.100.100.200"])
def test_a_metadata_address_cannot_be_tracked_even_with_allow_private(tmp_path, host):
    refused = versioner(tmp_path / "v.db", "track", "--allow-private", f"http://{host}/latest/", check=False)
    assert (
        refused.returncode == 1 and "refused always" in refused.stderr and "Traceback" not in refused.stderr
    )


def test_a_server_dripping_headers_cannot_hold_a_poll_past_its_claim(store, tmp_path):
    """The attempt deadline ends the fetch within longest_fetch, and the claim holds twice that."""
    listener = socket.create_server(("127.0.0.1", 0))
    claims = []

    def drip() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            watching = Store(store.path)
            claims.append(parse_time(watching.watchlist.tracked()[0]["claim_expires"]))
            watching.close()
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                for n in range(300):
                    time.sleep(0.2)
                    conn.sendall(b"X-Drip-%d: 1\r\n" % n)
            except OSError:
                pass

    threading.Thread(target=drip, daemon=True).start()
    track(store, f"http://127.0.0.1:{listener.getsockname()[1]}/story")
    settings = FetchSettings(allow_private=True, host_delay=0, backoff=0.01, timeout=0.5, retries=2)
    with Fetcher(settings) as client:
        started, began = time.monotonic(), now()
        summary = poll(store, client, SCHEDULE)
        took = time.monotonic() - started
    listener.close()
    [error] = summary.errors
    assert "no answer within 1.5 s" in error["error"]
    assert took < client.longest_fetch() and took < 3
    assert claims[0] - began >= timedelta(seconds=2 * client.longest_fetch())


def test_feeds_list_prints_a_feeds_title_and_error_escaped(tmp_path):
    db = tmp_path / "v.db"
    versioner(db, "feeds", "add", "--allow-private", "http://127.0.0.1:9/feed.xml")
    store = Store(db)  # as a database of an older version may hold them, from a hostile feed
    store.db.execute("UPDATE feeds SET title = 'City\x1b]0;PWNED\x07', last_error = 'bad\x1b[31m red'")
    store.close()
    listed = versioner(db, "feeds", "list").stdout
    assert "\x1b" not in listed and "\x07" not in listed
    assert "City\\x1b]0;PWNED\\x07" in listed and "bad\\x1b[31m red" in listed
