"""The web UI: create_app() builds a Flask app over one versioner database.

HTML pages (pages.py), a JSON API under /api/ (api.py) and Atom feeds (atom.py) only read articles;
the one thing they write is the diff cache (through versioner/changes.py). The upload API (upload.py)
stores captures. Run it with any WSGI server as `versioner.web:create_app()`.
"""

import os
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, ServiceUnavailable

from versioner.errors import NotInArchive, StorageError, VersionerError
from versioner.web import compression, db, filters, immutable

# No inline script or style anywhere: one stylesheet and one script, both from /static/.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# Host names a request may name when no BASE_URL is set (any port); `versioner serve` adds its --host.
DEFAULT_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def create_app(config: dict | None = None) -> Flask:
    """The application: DATABASE is the SQLite file (default: env VERSIONER_DB, else versioner.db).

    Absolute links (the Atom feeds) start with BASE_URL (env VERSIONER_BASE_URL) when it is set; without
    it they follow the request's Host, so only the host names in ALLOWED_HOSTS (env
    VERSIONER_ALLOWED_HOSTS, comma-separated; default DEFAULT_HOSTS) are answered, any other with 400.
    """
    app = Flask(__name__)
    app.config.update(
        DATABASE=os.environ.get("VERSIONER_DB", "versioner.db"),
        JSON_SORT_KEYS=False,
        BASE_URL=os.environ.get("VERSIONER_BASE_URL") or None,
        ALLOWED_HOSTS=host_list(os.environ.get("VERSIONER_ALLOWED_HOSTS", "")) or list(DEFAULT_HOSTS),
    )
    app.config.update(config or {})
    app.config["BASE_URL"] = _checked_base_url(app.config["BASE_URL"])
    if isinstance(app.config["ALLOWED_HOSTS"], str):  # given as the environment variable would give it
        app.config["ALLOWED_HOSTS"] = host_list(app.config["ALLOWED_HOSTS"])
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    db.init_app(app)
    filters.init_app(app)
    compression.init_app(app)
    immutable.init_app(app)

    from versioner.web import api, memento, pages, upload
    from versioner.web import atom as feeds
    from versioner.web import blame as insight

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(upload.bp)
    from versioner.web import subscriptions  # after upload: it shares the upload API's token and limits

    app.register_blueprint(subscriptions.bp)
    app.register_blueprint(insight.bp)
    app.register_blueprint(memento.bp)
    from versioner.web import sites  # outlet statistics (#17)

    app.register_blueprint(sites.bp)

    app.before_request(_check_host)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(VersionerError, _versioner_error)
    return app


def host_list(text: str) -> list[str]:
    """Host names as VERSIONER_ALLOWED_HOSTS gives them: comma- or space-separated, any case."""
    return [name.lower() for name in text.replace(",", " ").split()]


def _checked_base_url(base_url: str | None) -> str | None:
    if not base_url:
        return None
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        raise VersionerError(
            f"VERSIONER_BASE_URL {base_url[:80]!r} must be the site's origin, like https://news.example.org"
        )
    return f"{parts.scheme}://{parts.netloc}"


def _check_host() -> None:
    """Without a BASE_URL the Host header makes absolute links: a host not on the list is refused."""
    if current_app.config["BASE_URL"]:
        return
    allowed = {name.lower() for name in current_app.config["ALLOWED_HOSTS"]}
    host = request.host.lower()  # after a trusted proxy's X-Forwarded-Host (waitress applies it)
    name = host[: host.find("]") + 1] if host.startswith("[") else host.rpartition(":")[0] or host
    if host not in allowed and name not in allowed:
        abort(400, "this server does not answer to that host name (see VERSIONER_ALLOWED_HOSTS)")


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _versioner_error(err: VersionerError):
    """A missing article or version is a 404; a database that cannot be used a 503; any other input a 400."""
    if isinstance(err, StorageError):  # the server's problem, not the reader's: the details go to the log
        current_app.logger.error("%s %s: %s", request.method, request.path, err)
        return _http_error(ServiceUnavailable("the database cannot be read just now: try again in a moment"))
    status = NotFound if isinstance(err, NotInArchive) else BadRequest
    return _http_error(status(str(err)))


def _http_error(err: HTTPException):
    """JSON {"error": ...} under /api/, an HTML page that explains elsewhere."""
    if err.code is None or err.code < 400:
        return err
    message = err.description or err.name
    message = message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
    if request.path.startswith("/api/"):
        response = jsonify({"error": message, "status": err.code})
    else:
        response = Response(render_template("error.html", error=err, message=message), mimetype="text/html")
    response.status_code = err.code
    for name, value in err.get_headers():
        if name.lower() == "allow":
            response.headers[name] = value
    return response
