"""How alike two paragraphs are, and the pairs of a gap alike enough to pair, best first.

A pair's score is 2·kept / (words_old + words_new), kept being the words diff-match-patch leaves
equal. Scoring every candidate that way was most of a long diff's time, most of it on pairs that then
fell short. So every candidate is first bounded cheaply (word counts, then words found on the other
side), and the rest is lazy: a pair is bounded by its longest common subsequence, then scored by
diff-match-patch, only once it leads all others and no choice made so far rules it out. A bound never
undercuts the score and ties fall to the earlier pair, so the pairs chosen, and their order, are those
that scoring every candidate gives."""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterator, Sequence

from versioner.diff.tokens import ALPHABET, Backend, Split, encode

# Paragraph pairs compared per diff; past it, unpaired paragraphs stay deleted + inserted.
MAX_PAIRS = 20_000
# Under this bound from shared words, a pair is often far less alike than the bound says, and slow for
# diff-match-patch: its common subsequence is counted first. Above it, diff-match-patch is quicker
# (on the corpus, pairs bounded at 0.7 or more nearly all reach 0.5, and in a fraction of the time).
COUNT_BELOW = 0.7


class Similarity:
    """Word-sequence similarity of the paragraph pairs of one diff, while the time budget lasts."""

    def __init__(
        self,
        old: Sequence[str],
        new: Sequence[str],
        backend: Backend,
        deadline: float,
        split: Split | None = None,
    ) -> None:
        self.texts = (old, new)
        self.split = split or Split()
        self.backend, self.deadline = backend, deadline
        # each paragraph's words and their set, and its code, found when first asked for
        self.words: tuple[list[tuple[list[str], set[str]] | None], ...] = (
            [None] * len(old),
            [None] * len(new),
        )
        self.codes: tuple[dict[int, str], ...] = ({}, {})
        self.alphabet: dict[str, str] = {}  # word → its character in the codes
        self.pairs_left = MAX_PAIRS

    def ranked(
        self, cells: list[tuple[int, int]], floor: float, ruled_out: Callable[[int, int], bool]
    ) -> Iterator[tuple[int, int]]:
        """The cells (old, new) scoring at least floor, best first, then by position, as a greedy choice
        takes them: a cell `ruled_out` by the choices made so far is skipped unscored.

        Every cell counts against MAX_PAIRS, scored or not. The two cheap bounds are the tests the
        pairs always had to pass, in one pass over the cells: in a gap without any pair they are all
        that is done.
        """
        allowed = cells[: max(0, self.pairs_left)]
        self.pairs_left -= len(cells)
        olds = {o: self._words(0, o) for o in dict.fromkeys(o for o, _ in allowed)}
        news = {n: self._words(1, n) for n in dict.fromkeys(n for _, n in allowed)}
        heap = []
        for o, n in allowed:
            (a, a_set), (b, b_set) = olds[o], news[n]
            total = len(a) + len(b)
            if not total or 2 * min(len(a), len(b)) < floor * total:
                continue
            shared = min(sum(map(b_set.__contains__, a)), sum(map(a_set.__contains__, b)))
            if 2 * shared >= floor * total:
                bound = 2 * shared / total
                heap.append((-bound, o, n, 0 if bound < COUNT_BELOW else 1))
        heapq.heapify(heap)
        levels = (self._common, self._score)
        while heap and -heap[0][0] >= floor:
            _, o, n, level = heapq.heappop(heap)
            if ruled_out(o, n):
                continue
            if level == len(levels):
                yield o, n
                continue
            score = levels[level](o, n)
            if score >= floor:
                heapq.heappush(heap, (-score, o, n, level + 1))

    def _words(self, side: int, index: int) -> tuple[list[str], set[str]]:
        found = self.words[side][index]
        if found is None:
            listed = self.split.words(self.texts[side][index])
            found = self.words[side][index] = listed, set(listed)
        return found

    def _code(self, side: int, index: int) -> str | None:
        """The paragraph's words as one character each, in a code shared by the whole diff (None once
        the alphabet is spent): diff-match-patch compares characters only, so any one-to-one code of
        the words gives it the same diff, and each paragraph is encoded once rather than per pair."""
        found = self.codes[side].get(index)
        if found is None:
            listed = self._words(side, index)[0]
            fresh = [word for word in dict.fromkeys(listed) if word not in self.alphabet]
            if len(self.alphabet) + len(fresh) > len(ALPHABET):
                return None
            start = len(self.alphabet)
            self.alphabet.update(zip(fresh, ALPHABET[start : start + len(fresh)], strict=True))
            found = self.codes[side][index] = "".join(map(self.alphabet.__getitem__, listed))
        return found

    def _common(self, o: int, n: int) -> float:
        """Bound: the longest common subsequence, which diff-match-patch's equal words never exceed."""
        a, b = self._code(0, o), self._code(1, n)
        if a is None or b is None:
            return 1.0
        total = len(a) + len(b)
        head = _common_prefix(a, b)
        a, b = a[head:], b[head:]
        tail = _common_prefix(a[::-1], b[::-1])
        a, b = a[: len(a) - tail], b[: len(b) - tail]
        longer, shorter = (a, b) if len(a) >= len(b) else (b, a)
        return 2 * (head + tail + lcs_length(longer, shorter)) / total

    def _score(self, o: int, n: int) -> float:
        """2·kept / total words, or 0.0 when the budget is spent."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return 0.0
        a, b = self._code(0, o), self._code(1, n)
        coded = (
            (a, b) if a is not None and b is not None else encode(self._words(0, o)[0], self._words(1, n)[0])
        )
        if coded is None:
            return 0.0
        # Half the time left at most, so the word diff of a pair found similar still gets the rest.
        kept = sum(length for op, length in self.backend(*coded, remaining / 2, False) if op == "=")
        return 2 * kept / (len(coded[0]) + len(coded[1]))


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix, by halving: each test compares slices at C speed."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def lcs_length(longer: str, shorter: str) -> int:
    """Length of the longest common subsequence of two strings.

    Bit-vector dynamic programming (Allison and Dix): one row of the table is an integer whose clear
    bits mark where the subsequence grows, so each character of `shorter` costs a few integer
    operations on len(longer) bits.
    """
    masks: dict[str, int] = {}
    for position, char in enumerate(longer):
        masks[char] = masks.get(char, 0) | 1 << position
    length = len(longer)
    row = (1 << length) - 1
    for word in shorter:
        mask = masks.get(word)
        if mask:
            hits = row & mask
            row = (row + hits) | (row - hits)
    return length - (row & ((1 << length) - 1)).bit_count()
