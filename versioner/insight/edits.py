"""Sentence-level edit actions between two versions, in NewsEdits' vocabulary.

NewsEdits (Spangher et al., NAACL 2022) describes a version pair by what happened to each sentence:
an *addition* (only in the new version), a *deletion* (only in the old), an *edit* (a sentence matched
to a different one), a *refactor* (a sentence that moved, word for word). Sentences left in place
unchanged are no action. NewsEdits matches a sentence to its most similar counterpart above a
threshold it tuned on annotated pairs; ours is the diff's paragraph threshold (versioner/diff/align.py):
at least half of the words in order, 2·LCS / (words_old + words_new) ≥ 0.5, each sentence matched once.
"""

from collections import Counter
from collections.abc import Sequence

from versioner.diff.align import PAIR_THRESHOLD
from versioner.diff.engine import BACKEND, SEP
from versioner.diff.tokens import WORD, encode
from versioner.insight.sentences import sentences

# Past this many candidate pairs (unmatched old × unmatched new, a rewrite) no pair is looked for:
# what is left is deleted and added, as the diff does past its budget.
MAX_CANDIDATES = 250_000
# diff-match-patch's time limit for one sequence diff; sentences are far too short to reach it.
TIMEOUT = 5.0


def sentence_edits(old_text: str, new_text: str, language: str) -> list[dict]:
    """{"action", "old", "new"} for each sentence added, deleted, edited or moved, in reading order.

    Paragraphs left in place unchanged are set aside first, unsplit (most of a long text, and splitting
    is the costly part); a paragraph moved unchanged is a refactor of each of its sentences; the
    sentences of the paragraphs left are matched as the module says.
    """
    old_p, new_p = _paragraphs(old_text), _paragraphs(new_text)
    left_op, left_np, paragraph_anchor = _unchanged_in_place(old_p, new_p)
    moved_p = _moved(old_p, new_p, left_op, left_np)
    moved_old_p = set(moved_p.values())
    # Each sentence with its place in the new version (paragraph, sentence), for the reading order.
    keyed = [
        ((n, k, 1), _action("refactor", s, s))
        for n in moved_p
        for k, s in enumerate(sentences(new_p[n], language))
    ]
    from_paragraph = [(o, s) for o in left_op if o not in moved_old_p for s in sentences(old_p[o], language)]
    old = [s for _, s in from_paragraph]
    placed = [
        ((n, k), s) for n in left_np if n not in moved_p for k, s in enumerate(sentences(new_p[n], language))
    ]
    new = [s for _, s in placed]
    places = [place for place, _ in placed] + [(len(new_p), 0)]
    left_old, left_new, anchor = _unchanged_in_place(old, new)
    moved = _moved(old, new, left_old, left_new)
    moved_old = set(moved.values())
    left_old = [o for o in left_old if o not in moved_old]
    left_new = [n for n in left_new if n not in moved]
    edited = _edited(old, new, left_old, left_new)
    edited_old = set(edited.values())
    keyed += [((*places[n], 1), _action("refactor", old[o], new[n])) for n, o in moved.items()]
    keyed += [((*places[n], 1), _action("edit", old[o], new[n])) for n, o in edited.items()]
    keyed += [((*places[n], 1), _action("addition", None, new[n])) for n in left_new if n not in edited]
    # A deletion just before the sentence that followed it, and not before the paragraph it stood in.
    keyed += [
        (
            (*max(places[anchor[o]], (paragraph_anchor[from_paragraph[o][0]], 0)), 0),
            _action("deletion", old[o], None),
        )
        for o in left_old
        if o not in edited_old
    ]
    return [action for _, action in sorted(keyed, key=lambda pair: pair[0])]


def _paragraphs(text: str) -> list[str]:
    return text.split(SEP) if text else []


def _action(action: str, old: str | None, new: str | None) -> dict:
    return {"action": action, "old": old, "new": new}


def _unchanged_in_place(
    old: Sequence[str], new: Sequence[str]
) -> tuple[list[int], list[int], dict[int, int]]:
    """The items outside the longest in-order run of identical ones, and where each old one sat."""
    coded = encode(old, new)
    runs = BACKEND(*coded, TIMEOUT, False) if coded else [("-", len(old)), ("+", len(new))]
    left_old: list[int] = []
    left_new: list[int] = []
    anchor: dict[int, int] = {}  # old sentence → the new position it would have had
    i = j = 0
    for op, length in runs:
        if op == "-":
            for o in range(i, i + length):
                left_old.append(o)
                anchor[o] = j
            i += length
        elif op == "+":
            left_new.extend(range(j, j + length))
            j += length
        else:
            i, j = i + length, j + length
    return left_old, left_new, anchor


def _moved(
    old: Sequence[str], new: Sequence[str], left_old: list[int], left_new: list[int]
) -> dict[int, int]:
    """Items (paragraphs or sentences) found word for word elsewhere: new index → old index, first come first matched."""
    by_text: dict[str, list[int]] = {}
    for o in left_old:
        by_text.setdefault(old[o], []).append(o)
    return {n: by_text[new[n]].pop(0) for n in left_new if by_text.get(new[n])}


def _edited(
    old: Sequence[str], new: Sequence[str], left_old: list[int], left_new: list[int]
) -> dict[int, int]:
    """Unmatched sentences paired with their most similar counterpart at or above the threshold."""
    if not left_old or not left_new or len(left_old) * len(left_new) > MAX_CANDIDATES:
        return {}
    words = {("old", o): WORD.findall(old[o].lower()) for o in left_old}
    words |= {("new", n): WORD.findall(new[n].lower()) for n in left_new}
    bags = {key: Counter(ws) for key, ws in words.items()}
    scored = []
    for o in left_old:
        a, a_bag = words["old", o], bags["old", o]
        for n in left_new:
            b, b_bag = words["new", n], bags["new", n]
            need = PAIR_THRESHOLD * (len(a) + len(b))
            # The shorter side and the words in common bound the common subsequence: most pairs
            # stop at one of these two, cheaply.
            if not need or 2 * min(len(a), len(b)) < need:
                continue
            if 2 * sum(min(a_bag[w], b_bag[w]) for w in a_bag.keys() & b_bag.keys()) < need:
                continue
            score = _similarity(a, b)
            if score >= PAIR_THRESHOLD:
                scored.append((-score, n, o))
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for _, n, o in sorted(scored):
        if n not in pairs and o not in taken:
            pairs[n] = o
            taken.add(o)
    return pairs


def _similarity(a: list[str], b: list[str]) -> float:
    """2·LCS / total words, the LCS from diff-match-patch over one character per distinct word."""
    coded = encode(a, b)
    if coded is None:
        return 0.0
    kept = sum(length for op, length in BACKEND(*coded, TIMEOUT, False) if op == "=")
    return 2 * kept / (len(a) + len(b))
