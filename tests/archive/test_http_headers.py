"""Captures keep the HTTP response headers where their source knew them: a fetch, a WARC record."""

import io
import json

from helpers import article_html
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from versioner.sources.fetch import Fetcher, FetchSettings
from versioner.sources.warc import read_warc
from versioner.store import Store
from versioner.versioning import ingest
from versioner.web import create_app

STORY = "https://news.example.org/story"


def stored_headers(store, article_id: int) -> list:
    (row,) = store.captures(article_id)
    return json.loads(store.capture(row["id"])["http_headers"])


def test_a_fetched_page_is_stored_with_the_servers_headers_in_their_order(server, store):
    server.expect_request("/story").respond_with_data(
        article_html(), content_type="text/html; charset=utf-8", headers={"X-Served-By": "cache-fra-1"}
    )
    with Fetcher(FetchSettings(allow_private=True, host_delay=0)) as client:
        result = ingest(store, client.fetch(server.url_for("/story")).to_capture())
    headers = stored_headers(store, result.article_id)
    assert ["X-Served-By", "cache-fra-1"] in headers
    assert ["Content-Type", "text/html; charset=utf-8"] in headers


def warc_file(record_type: str, headers: list | None) -> io.BytesIO:
    stream = io.BytesIO()
    writer = WARCWriter(stream, gzip=False)
    body = article_html().encode()
    writer.write_record(
        writer.create_warc_record(
            STORY,
            record_type,
            payload=io.BytesIO(body),
            length=len(body),
            warc_content_type="text/html" if record_type == "resource" else "",
            warc_headers_dict={"WARC-Date": "2025-02-07T10:00:00Z"},
            http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1") if headers else None,
        )
    )
    stream.seek(0)
    return stream


def test_a_warc_response_record_brings_its_status_and_headers(store):
    sent = [("Content-Type", "text/html"), ("Server", "nginx")]
    (item,) = read_warc(warc_file("response", sent), "crawl.warc")
    result = ingest(store, item.capture)
    assert stored_headers(store, result.article_id) == [list(pair) for pair in sent]
    assert store.captures(result.article_id)[0]["http_status"] == 200


def test_a_warc_resource_record_of_html_is_a_capture_without_http(store):
    (item,) = read_warc(warc_file("resource", None), "files.warc")
    assert item.capture.kind_hint == "html"
    assert item.capture.http_status is None and item.capture.http_headers is None
    assert ingest(store, item.capture).status == "new version"


def test_a_warc_record_posted_to_the_upload_api_keeps_its_headers(tmp_path):
    db = tmp_path / "versioner.db"
    client = create_app({"DATABASE": str(db), "TESTING": True, "API_TOKEN": "t0ken"}).test_client()
    sent = [("Content-Type", "text/html"), ("Last-Modified", "Fri, 07 Feb 2025 09:00:00 GMT")]
    answer = client.post(
        "/api/captures",
        data=warc_file("response", sent).getvalue(),
        headers={"Content-Type": "application/warc", "Authorization": "Bearer t0ken"},
    )
    assert answer.status_code == 201
    store = Store(db)
    try:
        assert stored_headers(store, answer.get_json()["article"]) == [list(pair) for pair in sent]
    finally:
        store.close()
