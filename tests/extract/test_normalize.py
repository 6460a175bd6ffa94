"""Every normalisation rule: what must not count as a change."""

from datetime import UTC, datetime

from versioner.extract.html import Extracted
from versioner.extract.normalize import Article, fold, normalise


def article(*paragraphs: str, title: str = "Title", site: str = "") -> Article:
    return normalise(Extracted(title, "", None, None, paragraphs), site)


def test_unicode_is_composed_nfc():
    assert fold("Mu\u0308nchen") == "München"


def test_non_breaking_and_other_spaces_fold_to_one_blank():
    assert fold("5\u00a0km  and\u202fmore\t here") == "5 km and more here"


def test_zero_width_characters_and_soft_hyphens_vanish():
    assert fold("Sanie\u00adrungs\u200barbeiten\u2060") == "Sanierungsarbeiten"


def test_line_endings_unify_and_lines_are_trimmed():
    assert fold("  one \r\ntwo\rthree  ") == "one\ntwo\nthree"


def test_paragraph_structure_is_kept():
    assert article("First one.", "Second\none.").paragraphs == ("First one.", "Second\none.")


def test_template_debris_is_removed():
    assert article("Story {title && {title} } goes on.").text == "Story goes on."


def test_site_footer_line_is_dropped():
    normal = article("Real text.", "Es gibt neue Nachrichten auf Heute.atZur Startseite")
    assert normal.paragraphs == ("Real text.",)


def test_timestamp_line_becomes_metadata_not_text():
    normal = article(
        "Real text.",
        "{title && {title} } 20 Minuten, {title && {title} } Akt. 07.02.2025, 12:54, 07.02.2025, 12:35",
        site="heute.at",
    )
    assert normal.paragraphs == ("Real text.",)
    assert normal.byline == "20 Minuten"
    assert normal.updated == datetime(2025, 2, 7, 11, 54, tzinfo=UTC)
    assert normal.published == datetime(2025, 2, 7, 11, 35, tzinfo=UTC)


def test_byline_line_above_a_timestamp_becomes_the_byline():
    normal = article("Lead sentence here.\n20 Minuten\n07.02.2025, 12:35", site="20min.ch")
    assert normal.paragraphs == ("Lead sentence here.",)
    assert normal.byline == "20 Minuten"
    assert normal.published == datetime(2025, 2, 7, 11, 35, tzinfo=UTC)


def test_a_sentence_with_a_date_in_it_stays_text():
    assert article("Am 07.02.2025 wurde gewählt.").text == "Am 07.02.2025 wurde gewählt."


def test_same_words_with_invisible_differences_hash_equal():
    assert article("Ein\u00a0Satz\u00ad.").content_hash == article("Ein Satz.").content_hash


def test_byline_and_times_do_not_change_the_hash():
    plain = article("Text.")
    stamped = article("Text.", "Akt. 07.02.2025, 12:54")
    assert plain.content_hash == stamped.content_hash
