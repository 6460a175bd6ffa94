"""The JSON API under /api/: the same shapes as the CLI's --json (versioner.present)."""

from flask import Blueprint, jsonify, request, url_for
from werkzeug.exceptions import BadRequest

from versioner.errors import SearchSyntaxError
from versioner.present import article_summaries, diff_json, version_detail, version_summary
from versioner.search_results import MAX_QUERY, hit_json
from versioner.search_results import search as search_articles
from versioner.web import diff_display as diffs
from versioner.web.db import get_store
from versioner.web.params import bounded_arg, int_arg, page_arg, whole_number

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_PER_PAGE = 100


@bp.get("/articles")
def articles():
    """Articles, most recently changed first: {"articles": [...], "page", "per_page", "total", "next"}."""
    store = get_store()
    site = request.args.get("site", "").strip() or None
    page = page_arg()
    per_page = bounded_arg("per_page", 50, MAX_PER_PAGE)
    rows = store.articles(limit=per_page, offset=(page - 1) * per_page, site=site)
    total = store.article_count(site=site)
    more = page * per_page < total
    link_args = {"per_page": per_page, **({"site": site} if site else {})}
    return jsonify(
        {
            "articles": article_summaries(store, rows),
            "page": page,
            "per_page": per_page,
            "total": total,
            "next": url_for("api.articles", page=page + 1, **link_args) if more else None,
            "previous": url_for("api.articles", page=page - 1, **link_args) if page > 1 else None,
        }
    )


@bp.get("/articles/<ref>")
def article(ref: str):
    """{"article": summary, "versions": [...]}: one article and its versions (without their texts)."""
    store = get_store()
    row = store.article(whole_number(ref, "an article id"))
    versions = [version_summary(v) for v in store.versions(row["id"])]
    return jsonify({"article": article_summaries(store, [row])[0], "versions": versions})


@bp.get("/articles/<ref>/versions/<n>")
def version(ref: str, n: str):
    store = get_store()
    row = store.article(whole_number(ref, "an article id"))
    return jsonify(version_detail(row, store.version(row["id"], whole_number(n, "a version number"))))


@bp.get("/articles/<ref>/diff")
def diff(ref: str):
    """`versioner diff --format json`: ?from=N&to=M, by default the latest against the one before."""
    store = get_store()
    row = store.article(whole_number(ref, "an article id"))
    pair = diffs.pair_by_number(store, row, int_arg("from"), int_arg("to"))
    response = jsonify(diff_json(row, pair.old, pair.new, diffs.load_diff(store, pair)))
    response.set_etag(f"{pair.etag}-json")
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


@bp.get("/search")
def search():
    """Articles with a version matching every term of ?q=, newest first, a page at a time; `total` is
    exact when `total_exact`, else a lower bound (a common word is not counted over every match)."""
    query = request.args.get("q", "").strip()
    if not query or len(query) > MAX_QUERY:
        raise BadRequest(f"?q= is the search: 1 to {MAX_QUERY} characters")
    page = page_arg()
    per_page = bounded_arg("per_page", 20, MAX_PER_PAGE)
    try:
        total, hits = search_articles(get_store(), query, limit=per_page, offset=(page - 1) * per_page)
    except SearchSyntaxError as err:
        raise BadRequest(str(err)) from None
    more = page * per_page < total
    return jsonify(
        {
            "query": query,
            "total": total,
            "total_exact": total.exact,
            "page": page,
            "per_page": per_page,
            "results": [hit_json(hit) for hit in hits],
            "next": url_for("api.search", q=query, page=page + 1, per_page=per_page) if more else None,
            "previous": url_for("api.search", q=query, page=page - 1, per_page=per_page)
            if page > 1
            else None,
        }
    )
