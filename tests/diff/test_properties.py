"""Invariants of the diff engine over arbitrary Unicode text (hypothesis)."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from versioner.diff.engine import diff_text, diff_versions, diff_words
from versioner.diff.tokens import fast_backend, pure_backend

# Symmetry and backend agreement hold for diffs that finish; a loaded machine must not cut one short.
ROOMY = 10.0

# Pieces that make texts share words, so diffs have something to align: German, CJK, Hebrew and
# Arabic (right to left), emoji with joiners, combining marks, digits, punctuation and whitespace.
PIECES = [
    "Straße", "Grüße", "ß", "über", "Kiew", "5", "km", "2022", "東京", "中文", "שלום", "مرحبا",
    "😀", "👩\u200d👩\u200d👧", "e\u0301", "\u0301", "n\u0303o", "_", "-", ",", ".", "«", "»", "’",
    " ", "  ", "\u00a0", "\n", "\n\n", "\t",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=40).map("".join)
articles = st.lists(st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join), max_size=6).map(
    "\n\n".join
)
SWAP = {"-": "+", "+": "-", "=": "="}
WORD_CHAR = re.compile(r"\w")


def sides(ops) -> tuple[str, str]:
    return "".join(t for op, t in ops if op != "+"), "".join(t for op, t in ops if op != "-")


def assert_well_formed(ops) -> None:
    assert all(text for _, text in ops), "no empty pieces"
    assert all(a[0] != b[0] for a, b in zip(ops, ops[1:], strict=False)), "neighbours merged"


def word_cuts(ops) -> list[int]:
    """Indexes of changes flagged as the acceptance test does: a word char on both sides of an edge."""
    cuts = []
    for k, (op, text) in enumerate(ops):
        if op == "=":
            continue
        before = next((t for o, t in reversed(ops[:k]) if o == "="), "")
        after = next((t for o, t in ops[k + 1 :] if o == "="), "")
        if (WORD_CHAR.match(text[0]) and before and WORD_CHAR.match(before[-1])) or (
            WORD_CHAR.match(text[-1]) and after and WORD_CHAR.match(after[0])
        ):
            cuts.append(k)
    return cuts


def runs(ops) -> list[tuple[str, str, str]]:
    """Ops as ("=", text, "") and ("~", removed, added) runs: the order inside a run is not meaning."""
    out, removed, added = [], "", ""
    for op, text in [*ops, ("=", "")]:
        if op == "-":
            removed += text
        elif op == "+":
            added += text
        else:
            if removed or added:
                out.append(("~", removed, added))
            if text:
                out.append(("=", text, ""))
            removed = added = ""
    return out


@settings(max_examples=300, deadline=None)
@given(texts | articles, texts | articles)
def test_flat_ops_rebuild_both_texts_exactly(old, new):
    ops = diff_text(old, new)
    assert sides(ops) == (old, new)
    assert_well_formed(ops)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text())
def test_any_unicode_strings_rebuild_exactly(old, new):
    for ops in (diff_text(old, new), diff_words(old, new)):
        assert sides(ops) == (old, new)
        assert_well_formed(ops)


@settings(max_examples=300, deadline=None)
@given(texts | articles, texts | articles)
def test_no_change_starts_or_ends_inside_a_word(old, new):
    assert word_cuts(diff_text(old, new)) == []
    assert word_cuts(diff_words(old, new)) == []


@settings(max_examples=100, deadline=None)
@given(texts | articles)
def test_identical_inputs_give_only_equal_pieces(text):
    result = diff_versions(text, text, text, text, text, text)
    for ops in (result.title, result.byline, result.ops, *(block.ops for block in result.blocks)):
        assert all(op == "=" for op, _ in ops)
    assert result.stats["kind"] == "none"


@settings(max_examples=200, deadline=None)
@given(texts | articles, texts | articles)
def test_swapping_sides_swaps_insertions_and_deletions(old, new):
    forward = diff_versions(old, "", old, new, "", new, budget=ROOMY)
    backward = diff_versions(new, "", new, old, "", old, budget=ROOMY)
    assert backward.title == tuple((SWAP[op], t) for op, t in runs_in_order(forward.title))
    assert runs(backward.ops) == [(op, b, a) if op == "~" else (op, a, b) for op, a, b in runs(forward.ops)]


def runs_in_order(ops):
    """Word ops read from the other side: within a change, the deletion still comes first."""
    out = list(ops)
    for k in range(len(out) - 1):
        if out[k][0] == "-" and out[k + 1][0] == "+":
            out[k], out[k + 1] = out[k + 1], out[k]
    return out


@settings(max_examples=200, deadline=None)
@given(articles, articles)
def test_blocks_rebuild_each_sides_paragraphs(old, new):
    blocks = diff_versions("", "", old, "", "", new).blocks
    olds = sorted((b for b in blocks if b.old_index is not None), key=lambda b: b.old_index)
    news = [b for b in blocks if b.new_index is not None]
    assert [sides(b.ops)[0] for b in olds] == (old.split("\n\n") if old else [])
    assert [sides(b.ops)[1] for b in news] == (new.split("\n\n") if new else [])
    assert [b.new_index for b in news] == list(range(len(news)))
    for block in blocks:
        assert_well_formed(block.ops)
        assert word_cuts(block.ops) == []


@settings(max_examples=150, deadline=None)
@given(texts | articles, texts | articles)
def test_both_backends_give_the_same_diff(old, new):
    assert diff_text(old, new, backend=pure_backend, budget=ROOMY) == diff_text(
        old, new, backend=fast_backend, budget=ROOMY
    )
