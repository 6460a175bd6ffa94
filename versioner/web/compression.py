"""Responses compressed for the clients that ask: on the fly by flask-compress, or kept already compressed.

Pages that change (the home page, an article, search, the API) are compressed per request by
flask-compress, which also sets `Vary: Accept-Encoding`, suffixes a strong ETag with the encoding and
answers a matching If-None-Match with 304. Immutable responses (versioner/web/immutable.py) come with
their Content-Encoding already set, which flask-compress leaves alone, so nothing is compressed twice.
Both choose among the same encodings, in the same order, above the same size.
"""

import gzip
from functools import lru_cache

import brotli
import zstandard
from flask import Flask, request
from flask_compress import Compress

# Best first: on the diff pages of the corpus brotli is about a fifth smaller than gzip, zstd close to it.
ENCODINGS = ("br", "zstd", "gzip")
# Below this many bytes, compression saves less than a round of its headers costs.
MIN_SIZE = 512
# Types worth compressing; images other than SVG and the raw captures' downloads are left as they are.
COMPRESSIBLE = (
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/atom+xml",
    "application/xml",
    "image/svg+xml",
)
# Rendered once and kept, so a slower, tighter level pays off (gzip 9 costs 12 ms on a 400 KB page,
# brotli 9 50 ms; brotli 11 would take 430 ms for 11 % less).
KEPT = {
    "br": lambda data: brotli.compress(data, quality=9),
    "zstd": lambda data: zstandard.ZstdCompressor(level=12).compress(data),
    "gzip": lambda data: gzip.compress(data, compresslevel=9, mtime=0),
}


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", list(ENCODINGS))
    app.config.setdefault("COMPRESS_MIN_SIZE", MIN_SIZE)
    app.config.setdefault("COMPRESS_MIMETYPES", list(COMPRESSIBLE))
    # Static files are sent as streams: gzip cannot stream in flask-compress, brotli and zstd can.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", [name for name in ENCODINGS if name != "gzip"])
    Compress(app)


def chosen_encoding(size: int) -> str | None:
    """The encoding this request's Accept-Encoding prefers for a body of `size` bytes; None: identity."""
    if size < MIN_SIZE:
        return None
    return _best(request.headers.get("Accept-Encoding", ""))


@lru_cache(maxsize=256)
def _best(accept_encoding: str) -> str | None:
    """The client's most wanted encoding of ours (q-values honoured, `*` for any); ties go to our order."""
    quality: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.partition(";")
        name, q = name.strip(), 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if name:
            quality[name] = q
    wildcard = quality.get("*", 0.0)
    ranked = [(quality.get(name, wildcard), -order, name) for order, name in enumerate(ENCODINGS)]
    q, _, name = max(ranked)
    return name if q > 0 else None


def client_has(etag: str) -> bool:
    """Whether If-None-Match names this ETag as sent plain or with the suffix flask-compress gives it."""
    tags = request.if_none_match
    return tags.contains(etag) or any(tags.contains(f"{etag}:{name}") for name in ENCODINGS)
