"""PostgreSQL's text search as the paragraph index's engine, matching as SQLite's FTS5 index matches.

FTS5 (unicode61, remove_diacritics 2) splits text into runs of letters and digits, folds case and
drops diacritics. PostgreSQL's parser splits otherwise (it keeps "covid-19" whole, reads e-mail
addresses and URLs as one token) and depends on the database's locale, so versioner makes the lexemes
itself: `vector` writes a paragraph's tsvector literal (each folded word with its positions) and
`query` a search term's tsquery literal (a phrase as words that follow each other, `<->`; a trailing
* as a prefix match). Neither goes through PostgreSQL's parser or dictionaries, so both stores find
the same paragraphs for the same search.
"""

import functools
import re
import unicodedata

WORD = re.compile(r"[^\W_]+")  # letters and digits, as FTS5's unicode61 tokenizer reads words
MAX_POSITION = 16_383  # PostgreSQL's largest word position; later words share it
MAX_LEXEME_BYTES = 1_000  # far below PostgreSQL's 2,047: a longer "word" is no word anyone searches


@functools.lru_cache(maxsize=65_536)
def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return [w for w in map(fold, WORD.findall(text)) if w and len(w.encode()) <= MAX_LEXEME_BYTES]


def vector(text: str) -> str:
    """A paragraph as a tsvector literal: every folded word with the positions it has."""
    positions: dict[str, list[int]] = {}
    for place, word in enumerate(words(text), start=1):
        positions.setdefault(word, []).append(min(place, MAX_POSITION))
    return " ".join(
        f"{_quoted(word)}:{','.join(map(str, places[:256]))}" for word, places in positions.items()
    )


def query(term: str) -> str | None:
    """An FTS5 term of fts_terms() ("quoted", maybe with a trailing *) as a tsquery literal; None when
    it has no word to look for (it matches nothing, as in FTS5)."""
    prefix = term.endswith("*")
    found = words(term.rstrip("*")[1:-1].replace('""', '"'))
    if not found:
        return None
    lexemes = [_quoted(word) for word in found]
    if prefix:
        lexemes[-1] += ":*"
    return " <-> ".join(lexemes)


def _quoted(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
