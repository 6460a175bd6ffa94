"""End to end in headless Chromium (Debian's package): the real app on waitress, used as a reader would."""

import re

import pytest
from web_fixtures import HOSTILE_URL, KURSK_URL_PART, article_id, build_database, hostile_pages

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return build_database(tmp_path_factory.mktemp("e2e") / "versioner.db")


@pytest.fixture
def page(browser):
    """A desktop-sized tab that records dialogs, page errors and console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.incidents = []
    tab.on("dialog", lambda dialog: (tab.incidents.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    tab.on("pageerror", lambda error: tab.incidents.append(f"page error: {error}"))
    tab.on("console", lambda msg: msg.type == "error" and tab.incidents.append(f"console: {msg.text}"))
    yield tab
    context.close()


def test_reader_goes_from_the_home_page_to_the_seed_diff_and_steps_through_it(page, base_url, db_path):
    kursk = article_id(db_path, KURSK_URL_PART)
    page.goto(base_url + "/")
    page.get_by_role("link", name=re.compile("Russen in Panik")).click()
    page.wait_for_url(f"{base_url}/articles/{kursk}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Russen in Panik")

    page.get_by_role("link", name="See what changed").click()  # version 2 (12:54) against version 1 (12:35)
    page.wait_for_url(re.compile(rf"/articles/{kursk}/diff/[0-9a-f]{{12}}\.\.[0-9a-f]{{12}}$"))
    inserted = page.locator(".cell-inline ins, .cell-keep ins").filter(has_text="Sluzki").first
    assert inserted.is_visible()
    assert inserted.evaluate("el => getComputedStyle(el).textDecorationLine") == "underline"

    page.get_by_role("link", name="Side by side").click()
    diff = page.locator("#diff")
    assert "view-side" in diff.get_attribute("class")
    assert page.url.endswith("?view=side")  # the toggle keeps the URL shareable
    assert page.locator(".cell-new ins").filter(has_text="Sluzki").first.is_visible()
    assert not page.locator(".cell-inline").first.is_visible()
    columns = page.locator(".blk-inserted").first.evaluate("el => getComputedStyle(el).gridTemplateColumns")
    assert len(columns.split()) == 2

    changes = page.locator("[data-change]")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == "c1"
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == "c2"
    page.keyboard.press("n")
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == "c2"
    assert page.locator("[data-position]").inner_text() == f"Change 2 of {changes.count()}"
    page.keyboard.press("p")
    assert page.evaluate("document.activeElement.id") == "c1"
    assert page.incidents == []


def test_the_diff_works_without_javascript(browser, base_url, db_path):
    kursk = article_id(db_path, KURSK_URL_PART)
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(f"{base_url}/articles/{kursk}/diff?from=1&to=2")
        tab.get_by_role("link", name="Side by side").click()
        assert "view-side" in tab.locator("#diff").get_attribute("class")
        tab.locator("select[name=from]").select_option("2")
        tab.locator("select[name=to]").select_option("1")
        tab.get_by_role("button", name="Compare").click()
        assert tab.url.endswith(f"/articles/{kursk}/diff?from=2&to=1&view=side")
        assert tab.locator(".cell-old del").filter(has_text="Sluzki").first.is_visible()
    finally:
        context.close()


def test_hostile_article_executes_nothing_anywhere(page, base_url, db_path):
    hostile = article_id(db_path, HOSTILE_URL)
    for path in hostile_pages(hostile):
        page.goto(base_url + path)
        page.wait_for_load_state("load")
        assert "<script>alert" in page.inner_text("body"), path  # shown as text
        assert page.locator("img").count() == 0, path
        assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0, path
    assert page.incidents == []


def test_pages_fit_a_phone_screen(browser, base_url, db_path):
    kursk = article_id(db_path, KURSK_URL_PART)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    tab = context.new_page()
    try:
        for path in (
            "/",
            f"/articles/{kursk}",
            f"/articles/{kursk}/versions/2",
            f"/articles/{kursk}/diff?from=1&to=2",
            f"/articles/{kursk}/diff?from=1&to=2&view=side",
            "/search?q=Kursk",
        ):
            tab.goto(base_url + path)
            assert tab.evaluate("document.documentElement.scrollWidth") <= 390, path
    finally:
        context.close()
