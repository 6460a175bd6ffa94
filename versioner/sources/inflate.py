"""Content-Encoding undone with the size cap on the inflated bytes, so a small body cannot become gigabytes.

httpx decodes each network chunk whole (a 13 KB `gzip, gzip` body is gigabytes in one step) and leaves
zstd's output unbounded; fetch.py reads the raw bytes instead and decodes them here. Every decoder
yields at most STEP bytes at a time however much its input would inflate to, and a layer pulls from the
one below only what it needs, so the caller can count and stop at its cap with memory bounded by a few
steps per layer, stacked encodings included.
"""

import itertools
import zlib
from collections.abc import Callable, Iterator

import zstandard

from versioner.errors import FetchError

STEP = 64 * 1024
# What we ask for (Accept-Encoding) and decode; brotli is not a dependency, so `br` is refused.
ACCEPT_ENCODING = "gzip, deflate, zstd"
# Layers of Content-Encoding decoded at most: servers send one, `gzip, gzip` is how bombs multiply.
MAX_CODINGS = 3
# RFC 9659: a zstd decoder for HTTP needs no window over 8 MiB; a frame asking for more is refused
# instead of allocating what it asks.
ZSTD_MAX_WINDOW = 8 * 2**20


def inflate(chunks: Iterator[bytes], content_encoding: str | None) -> Iterator[bytes]:
    """The decoded body of raw chunks, in pieces of at most STEP bytes; FetchError for what we cannot decode."""
    codings = [coding.strip().lower() for coding in (content_encoding or "").split(",")]
    codings = [coding for coding in codings if coding and coding != "identity"]
    if len(codings) > MAX_CODINGS:
        raise FetchError(
            f"{len(codings)} stacked content encodings ({content_encoding}): at most {MAX_CODINGS}"
        )
    for coding in reversed(codings):  # the last one listed was applied last
        decoder = DECODERS.get(coding)
        if decoder is None:
            raise FetchError(f"unsupported Content-Encoding {coding!r} (versioner decodes {ACCEPT_ENCODING})")
        chunks = _said(decoder(chunks), coding)
    return chunks


def _gzip(chunks: Iterator[bytes]) -> Iterator[bytes]:
    return _zlib(chunks, 16 + zlib.MAX_WBITS)


def _deflate(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """`deflate` is zlib-wrapped by the standard, raw from some servers: the first two bytes tell."""
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= 2:
            break
    wrapped = len(head) >= 2 and head[0] & 0x0F == 8 and int.from_bytes(head[:2], "big") % 31 == 0
    return _zlib(itertools.chain([head], chunks), zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)


def _zlib(chunks: Iterator[bytes], wbits: int) -> Iterator[bytes]:
    decompressor = zlib.decompressobj(wbits)
    for chunk in chunks:
        data = chunk
        while data and not decompressor.eof:
            out = decompressor.decompress(data, STEP)
            data = decompressor.unconsumed_tail  # input held back once STEP bytes came out
            if out:
                yield out
        if decompressor.eof:  # what follows the end of the stream is ignored, as browsers do
            return
    if rest := decompressor.flush():  # at most the tail of one match
        yield rest


def _zstd(chunks: Iterator[bytes]) -> Iterator[bytes]:
    decompressor = zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW)
    reader = decompressor.stream_reader(_Reader(chunks), read_size=STEP, read_across_frames=True)
    while out := reader.read(STEP):
        yield out


DECODERS: dict[str, Callable[[Iterator[bytes]], Iterator[bytes]]] = {
    "gzip": _gzip,
    "x-gzip": _gzip,
    "deflate": _deflate,
    "zstd": _zstd,
}


class _Reader:
    """Chunks as the file object zstandard pulls from."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._rest = b""

    def read(self, size: int = -1) -> bytes:
        while not self._rest:
            chunk = next(self._chunks, None)
            if chunk is None:
                return b""
            self._rest = chunk
        size = len(self._rest) if size < 0 else size
        out, self._rest = self._rest[:size], self._rest[size:]
        return out


def _said(chunks: Iterator[bytes], coding: str) -> Iterator[bytes]:
    """A decoder's errors as a FetchError that names the encoding."""
    try:
        yield from chunks
    except (zlib.error, zstandard.ZstdError) as err:
        raise FetchError(f"the body is not valid {coding}: {err}") from None
