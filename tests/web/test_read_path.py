"""The read path: diff permalinks kept as bytes in every encoding, other pages compressed per request."""

import gzip
import re

import brotli
import pytest
import zstandard
from web_fixtures import KURSK_URL_PART, article_id, build_database

from versioner import changes
from versioner.web import create_app
from versioner.web.immutable import IDENTITY, Rendered, ResponseCache

DECODE = {
    "gzip": gzip.decompress,
    "br": brotli.decompress,
    "zstd": lambda body: zstandard.ZstdDecompressor().decompressobj().decompress(body),
}


@pytest.fixture(scope="module")
def kursk(db_path):
    return article_id(db_path, KURSK_URL_PART)


def permalink_of(client, kursk: int) -> str:
    html = client.get(f"/articles/{kursk}/diff?from=1&to=2").get_data(as_text=True)
    return re.search(r'<link rel="canonical" href="([^"]+)"', html)[1]


def get(client, url: str, encoding: str | None = None, **headers):
    if encoding:
        headers["Accept-Encoding"] = encoding
    return client.get(url, headers=headers)


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_permalink_in_each_encoding_decodes_to_the_page_served_plain(client, kursk, encoding):
    url = permalink_of(client, kursk)
    plain = get(client, url).data
    response = get(client, url, encoding)
    assert response.headers["Content-Encoding"] == encoding
    assert int(response.headers["Content-Length"]) == len(response.data) < len(plain)
    assert DECODE[encoding](response.data) == plain


@pytest.mark.parametrize("path", ["", ".txt"])
def test_permalink_and_its_text_say_vary_and_are_immutable(client, kursk, path):
    response = get(client, permalink_of(client, kursk) + path, "gzip")
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"


def test_each_encoding_has_its_own_strong_etag(client, kursk):
    url = permalink_of(client, kursk)
    tags = [get(client, url, encoding).get_etag() for encoding in (None, "gzip", "br", "zstd")]
    assert len({tag for tag, _ in tags}) == 4
    assert not any(weak for _, weak in tags)


