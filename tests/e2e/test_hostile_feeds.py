"""Stored XSS, end to end in headless Chromium: hostile bylines, URLs, file names, raw captures, echoed
input and the Atom feeds (as the browser shows them, as view-source, and as a feed reader renders their
entries). test_browser.py covers hostile headlines and texts on the reading pages.

Every payload would run if it reached a page unescaped: a dialog, or under the CSP a console error.
"""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from web_fixtures import HOSTILE_URL, build_database

from versioner.capture import Capture
from versioner.store import Store
from versioner.versioning import ingest

ATOM = "{http://www.w3.org/2005/Atom}"
T0 = datetime(2025, 2, 7, 10, 0, tzinfo=UTC)

TITLE = "<script>alert('title')</script> Harbour <svg onload=alert('title-svg')> plan"
BYLINE = "<img src=x onerror=alert('byline')>"
BODY = "Body <svg onload=alert('body')> and <iframe src=javascript:alert('frame')></iframe> and {{ 7*7 }}."
URL = "https://evil.example.org/b/\"><svg/onload=alert('url')>"  # no blank: URLs hold none
SOURCE = "file:<img src=x onerror=alert('source')>.txt"
RAW_PAGE = (
    b"<!doctype html><html><head><title>Raw</title><script>alert('raw')</script></head><body>"
    b"<img src=x onerror=alert('raw-img')><article><h1>Raw markup kept as fetched</h1>"
    b"<p>The council approved the harbour plan on Tuesday after a debate that lasted into the night.</p>"
    b"<p>Work on the first phase starts in May, the mayor said, and costs four million.</p>"
    b"</article></body></html>"
)
RAW_URL = "https://evil.example.org/raw-page"
# Elements no payload may create on a page of ours (the brand mark is our one inline SVG).
FOREIGN = "img, iframe, object, embed, svg:not(.brand-mark):not(.timeline-chart), script:not([src='/static/app.js'])"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    """The web tests' database plus an article with payloads in byline, URL and file name, and a capture
    whose raw bytes are a page with live script."""
    path = build_database(tmp_path_factory.mktemp("hostile-feeds") / "versioner.db")
    store = Store(path)
    try:
        for hour, (byline, body) in enumerate(((BYLINE, BODY), (BYLINE + " two", BODY + " Changed."))):
            text = f"{TITLE}\n\n{byline}\nAkt. 07.02.2025, 1{hour}:00\n\n{body}\n\nSecond paragraph."
            ingest(store, Capture(text.encode(), URL, T0 + timedelta(hours=hour), SOURCE, "text"))
        ingest(store, Capture(RAW_PAGE, RAW_URL, T0, "file:raw.html", "html"))
    finally:
        store.close()
    return path


@pytest.fixture(scope="module")
def ids(db_path) -> dict:
    store = Store(db_path)
    try:
        hostile, raw = store.article(URL)["id"], store.article(RAW_URL)["id"]
        return {
            "hostile": hostile,
            "older": store.article(HOSTILE_URL)["id"],
            "capture": store.captures(hostile)[0]["id"],
            "raw capture": store.captures(raw)[0]["id"],
        }
    finally:
        store.close()


