"""Version texts stored small: zstd, each text compressed with a similar earlier text as dictionary.

A text of an article is compressed with one of the article's recent texts as a raw-content dictionary
(its *base*), so a version that changed a sentence costs a few dozen bytes; a text whose chain of bases
would grow past MAX_DEPTH is compressed on its own (a keyframe), which bounds the work of reading one.
The same functions are registered in SQLite (`versioner_text(data, base_text)`), so the `version_texts`
view reads the texts in plain SQL, from versioner, sqlite-utils or Datasette.
"""

import sqlite3

import zstandard

LEVEL = 19  # compressed once, read many times: worth the slow level
SCOUT_LEVEL = 3  # picking the base: fast compressions rank the candidates as the slow one would
MAX_DEPTH = 24
CANDIDATE_BASES = 2


def compress(text: str, base: str | None = None) -> bytes:
    return _compressor(base).compress(text.encode())


def decompress(data: bytes, base: str | None = None) -> str:
    dictionary = _dictionary(base) if base is not None else None
    return zstandard.ZstdDecompressor(dict_data=dictionary).decompress(data).decode()


def best_compression(text: str, bases: list[tuple[int, str]]) -> tuple[int | None, bytes]:
    """The smallest encoding of text: on its own, or against one of the candidate (id, text) bases."""
    raw = text.encode()
    sizes = {None: len(_compressor(None, SCOUT_LEVEL).compress(raw))}
    for base_id, base in bases:
        sizes[base_id] = len(_compressor(base, SCOUT_LEVEL).compress(raw))
    best_id = min(sizes, key=sizes.get)
    chosen = dict(bases).get(best_id)
    return best_id, _compressor(chosen).compress(raw)


def register(conn: sqlite3.Connection) -> None:
    """Make `versioner_text(data, base_text)` available to SQL on this connection."""
    conn.create_function("versioner_text", 2, _sql_decompress, deterministic=True)


def _sql_decompress(data: bytes | None, base: str | None) -> str | None:
    return None if data is None else decompress(data, base)


def _compressor(base: str | None, level: int = LEVEL) -> zstandard.ZstdCompressor:
    dictionary = _dictionary(base) if base is not None else None
    return zstandard.ZstdCompressor(level=level, dict_data=dictionary, write_checksum=False, write_dict_id=False)


def _dictionary(base: str) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(base.encode(), dict_type=zstandard.DICT_TYPE_RAWCONTENT)
