"""Version texts (and raw captures) stored small: zstd, each compressed with a similar earlier one as dictionary.

A text of an article is compressed with one of the article's recent texts as a raw-content dictionary
(its *base*), so a version that changed a sentence costs a few dozen bytes. Reading a text decodes its
chain of bases, so chains stop at MAX_DEPTH: a text whose chain is full is compressed against the text
halfway down it (BRANCH_DEPTH), which costs the edits of a dozen versions rather than a new keyframe (a
text compressed on its own, as an article's first text is when nothing like it is stored yet).
"""

import zstandard

LEVEL = 19  # compressed once, read many times: worth the slow level
SCOUT_LEVEL = 3  # picking the base: fast compressions rank the candidates as the slow one would
SMALL_DELTA = 512  # bytes: a delta this small is an edit, kept at the fast level
MAX_DEPTH = 24
BRANCH_DEPTH = MAX_DEPTH // 2
CANDIDATE_BASES = 2


def compress(text: str, base: str | None = None) -> bytes:
    return pack(text.encode(), None if base is None else base.encode())


def decompress(data: bytes, base: str | None = None) -> str:
    return unpack(data, None if base is None else base.encode()).decode()


def pack(data: bytes, base: bytes | None = None, level: int = LEVEL) -> bytes:
    """Bytes compressed on their own, or against `base` as a raw-content dictionary."""
    return _compressor(base, level).compress(data)


def unpack(data: bytes, base: bytes | None = None) -> bytes:
    dictionary = _dictionary(base) if base is not None else None
    return zstandard.ZstdDecompressor(dict_data=dictionary).decompress(data)


def best_compression(text: str, bases: list[tuple[int, str]]) -> tuple[int | None, bytes]:
    """A small encoding of text: against the candidate (id, text) base it shares most with, or alone.

    Every candidate is tried at a fast level. A small delta (an edit) is kept as it is: the slow level
    would save a few bytes of a few dozen. A large delta (a rewrite) or a text on its own is compressed
    again at the slow level, where it pays.
    """
    raw = text.encode()
    candidates = {None: None, **{base_id: base.encode() for base_id, base in bases}}
    encodings = {base_id: pack(raw, base, SCOUT_LEVEL) for base_id, base in candidates.items()}
    best_id = min(encodings, key=lambda key: len(encodings[key]))
    if best_id is not None and len(encodings[best_id]) <= SMALL_DELTA:
        return best_id, encodings[best_id]
    return best_id, pack(raw, candidates[best_id])


def _compressor(base: bytes | None, level: int) -> zstandard.ZstdCompressor:
    dictionary = _dictionary(base) if base is not None else None
    return zstandard.ZstdCompressor(
        level=level, dict_data=dictionary, write_checksum=False, write_dict_id=False
    )


def _dictionary(base: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