@pytest.fixture
def page(browser):
    """A tab that records dialogs, page errors and console errors (a CSP refusal is one)."""
    context = browser.new_context()
    tab = context.new_page()
    tab.incidents = []
    tab.on("dialog", lambda dialog: (tab.incidents.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    tab.on("pageerror", lambda error: tab.incidents.append(f"page error: {error}"))
    tab.on("console", lambda msg: _console_error(tab, msg))
    yield tab
    context.close()


def _console_error(tab, msg) -> None:
    """An error in the console, except the one for an error page's own status or the browser's favicon."""
    if msg.type != "error":
        return
    source = msg.location.get("url", "")
    if msg.text.startswith("Failed to load resource") and (
        source == tab.url or source.endswith("/favicon.ico")
    ):
        return
    tab.incidents.append(f"console: {msg.text} ({source})")


def visit(tab, url: str) -> None:
    tab.goto(url)
    tab.wait_for_load_state("load")
    tab.wait_for_timeout(50)  # room for an onerror or onload handler to fire


def test_hostile_byline_url_and_file_name_run_nothing_on_any_page(page, base_url, ids):
    hostile = ids["hostile"]
    permalink = page.request.get(f"{base_url}/articles/{hostile}/diff/1..2", max_redirects=0).headers[
        "location"
    ]
    for path in (
        "/",
        f"/articles/{hostile}",
        f"/articles/{hostile}/versions/1",
        f"/articles/{hostile}/versions/2",
        f"/articles/{hostile}/diff?from=1&to=2",
        f"/articles/{hostile}/diff?from=1&to=2&view=side",
        permalink,
        "/search?q=harbour",
    ):
        visit(page, base_url + path)
        assert page.locator(FOREIGN).count() == 0, path
        assert "alert('title')" in page.inner_text("body"), path  # shown as text
    visit(page, f"{base_url}/articles/{hostile}/versions/1")
    body = page.inner_text("body")
    assert BYLINE in body and SOURCE in body and "{{ 7*7 }}" in body
    assert page.incidents == []


def test_echoed_input_on_search_and_error_pages_runs_nothing(page, base_url, ids):
    for path in (
        "/search?q=<script>alert('q')</script><img src=x onerror=alert('q')>",
        "/articles/<img src=x onerror=alert('ref')>",
        f"/articles/{ids['hostile']}/versions/<svg onload=alert('n')>",
        f"/articles/{ids['hostile']}/diff?view=<script>alert('view')</script>",
        f"/articles/{ids['hostile']}/diff/<img src=x onerror=alert('spec')>..1",
        "/no/such/<script>alert('404')</script>",
    ):
        visit(page, base_url + path)
        assert page.locator(FOREIGN).count() == 0, path
    assert page.incidents == []


@pytest.mark.parametrize("capture", ["capture", "raw capture"])
def test_a_raw_capture_is_shown_as_text_even_when_it_is_a_page_with_live_script(page, base_url, ids, capture):
    visit(page, f"{base_url}/captures/{ids[capture]}/raw")
    assert page.evaluate("document.contentType") == "text/plain"
    assert page.evaluate("document.querySelectorAll('script, img, svg, iframe').length") == 0
    assert "alert(" in page.inner_text("body")
    assert page.incidents == []


@pytest.mark.parametrize(
    "feed", ["/feed.atom", "/articles/{hostile}/feed.atom", "/articles/{older}/feed.atom"]
)
def test_feeds_opened_in_the_browser_run_nothing(page, base_url, ids, feed):
    url = base_url + feed.format(**ids)
    for shown in (url, "view-source:" + url):
        visit(page, shown)
        assert page.evaluate("document.querySelectorAll('img, iframe, svg, object, embed').length") == 0, (
            shown
        )
        assert (
            page.evaluate("document.getElementsByTagNameNS('http://www.w3.org/1999/xhtml', 'script').length")
            == 0
        )
    assert page.incidents == []


@pytest.mark.parametrize(
    "feed", ["/feed.atom", "/articles/{hostile}/feed.atom", "/articles/{older}/feed.atom"]
)
def test_a_feed_reader_rendering_the_entries_runs_nothing(browser, page, base_url, ids, feed):
    """A reader unescapes <content type="html"> once and renders it, often with no CSP of its own."""
    atom = ET.fromstring(page.request.get(base_url + feed.format(**ids)).body())
    entries = atom.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        page.set_content(f"<!doctype html><body>{entry.findtext(f'{ATOM}content')}</body>")
        page.wait_for_timeout(20)
        assert page.locator("img, iframe, svg, script, object, embed").count() == 0, entry.findtext(
            f"{ATOM}id"
        )
        for attribute in ("onerror", "onload", "onclick"):
            assert page.locator(f"[{attribute}]").count() == 0
        hrefs = page.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href'))")
        assert all(href.startswith(base_url) for href in hrefs), hrefs
    assert page.incidents == []
