"""The blame page and its JSON: since which version each paragraph and sentence has stood."""

from flask import Blueprint, jsonify, render_template

from versioner.insight.blame import blame
from versioner.web import diff_display as diffs
from versioner.web.db import get_store
from versioner.web.pages import article_or_404
from versioner.web.params import whole_number

bp = Blueprint("insight", __name__)

AGES = 5  # shades, from the oldest text (age-0) to the newest (age-4)


@bp.get("/articles/<ref>/blame")
@bp.get("/articles/<ref>/blame/<n>")
def blame_page(ref: str, n: str | None = None):
    """Each paragraph shaded by its age and linked to the diff that brought it in this wording."""
    store = get_store()
    row = article_or_404(ref)
    data = blame(store, row, None if n is None else whole_number(n, "a version number"))
    versions = store.versions(row["id"])
    introduced = {
        k: diffs.Pair(row, versions[k - 2], versions[k - 1]).permalink
        for k in {p["since"] for p in data["paragraphs"]}
        if k > 1
    }
    return render_template(
        "blame.html",
        article=row,
        blame=data,
        versions=versions,
        version=versions[data["n"] - 1],
        introduced=introduced,
        age=lambda since: age_class(since, data["n"]),
    )


@bp.get("/api/articles/<ref>/blame")
@bp.get("/api/articles/<ref>/blame/<n>")
def blame_json(ref: str, n: str | None = None):
    """The same as `versioner blame --json`."""
    row = article_or_404(ref)
    return jsonify(blame(get_store(), row, None if n is None else whole_number(n, "a version number")))


def age_class(since: int, n: int) -> str:
    """age-0 for text standing since version 1, up to age-4 for text new in version n."""
    return f"age-{round((AGES - 1) * (since - 1) / (n - 1)) if n > 1 else 0}"
