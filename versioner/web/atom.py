"""Atom feeds of changes: site-wide at /feed.atom and one per article.

An entry's id names the article and the version's content and first sighting, not its number: a late
capture backfilled before it renumbers versions but leaves every entry's identity (and a reader's
read/unread state) alone, while a return to an earlier text is still a new entry.
"""

import hashlib
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, render_template, request, url_for

from versioner.store import Store
from versioner.web import diff_display as diffs
from versioner.web.db import get_store
from versioner.web.params import whole_number

bp = Blueprint("feeds", __name__)

ENTRIES = 50
TAG_YEAR = "2025"


@bp.get("/feed.atom")
def recent():
    store = get_store()
    entries = feed_entries(store, store.recent_versions(limit=ENTRIES))
    return _atom(
        title="versioner: recent changes",
        feed_id=f"{_tag_base()}:changes",
        entries=entries,
        alternate=url_for("pages.home"),
        self_url=url_for("feeds.recent"),
    )


@bp.get("/articles/<ref>/feed.atom")
def article(ref: str):
    store = get_store()
    row = store.article(whole_number(ref, "an article id"))
    entries = feed_entries(store, store.recent_versions(limit=ENTRIES, article_id=row["id"]))
    return _atom(
        title=f"Changes to “{row['title']}”",
        feed_id=f"{_tag_base()}:article/{row['id']}",
        entries=entries,
        alternate=url_for("pages.article", ref=row["id"]),
        self_url=url_for("feeds.article", ref=row["id"]),
    )


def feed_entries(store: Store, rows: list[dict]) -> list[dict]:
    """One entry per version: the first one says the article was found, the others what changed."""
    articles: dict[int, dict] = {}
    entries = []
    for row in rows:
        if row["article_id"] not in articles:
            articles[row["article_id"]] = store.article(row["article_id"])
        article = articles[row["article_id"]]
        new = store.version_info(article["id"], row["n"])  # an entry shows the diff, never the text
        entry = {
            "id": f"{_tag_base()}:article/{article['id']}/version/{new.text_hash[:16]}/"
            f"{new.first_seen.replace('-', '').replace(':', '')}",
            "article": article,
            "version": new,
            "updated": new.first_seen,
        }
        if new.n == 1:
            entry.update(
                title=f"New article: {new.title}",
                link=url_for("pages.article", ref=article["id"]),
                summary="First version",
                excerpt=[],
                pair=None,
            )
        else:
            pair = diffs.Pair(article, store.version_info(article["id"], new.n - 1), new)
            data = diffs.load_diff(store, pair)
            entry.update(
                title=f"{data['stats']['summary']}: {new.title}",
                link=pair.permalink,
                summary=data["stats"]["summary"],
                excerpt=diffs.excerpt(data),
                pair=pair,
            )
        entry["content"] = render_template("feed_entry.html", entry=entry, base=_base())
        entries.append(entry)
    return entries


def _base() -> str:
    """Where absolute links start: BASE_URL when set, else the request's host, which create_app checked
    against ALLOWED_HOSTS (a Host header of the client's choosing must not put its links in a feed)."""
    return (current_app.config["BASE_URL"] or request.host_url).rstrip("/")


def _tag_base() -> str:
    """tag: URI authority (RFC 4151): this server's host name, without a port."""
    return f"tag:{urlsplit(_base()).hostname or 'localhost'},{TAG_YEAR}"


def _atom(title: str, feed_id: str, entries: list[dict], alternate: str, self_url: str) -> Response:
    updated = max((e["updated"] for e in entries), default="1970-01-01T00:00:00Z")
    body = render_template(
        "feed.xml",
        title=title,
        feed_id=feed_id,
        entries=entries,
        updated=updated,
        alternate=_base() + alternate,
        self_url=_base() + self_url,
        base=_base(),
    )
    response = Response(body, mimetype="application/atom+xml")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)
