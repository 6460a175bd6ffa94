"""The insight tests' fixtures: an article stored from versions written as lists of paragraphs."""

import pytest
from helpers import ingest_all, text_capture
from insight_fixtures import URL, body


@pytest.fixture
def archive(store):
    """archive(versions, title=...) stores each version an hour after the one before; the article row."""

    def stored(
        versions: list[list[str]], title: str = "Port strike begins", titles: list[str] | None = None
    ) -> dict:
        captures = [
            text_capture(body(titles[k] if titles else title, paragraphs), minutes=60 * k, url=URL)
            for k, paragraphs in enumerate(versions)
        ]
        ingest_all(store, captures)
        return store.article(URL)

    return stored
