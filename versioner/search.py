"""Full-text search: user input to a safe FTS5 query, the query, and highlighted snippets of the matches.

Version texts are stored compressed, so the full-text index keeps no copy of them; snippets are cut here
from the decoded text, matching words the way the index's tokenizer does (case and accents folded).
"""

import re
import sqlite3
import unicodedata

from .errors import SearchSyntaxError
from .store import Store

# Markers put around matches; escaped text never contains them, so the web turns them into <mark>.
MATCH_START, MATCH_END = "\x02", "\x03"
SNIPPET_WORDS = 24
SEARCH_TERM = re.compile(r'"([^"]*)"?|(\S+)')
WORD = re.compile(r"\w+")


def search(store: Store, text: str, limit: int = 20, offset: int = 0) -> tuple[int, list[dict]]:
    """Articles whose versions match text (best first): the total and one page of hits.

    Each hit carries the latest matching version's n, its highlighted title and a snippet with
    matches between MATCH_START and MATCH_END, and `matching`: every version n that
    matched. The index holds no text (texts are stored compressed), so snippets are cut here.
    """
    query = fts_query(text)
    if not query:
        return 0, []
    params = {"query": query, "limit": limit, "offset": offset}
    try:
        total = store.db.execute(_search_hits_sql("SELECT count(*) FROM per_article"), params).fetchone()[0]
        rows = list(
            store.db.query(
                _search_hits_sql("""
            SELECT a.id, a.url, a.site, a.title, a.version_count, a.last_changed, h.n, h.text_hash,
                   p.matching
            FROM per_article p
            JOIN hits h ON h.article_id = p.article_id AND h.n = p.latest
            JOIN articles a ON a.id = p.article_id
            ORDER BY p.best, a.last_changed DESC LIMIT :limit OFFSET :offset"""),
                params,
            )
        )
    except sqlite3.OperationalError as err:
        raise SearchSyntaxError(f"cannot search for {text!r}: {err}") from None
    wanted = terms(query)
    for row in rows:
        row["matching"] = sorted(int(n) for n in str(row["matching"]).split(","))
        version = store.version(row["id"], row["n"])
        row["title_match"] = highlight(version.title, wanted)
        row["snippet"] = snippet(version.text, wanted)
    return total, rows


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
            out += [text[at : match.start()], MATCH_START, match.group(), MATCH_END]
            at = match.end()
    out.append(text[at:end])
    return "".join(out)


def _matches(word: str, wanted: list[tuple[str, bool]]) -> bool:
    folded = _fold(word)
    return any(folded.startswith(term) if prefix else folded == term for term, prefix in wanted)


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _search_hits_sql(select: str) -> str:
    return f"""
        WITH hits AS MATERIALIZED (
            SELECT v.article_id, v.n, v.text_hash, bm25(versions_fts, 4.0, 1.0) AS score
            FROM versions_fts JOIN versions v ON v.id = versions_fts.rowid
            WHERE versions_fts MATCH :query
        ),
        per_article AS (
            SELECT article_id, group_concat(n) AS matching, min(score) AS best, max(n) AS latest
            FROM hits GROUP BY article_id
        )
        {select}
    """
