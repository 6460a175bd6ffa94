"""The blame page and the article's timeline in headless Chromium: they fit a phone and break no CSP rule."""

import pytest
from helpers import corpus_series, ingest_all

from versioner.store import Store

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    from helpers import CORPUS

    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (set VERSIONER_CORPUS)")
    path = tmp_path_factory.mktemp("insight-e2e") / "versioner.db"
    store = Store(path)
    ingest_all(store, corpus_series(CORPUS, "pga-versions", "bluesky-terms-of-service-md"))
    store.close()
    return path


PATHS = ("/articles/1", "/articles/1/blame", "/articles/1/blame/2")


def test_the_blame_page_and_the_timeline_fit_a_phone_screen(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    tab = context.new_page()
    try:
        widths = {}
        for path in PATHS:
            tab.goto(base_url + path)
            widths[path] = tab.evaluate("document.documentElement.scrollWidth")
        assert widths == dict.fromkeys(PATHS, 390)
    finally:
        context.close()


def test_the_blame_page_and_the_timeline_break_no_content_security_rule(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors = []
    tab.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    try:
        drawn = []
        for path in PATHS:
            tab.goto(base_url + path)
            drawn.append(tab.locator("svg.timeline-chart rect.tl-added").count() > 0)
        assert (drawn, errors) == ([True, False, False], [])
    finally:
        context.close()
