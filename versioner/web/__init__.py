"""The web UI: create_app() builds a Flask app over one versioner database.

HTML pages (pages.py), a JSON API under /api/ (api.py) and Atom feeds (atom.py) only read articles;
the one thing they write is the diff cache (through versioner/changes.py). The upload API (upload.py)
stores captures. Run it with any WSGI server as `versioner.web:create_app()`.
"""

import os

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, ServiceUnavailable

from versioner.errors import NotInArchive, StorageError, VersionerError
from versioner.web import db, filters

# No inline script or style anywhere: one stylesheet and one script, both from /static/.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def create_app(config: dict | None = None) -> Flask:
    """The application: DATABASE is the SQLite file (default: env VERSIONER_DB, else versioner.db)."""
    app = Flask(__name__)
    app.config.update(
        DATABASE=os.environ.get("VERSIONER_DB", "versioner.db"),
        JSON_SORT_KEYS=False,
    )
    app.config.update(config or {})
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    db.init_app(app)
    filters.init_app(app)

    from versioner.web import api, pages, upload
    from versioner.web import atom as feeds

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(upload.bp)

    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(VersionerError, _versioner_error)
    return app


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
