"""Search queries are read as texts are: invisible characters a stored text lost cannot hide a match,
and no character a user types reaches FTS5 as a malformed query."""

import pytest
from helpers import ingest_all, text_capture

from versioner.errors import SearchSyntaxError
from versioner.search_results import search
from versioner.store.search_index import MAX_TERMS, fts_terms
from versioner.web import create_app

STORY = (
    "Bundestag debates the harbour plan\n\n"
    "The Bundes\u00adtag met on Tuesday to discuss the har\u200bbour plan and its costs in detail.\n\n"
    "The mayor said the first phase would start in May."
)


@pytest.fixture
def archive(store):
    ingest_all(store, [text_capture(STORY)])
    return store


def _urls(store, query: str) -> list[str]:
    return [hit["url"] for hit in search(store, query)[1]]


@pytest.mark.parametrize(
    "query",
    [
        "Bundes\u00adtag",
        "har\u200bbour",
        "\ufeffharbour",
        "har\u2060bour\u200d",
        "Bundes\u00adtag har\u00adbour",
    ],
    ids=["soft hyphen", "zero-width space", "byte-order mark", "word joiner", "several words"],
)
def test_a_query_word_with_invisible_characters_finds_the_text_that_lost_them(archive, query):
    assert _urls(archive, query) == ["https://news.example.org/story"]


def test_a_phrase_with_a_soft_hyphen_finds_the_text_too(archive):
    assert _urls(archive, '"the har\u00adbour plan"') == ["https://news.example.org/story"]


def test_a_query_with_odd_spaces_reads_them_as_blanks(archive):
    assert _urls(archive, "harbour\u00a0plan\u2028mayor\u3000May") == ["https://news.example.org/story"]


def test_a_nul_inside_a_word_is_dropped_as_decoding_drops_it(archive):
    assert _urls(archive, "har\x00bour") == ["https://news.example.org/story"]


CONTROLS = [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]]


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_no_control_character_makes_a_query_malformed(archive, control):
    for query in (f"harbour{control}", f'"har{control}bour plan"', f"{control}*", control, f'{control}"'):
        search(archive, query)  # never SearchSyntaxError


def test_a_lone_surrogate_from_undecodable_arguments_is_a_separator(archive):
    assert _urls(archive, "harbour\udcff") == ["https://news.example.org/story"]


def test_a_query_of_only_invisible_characters_finds_nothing_without_an_error(archive):
    assert fts_terms("\x00\u00ad\u200b\ufeff") == []
    assert search(archive, "\x00\u00ad\u200b") == (0, [])


def test_the_api_answers_a_query_with_a_nul_instead_of_a_400(archive):
    client = create_app({"DATABASE": str(archive.path), "TESTING": True}).test_client()
    answer = client.get("/api/search", query_string={"q": "har\x00bour plan"})
    assert answer.status_code == 200
    assert [hit["url"] for hit in answer.get_json()["results"]] == ["https://news.example.org/story"]


def test_a_search_of_the_most_words_a_search_box_holds_is_answered(archive):
    assert search(archive, "harbour " * MAX_TERMS) == search(archive, "harbour")


def test_a_search_of_too_many_words_is_refused_with_the_limit_not_an_sqlite_message(archive):
    with pytest.raises(SearchSyntaxError, match=f"at most {MAX_TERMS} words or phrases, this one has 600"):
        search(archive, "w " * 600)
