"""Paragraph alignment: which old paragraph became which new one, in place or moved."""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from versioner.diff.similarity import Similarity
from versioner.diff.tokens import Backend, Split, encode

# Two paragraphs are the same paragraph, edited, when at least half of their words survive in
# order (2·LCS / (words_old + words_new) ≥ 0.5); docs/diff.md shows the corpus data behind it.
PAIR_THRESHOLD = 0.5
# A paragraph found at another position counts as moved only when nearly unchanged.
MOVE_THRESHOLD = 0.8
# A gap with more candidate pairs than this is only searched near its diagonal, BAND either side.
FULL_GAP = 400
BAND = 10


@dataclass(frozen=True)
class Alignment:
    """In-place pairs (increasing on both sides) and moves (new index → old index)."""

    chain: tuple[tuple[int, int], ...]
    moves: dict[int, int]


# Old and new paragraphs left between two in-place pairs, then the pair (None at the end).
Segment = tuple[range, range, tuple[int, int] | None]


def align(
    old: Sequence[str], new: Sequence[str], backend: Backend, deadline: float, split: Split | None = None
) -> Alignment:
    """Equal paragraphs by their longest common subsequence, then similar ones in the gaps, then moves.

    Computed in one canonical direction, so swapping the versions swaps the result exactly.
    """
    if list(new) < list(old):
        flipped = align(new, old, backend, deadline, split)
        return Alignment(tuple((o, n) for n, o in flipped.chain), {o: n for n, o in flipped.moves.items()})
    similarity = Similarity(old, new, backend, deadline, split)
    chain: list[tuple[int, int]] = []
    unmatched_old: list[int] = []
    unmatched_new: list[int] = []
    for olds, news, anchors in _anchored_gaps(old, new, backend, deadline):
        if olds and news:
            pairs = _pair_in_gap(olds, news, similarity)
            chain.extend(pairs)
            paired_old, paired_new = {o for o, _ in pairs}, {n for _, n in pairs}
            unmatched_old.extend(o for o in olds if o not in paired_old)
            unmatched_new.extend(n for n in news if n not in paired_new)
        else:
            unmatched_old.extend(olds)
            unmatched_new.extend(news)
        chain.extend(anchors)
    return Alignment(tuple(chain), _moves(old, new, unmatched_old, unmatched_new, similarity))


def segments(alignment: Alignment, n_old: int, n_new: int) -> Iterator[Segment]:
    """Walk both sides in order, cutting at each in-place pair."""
    i = j = 0
    for o, n in alignment.chain:
        yield range(i, o), range(j, n), (o, n)
        i, j = o + 1, n + 1
    yield range(i, n_old), range(j, n_new), None


def _anchored_gaps(
    old: Sequence[str], new: Sequence[str], backend: Backend, deadline: float
) -> Iterator[tuple[range, range, list[tuple[int, int]]]]:
    """Identical paragraphs as anchors (diff-match-patch over one character per distinct paragraph):
    each run of anchors, after the old and new paragraphs of the gap before it."""
    coded = encode(old, new)
    remaining = deadline - time.monotonic()
    runs = backend(*coded, remaining, False) if coded and remaining > 0 else []
    gap_i = gap_j = i = j = 0
    for op, length in runs:
        if op == "=":
            yield (
                range(gap_i, i),
                range(gap_j, j),
                list(zip(range(i, i + length), range(j, j + length), strict=True)),
            )
            i, j = i + length, j + length
            gap_i, gap_j = i, j
        elif op == "-":
            i += length
        else:
            j += length
    yield range(gap_i, len(old)), range(gap_j, len(new)), []


def _pair_in_gap(olds: range, news: range, similarity: Similarity) -> list[tuple[int, int]]:
    """Pair a gap's paragraphs in order, most similar first; in a long gap only near its diagonal."""
    if len(olds) * len(news) <= FULL_GAP:
        cells = [(o, n) for o in olds for n in news]
    elif len(olds) * (2 * BAND + 1) <= similarity.pairs_left:
        cells = [(o, news[b]) for a, o in enumerate(olds) for b in _band(a, len(olds), len(news))]
    else:
        return []
    paired_old: list[int] = []
    paired_new: list[int] = []

    def crosses(o: int, n: int) -> bool:
        """Whether pair (o, n) shares a paragraph with a pair taken or crosses one."""
        i = bisect_left(paired_old, o)
        return (i < len(paired_old) and (paired_old[i] == o or paired_new[i] <= n)) or bool(
            i and paired_new[i - 1] >= n
        )

    for o, n in similarity.ranked(cells, PAIR_THRESHOLD, crosses):
        i = bisect_left(paired_old, o)
        paired_old.insert(i, o)
        paired_new.insert(i, n)
    return list(zip(paired_old, paired_new, strict=True))


def _band(a: int, m: int, n: int) -> range:
    """New positions within BAND of old position a, scaled to the gap's shape."""
    centre = a * n // m
    return range(max(0, centre - BAND), min(n, centre + BAND + 1))


def _moves(
    old: Sequence[str], new: Sequence[str], olds: list[int], news: list[int], similarity: Similarity
) -> dict[int, int]:
    """Unmatched paragraphs found again elsewhere: identical ones first, then the most similar."""
    by_text: dict[str, list[int]] = {}
    for o in olds:
        by_text.setdefault(old[o], []).append(o)
    moves = {n: by_text[new[n]].pop(0) for n in news if by_text.get(new[n])}
    moved_old = set(moves.values())
    free_old = [o for o in olds if o not in moved_old]
    free_new = [n for n in news if n not in moves]
    if len(free_old) * len(free_new) > similarity.pairs_left:
        return moves
    taken_old: set[int] = set()
    cells = [(o, n) for o in free_old for n in free_new]
    for o, n in similarity.ranked(cells, MOVE_THRESHOLD, lambda o, n: o in taken_old or n in moves):
        moves[n] = o
        taken_old.add(o)
    return moves
