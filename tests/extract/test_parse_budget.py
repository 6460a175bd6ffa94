"""No capture costs more than a bounded time to extract: markup over the budget is rejected before parsing.

Times are compared with a normal page measured in the same test, never with a number of seconds: the
machines that run the suite are too noisy for that.
"""

import time

import pytest
from helpers import PARAGRAPHS, T0

from versioner.capture import Capture
from versioner.extract.budget import FALLBACK_MAX_NODES, MAX_NODES, MAX_PARAGRAPHS, scan
from versioner.extract.html import extract
from versioner.store import Store
from versioner.versioning import ingest
from versioner.web import create_app

HEAD = "<html><head><title>Hostile page</title></head><body>"
# what a hostile page may cost beside a normal page: rejected ones are cheap, pages just under the limits
# take longer (at 40,000 elements trafilatura alone takes seconds)
REJECTED_FACTOR = 10
UNDER_LIMITS_FACTOR = 50


def _normal_page() -> bytes:
    """A long article with its navigation: 2,360 elements, about as many as the largest page of the corpus."""
    nav = "".join(f'<li><a href="/section/{i}" class="nav-link">Section {i}</a></li>' for i in range(300))
    text = " ".join(PARAGRAPHS)
    body = "".join(
        f'<section class="block"><h2>Part {i}</h2><div class="row"><p class="text">{text} Paragraph {i}.</p>'
        f'<p><span>Note</span> <a href="/n/{i}">{PARAGRAPHS[i % 3]}</a></p></div></section>'
        for i in range(250)
    )
    return (
        f"<!doctype html><html><head><title>Council debates harbour plan</title></head><body><nav><ul>{nav}</ul>"
        f"</nav><article><h1>Council debates harbour plan</h1>{body}</article><footer>Imprint</footer></body></html>"
    ).encode()


def _seconds(raw: bytes):
    started = time.perf_counter()
    got = extract(raw, "html")
    return time.perf_counter() - started, got


@pytest.fixture(scope="module")
def normal_seconds() -> float:
    _seconds(_normal_page())  # trafilatura's first call loads its models: not part of the measure
    return min(_seconds(_normal_page())[0] for _ in range(2))


def _attributes(count: int, value: str = "") -> str:
    return " ".join(f"a{i}{value}" for i in range(count))


OVER_BUDGET = {
    "64,000 attributes on one element": HEAD + f"<div {_attributes(64_000)}>text</div>",
    "200,000 attributes with values on one element": HEAD + f"<div {_attributes(200_000, '=v')}>text</div>",
    "attributes hidden after a quoted '>'": HEAD + f'<div title="a>b" {_attributes(64_000)}>text</div>',
    "attributes on an end tag": HEAD + f"<p>text</p></p {_attributes(64_000)}>",
    "500,000 unclosed paragraphs": HEAD + "<p>word " * 500_000,
    "250,000 small blocks": HEAD + "<div><p>word</p></div>" * 250_000,
    "many tags just under the attributes of one tag": HEAD + f"<i {_attributes(999)}>t</i>" * 400,
    "comments": HEAD + "<p>text</p>" + "<!---->" * 100_000,
}


@pytest.mark.parametrize("html", OVER_BUDGET.values(), ids=OVER_BUDGET.keys())
def test_markup_over_the_budget_is_rejected_quickly_with_its_reason(html, normal_seconds):
    seconds, got = _seconds(html.encode())
    assert got.rejection.startswith("over the extraction budget: more than")
    assert got.title == "Hostile page" and got.paragraphs == ()
    assert seconds < REJECTED_FACTOR * normal_seconds


