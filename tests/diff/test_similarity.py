"""Paragraph similarity: the lazy ranking takes exactly the pairs that scoring every candidate takes."""

import time
from bisect import bisect_left

from hypothesis import given, settings
from hypothesis import strategies as st

from versioner.diff.similarity import Similarity, lcs_length
from versioner.diff.tokens import encode, fast_backend, words

# Few distinct words, so paragraphs share many and most candidates need more than the cheap bounds.
VOCABULARY = ["der", "die", "und", "Kiew", "Moskau", "meldet", "5", "km", "vor", "nicht", "Front", "neu"]
paragraph = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=14).map(" ".join)
gap = st.lists(paragraph, min_size=1, max_size=7)


def lcs_table(a: str, b: str) -> int:
    """The textbook dynamic programme, row by row."""
    previous = [0] * (len(b) + 1)
    for x in a:
        row = [0]
        for j, y in enumerate(b):
            row.append(previous[j] + 1 if x == y else max(previous[j + 1], row[j]))
        previous = row
    return previous[-1]


def score(old: str, new: str) -> float:
    """A pair's score as the alignment has always defined it: diff-match-patch over its words."""
    a, b = words(old), words(new)
    kept = sum(length for op, length in fast_backend(*encode(a, b), 10.0, False) if op == "=")
    return 2 * kept / (len(a) + len(b))


def greedy(olds: list[str], news: list[str], floor: float) -> list[tuple[int, int]]:
    """Every candidate scored, best first, each taken unless it shares a paragraph with one taken before."""
    cells = [(score(olds[o], news[n]), o, n) for o in range(len(olds)) for n in range(len(news))]
    taken: list[tuple[int, int]] = []
    for value, o, n in sorted(cells, key=lambda cell: (-cell[0], cell[1], cell[2])):
        if value >= floor and all(o != p and n != q for p, q in taken):
            taken.append((o, n))
    return taken


def ranked(olds: list[str], news: list[str], floor: float) -> list[tuple[int, int]]:
    similarity = Similarity(olds, news, fast_backend, time.monotonic() + 10.0)
    cells = [(o, n) for o in range(len(olds)) for n in range(len(news))]
    taken: list[tuple[int, int]] = []
    for o, n in similarity.ranked(cells, floor, lambda o, n: any(o == p or n == q for p, q in taken)):
        taken.append((o, n))
    return taken


@settings(max_examples=300, deadline=None)
@given(st.text("abcd", max_size=40), st.text("abcde", max_size=40))
def test_bit_parallel_lcs_is_the_longest_common_subsequence(a, b):
    longer, shorter = (a, b) if len(a) >= len(b) else (b, a)
    assert lcs_length(longer, shorter) == lcs_table(a, b)


@settings(max_examples=200, deadline=None)
@given(gap, gap, st.sampled_from([0.5, 0.8]))
def test_lazy_ranking_takes_what_scoring_every_candidate_takes(olds, news, floor):
    assert ranked(olds, news, floor) == greedy(olds, news, floor)


@settings(max_examples=100, deadline=None)
@given(gap, gap)
def test_pairs_in_order_are_taken_as_full_scoring_takes_them(olds, news):
    """The in-place rule: no two pairs cross, as the alignment asks of a gap."""
    similarity = Similarity(olds, news, fast_backend, time.monotonic() + 10.0)
    cells = [(o, n) for o in range(len(olds)) for n in range(len(news))]
    taken_old: list[int] = []
    taken_new: list[int] = []

    def crosses(o: int, n: int) -> bool:
        i = bisect_left(taken_old, o)
        return (i < len(taken_old) and (taken_old[i] == o or taken_new[i] <= n)) or bool(
            i and taken_new[i - 1] >= n
        )

    for o, n in similarity.ranked(cells, 0.5, crosses):
        i = bisect_left(taken_old, o)
        taken_old.insert(i, o)
        taken_new.insert(i, n)
    expected_old: list[int] = []
    expected_new: list[int] = []
    full = sorted(
        ((score(olds[o], news[n]), o, n) for o, n in cells), key=lambda cell: (-cell[0], cell[1], cell[2])
    )
    for value, o, n in full:
        i = bisect_left(expected_old, o)
        if value < 0.5 or (i < len(expected_old) and (expected_old[i] == o or expected_new[i] <= n)):
            continue
        if i and expected_new[i - 1] >= n:
            continue
        expected_old.insert(i, o)
        expected_new.insert(i, n)
    assert (taken_old, taken_new) == (expected_old, expected_new)


def test_unlike_paragraphs_are_never_scored():
    """A gap's near-copies are taken at once; the paragraphs they could be confused with cost no score."""
    olds = [f"Kiew meldet {k} km Front und die Lage vor Ort bleibt nicht neu" for k in range(6)]
    news = [text.replace("Lage", "Situation") for text in olds]
    similarity = Similarity(olds, news, fast_backend, time.monotonic() + 10.0)
    scored = []
    original = similarity._score
    similarity._score = lambda o, n: scored.append((o, n)) or original(o, n)
    cells = [(o, n) for o in range(6) for n in range(6)]
    taken: list[tuple[int, int]] = []
    for o, n in similarity.ranked(cells, 0.5, lambda o, n: any(o == p or n == q for p, q in taken)):
        taken.append((o, n))
    assert taken == [(k, k) for k in range(6)]
    assert sorted(scored) == taken
