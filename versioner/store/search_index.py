"""The full-text index: each distinct paragraph (or headline) of an article indexed once, newest articles first.

Versions of an article share most of their paragraphs, so indexing every version whole repeated each
paragraph once per version, and the index grew to ten times the compressed texts. Here a text row links
to its paragraphs (`text_paragraphs`), and a version matches a query when, for every term, its text has
a matching paragraph; a phrase matches within one paragraph.

A paragraph's rowid in `paragraphs_fts` is its article's id shifted left by ARTICLE_SHIFT bits plus its
number within the article, so FTS5's rowid order is the order articles entered the archive. A search
reads the matches of its rarest term in descending rowid order (newest articles first, each article's
paragraphs together) and checks each article it meets for the other terms with a rowid range (one seek
per term): a page of results stops reading as soon as it is full, however common the words, and the
count stops at COUNT_LIMIT instead of visiting every match.

FTS5 writes its pending terms out at every savepoint, which made a segment per capture in a batch, so
new paragraphs wait in `pending` until the store commits (Store.transaction and batch flush it).
Highlighting is versioner/search_results.py's: the index keeps no copy of the (compressed) texts.

On PostgreSQL the same tables hold the same rows, but for the terms: `paragraph_terms` keeps each
paragraph's tsvector under a GIN index (versioner/store/tsearch.py makes the lexemes as FTS5 would), and
the queries below read it through ENGINES' few words of SQL.
"""

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator

import sqlite_utils

from versioner.errors import SearchSyntaxError, StorageError
from versioner.extract.decode import CONTROL_CHARACTERS
from versioner.extract.normalize import fold
from versioner.store import tsearch

SEARCH_TERM = re.compile(r'"([^"]*)"?|(\S+)')
# a bound on the work per search; a 500-character search box holds at most 250 words
MAX_TERMS = 250
# what SQLite cannot be given as text at all (a lone surrogate, from a command line's undecodable bytes)
SURROGATES = re.compile("[\ud800-\udfff]")
# Up to 262,144 distinct paragraphs per article (the corpus' most is 1,041, a policy in 20 versions).
# FTS5 stores each match's rowid as a varint delta from the one before: one article apart is 3 bytes
# here, where 24 bits made every delta at least 4 bytes: the index is about a tenth smaller.
ARTICLE_SHIFT = 18
COUNT_LIMIT = 1000  # matching articles counted at most: beyond it the count is "more than 1,000"
CHECK_LIMIT = 100  # articles checked for every term at most, per search: the count's bound for several
COUNT_ROWS = 20_000  # matching paragraphs read at most to count a one-term search's articles
RARITY_PROBE = 2000  # matches of each term read to find the rarest one

SCHEMA = """
CREATE TABLE paragraphs (
    article_id INTEGER NOT NULL REFERENCES articles (id),
    hash INTEGER NOT NULL,
    id INTEGER NOT NULL,
    PRIMARY KEY (article_id, hash)
) WITHOUT ROWID;
CREATE TABLE text_paragraphs (
    paragraph_id INTEGER NOT NULL,
    text_id INTEGER NOT NULL REFERENCES texts (id),
    PRIMARY KEY (paragraph_id, text_id)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE paragraphs_fts USING fts5 (
    text, content='', columnsize=0, tokenize='unicode61 remove_diacritics 2'
)"""


ARTICLES_PAGE = 500  # matching paragraphs read per query while walking the matches newest first

# What differs between the engines: the table of terms, its key, a match and a list of ids as SQL.
ENGINES = {
    "sqlite": {
        "terms": "paragraphs_fts",
        "id": "rowid",
        "match": "paragraphs_fts MATCH ?",
        "in_ids": "IN (SELECT value FROM json_each(?))",  # a JSON array of the ids
    },
    "postgresql": {
        "terms": "paragraph_terms",
        "id": "id",
        "match": "terms @@ ?::tsquery",
        "in_ids": "= ANY(?::bigint[])",  # an array: the planner then seeks each id in the index
    },
}


