"""Which subscriptions a change concerns: the filters of `notify add`, each on its own."""

from versioner.notify.matching import Change, matches

EVERY = {
    "article_ids": [],
    "sites": [],
    "words": [],
    "headline_only": False,
    "min_words": 0,
    "backfill": False,
}


def change(**fields) -> Change:
    base = dict(
        article_id=1,
        site="news.example.org",
        title_changed=False,
        words_added=3,
        words_removed=1,
        added=("after a long debate",),
        removed=("soon",),
        backfill=False,
    )
    return Change(**{**base, **fields})


def test_no_filter_matches_every_change():
    assert matches(EVERY, change())


def test_words_match_whole_words_in_any_case_added_or_removed():
    assert matches({**EVERY, "words": ["DEBATE"]}, change())
    assert matches({**EVERY, "words": ["soon"]}, change())
    assert not matches({**EVERY, "words": ["deb"]}, change())


def test_a_phrase_matches_across_any_spacing():
    assert matches({**EVERY, "words": ["long debate"]}, change(added=("a long\ndebate",)))


def test_any_of_several_words_is_enough():
    assert matches({**EVERY, "words": ["postponed", "debate"]}, change())


def test_words_in_the_unchanged_text_do_not_match():
    assert not matches({**EVERY, "words": ["council"]}, change())


def test_site_and_article_filters_name_what_they_follow():
    assert matches({**EVERY, "sites": ["NEWS.example.org"]}, change())
    assert not matches({**EVERY, "sites": ["other.example.org"]}, change())
    assert not matches({**EVERY, "article_ids": [2]}, change())


def test_headline_only_wants_a_changed_headline():
    assert not matches({**EVERY, "headline_only": True}, change())
    assert matches({**EVERY, "headline_only": True}, change(title_changed=True))


def test_min_words_counts_added_and_removed():
    assert matches({**EVERY, "min_words": 4}, change())
    assert not matches({**EVERY, "min_words": 5}, change())


def test_a_backfill_reaches_only_subscriptions_that_ask_for_it():
    assert not matches(EVERY, change(backfill=True))
    assert matches({**EVERY, "backfill": True}, change(backfill=True))
