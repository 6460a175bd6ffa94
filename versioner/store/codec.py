"""Version texts (and raw captures) stored small: zstd, each compressed with a similar earlier one as dictionary.

A text of an article is compressed with one of the article's recent texts as a raw-content dictionary
(its *base*), so a version that changed a sentence costs a few dozen bytes. Reading a text decodes its
chain of bases, so chains stop at MAX_DEPTH: a text whose chain is full is compressed against the text
halfway down it (BRANCH_DEPTH), which costs the edits of a dozen versions rather than a new keyframe (a
text compressed on its own, as an article's first text is when nothing like it is stored yet).
"""

from collections.abc import Iterable

import zstandard

from versioner.errors import StorageError

LEVEL = 19  # compressed once, read many times: worth the slow level
SCOUT_LEVEL = 3  # picking the base: fast compressions rank the candidates as the slow one would
SMALL_DELTA = 512  # bytes: a delta this small is an edit, kept at the fast level
MAX_DEPTH = 24
BRANCH_DEPTH = MAX_DEPTH // 2
CANDIDATE_BASES = 8  # an article's recent texts tried as base: versions may return to an older one


def decompress(data: bytes, base: str | None = None) -> str:
    try:
        return unpack(data, None if base is None else base.encode()).decode()
    except UnicodeDecodeError as err:
        raise StorageError(f"a stored text does not decode: {err}") from None


def pack(data: bytes, base: bytes | None = None, level: int = LEVEL) -> bytes:
    """Bytes compressed on their own, or against `base` as a raw-content dictionary."""
    return _compressor(base, level).compress(data)


def unpack(data: bytes, base: bytes | None = None) -> bytes:
    """The bytes `pack` compressed; StorageError where the stored data is damaged."""
    dictionary = _dictionary(base) if base is not None else None
    try:
        return zstandard.ZstdDecompressor(dict_data=dictionary).decompress(data)
    except zstandard.ZstdError as err:
        raise StorageError(f"stored data does not decode (the database is damaged): {err}") from None


def best_compression(text: str, bases: Iterable[tuple[int, str]]) -> tuple[int | None, bytes]:
    """A small encoding of text: against one of the candidate (id, text) bases, or on its own.

    Bases come newest first (and may be decoded lazily), and most versions are an edit of the one
    before: the first base the text is a small delta of (an edit) wins at once, kept at the fast
    level, as the slow level would save a few bytes of a few dozen. Otherwise (a rewrite, a return to
    an older text, a text unlike any base) the smallest of the fast encodings is compressed again at
    the slow level, where it pays.
    """
    raw = text.encode()
    encodings: dict[int | None, bytes] = {}
    tried: dict[int | None, bytes | None] = {None: None}
    for base_id, base in bases:
        tried[base_id] = base.encode()
        encodings[base_id] = pack(raw, tried[base_id], SCOUT_LEVEL)
        if len(encodings[base_id]) <= SMALL_DELTA:
            return base_id, encodings[base_id]
    encodings[None] = pack(raw, None, SCOUT_LEVEL)
    best_id = min(encodings, key=lambda key: len(encodings[key]))
    return best_id, pack(raw, tried[best_id])


def _compressor(base: bytes | None, level: int) -> zstandard.ZstdCompressor:
    dictionary = _dictionary(base) if base is not None else None
    return zstandard.ZstdCompressor(
        level=level, dict_data=dictionary, write_checksum=False, write_dict_id=False
    )


def _dictionary(base: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
