"""Memento (RFC 7089): the TimeGate and the TimeMaps of every article URL, and the headers of mementos.

URLs are taken the way Wayback and pywb take them: `/timegate/https://www.example.org/story?id=3`, the
request's query string being the target's. The target is read from the raw request URI, as werkzeug's
path converter decodes percent-escapes and a proxy may merge `//`; then it is looked up as every other
article reference (Store.article), so any form of the URL that ingest would canonicalise alike finds it.
"""

from urllib.parse import unquote

from flask import Blueprint, Response, current_app, jsonify, redirect, request, url_for

from versioner.errors import NotInArchive, VersionerError
from versioner.memento import Link, http_date, in_force, link_format, memento_rel, parse_accept_datetime
from versioner.store import VersionInfo
from versioner.web.db import get_store

bp = Blueprint("memento", __name__)

TIMEGATE = "/timegate/"
TIMEMAP_LINK = "/timemap/link/"
TIMEMAP_JSON = "/timemap/json/"
LINK_FORMAT = "application/link-format"


@bp.get(TIMEGATE + "<path:url>")
def timegate(url: str):
    """302 to the memento in force at Accept-Datetime (the latest without one)."""
    article, versions = _history(_target(TIMEGATE))
    given = request.headers.get("Accept-Datetime")
    chosen = in_force(versions, parse_accept_datetime(given) if given is not None else None)
    response = redirect(_memento_url(article, chosen), code=302)
    response.vary.add("accept-datetime")
    links = [
        Link(article["url"], "original"),
        Link(_route(TIMEMAP_LINK, article["url"]), "timemap", (("type", LINK_FORMAT),)),
        *_mementos(article, versions, {versions[0].n, chosen.n, versions[-1].n}),
    ]
    response.headers["Link"] = link_format(links)
    return response


@bp.get(TIMEMAP_LINK + "<path:url>")
def timemap_link(url: str):
    """Every memento of the URL in application/link-format, oldest first."""
    article, versions = _history(_target(TIMEMAP_LINK))
    links = [
        Link(article["url"], "original"),
        Link(_route(TIMEGATE, article["url"]), "timegate"),
        Link(
            _route(TIMEMAP_LINK, article["url"]),
            "self",
            (
                ("type", LINK_FORMAT),
                ("from", http_date(versions[0].first_seen)),
                ("until", http_date(versions[-1].first_seen)),
            ),
        ),
        Link(_route(TIMEMAP_JSON, article["url"]), "timemap", (("type", "application/json"),)),
        *_mementos(article, versions, None),
    ]
    return Response(link_format(links, ",\n") + "\n", content_type=LINK_FORMAT)


@bp.get(TIMEMAP_JSON + "<path:url>")
def timemap_json(url: str):
    """The JSON TimeMap as Memento aggregators (MemGator, Time Travel) write it, ISO 8601 UTC dates."""
    article, versions = _history(_target(TIMEMAP_JSON))
    listed = [{"datetime": v.first_seen, "uri": _memento_url(article, v)} for v in versions]
    return jsonify(
        {
            "original_uri": article["url"],
            "self": _route(TIMEMAP_JSON, article["url"]),
            "timegate_uri": _route(TIMEGATE, article["url"]),
            "timemap_uri": {
                "link_format": _route(TIMEMAP_LINK, article["url"]),
                "json_format": _route(TIMEMAP_JSON, article["url"]),
            },
            "mementos": {"first": listed[0], "last": listed[-1], "list": listed},
        }
    )


