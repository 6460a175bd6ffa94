"""Outlet statistics kept at ingest agree with what the versions themselves say."""

from datetime import timedelta

import pytest
from helpers import T0, corpus_series, ingest_all

from versioner.aliases import merge, split
from versioner.capture import Capture
from versioner.store.site_stats import create_tables
from versioner.versioning import ingest

SITE = "https://news.example.org"
BASE = [
    "The ministry said 40 schools would close.",
    "Parents were told on Monday.",
    "It costs 12 million euros.",
]


def page(paragraphs, title="Schools to close") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>".encode()


def add(store, path, paragraphs, hours, title="Schools to close"):
    return ingest(
        store,
        Capture(page(paragraphs, title), SITE + path, T0 + timedelta(hours=hours), "t", kind_hint="html"),
    )


def expected(store, site):
    """The figures recomputed from the versions, the slow way."""
    rows = [row for row in store.articles(limit=10_000, site=site)]
    versions = {row["id"]: store.versions(row["id"]) for row in rows}
    changes = [v for vs in versions.values() for v in vs[1:]]
    return {
        "articles": len(rows),
        "changed": sum(len(vs) > 1 for vs in versions.values()),
        "edits": len(changes),
        "stealth_edits": sum(v.stealth for v in changes),
        "corrections": sum(v.notice_kind == "correction" for v in changes),
        "headline_changes": sum(
            vs[i].title != vs[i - 1].title for vs in versions.values() for i in range(1, len(vs))
        ),
    }


def figures(row):
    return {
        name: row[name]
        for name in ("articles", "changed", "edits", "stealth_edits", "corrections", "headline_changes")
    }


@pytest.fixture
def newsroom(store):
    add(store, "/a", BASE, 0)
    add(store, "/a", [BASE[0].replace("40", "41"), *BASE[1:]], 2)  # stealth, within 6 h
    add(
        store, "/a", [*BASE, "Correction: the figure was wrong."], 30, title="Schools close"
    )  # revert + notice
    add(store, "/b", BASE[:2], 1)
    add(store, "/c", ["Another story entirely, with words of its own."], 1)
    return store


def test_site_figures_equal_what_the_versions_say(newsroom):
    assert figures(newsroom.site_stats.site("news.example.org")) == expected(newsroom, "news.example.org")


def test_the_median_and_the_delays_count_from_the_first_sighting(newsroom):
    row = newsroom.site_stats.site("news.example.org")
    assert row["median_first_change_seconds"] == 2 * 3600
    assert (row["edits_1h_to_6h"], row["edits_1d_to_3d"]) == (1, 1)


def test_a_merge_and_its_split_move_the_figures_and_back(newsroom):
    before = newsroom.site_stats.site("news.example.org")
    merge(newsroom, f"{SITE}/a", f"{SITE}/b")
    merged = newsroom.site_stats.site("news.example.org")
    assert figures(merged) == expected(newsroom, "news.example.org")
    assert merged["articles"] == before["articles"] - 1
    split(newsroom, f"{SITE}/b")
    assert newsroom.site_stats.site("news.example.org") == before


def test_the_migration_fills_the_same_figures_as_ingest_kept(newsroom):
    if newsroom.db.dialect != "sqlite":
        pytest.skip("an SQLite migration: the PostgreSQL schema starts with these tables")
    kept = newsroom.site_stats.sites()
    for statement in ("DROP VIEW site_stats", "DROP TABLE site_totals", "DROP TABLE article_stats"):
        newsroom.db.execute(statement)
    create_tables(newsroom.db)
    assert newsroom.site_stats.sites() == kept


def test_statistics_of_real_policy_histories_equal_their_versions(store, corpus):
    for name in ("ota-genai-eu-html",):
        folder = corpus / name
        for series in sorted(p.name for p in folder.iterdir() if (p / "meta.json").exists())[:3]:
            ingest_all(store, corpus_series(corpus, name, series))
    [row] = store.site_stats.sites()
    assert figures(row) == expected(store, row["site"])
    assert row["edits"] > 0
