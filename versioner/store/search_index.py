"""The full-text index: each distinct paragraph (or headline) of an article indexed once.

Versions of an article share most of their paragraphs, so indexing every version whole repeated each
paragraph once per version, and the index grew to ten times the compressed texts. Here a text row links
to its paragraphs (`text_paragraphs`), and `find` looks up, for each term of a query, the texts with a
matching paragraph, then keeps the texts that have them all. A phrase matches within one paragraph.
Highlighting the matches is versioner/search_results.py's: the index keeps no copy of the (compressed) texts.

FTS5 writes its pending terms out at every savepoint, which made a segment per capture in a batch, so
new paragraphs wait in `pending` until the store commits (Store.transaction and batch flush it).
"""

import hashlib
import json
import re
import sqlite3

import sqlite_utils

from versioner.errors import SearchSyntaxError
from versioner.extract.decode import CONTROL_CHARACTERS
from versioner.extract.normalize import fold

SEARCH_TERM = re.compile(r'"([^"]*)"?|(\S+)')
# one INTERSECT arm per term, and SQLite allows 500 arms; a 500-character search box has at most 250
MAX_TERMS = 250
# what SQLite cannot be given as text at all (a lone surrogate, from a command line's undecodable bytes)
SURROGATES = re.compile("[\ud800-\udfff]")


class ParagraphIndex:
    """The `paragraphs`, `text_paragraphs` and `paragraphs_fts` tables of a versioner database."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.pending: list[tuple[int, str]] = []  # paragraphs_fts rows: (rowid, text)

    def add(self, article_id: int, text_id: int, title: str, text: str) -> None:
        """Link a new text to its headline and paragraphs, indexing the ones the article did not have."""
        parts = {_digest(part): part for part in [title, *text.split("\n\n")] if part.strip()}
        known = dict(
            self.db.execute(
                "SELECT hash, id FROM paragraphs WHERE article_id = ? AND hash IN (SELECT value FROM json_each(?))",
                [article_id, json.dumps(list(parts))],
            ).fetchall()
        )
        for digest, part in parts.items():
            if digest not in known:
                known[digest] = self.db.execute(
                    "INSERT INTO paragraphs (article_id, hash) VALUES (?, ?)", [article_id, digest]
                ).lastrowid
                self.pending.append((known[digest], part))
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO text_paragraphs (paragraph_id, text_id) VALUES (?, ?)",
            [(paragraph_id, text_id) for paragraph_id in known.values()],
        )

    def find(self, term_list: list[str], limit: int, offset: int) -> tuple[int, list[dict]]:
        """Articles with a version matching every FTS5 term (fts_terms), most recently changed first:
        the total and one page, each with its latest matching version (n, text_hash) and `matching`,
        every version n that matched."""
        if len(term_list) > MAX_TERMS:
            raise SearchSyntaxError(
                f"a search may have at most {MAX_TERMS} words or phrases, this one has {len(term_list)}"
            )
        params = {f"term{i}": term for i, term in enumerate(term_list)} | {"limit": limit, "offset": offset}
        try:
            count_sql = _search_hits_sql(len(term_list), "SELECT count(*) FROM per_article")
            total = self.db.execute(count_sql, params).fetchone()[0]
            rows = list(
                self.db.query(
                    _search_hits_sql(
                        len(term_list),
                        """
                SELECT a.id, a.url, a.site, a.title, a.version_count, a.last_changed, h.n, h.text_hash,
                       p.matching
                FROM per_article p
                JOIN hits h ON h.article_id = p.article_id AND h.n = p.latest
                JOIN articles a ON a.id = p.article_id
                ORDER BY a.last_changed DESC, a.id DESC LIMIT :limit OFFSET :offset""",
                    ),
                    params,
                )
            )
        except sqlite3.OperationalError as err:
            raise SearchSyntaxError(f"cannot search for {' '.join(term_list)[:200]}: {err}") from None
        for row in rows:
            row["matching"] = sorted(int(n) for n in str(row["matching"]).split(","))
        return total, rows

    def flush(self) -> None:
        """Write the queued paragraphs into the FTS5 index, inside the transaction about to commit."""
        self.db.conn.executemany("INSERT INTO paragraphs_fts (rowid, text) VALUES (?, ?)", self.pending)
        self.pending.clear()


def _digest(part: str) -> int:
    """64 bits of a hash, a small integer column: two paragraphs of one article never share it in practice."""
    digest = hashlib.blake2b(part.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def fts_terms(text: str) -> list[str]:
    """A user's search box input as FTS5 terms that cannot be malformed, one per word or "quoted phrase".

    Every term is a quoted FTS5 string, so operators such as NEAR, AND, column filters and stray quotes
    are searched as words; a trailing * keeps its prefix meaning. The query is first read as texts are
    (versioner/extract): control characters dropped, as decoding drops them (a NUL would end an FTS5
    string early), then folded (soft hyphens and zero-width characters removed, spaces unified), so a
    word copied with them finds the stored text, which has none.
    """
    text = fold(CONTROL_CHARACTERS.sub("", SURROGATES.sub(" ", text)))
    found = []
    for phrase, word in SEARCH_TERM.findall(text):
        term = phrase if phrase else word
        prefix = word.endswith("*") and len(word) > 1
        term = term.rstrip("*") if prefix else term
        if term.strip():
            found.append('"' + term.replace('"', '""') + '"' + ("*" if prefix else ""))
    return found


def _search_hits_sql(term_count: int, select: str) -> str:
    """The versions whose text has, for every term, a matching paragraph (or headline); per article."""
    with_each_term = "\nINTERSECT\n".join(
        f"""SELECT DISTINCT tp.text_id FROM text_paragraphs tp WHERE tp.paragraph_id IN (
                SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH :term{i})"""
        for i in range(term_count)
    )
    return f"""
        WITH matched AS ({with_each_term}),
        hits AS MATERIALIZED (
            SELECT v.article_id, v.n, v.text_hash
            FROM matched m JOIN texts t ON t.id = m.text_id
            JOIN versions v ON v.article_id = t.article_id AND v.text_hash = t.hash
        ),
        per_article AS (
            SELECT article_id, group_concat(n) AS matching, max(n) AS latest
            FROM hits GROUP BY article_id
        )
        {select}
    """
