"""The search box's language: user input to a safe FTS5 query, and highlighted snippets of the matches.

Version texts are stored compressed, so the full-text index keeps no copy of them; snippets are cut here
from the decoded text, matching words the way the index's tokenizer does (case and accents folded).
"""

import re
import unicodedata

# Markers put around matches; escaped text never contains them, so the web turns them into <mark>.
MATCH_START, MATCH_END = "\x02", "\x03"
SNIPPET_WORDS = 24
SEARCH_TERM = re.compile(r'"([^"]*)"?|(\S+)')
WORD = re.compile(r"\w+")


def fts_query(text: str) -> str:
    """A user's search box input as an FTS5 query that cannot be malformed.

    Every word (or "quoted phrase") becomes a quoted FTS5 string, so operators such as NEAR, AND,
    column filters and stray quotes are searched as words; a trailing * keeps its prefix meaning.
    """
    terms = []
    for phrase, word in SEARCH_TERM.findall(text):
        term = phrase if phrase else word
        prefix = word.endswith("*") and len(word) > 1
        term = term.rstrip("*") if prefix else term
        if term.strip():
            terms.append('"' + term.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


def terms(query: str) -> list[tuple[str, bool]]:
    """The folded words of an fts_query() result, each with whether it is a prefix."""
    found = []
    for quoted, star in re.findall(r'"((?:[^"]|"")*)"(\*?)', query):
        words = [_fold(w) for w in WORD.findall(quoted.replace('""', '"'))]
        found += [(w, bool(star) and i == len(words) - 1) for i, w in enumerate(words)]
    return found


def highlight(text: str, wanted: list[tuple[str, bool]]) -> str:
    """The whole text with every matching word between the markers."""
    return _mark(text, wanted, 0, len(text))


def snippet(text: str, wanted: list[tuple[str, bool]], words: int = SNIPPET_WORDS) -> str:
    """About `words` words around the first match, with … where the text was cut."""
    spans = [m.span() for m in WORD.finditer(text)]
    hits = [i for i, (a, b) in enumerate(spans) if _matches(text[a:b], wanted)]
    if not spans:
        return ""
    first = max((hits[0] if hits else 0) - words // 3, 0)
    last = min(first + words, len(spans)) - 1
    start, end = spans[first][0], spans[last][1]
    return ("…" if first else "") + _mark(text, wanted, start, end) + ("…" if last < len(spans) - 1 else "")


def _mark(text: str, wanted: list[tuple[str, bool]], start: int, end: int) -> str:
    out, at = [], start
    for match in WORD.finditer(text, start, end):
        if _matches(match.group(), wanted):
            out += [text[at:match.start()], MATCH_START, match.group(), MATCH_END]
            at = match.end()
    out.append(text[at:end])
    return "".join(out)


def _matches(word: str, wanted: list[tuple[str, bool]]) -> bool:
    folded = _fold(word)
    return any(folded.startswith(term) if prefix else folded == term for term, prefix in wanted)


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
