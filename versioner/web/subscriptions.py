"""/api/subscriptions: the notification subscriptions over HTTP, behind the upload API's bearer token.

The same library calls as `versioner notify` (versioner/notify/subscribe.py): list, add, remove. Off, like
the upload API, unless a token is configured: without one every path here answers 404. After an upload
stored a new version, `send_soon` sends its messages from a thread of its own, so no upload waits for a
subscriber's server.
"""

import logging
import threading

from flask import Blueprint, Flask, abort, current_app, jsonify, request

from versioner.notify.subscribe import add, base_url_note, listing, remove
from versioner.web.db import get_store
from versioner.web.params import whole_number
from versioner.web.upload import _authorized, _refusal, _slow_down

bp = Blueprint("subscriptions", __name__, url_prefix="/api")
log = logging.getLogger(__name__)

FLAGS = ("headline_only", "backfill", "allow_private")
LISTS = ("articles", "sites", "words")
MAX_LIST = 100  # articles, sites or words in one subscription


@bp.record_once
def _configure(state) -> None:
    state.app.extensions["versioner_notify_sender"] = _Sender()


@bp.before_request
def _require_token():
    token = current_app.config.get("API_TOKEN")
    if not token:
        abort(404)
    if not _authorized(token):
        wait = current_app.extensions["versioner_failed_upload_buckets"].take(request.remote_addr or "-")
        if wait:
            return _slow_down(wait)
        response = _refusal(401, "A valid bearer token is required (Authorization: Bearer ...).")
        response.headers["WWW-Authenticate"] = 'Bearer realm="versioner"'
        return response
    return None


@bp.get("/subscriptions")
def list_subscriptions():
    """Every subscription, secrets hidden, with its pending and sent counts and last error."""
    return jsonify({"subscriptions": listing(get_store())})


@bp.post("/subscriptions")
def add_subscription():
    """A new subscription from a JSON body {"target": ..., filters...}: 201 with it as shown."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("target"), str):
        abort(400, 'send a JSON object with a "target" (a webhook or Apprise URL)')
    options = {name: _list(body, name) for name in LISTS}
    options |= {name: _flag(body, name) for name in FLAGS}
    min_words = body.get("min_words", 0)
    if not isinstance(min_words, int) or isinstance(min_words, bool) or not 0 <= min_words <= 10**6:
        abort(400, "min_words is a whole number from 0 to 1000000")
    for name in ("digest", "secret"):
        if body.get(name) is not None and not isinstance(body[name], str):
            abort(400, f"{name} is a string")
    subscription = add(
        get_store(),
        body["target"],
        min_words=min_words,
        digest=body.get("digest"),
        secret=body.get("secret"),
        **options,
    )
    note = base_url_note(current_app.config["BASE_URL"])
    return jsonify({**subscription, "note": note}), 201


@bp.delete("/subscriptions/<ref>")
def delete_subscription(ref: str):
    """Remove a subscription and its messages: 204, or 404 for one that is not there."""
    remove(get_store(), whole_number(ref, "a subscription id"))
    return "", 204


def _list(body: dict, name: str) -> list[str]:
    value = body.get(name, [])
    if not isinstance(value, list) or len(value) > MAX_LIST or not all(isinstance(v, str) for v in value):
        abort(400, f"{name} is a list of at most {MAX_LIST} strings")
    return value


def _flag(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        abort(400, f"{name} is true or false")
    return value


class _Sender:
    """One background sender per app: an upload while it works makes it go round once more."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running = False
        self._again = False

    def soon(self, database: str, base_url: str | None) -> None:
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._run, args=(database, base_url), name="notify", daemon=True).start()

    def _run(self, database: str, base_url: str | None) -> None:
        from versioner.notify.outbox import send
        from versioner.store import Store

        while True:
            try:
                store = Store(database)
                try:
                    send(store, base_url)
                finally:
                    store.close()
            except Exception as err:  # the messages stay queued for the next run or `notify send`
                log.warning("notifications not sent now: %s", err)
            with self._lock:
                if not self._again:
                    self._running = False
                    return
                self._again = False


def send_soon(app: Flask) -> None:
    """Send what an upload queued, from a thread of its own (call after the capture is committed)."""
    app.extensions["versioner_notify_sender"].soon(app.config["DATABASE"], app.config["BASE_URL"])
