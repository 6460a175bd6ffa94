"""Outlet statistics: /sites and /sites/<site> with charts, /api/sites and /api/sites/<site> as JSON.

The numbers are the `site_stats` view (versioner/store/site_stats.py), kept at ingest: a page reads
one row per site, never the archive.
"""

from flask import Blueprint, jsonify, render_template

from versioner.errors import NotInArchive
from versioner.store.site_stats import BUCKETS
from versioner.web.charts import bar_chart
from versioner.web.db import get_store
from versioner.web.filters import duration

bp = Blueprint("sites", __name__)

BUCKET_LABELS = {
    "edits_within_1h": "within 1 hour",
    "edits_1h_to_6h": "1 to 6 hours",
    "edits_6h_to_24h": "6 to 24 hours",
    "edits_1d_to_3d": "1 to 3 days",
    "edits_3d_to_7d": "3 to 7 days",
    "edits_after_7d": "after a week",
}
SIGNALS = (
    ("edits", "all changes"),
    ("headline_changes", "headline changes"),
    ("corrections", "correction notices"),
    ("update_notices", "update notices"),
    ("stealth_edits", "stealth edits"),
)
CHART_SITES = 20


@bp.get("/api/sites")
def api_sites():
    """Every site's statistics: {"sites": [...]}, most articles first."""
    return jsonify({"sites": get_store().site_stats.sites()})


@bp.get("/api/sites/<site>")
def api_site(site: str):
    """One site's statistics, the same row as in /api/sites."""
    return jsonify(_site_or_404(site))


@bp.get("/sites")
def sites():
    rows = get_store().site_stats.sites()
    charted = rows[:CHART_SITES]
    chart = bar_chart(
        [(row["site"], row["share_stealth"], _percent(row["share_stealth"])) for row in charted]
    )
    shown = [{**row, "median": duration(row["median_first_change_seconds"])} for row in rows]
    return render_template("sites.html", sites=shown, chart=chart, charted=len(charted))


@bp.get("/sites/<site>")
def site(site: str):
    row = _site_or_404(site)
    delays = [(BUCKET_LABELS[name], row[name], str(row[name])) for name, _, _ in BUCKETS]
    kinds = [(label, row[name], str(row[name])) for name, label in SIGNALS]
    return render_template(
        "site.html",
        site={**row, "median": duration(row["median_first_change_seconds"])},
        delays=bar_chart(delays),
        kinds=bar_chart(kinds),
        delay_rows=delays,
        kind_rows=kinds,
    )


def _site_or_404(site: str) -> dict:
    row = get_store().site_stats.site(site)
    if row is None:
        raise NotInArchive(f"no site {site!r} in the archive")
    return row


def _percent(share: float | None) -> str:
    return f"{round(100 * (share or 0))} %"
