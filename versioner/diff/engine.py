"""Two versions of an article → what changed, as exact flat ops and as paragraph blocks.

The body is aligned paragraph by paragraph first (versioner.diff.align), then diffed word by word
inside paragraphs that changed, with diff-match-patch over word tokens (versioner.diff.tokens), so
no change ever starts or ends inside a word. See docs/diff.md for the JSON.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from versioner.diff.align import Alignment, align, segments
from versioner.diff.blocks import Block
from versioner.diff.stats import summarize
from versioner.diff.tokens import Backend, Op, Split, choose_backend, encode, tokenize

# Bump when a change of the engine (tokens, alignment, engine, stats) alters any diff it gives: cached
# diffs are kept under this version, so the old ones are then computed afresh. The golden tests show it.
ENGINE_VERSION = "1"
SEP = "\n\n"
# Seconds one diff may spend in diff-match-patch and comparing paragraphs; past it, what is
# left is diffed coarsely (whole paragraphs replaced), still exact. docs/diff.md: worst case.
DEFAULT_BUDGET = 0.2
BACKEND = choose_backend()


@dataclass(frozen=True)
class VersionDiff:
    """Everything that changed between two versions: title, byline, body (flat and by paragraph)."""

    title: tuple[Op, ...]
    byline: tuple[Op, ...]
    ops: tuple[Op, ...]
    blocks: tuple[Block, ...]
    stats: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "title": [list(op) for op in self.title],
            "byline": [list(op) for op in self.byline],
            "ops": [list(op) for op in self.ops],
            "blocks": [block.to_json() for block in self.blocks],
            "stats": dict(self.stats),
        }


def diff_text(old: str, new: str, *, backend: Backend = BACKEND, budget: float = DEFAULT_BUDGET) -> list[Op]:
    """Flat ops over a body text: paragraphs aligned first, then words within changed ones."""
    return list(_Body(old, new, backend, time.monotonic() + budget).flat())


def diff_versions(
    old_title: str,
    old_byline: str,
    old_text: str,
    new_title: str,
    new_byline: str,
    new_text: str,
    *,
    backend: Backend = BACKEND,
    budget: float = DEFAULT_BUDGET,
) -> VersionDiff:
    """The diff of two versions; title and byline are diffed on their own so a headline change shows."""
    deadline = time.monotonic() + budget
    title = diff_words(old_title, new_title, backend=backend, deadline=deadline)
    byline = diff_words(old_byline, new_byline, backend=backend, deadline=deadline)
    body = _Body(old_text, new_text, backend, deadline)
    blocks = body.blocks()
    stats = summarize(title, byline, blocks, backend, body.split.count_words)
    return VersionDiff(tuple(title), tuple(byline), tuple(body.flat()), tuple(blocks), stats)


def diff_words(
    old: str,
    new: str,
    *,
    backend: Backend = BACKEND,
    deadline: float | None = None,
    split: Callable[[str], list[str]] = tokenize,
) -> list[Op]:
    """Word-token diff with semantic cleanup; a whole replace when out of time or alphabet.

    `split` gives a text's tokens (tokenize, or a diff's Split.tokens that has them already)."""
    if old == new:
        return _merged([("=", old)])
    if new < old:  # one canonical direction, so swapping the sides swaps the ops exactly
        return _swapped(diff_words(new, old, backend=backend, deadline=deadline, split=split))
    a, b = split(old), split(new)
    coded = encode(a, b)
    remaining = DEFAULT_BUDGET if deadline is None else deadline - time.monotonic()
    if coded is None or remaining <= 0:
        return _merged([("-", old), ("+", new)])
    ops: list[Op] = []
    i = j = 0
    for op, length in backend(*coded, remaining, True):
        if op == "+":
            ops.append((op, "".join(b[j : j + length])))
            j += length
        else:
            ops.append((op, "".join(a[i : i + length])))
            i += length
            j += length if op == "=" else 0
    return _merged(ops)


def _merged(pieces: Iterable[Op]) -> list[Op]:
    """Drop empty pieces and join neighbours of the same kind."""
    out: list[Op] = []
    kind, parts = "", []
    for op, text in pieces:
        if not text:
            continue
        if op != kind and parts:
            out.append((kind, "".join(parts)))
            parts = []
        kind = op
        parts.append(text)
    if parts:
        out.append((kind, "".join(parts)))
    return out


def _swapped(ops: list[Op]) -> list[Op]:
    """The ops read the other way round, deletions still before insertions."""
    out = [({"-": "+", "+": "-"}.get(op, op), text) for op, text in ops]
    for k in range(len(out) - 1):
        if out[k][0] == "+" and out[k + 1][0] == "-":
            out[k], out[k + 1] = out[k + 1], out[k]
    return out


def _paragraphs(text: str) -> list[str]:
    """A body's paragraphs; the empty text has none."""
    return text.split(SEP) if text else []


