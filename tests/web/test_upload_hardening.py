"""The upload API and `versioner serve` against clients that mean harm or do it by mistake.

WARC bodies that inflate, wrong tokens by the hundred, huge declared bodies, form uploads, garbage, idle
connections and a burst of first requests: each is refused or outlasted, and the owner keeps working.
Some tests run a real `versioner serve` on 127.0.0.1.
"""

import contextlib
import http.client
import io
import os
import socket
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from versioner.capture import MAX_SNAPSHOT_BYTES
from versioner.store import Store
from versioner.web import create_app

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
URL = "https://news.example.org/harbour-plan"
WHEN = {"url": URL, "fetched_at": "2025-02-07T10:00:00Z"}
STORY = "Harbour plan approved\n\nThe council approved the harbour plan on Tuesday.\n\nWork starts in May."


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "versioner.db"


@pytest.fixture
def client(db_path):
    return create_app({"DATABASE": str(db_path), "TESTING": True, "API_TOKEN": TOKEN}).test_client()


def stored(db_path) -> int:
    """Captures in the database."""
    store = Store(db_path)
    try:
        return store.db.execute("SELECT count(*) FROM captures").fetchone()[0]
    finally:
        store.close()


def gzipped_record(url: str, body: bytes) -> bytes:
    """One gzip-compressed WARC response record: a page of body, a fraction of its size on the wire."""
    stream = io.BytesIO()
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer = WARCWriter(stream, gzip=True)
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": "2025-02-07T10:00:00Z"},
    )
    writer.write_record(record)
    return stream.getvalue()


def post_warc(client, body: bytes):
    return client.post("/api/captures", data=body, headers={**AUTH, "Content-Type": "application/warc"})


# --- WARC bodies ----------------------------------------------------------------------------------


