"""The diff engine, behaviour by behaviour: word ops, paragraph blocks, stats, limits."""

import json
import time
import unicodedata

import pytest

from versioner.diff import tokens
from versioner.diff.engine import diff_text, diff_versions, diff_words
from versioner.diff.tokens import choose_backend, fast_backend, pure_backend, tokenize

LEDE = "Die ukrainische Armee ist bei Kursk durch die russische Frontlinie gebrochen."
SECOND = "Damit bedrohen die ukrainischen Truppen die russischen Kräfte auch von hinten."
THIRD = "Russland hatte die Ukraine im Februar 2022 überfallen und führt seither Krieg."
FOURTH = "Der Kreml hat bislang nur Kontakte zwischen der russischen und der US-Seite bestätigt."


def body(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


def sides(ops) -> tuple[str, str]:
    old = "".join(text for op, text in ops if op != "+")
    new = "".join(text for op, text in ops if op != "-")
    return old, new


def text_diff(old: str, new: str):
    return diff_versions("", "", old, "", "", new)


def test_number_change_is_a_token_change():
    assert diff_text("5 km", "7 km") == [("-", "5"), ("+", "7"), ("=", " km")]


def test_changed_word_is_replaced_whole_never_cut():
    assert diff_text("Das Haus brennt", "Das Häuschen brennt") == [
        ("=", "Das "),
        ("-", "Haus"),
        ("+", "Häuschen"),
        ("=", " brennt"),
    ]


def test_combining_mark_stays_in_its_word():
    assert tokenize("Cafe\u0301 au lait") == ["Cafe\u0301", " ", "au", " ", "lait"]
    assert diff_text("Cafe\u0301 noir", "Cafe noir") == [("-", "Cafe\u0301"), ("+", "Cafe"), ("=", " noir")]


def test_punctuation_and_emoji_are_tokens_of_their_own():
    assert tokenize("Ja, 🎉!") == ["Ja", ",", " ", "🎉", "!"]


def test_mark_class_covers_every_combining_mark():
    every_mark = [chr(cp) for cp in range(0x110000) if unicodedata.category(chr(cp))[0] == "M"]
    assert all(tokens.WORD.fullmatch(mark) for mark in every_mark)


def test_identical_texts_give_one_equal_piece():
    assert diff_text(body(LEDE, SECOND), body(LEDE, SECOND)) == [("=", body(LEDE, SECOND))]


def test_empty_texts_give_no_ops():
    assert diff_text("", "") == []
    assert text_diff("", "").stats["kind"] == "none"


def test_text_from_nothing_is_one_insertion():
    assert diff_text("", body(LEDE, SECOND)) == [("+", body(LEDE, SECOND))]


def test_one_word_article():
    assert diff_text("Eilmeldung", "Eilmeldungen") == [("-", "Eilmeldung"), ("+", "Eilmeldungen")]


def test_headline_change_is_reported_in_title_ops():
    result = diff_versions("Ukraine rückt 5 km vor", "AFP", LEDE, "Ukraine rückt 7 km vor", "AFP", LEDE)
    assert result.title == (("=", "Ukraine rückt "), ("-", "5"), ("+", "7"), ("=", " km vor"))
    assert result.byline == (("=", "AFP"),)
    assert result.ops == (("=", LEDE),)
    assert (result.stats["kind"], result.stats["summary"]) == ("headline", "Headline changed")


def test_byline_only_change_is_an_edit():
    result = diff_versions("T", "Anna Muster", LEDE, "T", "Anna Muster und Ben Beispiel", LEDE)
    assert (result.stats["kind"], result.stats["summary"]) == ("edit", "Byline changed")


def test_moved_paragraph_is_detected_as_a_move():
    result = text_diff(body(LEDE, SECOND, THIRD, FOURTH), body(FOURTH, LEDE, SECOND, THIRD))
    assert [(b.op, b.old_index, b.new_index) for b in result.blocks] == [
        ("moved", 3, 0),
        ("equal", 0, 1),
        ("equal", 1, 2),
        ("equal", 2, 3),
    ]
    assert result.blocks[0].ops == (("=", FOURTH),)
    assert (result.stats["kind"], result.stats["summary"]) == ("reorder", "Paragraph moved")


def test_moved_paragraph_keeps_its_small_edits():
    edited = FOURTH.replace("bislang nur", "bisher nur")
    result = text_diff(body(LEDE, SECOND, THIRD, FOURTH), body(edited, LEDE, SECOND, THIRD))
    moved = result.blocks[0]
    assert (moved.op, moved.old_index, moved.new_index) == ("moved", 3, 0)
    assert ("-", "bislang") in moved.ops and ("+", "bisher") in moved.ops


def test_moved_paragraph_in_flat_ops_is_deleted_there_and_inserted_here():
    ops = diff_text(body(LEDE, SECOND, THIRD, FOURTH), body(FOURTH, LEDE, SECOND, THIRD))
    assert ops == [("+", FOURTH + "\n\n"), ("=", body(LEDE, SECOND, THIRD)), ("-", "\n\n" + FOURTH)]


def test_deleted_paragraph_is_a_deleted_block():
    result = text_diff(body(LEDE, SECOND, THIRD), body(LEDE, THIRD))
    assert [(b.op, b.old_index, b.new_index) for b in result.blocks] == [
        ("equal", 0, 0),
        ("deleted", 1, None),
        ("equal", 2, 1),
    ]
    assert result.ops == (("=", LEDE + "\n\n"), ("-", SECOND + "\n\n"), ("=", THIRD))
    assert (result.stats["kind"], result.stats["summary"]) == ("deletion", "Paragraph removed")


def test_inserted_paragraphs_are_inserted_blocks():
    result = text_diff(body(LEDE, THIRD), body(LEDE, SECOND, FOURTH, THIRD))
    assert [b.op for b in result.blocks] == ["equal", "inserted", "inserted", "equal"]
    assert result.ops == (("=", LEDE + "\n\n"), ("+", body(SECOND, FOURTH) + "\n\n"), ("=", THIRD))
    assert (result.stats["kind"], result.stats["summary"]) == ("addition", "2 paragraphs added")


def test_edited_paragraph_is_changed_in_place_with_word_ops():
    edited = LEDE.replace("ukrainische Armee", "ukrainische Armee nach eigenen Angaben")
    result = text_diff(body(LEDE, SECOND), body(edited, SECOND))
    changed = result.blocks[0]
    assert (changed.op, changed.old_index, changed.new_index) == ("changed", 0, 0)
    assert ("+", "nach eigenen Angaben ") in changed.ops
    assert (result.stats["kind"], result.stats["summary"]) == ("addition", "3 words added")


def test_unrelated_paragraph_is_deleted_and_inserted_not_paired():
    result = text_diff(body(LEDE, SECOND), body(LEDE, FOURTH))
    assert [b.op for b in result.blocks] == ["equal", "deleted", "inserted"]


def test_blocks_rebuild_both_sides_paragraphs():
    old = body(LEDE, SECOND, THIRD, FOURTH)
    new = body(FOURTH.replace("nur", "erst"), LEDE, THIRD.replace("2022", "2022 völkerrechtswidrig"), "Neu.")
    blocks = text_diff(old, new).blocks
    by_old = sorted((b for b in blocks if b.old_index is not None), key=lambda b: b.old_index)
    assert [sides(b.ops)[0] for b in by_old] == old.split("\n\n")
    assert [sides(b.ops)[1] for b in blocks if b.new_index is not None] == new.split("\n\n")


def test_typo_fix_is_named():
    result = text_diff(body("Die Regirung in Kiew", SECOND), body("Die Regierung in Kiew", SECOND))
    assert (result.stats["kind"], result.stats["summary"]) == ("typo", "Typo fix")


def test_a_changed_number_is_an_edit_not_a_typo():
    result = text_diff("Die Truppen rückten 5 km vor.", "Die Truppen rückten 7 km vor.")
    assert (result.stats["kind"], result.stats["summary"]) == ("edit", "1 word changed")


def test_several_changed_words_are_counted():
    old = "Die Truppen rückten am Montag 5 km vor."
    new = "Die Truppen rückten am Dienstag 7 Kilometer vor."
    stats = text_diff(old, new).stats
    assert (stats["kind"], stats["summary"]) == ("edit", "3 words changed")
    assert (stats["words_added"], stats["words_removed"], stats["paragraphs_changed"]) == (3, 3, 1)


def test_two_unrelated_texts_are_a_rewrite():
    stats = text_diff(body(LEDE, SECOND), body(THIRD, FOURTH)).stats
    assert (stats["kind"], stats["summary"]) == ("rewrite", "Rewrite")


def test_reordered_paragraphs_are_a_reorder():
    stats = text_diff(body(LEDE, SECOND, THIRD, FOURTH), body(THIRD, FOURTH, LEDE, SECOND)).stats
    assert (stats["kind"], stats["summary"], stats["paragraphs_moved"]) == (
        "reorder",
        "Paragraphs reordered",
        2,
    )


def test_headline_change_comes_first_in_the_summary():
    result = diff_versions("Alt", "", LEDE, "Neu", "", body(LEDE, SECOND))
    assert (result.stats["kind"], result.stats["summary"]) == (
        "addition",
        "Headline changed, paragraph added",
    )


def test_swapping_sides_swaps_insertions_and_deletions():
    assert diff_words("Kiew meldet", "Moskau meldet") == [("-", "Kiew"), ("+", "Moskau"), ("=", " meldet")]
    assert diff_words("Moskau meldet", "Kiew meldet") == [("-", "Moskau"), ("+", "Kiew"), ("=", " meldet")]
    old, new = body(LEDE, SECOND, THIRD), body(THIRD, LEDE.replace("Kursk", "Sudscha"), FOURTH)
    forward, backward = text_diff(old, new), text_diff(new, old)
    assert sides(backward.ops) == sides(forward.ops)[::-1]
    assert (backward.stats["words_added"], backward.stats["words_removed"]) == (
        forward.stats["words_removed"],
        forward.stats["words_added"],
    )


def test_to_json_is_plain_json():
    data = diff_versions("A", "", LEDE, "B", "", body(LEDE, SECOND)).to_json()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {"title", "byline", "ops", "blocks", "stats"}
    assert data["title"] == [["-", "A"], ["+", "B"]]
    assert data["blocks"][1] == {"op": "inserted", "old_index": None, "new_index": 1, "ops": [["+", SECOND]]}


def test_live_ticker_of_20000_words_stays_within_the_time_bound():
    entries = [
        f"{hour:02d}:{minute:02d} Uhr: " + " ".join(f"Meldung{hour}x{minute}w{k}" for k in range(60))
        for hour in range(24)
        for minute in range(0, 60, 4)
    ]
    old = body(*entries[:330])
    new = body("Neu: " + entries[330], *entries[:329], entries[329].replace("w7 ", "w77 "))
    start = time.monotonic()
    result = text_diff(old, new)
    assert time.monotonic() - start < 1.0
    assert sides(result.ops) == (old, new)
    assert (result.stats["paragraphs_added"], result.stats["paragraphs_changed"]) == (1, 1)


def test_no_time_left_gives_a_coarse_but_exact_diff():
    old, new = body(LEDE, SECOND), body(LEDE.replace("Kursk", "Sudscha"), SECOND)
    ops = diff_text(old, new, budget=0)
    assert sides(ops) == (old, new)


def test_backends_agree_on_an_ordinary_edit():
    old, new = body(LEDE, SECOND, THIRD), body(LEDE.replace("Kursk", "Sudscha"), THIRD, "Neu.")
    assert diff_text(old, new, backend=pure_backend) == diff_text(old, new, backend=fast_backend)


def test_backend_can_be_forced():
    assert choose_backend("pure") is pure_backend
    assert choose_backend("fast") is fast_backend
    assert choose_backend() is fast_backend  # the C++ wheel is installed in this environment


@pytest.mark.parametrize("name", ["fast", "pure"])
def test_each_backend_diffs_tokens_exactly(name):
    ops = diff_text("Größe: 5 m², Preis 3 €", "Größe: 7 m², Preis 3 €", backend=choose_backend(name))
    assert ops == [("=", "Größe: "), ("-", "5"), ("+", "7"), ("=", " m², Preis 3 €")]


def test_typo_in_a_short_text_is_still_a_typo():
    assert text_diff("Die Regirung tagt", "Die Regierung tagt").stats["kind"] == "typo"