UNDER_LIMITS = {
    # trafilatura's own extractor, at the limit of elements
    "small blocks just under the element limit": HEAD + "<div><p>word</p></div>" * ((MAX_NODES - 10) // 2),
    # the fallback extractors still run here: justext's neighbour search is quadratic in the blocks
    "small blocks just under the fallback limit": HEAD
    + "<div><p>word</p></div>" * ((FALLBACK_MAX_NODES - 10) // 2),
}


@pytest.mark.parametrize("html", UNDER_LIMITS.values(), ids=UNDER_LIMITS.keys())
def test_markup_just_under_the_limits_is_extracted_in_bounded_time(html, normal_seconds):
    seconds, got = _seconds(html.encode())
    assert got.rejection is None and got.paragraphs
    assert seconds < UNDER_LIMITS_FACTOR * normal_seconds


CHEAP_REGARDLESS = {
    "deep nesting": HEAD + "<div>" * (MAX_NODES - 10) + "deep",
    "comments before a page that is not HTML": "<!--a-->" * 40 + "not html",
    "a declared-time name repeated without a tag end": HEAD + "property='article:published_time' " * 9_000,
    "a <title> repeated without its end": "<html><title>" * 9_000,
}


@pytest.mark.parametrize("html", CHEAP_REGARDLESS.values(), ids=CHEAP_REGARDLESS.keys())
def test_markup_that_once_backtracked_is_read_in_bounded_time(html, normal_seconds):
    seconds, _ = _seconds(html.encode())
    assert seconds < REJECTED_FACTOR * normal_seconds


def test_capture_over_the_budget_is_kept_as_rejected_with_its_reason(store):
    raw = OVER_BUDGET["64,000 attributes on one element"].encode()
    capture = Capture(raw=raw, url="https://news.example.org/hostile", fetched_at=T0, source="test")
    result = ingest(store, capture)
    assert result.status == "rejected"
    assert result.reason == "over the extraction budget: more than 1,000 attributes on one tag"
    (kept,) = store.captures(result.article_id)
    assert kept["status"] == "rejected" and kept["reason"] == result.reason
    assert store.raw_captures.get(kept["raw_hash"]) == raw
    assert store.versions(result.article_id) == []


def test_a_plain_text_of_too_many_paragraphs_is_rejected_quickly_with_its_reason(normal_seconds):
    raw = ("Headline\n\n" + "A short paragraph.\n\n" * (MAX_PARAGRAPHS + 1)).encode()
    started = time.perf_counter()
    got = extract(raw, "text")
    assert time.perf_counter() - started < REJECTED_FACTOR * normal_seconds
    assert got.rejection == f"over the extraction budget: more than {MAX_PARAGRAPHS:,} paragraphs"
    assert got.title == "Headline" and got.paragraphs == ()


def test_script_and_style_text_is_not_counted_as_markup():
    script = "<script>var s = '" + "<b a=1>" * (MAX_NODES + 1) + "';</script>"
    style = "<style>" + "<i " + _attributes(2_000) + ">" + "</style>"
    assert scan(HEAD + script + style + "<p>text</p>").over_budget is None


def test_no_snapshot_of_the_corpus_is_near_a_limit(corpus):
    files = [path for path in corpus.rglob("v*.*") if path.suffix != ".json"]
    pages = [path for path in files if path.suffix in (".html", ".htm")]
    assert pages
    for path in pages:
        markup = scan(path.read_text(encoding="utf-8-sig"))
        assert markup.over_budget is None, path
        assert markup.fallback, path  # extracted exactly as before the budget
    for path in set(files) - set(pages):
        assert extract(path.read_bytes(), "text").rejection is None, path


def test_an_upload_over_the_budget_is_answered_quickly_and_kept_as_rejected(tmp_path, normal_seconds):
    token = "s3cret-token-for-tests"
    db = tmp_path / "versioner.db"
    client = create_app({"DATABASE": str(db), "TESTING": True, "API_TOKEN": token}).test_client()
    started = time.perf_counter()
    answer = client.post(
        "/api/captures",
        query_string={"url": "https://news.example.org/hostile", "fetched_at": "2025-02-07T10:00:00Z"},
        data=OVER_BUDGET["500,000 unclosed paragraphs"].encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/html; charset=utf-8"},
    )
    assert time.perf_counter() - started < REJECTED_FACTOR * normal_seconds + 1  # + the request itself
    assert answer.status_code < 300, answer.get_data(as_text=True)
    store = Store(db)
    try:
        [kept] = store.captures(store.article_id_for_url("https://news.example.org/hostile"))
    finally:
        store.close()
    assert (kept["status"], kept["reason"]) == (
        "rejected",
        f"over the extraction budget: more than {MAX_NODES:,} elements",
    )
