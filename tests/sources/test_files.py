"""Snapshot folder convention and canonical URLs."""

import json
from datetime import UTC, datetime

import pytest

from versioner.errors import BadURL, SnapshotError
from versioner.sources.files import read_file, snapshot_files
from versioner.urls import canonical_url, site_of


def test_sidecar_gives_url_and_time(tmp_path):
    snap = tmp_path / "copy.html"
    snap.write_text("<html><body><p>x</p></body></html>")
    (tmp_path / "copy.html.meta.json").write_text(
        json.dumps({"url": "https://a.example/s", "fetched_at": "2025-02-07T12:54:00+01:00"})
    )
    capture = read_file(snap)
    assert capture.url == "https://a.example/s"
    assert capture.fetched_at == datetime(2025, 2, 7, 11, 54, tzinfo=UTC)
    assert capture.kind_hint == "html"


def test_canonical_link_and_file_name_time_without_sidecar(tmp_path):
    snap = tmp_path / "20250207T115400Z.html"
    snap.write_text('<html><head><link rel="canonical" href="https://a.example/story"></head></html>')
    capture = read_file(snap)
    assert capture.url == "https://a.example/story"
    assert capture.fetched_at == datetime(2025, 2, 7, 11, 54, tzinfo=UTC)


def test_overrides_win(tmp_path):
    snap = tmp_path / "2025-02-07T11-54-00Z.txt"
    snap.write_text("T\n\nx")
    capture = read_file(snap, url="https://b.example/x", fetched_at=datetime(2024, 1, 1, tzinfo=UTC))
    assert (capture.url, capture.fetched_at.year) == ("https://b.example/x", 2024)


def test_folders_are_walked_and_sidecars_skipped(tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("a/1.html", "a/1.html.meta.json", "b.txt", ".hidden.txt", "image.png"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in snapshot_files([tmp_path])] == ["1.html", "b.txt"]


def test_huge_file_is_refused_before_reading(tmp_path):
    snap = tmp_path / "huge.html"
    with snap.open("wb") as handle:
        handle.truncate(25 * 1024 * 1024)
    with pytest.raises(SnapshotError, match="size cap"):
        read_file(snap)


def test_broken_sidecar_is_an_error(tmp_path):
    (tmp_path / "x.txt").write_text("T\n\nx")
    (tmp_path / "x.txt.meta.json").write_text("{not json")
    with pytest.raises(SnapshotError, match="sidecar"):
        read_file(tmp_path / "x.txt")


def test_canonical_url_drops_tracking_fragment_and_default_port():
    assert (
        canonical_url("HTTPS://WWW.Example.org:443/a?utm_source=x&id=3&fbclid=y#top")
        == "https://www.example.org/a?id=3"
    )


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "file:///etc/passwd", "ftp://x.org/a", "/relative", "", "https://exa mple.org/"],
)
def test_non_http_urls_never_get_in(url):
    with pytest.raises(BadURL):
        canonical_url(url)


def test_site_is_host_without_www():
    assert site_of("https://www.heute.at/s/x") == "heute.at"


def test_og_url_names_a_file_without_a_canonical_link(tmp_path):
    snap = tmp_path / "copy.html"
    snap.write_text(
        '<html><head><meta property="og:url" content="https://a.example/story?id=1&amp;p=2"></head></html>'
    )
    assert read_file(snap).url == "https://a.example/story?id=1&p=2"


def test_a_relative_canonical_link_in_a_file_names_nothing(tmp_path):
    snap = tmp_path / "copy.html"
    snap.write_text('<html><head><link rel="canonical" href="/story"></head></html>')
    assert read_file(snap).url is None
