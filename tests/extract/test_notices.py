"""Correction and update notices found in a page's text and in its structured data."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from versioner.extract.notices import (
    LEADING_MARKS,
    NOTICE_PHRASES,
    notice_kind,
    structured_correction,
    text_notices,
)


@pytest.mark.parametrize(
    "paragraph, kind",
    [
        ("Correction: An earlier version of this article misstated the number of schools.", "correction"),
        ("An earlier version of this story gave the wrong date.", "correction"),
        ("This article was amended on 3 April 2025 to correct the name of the minister.", "correction"),
        ("*Update: the council has since replied.", "update"),
        ("Korrektur: In einer früheren Version hieß es, die Brücke koste 12 Millionen Euro.", "correction"),
        ("In einer früheren Version dieses Artikels stand ein falsches Datum.", "correction"),
        ("Rectificatif : une précédente version indiquait 40 écoles.", "correction"),
        ("Mise à jour : la mairie a répondu lundi.", "update"),
        ("Corrección: una versión anterior decía 40 escuelas.", "correction"),
        ("Rettifica: il sindaco non si è dimesso.", "correction"),
        ("In een eerdere versie van dit artikel stond een verkeerd bedrag.", "correction"),
        ("Correção: o texto dizia 40 escolas.", "correction"),
        ("Sprostowanie: w tekście podaliśmy błędną kwotę.", "correction"),
        ("Rättelse: I en tidigare version av artikeln stod fel siffra.", "correction"),
        ("Uppdatering: kommunen har svarat.", "update"),
    ],
)
def test_a_notice_paragraph_is_found_in_each_language(paragraph, kind):
    assert notice_kind(paragraph) == kind


@pytest.mark.parametrize(
    "paragraph",
    [
        "The ministry made a correction to its budget on Monday.",
        "Updates to the timetable will follow.",
        "Die Korrektur des Haushalts kostet 3 Millionen.",
    ],
)
def test_a_paragraph_that_only_mentions_the_word_is_no_notice(paragraph):
    assert notice_kind(paragraph) is None


def test_text_notices_keep_page_order():
    found = text_notices(["Intro.", "Update: the council replied.", "Correction: the date was wrong."])
    assert [n.kind for n in found] == ["update", "correction"]


def _json_ld(data) -> str:
    return f'<html><head><script type="application/ld+json">{json.dumps(data)}</script></head><body></body></html>'


def test_a_json_ld_correction_comment_is_read():
    html = _json_ld(
        {"@type": "NewsArticle", "correction": {"@type": "CorrectionComment", "text": "The date was wrong."}}
    )
    assert structured_correction(html) == "The date was wrong."


def test_a_json_ld_correction_inside_a_graph_is_read():
    html = _json_ld(
        {"@graph": [{"@type": "WebPage"}, {"@type": "NewsArticle", "correction": "Name corrected."}]}
    )
    assert structured_correction(html) == "Name corrected."


def test_a_microdata_correction_is_read():
    html = (
        '<html><body><article itemscope itemtype="https://schema.org/NewsArticle">'
        '<div itemprop="correction" itemscope itemtype="https://schema.org/CorrectionComment">'
        '<span itemprop="text">An earlier version named the wrong  minister.</span></div>'
        "</article></body></html>"
    )
    assert structured_correction(html) == "An earlier version named the wrong minister."


def test_a_page_without_a_correction_has_none():
    assert structured_correction(_json_ld({"@type": "NewsArticle", "dateModified": "2025-04-01"})) is None


def test_broken_json_ld_is_no_correction():
    html = '<html><head><script type="application/ld+json">{"correction": </script></head></html>'
    assert structured_correction(html) is None


def _notice_kind_phrase_by_phrase(paragraph: str) -> str | None:
    """The table's meaning, read one phrase at a time: the first phrase that opens the paragraph wins."""
    opening = LEADING_MARKS.sub("", paragraph[:200])
    for _, kind, phrase in NOTICE_PHRASES:
        if re.match(phrase, opening, re.IGNORECASE):
            return kind
    return None


OPENINGS = st.sampled_from(
    [
        "Correction:",
        "Update (",
        "update:",
        "Clarification :",
        "Mise à jour :",
        "KORREKTUR:",
        "Errata",
        "- [",
        "This story was updated",
        "This story has been corrected",
        "Rättelse",
        "màj:",
        "Anmerkung der Redaktion:",
    ]
)


@given(st.lists(st.one_of(OPENINGS, st.text(max_size=12)), max_size=4).map("".join))
def test_the_one_pattern_of_all_phrases_says_what_the_table_says(paragraph):
    assert notice_kind(paragraph) == _notice_kind_phrase_by_phrase(paragraph)
