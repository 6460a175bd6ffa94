"""Responses compressed for the clients that ask: per request here, or kept already compressed.

Pages that change (the home page, an article, search, the API, feeds) are compressed by an after-request
hook that also says `Vary: Accept-Encoding`, suffixes a strong ETag with the encoding and answers a
matching If-None-Match with 304. Immutable responses (versioner/web/immutable.py) come with their
Content-Encoding already set, which the hook leaves alone, so nothing is compressed twice; both ask
`chosen_encoding`, so both choose alike. (Not flask-compress: it sends gzip to `gzip;q=0`, which
means "never gzip", and a second chooser would disagree with the kept responses' one.)
"""

import gzip
from functools import lru_cache

import brotli
import zstandard
from flask import Flask, Response, request

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
# Per request: fast levels (brotli 4 and zstd 3 compress about as tightly as gzip 6, in half the time).
PER_REQUEST = {
    "br": lambda data: brotli.compress(data, quality=4),
    "zstd": lambda data: zstandard.ZstdCompressor(level=3).compress(data),
    "gzip": lambda data: gzip.compress(data, compresslevel=6, mtime=0),
}
# Rendered once and kept, so a slower, tighter level pays off (gzip 9 costs 12 ms on a 400 KB page,
# brotli 9 50 ms; brotli 11 would take 430 ms for 11 % less).
KEPT = {
    "br": lambda data: brotli.compress(data, quality=9),
    "zstd": lambda data: zstandard.ZstdCompressor(level=12).compress(data),
    "gzip": lambda data: gzip.compress(data, compresslevel=9, mtime=0),
}


def init_app(app: Flask) -> None:
    app.after_request(compress)


def compress(response: Response) -> Response:
    """The response compressed in the client's preferred encoding, where that is worth it."""
    if response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")
    if (
        not 200 <= response.status_code < 300
        or "Content-Encoding" in response.headers
        or response.is_streamed
        and not response.direct_passthrough  # a generator: no length to judge
        or request.method not in ("GET", "HEAD")
    ):
        return response
    size = response.content_length  # set by Flask for bodies, by send_file for static files
    encoding = chosen_encoding(size if size is not None else response.calculate_content_length() or 0)
    if encoding is None:
        return response
    response.direct_passthrough = False  # a static file: read it (a few kilobytes) to compress it
    response.set_data(PER_REQUEST[encoding](response.get_data()))
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}:{encoding}", weak=weak)
    return response.make_conditional(request)


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
