"""Full-text search as people read it: the store's index finds the versions, this marks the matches.

The index (versioner/store/search_index.py) holds each distinct paragraph and headline of an article
once: a version matches when, for every term, its text has a matching paragraph or its headline
matches; a phrase matches within one paragraph. Version texts are stored compressed, so the index keeps
no copy of them; snippets are cut here from the decoded text, matching words the way the index's
tokenizer does (case and accents folded).
"""

import functools
import re
import unicodedata
from collections.abc import Callable

from versioner.store import Store
from versioner.store.search_index import fts_terms

# Markers put around matches; escaped text never contains them, so the web turns them into <mark>.
MATCH_START, MATCH_END = "\x02", "\x03"
SNIPPET_WORDS = 24
MAX_QUERY = 500  # characters: the web page and the API refuse longer searches
WORD = re.compile(r"\w+")


class Count(int):
    """How many articles a search found: exact, or (`exact` False) a lower bound, as counting every match
    of a common word in a large archive would take seconds; say it with `count_text`."""

    exact: bool

    def __new__(cls, value: int, exact: bool = True) -> "Count":
        count = super().__new__(cls, value)
        count.exact = exact
        return count


def count_text(count: Count, noun: str = "article") -> str:
    """'1 article', '20 articles', 'more than 1,000 articles'."""
    return f"{'' if count.exact else 'more than '}{count:,} {noun}{'' if count == 1 and count.exact else 's'}"


def search(store: Store, text: str, limit: int = 20, offset: int = 0) -> tuple[Count, list[dict]]:
    """Articles with a version that matches every term, newest articles first: the count and a page.

    The count is exact up to COUNT_LIMIT articles, otherwise a lower bound (Count.exact is False). Each
    hit carries the latest matching version's n, its highlighted title and a snippet with matches
    between MATCH_START and MATCH_END, and `matching`: every version n that matched.
    """
    term_list = fts_terms(text)
    if not term_list:
        return Count(0), []
    total, exact, rows = store.search_index.find(term_list, limit, offset)
    wanted = terms(term_list)
    for row in rows:
        version = store.version(row["id"], row["n"])
        row["title_match"] = highlight(version.title, wanted)
        row["snippet"] = snippet(version.text, wanted)
    return Count(total, exact), rows


def hit_json(hit: dict) -> dict:
    """A search hit as `versioner search --json` and /api/search give it: the snippet as plain text, with
    its matches as [start, end) character offsets, so any renderer can mark them."""
    snippet_text, matches = _unmark(hit["snippet"])
    return {
        "article": hit["id"],
        "url": hit["url"],
        "site": hit["site"],
        "title": hit["title"],
        "version": hit["n"],
        "matching": hit["matching"],
        "snippet": snippet_text,
        "matches": matches,
    }


def _unmark(marked: str) -> tuple[str, list[list[int]]]:
    """Text with MATCH_START/MATCH_END markers as the plain text and the offsets of what they enclosed."""
    text, matches = [], []
    length = 0
    for index, piece in enumerate(re.split(f"[{MATCH_START}{MATCH_END}]", marked)):
        if index % 2:
            matches.append([length, length + len(piece)])
        text.append(piece)
        length += len(piece)
    return "".join(text), matches


def terms(term_list: list[str]) -> list[tuple[str, bool]]:
    """The folded words of fts_terms(), each with whether it is a prefix (the last word of a term*)."""
    found = []
    for term in term_list:
        prefix = term.endswith("*")
        words = [_fold(w) for w in WORD.findall(term.rstrip("*")[1:-1].replace('""', '"'))]
        found += [(w, prefix and i == len(words) - 1) for i, w in enumerate(words)]
    return found


def highlight(text: str, wanted: list[tuple[str, bool]]) -> str:
    """The whole text with every matching word between the markers."""
    return _mark(text, wanted, 0, len(text))


def snippet(text: str, wanted: list[tuple[str, bool]], words: int = SNIPPET_WORDS) -> str:
    """About `words` words around the first match, with … where the text was cut."""
    spans: list[tuple[int, int]] = []
    hit, matches = None, _matcher(wanted)
    for match in WORD.finditer(text):  # up to a word past the snippet: a long text is not read through
        spans.append(match.span())
        if hit is None and matches(match.group()):
            hit = len(spans) - 1
        if hit is not None and len(spans) > hit + words:
            break
    if not spans:
        return ""
    first = max((hit or 0) - words // 3, 0)
    last = min(first + words, len(spans)) - 1
    start, end = spans[first][0], spans[last][1]
    return ("…" if first else "") + _mark(text, wanted, start, end) + ("…" if last < len(spans) - 1 else "")


def _mark(text: str, wanted: list[tuple[str, bool]], start: int, end: int) -> str:
    out, at, matches = [], start, _matcher(wanted)
    for match in WORD.finditer(text, start, end):
        if matches(match.group()):
            out += [text[at : match.start()], MATCH_START, match.group(), MATCH_END]
            at = match.end()
    out.append(text[at:end])
    return "".join(out)


def _matcher(wanted: list[tuple[str, bool]]) -> Callable[[str], bool]:
    """Whether a word of the text is one of the wanted ones: a set lookup, or a prefix test."""
    exact = {term for term, prefix in wanted if not prefix}
    prefixes = tuple(term for term, prefix in wanted if prefix)

    def matches(word: str) -> bool:
        folded = _fold(word)
        return folded in exact or (bool(prefixes) and folded.startswith(prefixes))

    return matches


@functools.lru_cache(maxsize=65_536)  # words recur from text to text; folding each is the slow part
def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