def add_memento_headers(
    response: Response, article: dict, versions: list[VersionInfo], shown: VersionInfo
) -> Response:
    """A version page is a memento: its datetime and its neighbours, for any Memento client."""
    index = next(i for i, v in enumerate(versions) if v.n == shown.n)
    around = {versions[0].n, versions[-1].n, shown.n}
    around |= {versions[i].n for i in (index - 1, index + 1) if 0 <= i < len(versions)}
    try:
        links = [
            Link(article["url"], "original"),
            Link(_route(TIMEGATE, article["url"]), "timegate"),
            Link(_route(TIMEMAP_LINK, article["url"]), "timemap", (("type", LINK_FORMAT),)),
            *_mementos(article, versions, around, shown),
        ]
        response.headers["Memento-Datetime"] = http_date(shown.first_seen)
    except VersionerError:  # a time an older versioner stored unreadable: the page, without Memento headers
        return response
    response.headers["Link"] = link_format(links)
    return response


def _mementos(
    article: dict, versions: list[VersionInfo], only: set[int] | None, shown: VersionInfo | None = None
) -> list[Link]:
    """Memento links in order (all, or the versions numbered in `only`), with first/last and, around
    `shown`, prev/next in their rel."""
    links = []
    for index, version in enumerate(versions):
        if only is not None and version.n not in only:
            continue
        rel = memento_rel(version, versions)
        if shown is not None and index + 1 < len(versions) and versions[index + 1].n == shown.n:
            rel = "prev " + rel
        if shown is not None and index > 0 and versions[index - 1].n == shown.n:
            rel = "next " + rel
        links.append(
            Link(_memento_url(article, version), rel, (("datetime", http_date(version.first_seen)),))
        )
    return links


def _history(target: str) -> tuple[dict, list[VersionInfo]]:
    """The article the target URL names and its versions; NotInArchive (404) when versioner has none."""
    store = get_store()
    for candidate in _spellings(target):
        try:
            article = store.article(candidate)
        except NotInArchive:
            continue
        versions = store.versions(article["id"])
        if versions:
            return article, versions
    raise NotInArchive(f"versioner holds no version of {target[:200]!r}")


def _spellings(target: str) -> list[str]:
    """The target as given, or with a scheme when it has none (Wayback accepts example.org/story)."""
    if "://" in target.partition("?")[0]:
        return [target]
    return [f"https://{target}", f"http://{target}"]


def _target(prefix: str) -> str:
    """The URL after `prefix` in the raw request URI, query string included, nothing decoded or merged.

    Without a raw URI (a WSGI server that gives none) it is rebuilt from the decoded path. A URL sent
    fully percent-encoded (`https%3A%2F%2F...`) is decoded once; `https:/host` (a proxy merged the
    slashes) gets its second slash back.
    """
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        # Waitress and werkzeug pass the bytes as latin-1; UTF-8 in a URL is read back as UTF-8.
        try:
            raw = raw.encode("latin-1").decode("utf-8", "replace")
        except UnicodeEncodeError:  # a server that decoded it already
            pass
        if not raw.startswith("/"):  # absolute-form request target: http://host/timegate/...
            raw = "/" + raw.partition("://")[2].partition("/")[2]
        start = raw.find(prefix)
        target = raw[start + len(prefix) :] if start >= 0 else ""
    else:
        query = request.query_string.decode("latin-1")
        target = request.path[request.path.find(prefix) + len(prefix) :] + (f"?{query}" if query else "")
    if target[:8].lower() in ("http%3a%", "https%3a"):
        target = unquote(target)
    for scheme in ("http:/", "https:/"):
        if target.lower().startswith(scheme) and not target[len(scheme) :].startswith("/"):
            target = target[: len(scheme)] + "/" + target[len(scheme) :]
    return target


def _memento_url(article: dict, version: VersionInfo) -> str:
    return _absolute(url_for("pages.version", ref=article["id"], n=version.n))


def _route(prefix: str, url: str) -> str:
    """A TimeGate or TimeMap address: built by hand, as url_for would escape the URL's `?` and `//`."""
    return _absolute(request.script_root + prefix + url)


def _absolute(path: str) -> str:
    """Links start with BASE_URL when set, else the request's host, which create_app checked."""
    return (current_app.config["BASE_URL"] or request.host_url).rstrip("/") + path
