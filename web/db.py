"""One Store per request, opened on first use and closed when the request ends (as in Flask's flaskr)."""

from flask import Flask, current_app, g

from versioner.store import Store


def get_store() -> Store:
    if "store" not in g:
        g.store = Store(current_app.config["DATABASE"])
    return g.store


def close_store(_error: BaseException | None = None) -> None:
    store = g.pop("store", None)
    if store is not None:
        store.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_store)
