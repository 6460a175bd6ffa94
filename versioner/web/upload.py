"""POST /api/captures: captures pushed by other tools (a crawler, a browser extension, a script).

Off unless a token is configured (env VERSIONER_API_TOKEN, read when the app is created, or API_TOKEN in
create_app's config): without one the endpoint answers 404 like any unknown URL. The body is the raw
page (HTML or text) with its URL and fetch time as query parameters (`url`, `fetched_at`) or headers
(`X-Versioner-Url`, `X-Versioner-Fetched-At`), or one WARC response record (Content-Type
application/warc) that carries both. Every capture goes through versioner.versioning like a file, so posting
the same capture twice is a no-op ("duplicate"). Nothing is stored when the answer is an error.
"""

import hashlib
import hmac
import io
import os
import threading
import time
from dataclasses import replace

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, request

from versioner.capture import MAX_SNAPSHOT_BYTES, Capture, check_not_future, kind_and_charset
from versioner.errors import BadURL, SnapshotError, VersionerError
from versioner.sources.warc import read_warc
from versioner.store import Store
from versioner.times import now, parse_time, to_iso
from versioner.urls import canonical_url
from versioner.versioning import IngestResult, ingest
from versioner.web.db import get_store

bp = Blueprint("upload", __name__, url_prefix="/api")

# Room for the WARC and HTTP headers around a page of the largest size accepted.
MAX_BODY_BYTES = MAX_SNAPSHOT_BYTES + 64 * 1024
WARC_TYPES = {"application/warc", "application/warc-record"}


@bp.record_once
def _configure(state) -> None:
    app: Flask = state.app
    app.config.setdefault("API_TOKEN", os.environ.get("VERSIONER_API_TOKEN") or None)
    app.config.setdefault("UPLOAD_BURST", 60)  # requests a client may send at once ...
    app.config.setdefault("UPLOAD_PER_SECOND", 2.0)  # ... and the pace it may keep up
    app.config.setdefault("UPLOAD_FAILED_BURST", 10)  # requests with a wrong token, counted apart ...
    app.config.setdefault("UPLOAD_FAILED_PER_SECOND", 0.2)  # ... so they never use up the owner's
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.extensions["versioner_upload_buckets"] = TokenBuckets(
        app.config["UPLOAD_BURST"], app.config["UPLOAD_PER_SECOND"]
    )
    app.extensions["versioner_failed_upload_buckets"] = TokenBuckets(
        app.config["UPLOAD_FAILED_BURST"], app.config["UPLOAD_FAILED_PER_SECOND"]
    )


@bp.post("/captures")
def post_capture():
    """Store one capture: {article, url, version, status, new}; 201 when stored, 200 for a duplicate.

    The token, the pace and the declared size are checked before a byte of the body is read.
    """
    token = current_app.config.get("API_TOKEN")
    if not token:
        abort(404)
    client = request.remote_addr or "-"
    if not _authorized(token):
        wait = current_app.extensions["versioner_failed_upload_buckets"].take(client)
        if wait:
            return _slow_down(wait)
        response = _refusal(401, "A valid bearer token is required (Authorization: Bearer ...).")
        response.headers["WWW-Authenticate"] = 'Bearer realm="versioner"'
        return response
    wait = current_app.extensions["versioner_upload_buckets"].take(client)
    if wait:
        return _slow_down(wait)
    if (request.content_length or 0) > MAX_BODY_BYTES:
        abort(413, f"the body is over the {MAX_SNAPSHOT_BYTES // 2**20} MiB snapshot size cap")
    if request.mimetype.startswith("multipart/"):
        abort(
            415,
            "a form upload (multipart, curl -F) is not read: send the page itself as the body, e.g. "
            "curl --data-binary @page.html -H 'Content-Type: text/html'",
        )
    request.max_content_length = MAX_BODY_BYTES
    body = request.get_data(cache=False)  # past the limit werkzeug answers 413 without reading further
    capture = _capture_from_warc(body) if request.mimetype in WARC_TYPES else _capture_from_body(body)
    store = get_store()
    try:
        result = ingest(store, capture)
    except BadURL as err:
        abort(400, str(err))
    except SnapshotError as err:
        abort(422, str(err))
    except VersionerError as err:  # the database refused the write
        abort(503, str(err))
    if result.status == "new version":  # committed with its messages: sent from a thread, never awaited
        from versioner.web.subscriptions import send_soon

        send_soon(current_app)
    return jsonify(
        {
            "article": result.article_id,
            "url": result.url,
            "version": _version_of(store, result, capture),
            "status": result.status,
            "new": result.status == "new version",
        }
    ), 200 if result.status == "duplicate" else 201


