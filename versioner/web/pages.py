"""The HTML pages: home, article, version, diff, search, and raw captures as plain text."""

import math
import re

from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from versioner.errors import NotInArchive, SearchSyntaxError
from versioner.present import render_terminal
from versioner.search_results import MAX_QUERY, count_text
from versioner.search_results import search as search_articles
from versioner.store import VersionInfo
from versioner.web import diff_display as diffs
from versioner.web import immutable
from versioner.web.compression import client_has
from versioner.web.db import get_store
from versioner.web.memento import add_memento_headers
from versioner.web.params import int_arg, page_arg, view_arg, whole_number
from versioner.web.timeline import timeline_chart

bp = Blueprint("pages", __name__)

PER_PAGE = 20
VERSIONS_PER_PAGE = 50  # a live page polled for weeks has hundreds
IMMUTABLE = immutable.MAX_AGE
# Permalink: two text-hash prefixes (hex); two version numbers are accepted and redirected.
DIFF_SPEC = re.compile(
    r"^(?P<old>[0-9a-f]{12,64}|\d{1,9})\.\.(?P<new>[0-9a-f]{12,64}|\d{1,9})(?P<txt>\.txt)?$"
)


def article_or_404(ref: str) -> dict:
    """An article by its id in the URL: 400 when it is not a number, 404 when there is none."""
    return get_store().article(whole_number(ref, "an article id"))


