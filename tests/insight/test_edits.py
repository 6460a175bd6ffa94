"""Sentence edit actions between two texts, in NewsEdits' vocabulary."""

from versioner.insight.edits import sentence_edits

A = "Dock workers began a 48-hour strike at dawn."
B = "The union wants a pay rise of 6 percent."
C = "Ferries run as normal."
D = "The port authority called the strike illegal."


def edits(old: list[str], new: list[str]) -> list[dict]:
    return sentence_edits("\n\n".join(old), "\n\n".join(new), "en")


def test_an_added_paragraph_is_an_addition_of_its_sentence():
    assert edits([A, B, C], [A, B, C, D]) == [{"action": "addition", "old": None, "new": D}]


def test_a_removed_sentence_is_a_deletion():
    assert edits([A, f"{B} {C}"], [A, B]) == [{"action": "deletion", "old": C, "new": None}]


def test_a_changed_figure_is_an_edit():
    changed = B.replace("6", "8")
    assert edits([A, B], [A, changed]) == [{"action": "edit", "old": B, "new": changed}]


def test_a_swapped_paragraph_is_a_refactor_and_neither_added_nor_deleted():
    actions = edits([A, B, C, D], [A, B, D, C])
    assert [a["action"] for a in actions] == ["refactor"]
    assert actions[0]["old"] == actions[0]["new"] in (C, D)


def test_a_sentence_sharing_under_half_its_words_is_deleted_and_another_added():
    other = "Talks resume on Monday in the capital."
    assert [a["action"] for a in edits([A, B], [A, other])] == ["deletion", "addition"]


def test_a_deletion_is_listed_where_the_sentence_stood():
    assert [a["action"] for a in edits([A, B, C], [D, A, C])] == ["addition", "deletion"]


def test_identical_texts_have_no_edits():
    assert edits([A, B], [A, B]) == []


def test_from_nothing_every_sentence_is_an_addition():
    assert [a["new"] for a in edits([], [A, B])] == [A, B]