def _authorized(token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # compare_digest: the time taken must not tell how much of a guessed token was right.
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _capture_from_body(body: bytes) -> Capture:
    if len(body) > MAX_SNAPSHOT_BYTES:
        abort(413, f"the body is over the {MAX_SNAPSHOT_BYTES // 2**20} MiB snapshot size cap")
    url = request.args.get("url") or request.headers.get("X-Versioner-Url")
    fetched_at = request.args.get("fetched_at") or request.headers.get("X-Versioner-Fetched-At")
    if not url:
        abort(400, "give the page's URL as ?url= or an X-Versioner-Url header")
    if not fetched_at:
        abort(400, "give the fetch time (ISO 8601) as ?fetched_at= or an X-Versioner-Fetched-At header")
    kind, charset = kind_and_charset(request.headers.get("Content-Type"))
    return Capture(
        raw=body,
        url=_checked_url(url),
        fetched_at=_checked_time(fetched_at),
        source=f"upload:{request.remote_addr}",
        kind_hint=kind,
        charset=charset,
    )


def _capture_from_warc(body: bytes) -> Capture:
    """The body's one page. Records are read one at a time and the reading stops at a second one: each
    may inflate to the size cap (gzip), so holding every record of a small body could take gigabytes."""
    items = read_warc(io.BytesIO(body), "upload")  # page records and unreadable ones, lazily
    try:
        first, second = next(items, None), next(items, None)
    finally:
        items.close()
    if second is not None:
        abort(422, "post one WARC response record per request: this body has more than one")
    if first is None or first.capture is None:
        reason = first.error if first is not None else "no HTML or text response record"
        abort(422, f"the WARC body cannot be used: {reason}")
    capture = first.capture
    _checked_url(capture.url or "")
    _checked_time(to_iso(capture.fetched_at))
    return replace(capture, source=f"upload:{request.remote_addr}")


def _checked_url(url: str) -> str:
    try:
        return canonical_url(url)
    except BadURL as err:
        abort(400, str(err))


def _checked_time(text: str):
    try:  # the same rule as `versioner ingest`: more than MAX_CLOCK_SKEW ahead is refused
        return check_not_future(parse_time(text), now())
    except VersionerError as err:
        abort(400, str(err))
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00: a real time, but before year 1 in UTC
        abort(400, f"the fetch time {text[:40]!r} is out of range once converted to UTC")


def _version_of(store: Store, result: IngestResult, capture: Capture) -> int | None:
    """The version a capture is on; for a duplicate, the one the earlier identical capture landed on."""
    if result.status != "duplicate":
        return result.version
    fetched_at, raw_hash = to_iso(capture.fetched_at), hashlib.sha256(capture.raw).hexdigest()
    for row in store.captures(result.article_id):
        if row["fetched_at"] == fetched_at and row["raw_hash"] == raw_hash:
            return row["version"]
    return None


def _slow_down(wait: float) -> Response:
    response = _refusal(429, "Too many requests: slow down.")
    response.headers["Retry-After"] = str(max(1, round(wait)))
    return response


def _refusal(status: int, message: str) -> Response:
    """401 and 429 answered here: they need headers the app's error handler does not pass on."""
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    return response


class TokenBuckets:
    """An in-process rate limit per client: `burst` requests at once, refilled at `per_second`."""

    MAX_CLIENTS = 10_000  # past this many, clients whose bucket has refilled are forgotten

    def __init__(self, burst: float, per_second: float):
        self.burst, self.per_second = float(burst), float(per_second)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 when the request may go ahead, else the seconds until it could."""
        with self._lock:
            moment = time.monotonic()
            if len(self._buckets) > self.MAX_CLIENTS:
                full = self.burst / self.per_second
                self._buckets = {k: v for k, v in self._buckets.items() if moment - v[1] < full}
            tokens, last = self._buckets.get(client, (self.burst, moment))
            tokens = min(self.burst, tokens + (moment - last) * self.per_second)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, moment)
                return 0.0
            self._buckets[client] = (tokens, moment)
            return (1 - tokens) / self.per_second
