"""Search that stays fast as the archive grows: newest articles first, counts bounded, every term in one
version, phrases within a paragraph, the rarest term read first (versioner/store/search_index.py)."""

from helpers import ingest_all, text_capture

from versioner.search_results import count_text, search
from versioner.store import search_index
from versioner.web import create_app


def _articles(store, bodies: list[str]) -> None:
    """One article per body, each a minute after the one before, in this order."""
    ingest_all(
        store,
        [
            text_capture(f"Story {n}\n\n{body}", n, url=f"https://news.example.org/{n}")
            for n, body in enumerate(bodies)
        ],
    )


def test_results_come_newest_article_first(store):
    _articles(store, ["The ferry sailed.", "The ferry was late.", "The ferry sank."])
    _, hits = search(store, "ferry")
    assert [hit["url"] for hit in hits] == [f"https://news.example.org/{n}" for n in (2, 1, 0)]


def test_an_older_article_changed_later_keeps_its_place_among_the_newest_first(store):
    _articles(store, ["The ferry sailed.", "The ferry was late."])
    ingest_all(
        store, [text_capture("Story 0\n\nThe ferry sailed at dawn.", 10, url="https://news.example.org/0")]
    )
    _, hits = search(store, "ferry")
    assert [(hit["url"], hit["matching"]) for hit in hits] == [
        ("https://news.example.org/1", [1]),
        ("https://news.example.org/0", [1, 2]),
    ]


def test_a_count_under_the_limit_is_exact(store):
    _articles(store, ["The ferry sailed.", "The ferry was late."])
    total, _ = search(store, "ferry")
    assert (total, total.exact, count_text(total)) == (2, True, "2 articles")


def test_a_count_past_the_limit_is_a_lower_bound_that_says_more_than(store, monkeypatch):
    monkeypatch.setattr(search_index, "COUNT_LIMIT", 3)
    _articles(store, [f"The ferry sailed on day {n}." for n in range(5)])
    total, hits = search(store, "ferry", limit=2)
    assert (total, total.exact, count_text(total)) == (3, False, "more than 3 articles")
    assert len(hits) == 2


def test_pages_of_results_follow_each_other_without_a_gap_or_a_repeat(store):
    _articles(store, [f"The ferry sailed on day {n}." for n in range(7)])
    pages = [search(store, "ferry", limit=3, offset=offset)[1] for offset in (0, 3, 6)]
    urls = [hit["url"] for page in pages for hit in page]
    assert urls == [f"https://news.example.org/{n}" for n in range(6, -1, -1)]


def test_every_term_must_be_in_one_version_even_in_different_paragraphs(store):
    _articles(store, ["The ferry sailed.\n\nThe mayor waved.", "The ferry sailed.", "The mayor waved."])
    _, hits = search(store, "ferry mayor")
    assert [hit["url"] for hit in hits] == ["https://news.example.org/0"]


def test_terms_in_two_versions_but_never_in_one_do_not_match(store):
    ingest_all(
        store,
        [
            text_capture("Story\n\nThe ferry sailed.", 0),
            text_capture("Story\n\nThe mayor waved.", 10),
        ],
    )
    assert search(store, "ferry mayor") == (0, [])


def test_a_phrase_matches_within_one_paragraph_not_across_two(store):
    _articles(store, ["The ferry sailed.\n\nLate again.", "The ferry sailed late again."])
    _, hits = search(store, '"sailed late"')
    assert [hit["url"] for hit in hits] == ["https://news.example.org/1"]


def test_a_rare_word_beside_a_common_one_is_found_past_the_articles_the_common_one_fills(store, monkeypatch):
    monkeypatch.setattr(search_index, "CHECK_LIMIT", 3)
    _articles(store, ["The ferry met the zebra."] + [f"The ferry sailed on day {n}." for n in range(10)])
    total, hits = search(store, "ferry zebra")
    assert (total, total.exact) == (1, True)
    assert hits[0]["url"] == "https://news.example.org/0"


def test_a_search_that_checks_too_many_articles_stops_with_a_lower_bound(store, monkeypatch):
    monkeypatch.setattr(search_index, "CHECK_LIMIT", 3)
    monkeypatch.setattr(search_index, "RARITY_PROBE", 1)  # both words look equally common
    _articles(
        store, ["The ferry sailed.\n\nThe mayor waved."] + [f"The ferry sailed on day {n}." for n in range(5)]
    )
    total, _ = search(store, "ferry mayor")
    assert total.exact is False


def test_the_api_and_the_page_say_a_bounded_count_as_such(store, monkeypatch):
    monkeypatch.setattr(search_index, "COUNT_LIMIT", 2)
    _articles(store, [f"The ferry sailed on day {n}." for n in range(4)])
    client = create_app({"DATABASE": store.path, "TESTING": True}).test_client()
    body = client.get("/api/search?q=ferry").get_json()
    assert (body["total"], body["total_exact"]) == (2, False)
    assert "more than 2 articles found" in client.get("/search?q=ferry").get_data(as_text=True)
