"""Counts and a one-line summary of a diff, for the version list and feeds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from versioner.diff.blocks import Block
from versioner.diff.tokens import Backend, Op, count_words

# At most this many characters changed, no digit among them, in at most two words: a typo fix.
TYPO_CHARS = 2
TYPO_WORDS = 2
# Under this share of the longer side's text left standing, the edit is a rewrite.
REWRITE_KEPT = 0.5


def summarize(
    title: Sequence[Op],
    byline: Sequence[Op],
    blocks: Sequence[Block],
    backend: Backend,
    words_in: Callable[[str], int] = count_words,
) -> dict[str, Any]:
    """Word and paragraph counts, the kind of edit and a one-line summary of it (words_in counts words)."""
    kinds = Counter(block.op for block in blocks)
    words: Counter[str] = Counter()
    inside: Counter[str] = Counter()  # words changed within paragraphs that were kept
    chars: Counter[str] = Counter()
    for block in blocks:
        for op, text in block.ops:
            chars[op] += len(text)
            if op != "=":
                count = words_in(text)
                words[op] += count
                inside[op] += count if block.op in ("changed", "moved") else 0
    stats: dict[str, Any] = {
        "words_added": words["+"],
        "words_removed": words["-"],
        "paragraphs_added": kinds["inserted"],
        "paragraphs_removed": kinds["deleted"],
        "paragraphs_changed": kinds["changed"],
        "paragraphs_moved": kinds["moved"],
        "title_changed": _changed(title),
        "byline_changed": _changed(byline),
    }
    # Share of the longer side's text in "=" pieces; a moved paragraph counts as kept.
    kept = chars["="] / max(chars["="] + chars["-"], chars["="] + chars["+"], 1)
    kind = _body_kind(stats, kept, blocks, backend)
    stats["kind"], stats["summary"] = _with_fields(kind, _body_summary(kind, stats, inside), stats)
    return stats


def _changed(ops: Sequence[Op]) -> bool:
    return any(op != "=" for op, _ in ops)


def _body_kind(stats: dict[str, Any], kept: float, blocks: Sequence[Block], backend: Backend) -> str:
    """none, reorder, rewrite, addition, deletion, typo or edit: the first that fits."""
    added, removed = stats["words_added"], stats["words_removed"]
    p_added, p_removed, moved = (stats[f"paragraphs_{k}"] for k in ("added", "removed", "moved"))
    if all(block.op == "equal" for block in blocks):
        return "none"
    if not added and not removed and not p_added and not p_removed:
        return "reorder" if moved else "typo"  # no words touched: whitespace or punctuation only
    if not p_added and not p_removed and not moved and _is_typo(blocks, backend):
        return "typo"
    if added and removed and kept < REWRITE_KEPT:
        return "rewrite"
    if not removed and not p_removed:
        return "addition"
    if not added and not p_added:
        return "deletion"
    return "edit"


def _body_summary(kind: str, stats: dict[str, Any], inside: Counter[str]) -> str:
    """A short line: the named kinds by name, the others by what they counted."""
    named = {"none": "No change", "rewrite": "Rewrite", "typo": "Typo fix"}
    if kind in named:
        return named[kind]
    if kind == "reorder" and stats["paragraphs_moved"] > 1:
        return "Paragraphs reordered"
    parts = []
    if inside["+"] and inside["-"]:
        parts.append(_count(max(inside["+"], inside["-"]), "word", "changed"))
    elif inside["+"]:
        parts.append(_count(inside["+"], "word", "added"))
    elif inside["-"]:
        parts.append(_count(inside["-"], "word", "removed"))
    for verb in ("added", "removed", "moved"):
        if stats[f"paragraphs_{verb}"]:
            parts.append(_count(stats[f"paragraphs_{verb}"], "paragraph", verb))
    line = ", ".join(parts) or "Punctuation changed"
    return line[0].upper() + line[1:]


def _with_fields(kind: str, summary: str, stats: dict[str, Any]) -> tuple[str, str]:
    """Fold title and byline changes in: a headline change outranks no or a typo-level body change."""
    fields = [name for name in ("title", "byline") if stats[f"{name}_changed"]]
    if not fields:
        return kind, summary
    lead = "Headline" if fields[0] == "title" else "Byline"
    lead += " and byline changed" if len(fields) == 2 else " changed"
    if kind == "none":
        return ("headline" if stats["title_changed"] else "edit"), lead
    if kind == "typo" and stats["title_changed"]:
        return "headline", f"{lead}, typo fix"
    return kind, f"{lead}, {summary[0].lower()}{summary[1:]}"


def _is_typo(blocks: Sequence[Block], backend: Backend) -> bool:
    """Few words, few characters, no digits: the kind of change a proofreader makes."""
    removed, added, distance = 0, 0, 0
    for block in blocks:
        if block.op != "changed":
            continue
        for old, new in _replacements(block.ops):
            if any(c.isdigit() for c in old + new):
                return False
            removed, added = removed + count_words(old), added + count_words(new)
            if max(removed, added) > TYPO_WORDS:
                return False
            distance += _levenshtein(old, new, backend)
            if distance > TYPO_CHARS:
                return False
    return True


def _replacements(ops: Sequence[Op]) -> list[tuple[str, str]]:
    """Each run of changes between two equal pieces, as (removed, added)."""
    runs: list[tuple[str, str]] = []
    old = new = ""
    for op, text in (*ops, ("=", "")):
        if op == "-":
            old += text
        elif op == "+":
            new += text
        elif old or new:
            runs.append((old, new))
            old = new = ""
    return runs


def _levenshtein(old: str, new: str, backend: Backend) -> int:
    """Characters inserted, deleted or substituted, as diff-match-patch counts them."""
    if abs(len(old) - len(new)) > TYPO_CHARS:
        return TYPO_CHARS + 1
    total = inserted = deleted = 0
    for op, length in (*backend(old, new, 0.05, False), ("=", 0)):
        if op == "+":
            inserted += length
        elif op == "-":
            deleted += length
        else:
            total += max(inserted, deleted)
            inserted = deleted = 0
    return total


def _count(n: int, noun: str, verb: str) -> str:
    if noun == "paragraph" and n == 1:
        return f"paragraph {verb}"
    return f"{n} {noun}{'' if n == 1 else 's'} {verb}"