def test_a_warc_of_many_inflating_records_is_refused_with_bounded_memory(client, db_path):
    page = b"<html><body><p>" + b"a " * (MAX_SNAPSHOT_BYTES // 2 - 16) + b"</p></body></html>"
    record = gzipped_record(URL, page[:MAX_SNAPSHOT_BYTES])
    body = record * 12  # well under the body cap on the wire, 12 x 20 MiB once inflated
    assert len(body) < 2 * 2**20
    tracemalloc.start()
    try:
        response = post_warc(client, body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 422
    assert "one WARC response record" in response.get_json()["error"]
    assert peak < 3 * MAX_SNAPSHOT_BYTES + 16 * 2**20  # two records at most, never all twelve
    assert stored(db_path) == 0


def test_a_warc_of_two_pages_is_422_and_stores_nothing(client, db_path):
    html = b"<html><body><article><p>The council approved the harbour plan.</p></article></body></html>"
    response = post_warc(client, gzipped_record(URL, html) + gzipped_record(URL + "-2", html))
    assert response.status_code == 422
    assert stored(db_path) == 0


# --- tokens, sizes, form uploads ------------------------------------------------------------------


def test_wrong_token_requests_never_lock_out_the_right_token(client, db_path):
    wrong = [
        client.post("/api/captures", query_string=WHEN, data=STORY, headers={"Authorization": "Bearer no"})
        for _ in range(100)
    ]
    assert {r.status_code for r in wrong} == {401, 429}  # the guesser is slowed down ...
    assert [r.status_code for r in wrong].count(401) <= 10
    right = client.post(
        "/api/captures", query_string=WHEN, data=STORY, headers={**AUTH, "Content-Type": "text/plain"}
    )
    assert right.status_code == 201  # ... and the owner is not
    assert stored(db_path) == 1


class UnreadBody(io.RawIOBase):
    """A request body of `size` bytes that records whether the app read any of it."""

    def __init__(self, size: int):
        self.reads, self.size, self.position = 0, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:  # the test client measures the body so
        self.position = self.size if whence == 2 else offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        self.reads += 1
        buffer[:1] = b"x"
        return 1


@pytest.mark.parametrize(("headers", "status"), [({}, 401), (AUTH, 413)])
def test_a_huge_declared_body_is_refused_before_it_is_read(client, db_path, headers, status):
    body = UnreadBody(500 * 2**20)
    response = client.post(
        "/api/captures",
        query_string=WHEN,
        input_stream=body,
        headers={**headers, "Content-Type": "text/html"},
    )
    assert response.status_code == status
    assert body.reads == 0
    assert stored(db_path) == 0


def test_a_multipart_form_upload_is_415_with_what_to_send_instead(client, db_path):
    response = client.post(
        "/api/captures",
        query_string=WHEN,
        data={"file": (io.BytesIO(STORY.encode()), "page.html")},
        headers=AUTH,
        content_type="multipart/form-data",
    )
    assert response.status_code == 415
    assert "send the page itself as the body" in response.get_json()["error"]
    assert stored(db_path) == 0


# --- garbage -----------------------------------------------------------------------------------------


def test_a_rejected_first_capture_lists_no_article_and_no_page_says_none(client, db_path):
    garbage = b"<html><head></head><body></body></html>"  # no article text: rejected, but kept
    response = client.post(
        "/api/captures", query_string=WHEN, data=garbage, headers={**AUTH, "Content-Type": "text/html"}
    )
    assert (response.status_code, response.get_json()["status"]) == (201, "rejected")
    article = response.get_json()["article"]
    store = Store(db_path)
    try:
        assert store.articles() == [] and store.article_count() == 0 and store.sites() == []
    finally:
        store.close()
    assert client.get("/api/articles").get_json()["articles"] == []
    pages = ["/", "/feed.atom", "/search?q=harbour", f"/articles/{article}", f"/articles/{article}/feed.atom"]
    for path in pages:
        page = client.get(path)
        assert page.status_code in (200, 404), path
        assert "None" not in page.get_data(as_text=True), path


# --- a real `versioner serve` -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(db: Path, *args: str, env: dict | None = None):
    """`versioner serve` on a free port of 127.0.0.1 until the block ends; yields the port."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-P", "-m", "versioner", "--db", str(db), "serve", "--port", str(port), *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "serve did not start listening"
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stderr.close()


def get(port: int, path: str, headers: dict | None = None, timeout: float = 10) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture
def served_db(tmp_path) -> Path:
    path = tmp_path / "served.db"
    Store(path).close()
    return path


def first_requests_at_once(port: int, paths: list[str]) -> list[int]:
    """Every request sent once all the connections are open, so the server's threads start together."""
    socks = [socket.create_connection(("127.0.0.1", port), timeout=20) for _ in paths]
    try:
        time.sleep(0.2)  # let waitress accept them all
        for sock, path in zip(socks, paths, strict=True):
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        return [int(sock.makefile("rb").readline().split()[1]) for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def test_fresh_servers_answer_16_parallel_first_requests_without_a_server_error(served_db):
    paths = ["/", "/api/articles", "/feed.atom", "/search?q=harbour"] * 4
    for _ in range(6):
        with serving(served_db, "--threads", "16") as port:
            assert first_requests_at_once(port, paths) == [200] * 16


def test_many_idle_connections_leave_serve_answering(served_db):
    with serving(served_db) as port:
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(300)]
        try:
            for n, sock in enumerate(idle[::2]):  # half say nothing, half start a request and stall
                sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow-%d: " % n)
            status, _ = get(port, "/", timeout=10)
            assert status == 200
        finally:
            for sock in idle:
                sock.close()


def test_serve_refuses_a_body_over_the_cap_before_reading_it(served_db):
    with serving(served_db, env={"VERSIONER_API_TOKEN": TOKEN}) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                b"POST /api/captures HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/html\r\n"
                b"Content-Length: %d\r\n\r\n" % (500 * 2**20)
            )
            sock.sendall(b"x" * 2**20)  # a token's worth of a 500 MB body, then nothing
            answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")
    assert stored(served_db) == 0
