"""Immutable responses, rendered once and kept as bytes, in each encoding a client has asked for.

A diff permalink names both texts by hash, so for one diff engine and one release of the templates its
page can never change: the first request renders it, every later one is a dictionary lookup that opens
no database and renders nothing, which is what lets it serve about as fast as a static file. The key
starts with the package version and the engine (versioner/changes.py, ENGINE), so an upgrade of either
renders afresh. The cache is a least-recently-used map bounded in bytes (every encoding counted), one
per app (per process); each encoding is compressed the first time a client asks for it.
"""

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import Flask, Response, current_app

from versioner import __version__, changes
from versioner.web import compression

MAX_AGE = "public, max-age=31536000, immutable"
DEFAULT_MAX_BYTES = 64 * 1024 * 1024  # a few hundred long diff pages, thousands of news-sized ones
IDENTITY = "identity"


@dataclass
class Rendered:
    """One response as first rendered: its ETag, type and bodies by encoding (identity always)."""

    etag: str
    mimetype: str
    bodies: dict[str, bytes] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(len(body) for body in self.bodies.values())


class ResponseCache:
    """Rendered responses by key, the least recently used dropped once they hold more than max_bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, Rendered] = OrderedDict()
        self._lock = threading.Lock()  # waitress answers from several threads

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Rendered | None:
        with self._lock:
            rendered = self._entries.get(key)
            if rendered is not None:
                self._entries.move_to_end(key)
            return rendered

    def put(self, key: str, rendered: Rendered) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            self.size -= old.size if old else 0
            if rendered.size <= self.max_bytes:
                self._entries[key] = rendered
                self.size += rendered.size
            self._evict()

    def body(self, key: str, rendered: Rendered, encoding: str) -> bytes:
        """The body in this encoding, compressed on first use and then kept (and counted) with the rest."""
        body = rendered.bodies.get(encoding)
        if body is not None:
            return body
        body = compression.KEPT[encoding](rendered.bodies[IDENTITY])  # outside the lock: it takes a while
        with self._lock:
            if encoding not in rendered.bodies:
                rendered.bodies[encoding] = body
                if self._entries.get(key) is rendered:
                    self.size += len(body)
                    self._evict()
        return body

    def _evict(self) -> None:
        while self.size > self.max_bytes and self._entries:
            _, dropped = self._entries.popitem(last=False)
            self.size -= dropped.size


def init_app(app: Flask) -> None:
    """One cache per app, of RESPONSE_CACHE_BYTES (default DEFAULT_MAX_BYTES)."""
    app.config.setdefault("RESPONSE_CACHE_BYTES", DEFAULT_MAX_BYTES)
    app.extensions["versioner.immutable"] = ResponseCache(int(app.config["RESPONSE_CACHE_BYTES"]))


def cache() -> ResponseCache:
    return current_app.extensions["versioner.immutable"]


def key(*parts: str) -> str:
    """A cache key: the release and the diff engine first, so that either's upgrade renders anew."""
    return "\x1f".join((__version__, changes.ENGINE, *parts))


def etag(*parts: str) -> str:
    """A strong ETag that, like the key, changes with the release and the engine."""
    return hashlib.sha256(key(*parts).encode()).hexdigest()[:32]


def respond(cache_key: str, rendered: Rendered) -> Response:
    """The kept response in the encoding the client prefers, or 304 when If-None-Match has it."""
    encoding = compression.chosen_encoding(len(rendered.bodies[IDENTITY]))
    tag = rendered.etag if encoding is None else f"{rendered.etag}-{encoding}"
    if compression.client_has(tag):
        response = Response(status=304)
    else:
        body = cache().body(cache_key, rendered, encoding) if encoding else rendered.bodies[IDENTITY]
        response = Response(body, mimetype=rendered.mimetype)
        if encoding:
            response.headers["Content-Encoding"] = encoding
    response.set_etag(tag)
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = MAX_AGE
    return response
