"""Word tokens, and the token-to-character code that lets diff-match-patch diff whole tokens."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from itertools import chain


def _combining_mark_class() -> str:
    """A regex class body for every combining mark (Mn, Mc, Me), which `re` has no name for.

    Marks live only in planes 0, 1 and 14, so scanning those keeps the import cheap.
    """
    ranges: list[tuple[int, int]] = []
    for cp in chain(range(0x20000), range(0xE0000, 0xE1000)):
        if unicodedata.category(chr(cp))[0] != "M":
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


MARKS = _combining_mark_class()
WORD = re.compile(rf"[\w{MARKS}]+")
# A word (\w plus combining marks, so "e\u0301" stays whole), a whitespace run, or any single other char.
TOKEN = re.compile(rf"[\w{MARKS}]+|\s+|.", re.DOTALL)
# The same for a text without combining marks, most texts: re tests each character that is not a
# word character against every range of MARKS, which made tokenizing most of a long diff's time.
_PLAIN_WORD = re.compile(r"\w+")
_PLAIN_TOKEN = re.compile(r"\w+|\s+|.", re.DOTALL)

# Private-use code points carry no letter, digit or space class, so diff-match-patch's
# cleanup scores every token boundary alike and never prefers one by accident.
ALPHABET = "".join(map(chr, chain(range(0xE000, 0xF900), range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE))))


def tokenize(text: str) -> list[str]:
    """Split text into words, whitespace runs and single other characters; they join back to text."""
    return (TOKEN if _has_marks(text) else _PLAIN_TOKEN).findall(text)


def words(text: str) -> list[str]:
    """The words of text (WORD), found the fast way where it has no combining mark."""
    return (WORD if _has_marks(text) else _PLAIN_WORD).findall(text)


def count_words(text: str) -> int:
    """Number of words in text, as the stats count them."""
    return len(words(text))


@functools.lru_cache(maxsize=4096)  # a paragraph is asked again: for its words, then for its tokens
def _has_marks(text: str) -> bool:
    """Whether text has a combining mark (none is below U+0300, so most Latin text is ruled out fast)."""
    return not text.isascii() and any(
        ch >= "\u0300" and unicodedata.category(ch)[0] == "M" for ch in set(text)
    )


class Split:
    """The tokens and words of one diff's texts, each text split once: the alignment asks for a
    paragraph's words, its word diff for its tokens, the statistics for its word count."""

    def __init__(self) -> None:
        self._tokens: dict[str, list[str]] = {}
        self._words: dict[str, list[str]] = {}

    def tokens(self, text: str) -> list[str]:
        found = self._tokens.get(text)
        if found is None:
            found = self._tokens[text] = tokenize(text)
        return found

    def words(self, text: str) -> list[str]:
        """The words of text, picked from its tokens: without combining marks or "_", a token is a word
        exactly when str.isalnum says so (re's \\w is str.isalnum plus "_")."""
        found = self._words.get(text)
        if found is None:
            if "_" in text or _has_marks(text):
                found = words(text)
            else:
                found = list(filter(str.isalnum, self.tokens(text)))
            self._words[text] = found
        return found

    def count_words(self, text: str) -> int:
        """As count_words(), from the words already found where text is a whole paragraph."""
        found = self._words.get(text)
        return len(found) if found is not None else count_words(text)


def encode(old: Sequence[str], new: Sequence[str]) -> tuple[str, str] | None:
    """One character per distinct item, as diff-match-patch's linesToChars does; None if too many."""
    codes = dict.fromkeys(chain(old, new))
    if len(codes) > len(ALPHABET):
        return None
    codes = dict(zip(codes, ALPHABET, strict=False))
    return "".join(map(codes.__getitem__, old)), "".join(map(codes.__getitem__, new))


Op = tuple[str, str]
Run = tuple[str, int]
# (old chars, new chars, timeout in seconds, semantic cleanup?) -> runs of ("=" | "-" | "+", length)
Backend = Callable[[str, str, float, bool], list[Run]]


def fast_backend(old: str, new: str, timeout: float, semantic: bool) -> list[Run]:
    """diff-match-patch in C++ (fast-diff-match-patch), ten to a hundred times the pure speed."""
    import fast_diff_match_patch

    cleanup = "Semantic" if semantic else "No"
    return fast_diff_match_patch.diff(old, new, timelimit=timeout, checklines=False, cleanup=cleanup)


def pure_backend(old: str, new: str, timeout: float, semantic: bool) -> list[Run]:
    """diff-match-patch in pure Python, for platforms without the C++ wheel."""
    from diff_match_patch import diff_match_patch

    dmp = diff_match_patch()
    dmp.Diff_Timeout = timeout
    diffs = dmp.diff_main(old, new, checklines=False)
    if semantic:
        dmp.diff_cleanupSemantic(diffs)
    return [(_SYMBOL[op], len(text)) for op, text in diffs]


_SYMBOL = {0: "=", -1: "-", 1: "+"}


def choose_backend(name: str = "auto") -> Backend:
    """The C++ backend when it imports, else the pure one; name "fast" or "pure" forces one."""
    if name == "pure":
        return pure_backend
    try:
        import fast_diff_match_patch  # noqa: F401
    except ImportError:
        if name == "fast":
            raise
        return pure_backend
    return fast_backend
