"""What the web tests share: a real database (snapshots/ plus a hostile and a reverted article) and helpers.

Imported by tests/test_web_*.py and tests/e2e/; plain functions, so each test module keeps its own fixtures.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

from helpers import text_capture

from versioner.ingest_files import ingest_paths
from versioner.store import Store
from versioner.versioning import ingest

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "snapshots"

KURSK_URL_PART = "heute.at"
HOSTILE_URL = "https://evil.example.org/a"
REVERT_URL = "https://news.example.org/harbour-plan"
HOSTILE_TITLE = "<script>alert(1)</script> Evil <img src=x onerror=alert(1)> headline"
HOSTILE_BODIES = (
    "Body with <script>alert(2)</script> and {{ 7*7 }} and <img src=x onerror=alert(2)>.",
    "Body changed with <script>alert(3)</script> and <img src=x onerror=alert(3)>.",
)
STORY = "Harbour plan approved\n\nThe council approved the harbour plan on Tuesday.\n\nWork starts in May."
EDITED = (
    "Harbour plan approved\n\nThe council approved the harbour plan on Tuesday night.\n\nWork starts in June."
)
# What must never reach an HTML page unescaped.
UNESCAPED = re.compile(r"<script>alert|<img src=x onerror")


def build_database(path: Path) -> Path:
    """snapshots/ ingested as `versioner ingest snapshots/` would, plus two articles of our own."""
    store = Store(path)
    try:
        summary = ingest_paths(store, [SNAPSHOTS])
        assert summary.count("new version") == 12, summary.describe()
        for minutes, body in zip((0, 60), HOSTILE_BODIES, strict=True):
            ingest(store, text_capture(f"{HOSTILE_TITLE}\n\n{body}", minutes, url=HOSTILE_URL))
        for minutes, body in ((0, STORY), (30, EDITED), (90, STORY)):  # version 3 reverts to version 1
            ingest(store, text_capture(body, minutes, url=REVERT_URL))
    finally:
        store.close()
    return path


def article_id(path: Path, url_part: str) -> int:
    """The id of the article whose URL contains url_part."""
    store = Store(path)
    try:
        [row] = [a for a in store.articles(limit=100) if url_part in a["url"]]
        return row["id"]
    finally:
        store.close()


def hrefs(html: str) -> list[str]:
    return re.findall(r"""href=["']([^"']+)["']""", html)


def hostile_pages(article: int) -> list[str]:
    """Every page that shows the hostile article's headline or text."""
    return [
        "/",
        f"/articles/{article}",
        f"/articles/{article}/versions/1",
        f"/articles/{article}/diff",
        f"/articles/{article}/diff?from=1&to=2&view=side",
        "/search?q=Evil",
        "/search?q=alert",
    ]


def start_tags(html: str) -> list[tuple[str, dict]]:
    """Every start tag of a document with its attributes; text, however hostile, is not a tag."""
    return _StartTags(html).tags


class _StartTags(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