class ParagraphIndex:
    """The `paragraphs`, `text_paragraphs` and `paragraphs_fts` tables of a versioner database."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.postgres = db.dialect == "postgresql"
        self.sql = ENGINES[db.dialect]
        self.pending: list[tuple[int, str]] = []  # paragraphs_fts rows: (rowid, text)

    def _ids(self, ids) -> str | list[int]:
        """A list of ids as the engine's `in_ids` takes it."""
        return list(ids) if self.postgres else json.dumps(list(ids))

    def _q(self, sql: str) -> str:
        """A query of this module in this engine's words."""
        return sql.format(**self.sql)

    def add(self, article_id: int, text_id: int, title: str, text: str) -> None:
        """Link a new text to its headline and paragraphs, indexing the ones the article did not have."""
        parts = paragraphs_of(title, text)
        known = dict(
            self.db.execute(
                self._q("SELECT hash, id FROM paragraphs WHERE article_id = ? AND hash {in_ids}"),
                [article_id, self._ids(parts)],
            ).fetchall()
        )
        low, high = _rowids(article_id)
        last = self.db.execute(  # every paragraph is linked to a text: its links hold the highest number
            "SELECT max(paragraph_id) FROM text_paragraphs WHERE paragraph_id BETWEEN ? AND ?", [low, high]
        ).fetchone()[0]
        next_id = low if last is None else last + 1
        new = []
        for digest, part in parts.items():
            if digest not in known:
                if next_id > high:
                    raise StorageError(
                        f"article {article_id} has {high - low + 1:,} distinct paragraphs, the most the "
                        "search index keeps for one article: the capture was not stored"
                    )
                known[digest] = next_id
                new.append((article_id, digest, next_id))
                self.pending.append((next_id, part))
                next_id += 1
        # many rows in one call: on PostgreSQL, one round trip (a pipeline) instead of one per paragraph
        self.db.executemany("INSERT INTO paragraphs (article_id, hash, id) VALUES (?, ?, ?)", new)
        self.db.executemany(
            "INSERT INTO text_paragraphs (paragraph_id, text_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(paragraph_id, text_id) for paragraph_id in known.values()],
        )

    def find(self, term_list: list[str], limit: int, offset: int) -> tuple[int, bool, list[dict]]:
        """Articles with a version matching every FTS5 term (fts_terms), newest articles first.

        Returns the count (exact when the bool is True, else a lower bound) and one page, each row
        with its latest matching version (n, text_hash) and `matching`, every version n that matched.
        """
        if len(term_list) > MAX_TERMS:
            raise SearchSyntaxError(
                f"a search may have at most {MAX_TERMS} words or phrases, this one has {len(term_list)}"
            )
        if self.postgres:
            term_list = [tsearch.query(term) for term in term_list]
            if None in term_list:  # a term without a word: FTS5 matches nothing for it either
                return 0, True, []
        try:
            return self._find(term_list, limit, offset)
        except sqlite3.OperationalError as err:
            raise SearchSyntaxError(f"cannot search for {' '.join(term_list)[:200]}: {err}") from None

    def _find(self, term_list: list[str], limit: int, offset: int) -> tuple[int, bool, list[dict]]:
        terms = self._rarest_first(list(dict.fromkeys(term_list)))
        others = terms[1:]
        page: list[dict] = []
        total, checked = 0, 0
        for article_id in self._articles_matching(terms[0]):
            if not others and total >= offset + limit:  # one term: the index counts the rest
                return (*self._count(terms[0]), page)
            checked += 1
            if checked > CHECK_LIMIT:
                return total, False, page
            if not all(self._in_article(term, article_id) for term in others):
                continue
            matching = self._matching_versions(article_id, terms)
            if not matching:
                continue
            if total >= offset and len(page) < limit:
                page.append(self._hit(article_id, matching))
            total += 1
            if total > COUNT_LIMIT:
                return COUNT_LIMIT, False, page
        return total, True, page

    def _count(self, term: str) -> tuple[int, bool]:
        """Articles with a paragraph matching the term, counted by SQLite over at most COUNT_ROWS matches:
        exact below COUNT_LIMIT articles when every match was read, else a lower bound."""
        articles, rows = self.db.execute(
            self._q("""SELECT count(DISTINCT {id} >> ?), count(*) FROM (
                   SELECT {id} FROM {terms} WHERE {match} LIMIT ?) AS matched"""),
            [ARTICLE_SHIFT, term, COUNT_ROWS],
        ).fetchone()
        if articles > COUNT_LIMIT:
            return COUNT_LIMIT, False
        return articles, rows < COUNT_ROWS

    def _rarest_first(self, terms: list[str]) -> list[str]:
        """The terms by how many paragraphs match them (up to RARITY_PROBE): the rarest drives the search."""
        if len(terms) == 1:
            return terms
        found = {
            term: self.db.execute(
                self._q("SELECT count(*) FROM (SELECT {id} FROM {terms} WHERE {match} LIMIT ?) AS matched"),
                [term, RARITY_PROBE],
            ).fetchone()[0]
            for term in terms
        }
        return sorted(terms, key=found.__getitem__)

    def _articles_matching(self, term: str) -> Iterator[int]:
        """Ids of the articles with a paragraph matching the term, newest first, read a page at a time as
        they are needed (each page starts below the last paragraph read)."""
        sql = self._q("SELECT {id} FROM {terms} WHERE {match} AND {id} < ? ORDER BY {id} DESC LIMIT ?")
        last, below = None, 1 << 62
        while True:
            rows = self.db.execute(sql, [term, below, ARTICLES_PAGE]).fetchall()
            for (rowid,) in rows:
                article_id = rowid >> ARTICLE_SHIFT
                if article_id != last:
                    last = article_id
                    yield article_id
            if len(rows) < ARTICLES_PAGE:
                return
            below = rows[-1][0]

    def _in_article(self, term: str, article_id: int) -> bool:
        return (
            self.db.execute(
                self._q("SELECT 1 FROM {terms} WHERE {match} AND {id} BETWEEN ? AND ? LIMIT 1"),
                [term, *_rowids(article_id)],
            ).fetchone()
            is not None
        )

    def _matching_versions(self, article_id: int, terms: list[str]) -> list[tuple[int, str]]:
        """(n, text_hash) of the article's versions whose text has a matching paragraph for every term."""
        texts: set[int] | None = None
        for term in terms:
            found = {
                text_id
                for (text_id,) in self.db.execute(
                    self._q("""SELECT tp.text_id FROM text_paragraphs tp WHERE tp.paragraph_id IN (
                           SELECT {id} FROM {terms} WHERE {match} AND {id} BETWEEN ? AND ?)"""),
                    [term, *_rowids(article_id)],
                )
            }
            texts = found if texts is None else texts & found
            if not texts:
                return []
        return self.db.execute(
            """SELECT v.n, v.text_hash FROM texts t
               JOIN versions v ON v.article_id = t.article_id AND v.text_hash = t.hash
               WHERE t.id {in_ids} ORDER BY v.n""".format(**self.sql),
            [self._ids(sorted(texts))],
        ).fetchall()

    def _hit(self, article_id: int, matching: list[tuple[int, str]]) -> dict:
        row = next(
            self.db.query(
                "SELECT id, url, site, title, version_count, last_changed FROM articles WHERE id = ?",
                [article_id],
            )
        )
        n, text_hash = matching[-1]
        return {**row, "n": n, "text_hash": text_hash, "matching": [n for n, _ in matching]}

    def rebuild(self) -> None:
        """The index made again from the stored texts (after `versioner copy` wrote them as rows)."""
        self.pending.clear()
        if not self.postgres:
            rebuild(self.db)
            return
        self.db.execute("TRUNCATE paragraph_terms, text_paragraphs, paragraphs")
        index_stored_texts(self.db)

    def flush(self) -> None:
        """Write the queued paragraphs into the FTS5 index, inside the transaction about to commit."""
        if self.postgres:
            rows = [(rowid, tsearch.vector(text)) for rowid, text in self.pending]
            self.db.executemany("INSERT INTO paragraph_terms (id, terms) VALUES (?, ?::tsvector)", rows)
        else:
            self.db.executemany("INSERT INTO paragraphs_fts (rowid, text) VALUES (?, ?)", self.pending)
        self.pending.clear()