class _Body:
    """One body diff: the alignment, computed once, seen as flat ops or as blocks."""

    def __init__(self, old: str, new: str, backend: Backend, deadline: float) -> None:
        self.old, self.new = _paragraphs(old), _paragraphs(new)
        self.backend, self.deadline = backend, deadline
        self.split = Split()
        self.alignment: Alignment = align(self.old, self.new, backend, deadline, self.split)
        self._pair_ops: dict[tuple[int, int], list[Op]] = {}

    def pair_ops(self, o: int, n: int) -> list[Op]:
        """Word ops from old paragraph o to new paragraph n, computed once."""
        old, new = self.old[o], self.new[n]
        if old == new:  # most pairs of a long text: no word diff to compute or to keep
            return [("=", old)] if old else []
        found = self._pair_ops.get((o, n))
        if found is None:
            found = self._pair_ops[o, n] = diff_words(
                old, new, backend=self.backend, deadline=self.deadline, split=self.split.tokens
            )
        return found

    def flat(self) -> list[Op]:
        """Ops over the whole text; a moved paragraph is deleted at its old place, inserted at its new."""
        pieces: list[Op] = []
        before = False
        for olds, news, pair in segments(self.alignment, len(self.old), len(self.new)):
            if olds or news:
                pieces += _gap_ops(
                    [self.old[o] for o in olds], [self.new[n] for n in news], before, pair is not None
                )
            elif before and pair is not None:
                pieces.append(("=", SEP))  # what _gap_ops gives for no paragraphs between two pairs
            if pair is not None:
                pieces += self.pair_ops(*pair)
            before = True
        return _merged(pieces)

    def blocks(self) -> list[Block]:
        """One block per paragraph in reading order; a moved paragraph only at its new place."""
        moves = self.alignment.moves
        moved_out = set(moves.values())
        out: list[Block] = []
        for olds, news, pair in segments(self.alignment, len(self.old), len(self.new)):
            out += [Block("deleted", o, None, _ops("-", self.old[o])) for o in olds if o not in moved_out]
            for n in news:
                if n in moves:
                    out.append(Block("moved", moves[n], n, tuple(self.pair_ops(moves[n], n))))
                else:
                    out.append(Block("inserted", None, n, _ops("+", self.new[n])))
            if pair is not None:
                o, n = pair
                kind = "equal" if self.old[o] == self.new[n] else "changed"
                out.append(Block(kind, o, n, tuple(self.pair_ops(o, n))))
        return out


def _ops(op: str, text: str) -> tuple[Op, ...]:
    return tuple(_merged([(op, text)]))


def _gap_ops(olds: Sequence[str], news: Sequence[str], before: bool, after: bool) -> list[Op]:
    """The text between two in-place paragraphs; a separator both sides share stays "="."""
    old, new = _joined(olds, before, after), _joined(news, before, after)
    head = SEP if old.startswith(SEP) and new.startswith(SEP) else ""
    old, new = old[len(head) :], new[len(head) :]
    tail = SEP if old.endswith(SEP) and new.endswith(SEP) else ""
    return [("=", head), ("-", old[: len(old) - len(tail)]), ("+", new[: len(new) - len(tail)]), ("=", tail)]


def _joined(texts: Sequence[str], before: bool, after: bool) -> str:
    """Paragraphs as they sit in the text, with the separators that tie them to their neighbours."""
    if not texts:
        return SEP if before and after else ""
    return (SEP if before else "") + SEP.join(texts) + (SEP if after else "")