def test_if_none_match_of_the_encoding_sent_is_a_304_without_body(client, kursk):
    url = permalink_of(client, kursk)
    etag = get(client, url, "br").headers["ETag"]
    again = get(client, url, "br", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Vary"] == "Accept-Encoding"


def test_the_etag_of_another_encoding_is_not_a_304(client, kursk):
    url = permalink_of(client, kursk)
    etag = get(client, url, "gzip").headers["ETag"]
    assert get(client, url, "br", **{"If-None-Match": etag}).status_code == 200


def test_head_of_a_permalink_gives_the_length_of_its_get_and_no_body(client, kursk):
    url = permalink_of(client, kursk)
    body = get(client, url, "gzip").data
    head = client.head(url, headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200 and head.data == b""
    assert int(head.headers["Content-Length"]) == len(body)
    assert head.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize(
    "accept, chosen",
    [("gzip;q=1, br;q=0", "gzip"), ("*", "br"), ("zstd, gzip", "zstd"), ("br;q=0.5, gzip", "gzip")],
)
def test_the_encoding_follows_the_clients_preferences(client, kursk, accept, chosen):
    assert get(client, permalink_of(client, kursk), accept).headers["Content-Encoding"] == chosen


@pytest.mark.parametrize("accept", ["", "identity", "gzip;q=0, br;q=0, zstd;q=0", "deflate"])
def test_a_client_that_accepts_none_of_ours_gets_the_page_plain(client, kursk, accept):
    response = get(client, permalink_of(client, kursk), accept)
    assert "Content-Encoding" not in response.headers
    assert response.data.startswith(b"<!doctype html>")


def test_a_kept_permalink_is_answered_with_the_database_gone(tmp_path):
    path = build_database(tmp_path / "gone.db")
    client = create_app({"DATABASE": str(path)}).test_client()
    url = permalink_of(client, article_id(path, KURSK_URL_PART))
    first = get(client, url, "gzip")
    for name in ("gone.db", "gone.db-wal", "gone.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    (tmp_path / "gone.db").write_bytes(b"not a database")
    assert client.get("/").status_code == 503  # so a page that needed the file would fail
    again = get(client, url, "gzip")
    assert again.status_code == 200 and again.data == first.data


def test_a_new_engine_version_renders_the_permalink_afresh(client, kursk, monkeypatch):
    url = permalink_of(client, kursk)
    before = get(client, url).headers["ETag"]
    kept = len(client.application.extensions["versioner.immutable"])
    monkeypatch.setattr(changes, "ENGINE", changes.ENGINE + "-next")
    after = get(client, url)
    assert after.status_code == 200 and after.headers["ETag"] != before
    assert len(client.application.extensions["versioner.immutable"]) == kept + 1


def test_the_permalink_page_shows_nothing_a_later_capture_can_change(client, kursk):
    html = get(client, permalink_of(client, kursk)).get_data(as_text=True)
    assert 'class="chooser"' not in html
    assert not re.search(r"Version \d", html)
    assert "/versions/" not in html and "<time" not in html


def test_the_permalink_text_names_both_sides_by_hash_not_number(client, kursk):
    url = permalink_of(client, kursk)
    old, new = re.search(r"/diff/([0-9a-f]{12})\.\.([0-9a-f]{12})$", url).groups()
    first_line = get(client, url + ".txt").get_data(as_text=True).splitlines()[0]
    assert first_line.startswith(f"Text {old} → text {new}: ")


def test_a_diff_by_version_numbers_is_compressed_but_not_immutable(client, kursk):
    response = get(client, f"/articles/{kursk}/diff?from=1&to=2", "gzip")
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert gzip.decompress(response.data) == get(client, f"/articles/{kursk}/diff?from=1&to=2").data


def test_the_compressed_etag_of_a_numbered_diff_is_a_304(client, kursk):
    url = f"/articles/{kursk}/diff?from=1&to=2"
    etag = get(client, url, "gzip").headers["ETag"]
    again = get(client, url, "gzip", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize(
    "path", ["/", "/articles/{kursk}", "/api/articles", "/feed.atom", "/static/style.css"]
)
def test_pages_that_change_are_compressed_per_request_with_vary(client, kursk, path):
    url = path.format(kursk=kursk)
    response = get(client, url, "br")
    assert response.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "immutable" not in response.headers.get("Cache-Control", "")
    assert brotli.decompress(response.data) == get(client, url).data


def test_head_of_a_page_compressed_per_request_gives_the_length_of_its_get(client, kursk):
    url = f"/articles/{kursk}"
    body = get(client, url, "gzip").data
    head = client.head(url, headers={"Accept-Encoding": "gzip"})
    assert head.data == b"" and head.headers["Content-Encoding"] == "gzip"
    assert int(head.headers["Content-Length"]) == len(body)


def test_a_304_of_a_page_compressed_per_request_still_says_vary(client, kursk):
    url = f"/articles/{kursk}/diff?from=1&to=2"
    etag = get(client, url, "gzip").headers["ETag"]
    again = get(client, url, "gzip", **{"If-None-Match": etag})
    assert again.status_code == 304 and "Accept-Encoding" in again.headers["Vary"]


def test_a_client_that_refuses_every_encoding_gets_pages_that_change_plain(client):
    response = get(client, "/", "gzip;q=0, br;q=0, zstd;q=0")
    assert "Content-Encoding" not in response.headers and response.data.startswith(b"<!doctype html>")


def test_a_response_below_the_size_worth_compressing_goes_out_plain(client):
    response = get(client, "/static/favicon.svg", "br")
    assert len(response.data) < 512
    assert "Content-Encoding" not in response.headers


def test_a_permalink_to_unknown_texts_is_never_kept(client, kursk):
    url = f"/articles/{kursk}/diff/000000000000..111111111111"
    for _ in range(2):
        assert get(client, url, "gzip").status_code == 404
    assert len(client.application.extensions["versioner.immutable"]) == 0


def rendered(size: int) -> Rendered:
    return Rendered("tag", "text/plain", {IDENTITY: b"x" * size})


def test_the_cache_drops_the_least_recently_used_to_stay_within_its_bytes():
    cache = ResponseCache(max_bytes=3000)
    for name in "abc":
        cache.put(name, rendered(1000))
    cache.get("a")  # now the most recently used
    cache.put("d", rendered(1000))
    assert cache.size <= 3000
    assert cache.get("b") is None and all(cache.get(name) for name in "acd")


def test_an_encoding_compressed_later_counts_in_the_bound():
    cache = ResponseCache(max_bytes=2010)
    for name in "ab":
        cache.put(name, rendered(1000))
    page = cache.get("b")
    cache.body("b", page, "gzip")  # about 30 bytes more: "a" no longer fits
    assert cache.size == sum(len(body) for body in page.bodies.values()) <= 2010
    assert cache.get("a") is None


def test_a_response_larger_than_the_whole_cache_is_not_kept():
    cache = ResponseCache(max_bytes=500)
    cache.put("big", rendered(1000))
    assert len(cache) == 0 and cache.size == 0


def test_the_kept_permalinks_stay_within_the_configured_bytes(db_path, kursk):
    client = create_app({"DATABASE": str(db_path), "RESPONSE_CACHE_BYTES": 60_000}).test_client()
    links = set(
        re.findall(r'href="(/articles/\d+/diff/[0-9a-f]{12}\.\.[0-9a-f]{12})"', get(client, "/").text)
    )
    for link in links:
        for view in ("inline", "side"):
            get(client, f"{link}?view={view}", "gzip")
    cache = client.application.extensions["versioner.immutable"]
    assert len(links) >= 3 and 0 < cache.size <= 60_000
