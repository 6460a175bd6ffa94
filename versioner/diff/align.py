"""Paragraph alignment: which old paragraph became which new one, in place or moved."""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from versioner.diff.tokens import Backend, encode, words

# Two paragraphs are the same paragraph, edited, when at least half of their words survive in
# order (2·LCS / (words_old + words_new) ≥ 0.5); docs/diff.md shows the corpus data behind it.
PAIR_THRESHOLD = 0.5
# A paragraph found at another position counts as moved only when nearly unchanged.
MOVE_THRESHOLD = 0.8
# Paragraph pairs compared per diff; past it, unpaired paragraphs stay deleted + inserted.
MAX_PAIRS = 20_000
# A gap with more candidate pairs than this is only searched near its diagonal, BAND either side.
FULL_GAP = 400
BAND = 10


@dataclass(frozen=True)
class Alignment:
    """In-place pairs (increasing on both sides) and moves (new index → old index)."""

    chain: tuple[tuple[int, int], ...]
    moves: dict[int, int]


@dataclass(frozen=True)
class Segment:
    """Old and new paragraphs left between two in-place pairs, then the pair (None at the end)."""

    olds: tuple[int, ...]
    news: tuple[int, ...]
    pair: tuple[int, int] | None


class _Similarity:
    """Word-sequence similarity of paragraph pairs, while the time budget lasts."""

    def __init__(self, old: Sequence[str], new: Sequence[str], backend: Backend, deadline: float) -> None:
        self.texts = {"old": old, "new": new}
        self.backend, self.deadline = backend, deadline
        # each paragraph's words and their set, found when first asked for: a list per side, by index
        self.words: dict[str, list[tuple[list[str], set[str]] | None]] = {
            "old": [None] * len(old),
            "new": [None] * len(new),
        }
        self.pairs_left = MAX_PAIRS

    def _words(self, side: str, index: int) -> tuple[list[str], set[str]]:
        cached = self.words[side]
        if cached[index] is None:
            found = words(self.texts[side][index])
            cached[index] = found, set(found)
        return cached[index]

    def similar(self, cells: list[tuple[int, int]], floor: float) -> list[tuple[float, int, int]]:
        """(score, o, n) of the pairs that reach floor, in order; every pair counts against MAX_PAIRS.

        Pairs whose word counts alone rule them out are dropped in one pass, before any is scored:
        in long documents they are most pairs, and a call each was most of the alignment's time.
        """
        allowed = cells[: max(0, self.pairs_left)]
        self.pairs_left -= len(cells)
        old = {o: len(self._words("old", o)[0]) for o in dict.fromkeys(o for o, _ in allowed)}
        new = {n: len(self._words("new", n)[0]) for n in dict.fromkeys(n for _, n in allowed)}
        found = []
        for o, n in allowed:
            total = old[o] + new[n]
            if total and 2 * min(old[o], new[n]) >= floor * total:
                score = self._score(o, n, floor)
                if score >= floor:
                    found.append((score, o, n))
        return found

    def _score(self, o: int, n: int, floor: float) -> float:
        """2·LCS / total words, or 0.0 when it cannot reach floor or the budget is spent."""
        (a, a_set), (b, b_set) = self._words("old", o), self._words("new", n)
        need = floor * (len(a) + len(b))
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return 0.0
        # Words of one side found anywhere in the other bound the common subsequence, cheaply.
        if 2 * min(sum(map(b_set.__contains__, a)), sum(map(a_set.__contains__, b))) < need:
            return 0.0
        coded = encode(a, b)
        if coded is None:
            return 0.0
        # Half the time left at most, so the word diff of a pair found similar still gets the rest.
        kept = sum(length for op, length in self.backend(*coded, remaining / 2, False) if op == "=")
        return 2 * kept / (len(a) + len(b))


