"""The outlet pages in a real browser, at desktop and phone width: charts drawn, nothing blocked, no sideways scroll."""

from datetime import timedelta

import pytest
from helpers import T0

from versioner.capture import Capture
from versioner.store import Store
from versioner.versioning import ingest

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
STORY = ["The council approved the harbour budget on Monday.", "It funds a new quay.", "Work starts in May."]


def page_html(paragraphs, title, modified=None) -> bytes:
    stamp = f'<meta property="article:modified_time" content="{modified}">' if modified else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>{title}</title>{stamp}</head><body><article><h1>{title}</h1>{body}</article></body></html>".encode()


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    """Three outlets: one that corrects openly, one that edits silently, one that rarely edits."""
    path = tmp_path_factory.mktemp("sites-e2e") / "versioner.db"
    store = Store(path)
    for site, articles, style in (
        ("www.harbourtimes.example", 6, "notice"),
        ("www.quaypost.example", 5, "silent"),
        ("news.ferrydaily.example", 4, "rare"),
    ):
        for a in range(articles):
            url = f"https://{site}/news/story-{a + 1}00{a}777"
            at = T0 + timedelta(hours=a)
            ingest(store, Capture(page_html(STORY, f"Story {a}"), url, at, "t", kind_hint="html"))
            if style == "rare" and a % 2:
                continue
            for e, hours in enumerate((1 + a, 20 + 7 * a)):
                text = [STORY[0].replace("Monday", f"day {e} of {a}"), *STORY[1:]]
                if style == "notice" and e == 0:
                    text.append("Correction: an earlier version gave the wrong day.")
                title = f"Story {a}" if e == 0 else f"Story {a}, updated"
                ingest(
                    store,
                    Capture(page_html(text, title), url, at + timedelta(hours=hours), "t", kind_hint="html"),
                )
    store.close()
    return path


@pytest.fixture(params=sorted(WIDTHS))
def tab(browser, request):
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    opened = context.new_page()
    opened.width_name = request.param
    opened.incidents = []
    opened.on("pageerror", lambda error: opened.incidents.append(f"page error: {error}"))
    opened.on("console", lambda msg: msg.type == "error" and opened.incidents.append(f"console: {msg.text}"))
    yield opened
    context.close()


@pytest.mark.parametrize("path", ["/sites", "/sites/harbourtimes.example"])
def test_outlet_pages_draw_their_charts_without_sideways_scroll(tab, base_url, path, tmp_path_factory):
    tab.goto(base_url + path)
    chart = tab.locator("svg.bar-chart").first
    assert chart.is_visible() and chart.bounding_box()["width"] > 200
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert tab.incidents == []  # a CSP violation is a console error
    name = path.strip("/").replace("/", "-").replace(".", "-")
    tab.screenshot(path=str(tmp_path_factory.getbasetemp() / f"{name}-{tab.width_name}.png"), full_page=True)
