"""Blame: since which version each paragraph and sentence has stood in exactly this wording."""

import pytest
from insight_fixtures import PORT, STRIKE

from versioner.errors import NotInArchive
from versioner.insight.blame import blame

A, B, C = STRIKE
D = PORT


def since(data: dict) -> list[int]:
    return [p["since"] for p in data["paragraphs"]]


def test_each_paragraph_gives_the_version_it_first_appeared_in(store, archive):
    article = archive([[A, B], [A, B, C]])
    assert since(blame(store, article)) == [1, 1, 2]


def test_a_moved_paragraph_keeps_its_age(store, archive):
    article = archive([[A, B, C], [A, B, C, D], [A, D, C, B]])
    assert since(blame(store, article)) == [1, 2, 1, 1]


def test_an_edited_paragraph_is_new_but_its_unchanged_sentence_keeps_its_age(store, archive):
    article = archive([[f"{A} {B}"], [f"{A} {B.replace('6', '8')}"]])
    paragraph = blame(store, article)["paragraphs"][0]
    assert (paragraph["since"], [s["since"] for s in paragraph["sentences"]]) == (2, [1, 2])


def test_a_paragraph_removed_and_put_back_stands_from_its_return(store, archive):
    article = archive([[A, B], [A], [A, B]])
    assert since(blame(store, article)) == [1, 3]


def test_first_seen_is_the_time_of_the_version_it_stands_since(store, archive):
    article = archive([[A], [A, B]])
    versions = store.versions(article["id"])
    assert [p["first_seen"] for p in blame(store, article)["paragraphs"]] == [
        versions[0].first_seen,
        versions[1].first_seen,
    ]


def test_blame_of_an_earlier_version_ignores_the_later_ones(store, archive):
    article = archive([[A], [A, B], [B]])
    assert blame(store, article, 2) == {
        "article": article["id"],
        "n": 2,
        "paragraphs": [
            {
                "text": A,
                "since": 1,
                "first_seen": store.versions(article["id"])[0].first_seen,
                "sentences": [
                    {"text": A, "since": 1, "first_seen": store.versions(article["id"])[0].first_seen}
                ],
            },
            {
                "text": B,
                "since": 2,
                "first_seen": store.versions(article["id"])[1].first_seen,
                "sentences": [
                    {"text": B, "since": 2, "first_seen": store.versions(article["id"])[1].first_seen}
                ],
            },
        ],
    }


def test_a_version_past_the_last_is_not_in_the_archive(store, archive):
    article = archive([[A]])
    with pytest.raises(NotInArchive, match="versions 1 to 1"):
        blame(store, article, 2)
