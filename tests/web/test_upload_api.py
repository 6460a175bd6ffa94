"""POST /api/captures through Flask's test client, on a temporary database with a token."""

import io
import logging

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from versioner.capture import MAX_SNAPSHOT_BYTES
from versioner.store import Store
from versioner.web import create_app

TOKEN = "s3cret-token-for-tests"
URL = "https://news.example.org/harbour-plan"
STORY = "Harbour plan approved\n\nThe council approved the harbour plan on Tuesday.\n\nWork starts in May."
EDITED = STORY.replace("Tuesday", "Tuesday night").replace("May", "June")
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def db_path(database):
    return database


@pytest.fixture
def client(db_path):
    return create_app({"DATABASE": str(db_path), "TESTING": True, "API_TOKEN": TOKEN}).test_client()


def post(client, body: bytes | str = STORY, headers: dict | None = None, **query):
    query = {"url": URL, "fetched_at": "2025-02-07T10:00:00Z", **query}
    query = {name: value for name, value in query.items() if value is not None}
    return client.post(
        "/api/captures",
        query_string=query,
        data=body,
        headers={**AUTH, "Content-Type": "text/plain; charset=utf-8", **(headers or {})},
    )


def stored(db_path) -> tuple[int, int]:
    """(articles, captures) in the database."""
    store = Store(db_path)
    try:
        return store.article_count(), store.db.execute("SELECT count(*) FROM captures").fetchone()[0]
    finally:
        store.close()


def warc_record(url: str, date: str, body: bytes) -> bytes:
    stream = io.BytesIO()
    writer = WARCWriter(stream, gzip=False)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=headers, warc_headers_dict={"WARC-Date": date}
    )
    writer.write_record(record)
    return stream.getvalue()


def test_a_posted_capture_lands_on_a_version(client, db_path):
    response = post(client)
    assert response.status_code == 201
    assert response.get_json() == {
        "article": 1,
        "url": URL,
        "version": 1,
        "status": "new version",
        "new": True,
    }
    changed = post(client, EDITED, fetched_at="2025-02-07T11:00:00Z")
    assert changed.get_json()["version"] == 2 and changed.get_json()["new"] is True
    same = post(client, EDITED, fetched_at="2025-02-07T12:00:00Z")
    assert (same.status_code, same.get_json()["status"], same.get_json()["new"]) == (201, "unchanged", False)
    assert stored(db_path) == (1, 3)


def test_url_and_time_may_come_as_headers(client):
    headers = {"X-Versioner-Url": URL + "?utm_source=x", "X-Versioner-Fetched-At": "2025-02-07T10:00Z"}
    response = post(client, url=None, fetched_at=None, headers=headers)
    assert response.status_code == 201 and response.get_json()["url"] == URL


def test_posting_the_same_capture_twice_is_a_no_op(client, db_path):
    post(client)
    again = post(client)
    assert again.status_code == 200
    assert again.get_json() == {"article": 1, "url": URL, "version": 1, "status": "duplicate", "new": False}
    assert stored(db_path) == (1, 1)


def test_a_warc_record_carries_its_own_url_and_time(client, db_path):
    html = (
        b"<html><head><title>Harbour plan</title></head><body><article><h1>Harbour plan approved</h1>"
        b"<p>The council approved the harbour plan on Tuesday after a long debate.</p>"
        b"<p>Work starts in May and should be finished within two years.</p></article></body></html>"
    )
    body = warc_record(URL, "2025-02-07T10:00:00Z", html)
    response = post(client, body, headers={"Content-Type": "application/warc"}, url=None, fetched_at=None)
    assert response.status_code == 201 and response.get_json()["status"] == "new version"
    store = Store(db_path)
    assert store.captures(1)[0]["fetched_at"] == "2025-02-07T10:00:00Z"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
    ],
)
def test_a_missing_or_wrong_token_is_401_and_stores_nothing(client, db_path, headers, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post(
        "/api/captures",
        query_string={"url": URL, "fetched_at": "2025-02-07T10:00:00Z"},
        data=STORY,
        headers=headers,
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["status"] == 401
    assert stored(db_path) == (0, 0)
    assert TOKEN not in caplog.text and TOKEN not in response.get_data(as_text=True)


def test_without_a_configured_token_the_endpoint_does_not_exist(db_path, monkeypatch):
    monkeypatch.delenv("VERSIONER_API_TOKEN", raising=False)
    client = create_app({"DATABASE": str(db_path), "TESTING": True}).test_client()
    assert post(client).status_code == 404
    assert stored(db_path) == (0, 0)


def test_the_token_is_read_from_the_environment(db_path, monkeypatch):
    monkeypatch.setenv("VERSIONER_API_TOKEN", TOKEN)
    client = create_app({"DATABASE": str(db_path), "TESTING": True}).test_client()
    assert post(client).status_code == 201


def test_an_oversized_body_is_413_and_stores_nothing(client, db_path):
    assert post(client, b"x" * (MAX_SNAPSHOT_BYTES + 1)).status_code == 413
    assert post(client, b"x" * (MAX_SNAPSHOT_BYTES + 1024 * 1024)).status_code == 413
    assert stored(db_path) == (0, 0)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"url": None}, "URL"),
        ({"url": "javascript:alert(1)"}, "Only http and https"),
        ({"fetched_at": None}, "fetch time"),
        ({"fetched_at": "yesterday"}, "Not an ISO 8601 time"),
        ({"fetched_at": "2999-01-01T00:00:00Z"}, "in the future"),
        ({"fetched_at": "0001-01-01T00:00:00+01:00"}, "out of range"),
        ({"fetched_at": "9999-12-31T23:59:59-01:00"}, "out of range"),
    ],
)
def test_a_missing_or_bad_url_or_time_is_400_and_stores_nothing(client, db_path, query, message):
    response = post(client, **query)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert stored(db_path) == (0, 0)


@pytest.mark.parametrize("body", [b"\x89PNG\r\n\x1a\n" + b"\0" * 100, b""])
def test_unreadable_content_is_422_and_stores_nothing(client, db_path, body):
    response = post(client, body, headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 422
    assert stored(db_path) == (0, 0)


def test_a_warc_body_without_a_page_is_422(client, db_path):
    body = warc_record("https://news.example.org/logo", "2025-02-07T10:00:00Z", b"")
    body = body.replace(b"text/html", b"image/png")
    response = post(client, body, headers={"Content-Type": "application/warc"})
    assert response.status_code == 422
    assert stored(db_path) == (0, 0)


def test_a_client_that_posts_too_fast_gets_429(db_path):
    app = create_app(
        {
            "DATABASE": str(db_path),
            "TESTING": True,
            "API_TOKEN": TOKEN,
            "UPLOAD_BURST": 2,
            "UPLOAD_PER_SECOND": 0.01,
        }
    )
    client = app.test_client()
    statuses = [post(client, fetched_at=f"2025-02-07T10:0{n}:00Z").status_code for n in range(3)]
    assert statuses == [201, 201, 429]
