"""One Store per request, opened on first use and closed when the request ends (as in Flask's flaskr).

A page is built from several queries; an ingest in another process may commit between two of them (a
backfill can renumber or merge versions). So a reading request holds one read transaction, opened with
the store and ended at teardown: in WAL mode it sees one snapshot throughout and blocks no writer.
"""

from flask import Flask, current_app, g, request

from versioner.store import Store

READING = ("GET", "HEAD")


def get_store() -> Store:
    if "store" not in g:
        g.store = Store(current_app.config["DATABASE"])
        if request.method in READING:  # the upload API writes through its own transactions
            g.store.hold_snapshot()
    return g.store


def close_store(_error: BaseException | None = None) -> None:
    store = g.pop("store", None)
    if store is None:
        return
    try:
        store.release_snapshot()
    finally:
        store.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_store)