def page_count(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


def last_changes(articles: list[dict]) -> dict[int, dict]:
    """For each article with two versions or more: its latest change (pair, stats) for the lists."""
    store = get_store()
    changes = {}
    for article in articles:
        if article["version_count"] >= 2:
            pair = diffs.pair_by_number(store, article, None, None)
            changes[article["id"]] = {"pair": pair, "stats": diffs.change_stats(store, pair)}
    return changes


@bp.get("/")
def home():
    store = get_store()
    site = request.args.get("site", "").strip() or None
    page = page_arg()
    total = store.article_count(site=site)
    pages = page_count(total, PER_PAGE)
    if page > pages:
        raise NotInArchive(f"there are {pages} pages of articles, not {page}")
    articles = store.articles(limit=PER_PAGE, offset=(page - 1) * PER_PAGE, site=site)
    return render_template(
        "home.html",
        articles=articles,
        changes=last_changes(articles),
        sites=store.sites(),
        site=site,
        page=page,
        pages=pages,
        total=total,
    )


@bp.get("/articles/<ref>")
def article(ref: str):
    """The article: its versions newest first, a page of VERSIONS_PER_PAGE at a time, and its current text."""
    store = get_store()
    row = article_or_404(ref)
    if (merged_into := store.article_id_for_url(row["url"])) != row["id"]:  # merged: one page per story
        return redirect(url_for("pages.article", ref=merged_into))
    versions = store.versions(row["id"])
    page = page_arg()
    pages = page_count(len(versions), VERSIONS_PER_PAGE)
    if page > pages:
        raise NotInArchive(f"there are {pages} pages of versions, not {page}")
    newest = len(versions) - (page - 1) * VERSIONS_PER_PAGE
    shown = versions[max(0, newest - VERSIONS_PER_PAGE) : newest][::-1]
    changes = {}
    for new in shown:
        if new.n > 1:
            pair = diffs.Pair(row, versions[new.n - 2], new)
            changes[new.n] = {"pair": pair, "stats": diffs.change_stats(store, pair)}
    return render_template(
        "article.html",
        article=row,
        versions=versions,
        shown=shown,
        changes=changes,
        latest_change=diffs.Pair(row, *versions[-2:]) if len(versions) >= 2 else None,
        headlines=headline_history(versions),
        timeline=timeline_chart(store, versions),
        current=store.with_text(versions[-1]) if versions else None,
        page=page,
        pages=pages,
        aliases=store.aliases.of_articles([row["id"]])[row["id"]],
    )


def headline_history(versions: list[VersionInfo]) -> list[dict]:
    """Every headline the article had, in order, with the versions that carried it."""
    history: list[dict] = []
    for version in versions:
        if history and history[-1]["title"] == version.title:
            history[-1]["last_n"] = version.n
            history[-1]["until"] = version.last_seen
        else:
            history.append(
                {
                    "title": version.title,
                    "first_n": version.n,
                    "last_n": version.n,
                    "since": version.first_seen,
                    "until": version.last_seen,
                }
            )
    return history


@bp.get("/articles/<ref>/versions/<n>")
def version(ref: str, n: str):
    store = get_store()
    row = article_or_404(ref)
    shown = store.version(row["id"], whole_number(n, "a version number"))
    versions = store.versions(row["id"])
    following = next((v for v in versions if v.n == shown.n + 1), None)
    captures = [
        c
        for c in store.captures(row["id"])
        if c["version"] == shown.n or (c["version"] is None and _during(c["fetched_at"], shown, following))
    ]
    page = render_template(
        "version.html", article=row, version=shown, versions=versions, captures=captures, following=following
    )
    return add_memento_headers(Response(page), row, versions, shown)


def _during(moment: str, version: VersionInfo, following: VersionInfo | None) -> bool:
    """Whether a capture that made no version was fetched while this version was current."""
    return moment >= version.first_seen and (following is None or moment < following.first_seen)


@bp.get("/articles/<ref>/diff")
def diff(ref: str):
    """Versions chosen by number (the choosers' form): revalidated on each use, as numbers can shift."""
    store = get_store()
    row = article_or_404(ref)
    pair = diffs.pair_by_number(store, row, int_arg("from"), int_arg("to"))
    return _diff_response(pair, view_arg(), cache_control="no-cache")


@bp.get("/articles/<ref>/diff/<spec>")
def diff_permalink(ref: str, spec: str):
    """The permalink: both sides named by text hash, so its content never changes.

    So it is rendered once and kept (versioner/web/immutable.py): later requests are answered from
    memory before the database is opened.
    """
    view = "" if spec.endswith(".txt") else view_arg()
    cache_key = immutable.key(diffs.RENDER_VERSION, request.path, view)
    kept = immutable.cache().get(cache_key)
    if kept is not None:
        return immutable.respond(cache_key, kept)
    store = get_store()
    row = article_or_404(ref)
    match = DIFF_SPEC.match(spec)
    if not match:
        raise BadRequest(f"a diff is named FROM..TO, two version numbers or text hashes, not {spec[:60]!r}")
    old, new = match["old"], match["new"]
    if len(old) < 12 and len(new) < 12:  # version numbers: send to the permalink of what they are now
        pair = diffs.pair_by_number(store, row, int(old), int(new))
        target = pair.permalink + (".txt" if match["txt"] else "")
        return redirect(target + (f"?{request.query_string.decode()}" if request.query_string else ""))
    if len(old) < 12 or len(new) < 12:
        raise BadRequest("a diff permalink names both sides by text hash, or both by version number")
    pair = diffs.pair_by_hash(store, row, old, new)
    kept = _plain_text(pair) if match["txt"] else _permanent_page(pair, view)
    immutable.cache().put(cache_key, kept)
    return immutable.respond(cache_key, kept)


def _diff_response(pair: diffs.Pair, view: str, cache_control: str) -> Response:
    """The diff page, or 304 when the client has it: a 304 does no diffing and no rendering.

    Besides the two texts the page shows their version numbers and a chooser of all versions, so those
    are in the ETag too: a new or backfilled version changes them, never the diff itself.
    """
    etag = f"{pair.etag}-{view}-{pair.old.n}.{pair.new.n}.{pair.article['version_count']}"
    if client_has(etag):
        response = Response(status=304)
    else:
        response = Response(_render_diff(pair, view, versions=get_store().versions(pair.article["id"])))
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    return response


def _render_diff(pair: diffs.Pair, view: str, versions: list[VersionInfo] | None) -> str:
    """The diff page; without `versions`, the permanent page, which shows nothing a new capture changes."""
    data = diffs.load_diff(get_store(), pair)
    return render_template(
        "diff.html",
        article=pair.article,
        pair=pair,
        data=data,
        blocks=diffs.display_blocks(data),
        versions=versions or [],
        permanent=versions is None,
        view=view,
        title_changed=diffs.has_change(data["title"]),
        byline_changed=diffs.has_change(data["byline"]),
    )


def _permanent_page(pair: diffs.Pair, view: str) -> immutable.Rendered:
    body = _render_diff(pair, view, versions=None).encode()
    return immutable.Rendered(immutable.etag(pair.etag, view), "text/html", {immutable.IDENTITY: body})


def _plain_text(pair: diffs.Pair) -> immutable.Rendered:
    """The word diff as text, headed by the two text hashes (version numbers can shift)."""
    data = diffs.load_diff(get_store(), pair)
    heading = f"Text {pair.old.text_hash[:12]} → text {pair.new.text_hash[:12]}"
    text = render_terminal(pair.old, pair.new, data, color=False, heading=heading)
    body = (text + "\n").encode()
    return immutable.Rendered(immutable.etag(pair.etag, "txt"), "text/plain", {immutable.IDENTITY: body})


@bp.get("/captures/<capture_id>/raw")
def raw_capture(capture_id: str):
    """The bytes as fetched, never as HTML from our origin: text/plain, sandboxed, or as a download."""
    store = get_store()
    capture = store.capture(whole_number(capture_id, "a capture id"))
    raw = store.raw_captures.get(capture["raw_hash"])
    try:
        raw.decode("utf-8")
        mimetype = "text/plain; charset=utf-8"
    except UnicodeDecodeError:
        mimetype = "text/plain"
    response = Response(raw, content_type=mimetype)
    disposition = "attachment" if request.args.get("download") else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="capture-{capture["id"]}.txt"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox; frame-ancestors 'none'"
    response.headers["Cache-Control"] = IMMUTABLE
    return response


@bp.get("/search")
def search():
    query = request.args.get("q", "").strip()
    page = page_arg()
    total, hits, problem = 0, [], None
    if len(query) > MAX_QUERY:
        raise BadRequest(f"a search is at most {MAX_QUERY} characters long")
    if query:
        try:
            total, hits = search_articles(get_store(), query, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
        except SearchSyntaxError:
            problem = "That search could not be read. Try plain words, or a phrase in double quotes."
    return render_template(
        "search.html",
        query=query,
        hits=hits,
        found=count_text(total) if hits else "",
        page=page,
        pages=page_count(total, PER_PAGE),
        problem=problem,
    )


@bp.get("/about")
def about():
    return render_template("about.html")


@bp.app_template_global()
def url_with(**changes) -> str:
    """This page's root-relative URL with some query parameters changed (page=1 and view=inline dropped)."""
    args = {**request.view_args, **request.args.to_dict(), **changes}
    for name, default in (("page", 1), ("view", "inline")):
        if args.get(name) == default:
            args.pop(name)
    return url_for(request.endpoint, **args)