def align(old: Sequence[str], new: Sequence[str], backend: Backend, deadline: float) -> Alignment:
    """Equal paragraphs by their longest common subsequence, then similar ones in the gaps, then moves.

    Computed in one canonical direction, so swapping the versions swaps the result exactly.
    """
    if list(new) < list(old):
        flipped = align(new, old, backend, deadline)
        return Alignment(tuple((o, n) for n, o in flipped.chain), {o: n for n, o in flipped.moves.items()})
    similarity = _Similarity(old, new, backend, deadline)
    chain: list[tuple[int, int]] = []
    unmatched_old: list[int] = []
    unmatched_new: list[int] = []
    for seg in _lcs_segments(old, new, backend, deadline):
        pairs = _pair_in_gap(seg.olds, seg.news, similarity)
        chain.extend(pairs)
        paired_old, paired_new = {o for o, _ in pairs}, {n for _, n in pairs}
        unmatched_old.extend(o for o in seg.olds if o not in paired_old)
        unmatched_new.extend(n for n in seg.news if n not in paired_new)
        if seg.pair is not None:
            chain.append(seg.pair)
    return Alignment(tuple(chain), _moves(old, new, unmatched_old, unmatched_new, similarity))


def segments(alignment: Alignment, n_old: int, n_new: int) -> Iterator[Segment]:
    """Walk both sides in order, cutting at each in-place pair."""
    i = j = 0
    for o, n in alignment.chain:
        yield Segment(tuple(range(i, o)), tuple(range(j, n)), (o, n))
        i, j = o + 1, n + 1
    yield Segment(tuple(range(i, n_old)), tuple(range(j, n_new)), None)


def _lcs_segments(
    old: Sequence[str], new: Sequence[str], backend: Backend, deadline: float
) -> Iterator[Segment]:
    """Identical paragraphs as anchors: diff-match-patch over one character per distinct paragraph."""
    coded = encode(old, new)
    remaining = deadline - time.monotonic()
    runs = backend(*coded, remaining, False) if coded and remaining > 0 else []
    chain = []
    i = j = 0
    for op, length in runs:
        if op == "=":
            chain.extend(zip(range(i, i + length), range(j, j + length), strict=True))
        i += length if op != "+" else 0
        j += length if op != "-" else 0
    yield from segments(Alignment(tuple(chain), {}), len(old), len(new))


def _pair_in_gap(
    olds: tuple[int, ...], news: tuple[int, ...], similarity: _Similarity
) -> list[tuple[int, int]]:
    """Pair a gap's paragraphs in order, most similar first; in a long gap only near its diagonal."""
    if len(olds) * len(news) <= FULL_GAP:
        cells = [(o, n) for o in olds for n in news]
    elif len(olds) * (2 * BAND + 1) <= similarity.pairs_left:
        cells = [(o, news[b]) for a, o in enumerate(olds) for b in _band(a, len(olds), len(news))]
    else:
        return []
    scored = similarity.similar(cells, PAIR_THRESHOLD)
    return _monotone([(o, n) for _, o, n in sorted(scored, key=_best_first)])


def _band(a: int, m: int, n: int) -> range:
    """New positions within BAND of old position a, scaled to the gap's shape."""
    centre = a * n // m
    return range(max(0, centre - BAND), min(n, centre + BAND + 1))


def _best_first(scored: tuple[float, int, int]) -> tuple[float, int, int]:
    score, o, n = scored
    return -score, o, n


def _monotone(candidates: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Accept each candidate pair in turn unless it would cross one already accepted."""
    olds: list[int] = []
    news: list[int] = []
    for o, n in candidates:
        i = bisect_left(olds, o)
        if (i < len(olds) and (olds[i] == o or news[i] <= n)) or (i and news[i - 1] >= n):
            continue
        olds.insert(i, o)
        news.insert(i, n)
    return list(zip(olds, news, strict=True))


def _moves(
    old: Sequence[str], new: Sequence[str], olds: list[int], news: list[int], similarity: _Similarity
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
    scored = similarity.similar([(o, n) for o in free_old for n in free_new], MOVE_THRESHOLD)
    taken_old: set[int] = set()
    for score, o, n in sorted(scored, key=_best_first):
        if score >= MOVE_THRESHOLD and o not in taken_old and n not in moves:
            moves[n] = o
            taken_old.add(o)
    return moves