def rebuild(db: sqlite_utils.Database) -> None:
    """The index made again from the stored texts, each with the headline its captures had."""
    for table in ("paragraphs_fts", "text_paragraphs", "paragraphs"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in SCHEMA.split(";\n"):
        db.execute(statement)
    index_stored_texts(db)


def index_stored_texts(db: sqlite_utils.Database) -> None:
    """Every stored text into the (empty) index, with the headline its captures had."""
    from versioner.store.texts import TextStore  # texts imports nothing of the index: no cycle

    texts, index = TextStore(db), ParagraphIndex(db)
    for text_id, article_id, content_hash in db.execute(
        "SELECT id, article_id, hash FROM texts ORDER BY id"
    ).fetchall():
        title = db.execute(
            "SELECT title FROM captures WHERE article_id = ? AND content_hash = ? LIMIT 1",
            [article_id, content_hash],
        ).fetchone()
        index.add(article_id, text_id, title[0] if title else "", texts.get(article_id, content_hash))
        if len(index.pending) > 10_000:
            index.flush()
    index.flush()


def _rowids(article_id: int) -> tuple[int, int]:
    """The first and last rowid an article's paragraphs may have."""
    return article_id << ARTICLE_SHIFT, ((article_id + 1) << ARTICLE_SHIFT) - 1


def paragraphs_of(title: str, text: str) -> dict[int, str]:
    """What the index keeps of a text: its headline and paragraphs, each once, by their digest."""
    return {_digest(part): part for part in [title, *text.split("\n\n")] if part.strip()}


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
