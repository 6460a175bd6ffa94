"""Fetching against hostile servers on 127.0.0.1: decompression bombs, dripped headers, odd redirects,
metadata addresses. Each test is the attack, made by hand."""

import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import zstandard
from helpers import article_html

from versioner.capture import MAX_SNAPSHOT_BYTES
from versioner.errors import FetchError, PrivateAddress, VersionerError
from versioner.sources.addresses import check_url, resolve
from versioner.sources.fetch import ATTEMPT_DEADLINE, Fetcher, FetchSettings

INFLATED = 256 * 2**20  # what each bomb inflates to: 12 times the cap
BOUND = 100 * 2**20  # memory a fetch may use above its baseline, bomb or not


def fetcher(**settings) -> Fetcher:
    return Fetcher(
        FetchSettings(**{"allow_private": True, "host_delay": 0, "backoff": 0.01, "timeout": 2, **settings})
    )


def gzipped(chunks: Iterator[bytes], wbits: int = 31) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, wbits)
    return b"".join([*(compressor.compress(chunk) for chunk in chunks), compressor.flush()])


def zeros() -> Iterator[bytes]:
    return (b"\0" * 2**20 for _ in range(INFLATED // 2**20))


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    gzip_once = gzipped(zeros())
    zstd = zstandard.ZstdCompressor(level=3).compressobj()
    return {
        "gzip": gzip_once,
        "gzip, gzip": gzipped(iter([gzip_once])),
        "deflate": gzipped(zeros(), wbits=15),
        "x-gzip, deflate": gzipped(iter([gzip_once]), wbits=-15),
        "zstd": b"".join([*(zstd.compress(chunk) for chunk in zeros()), zstd.flush()]),
    }


@contextmanager
def peak_memory() -> Iterator[list[int]]:
    """The peak of Python allocations above the baseline while the block runs."""
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    found = [0]
    try:
        yield found
    finally:
        found[0] = tracemalloc.get_traced_memory()[1] - baseline
        tracemalloc.stop()


@pytest.mark.parametrize("encoding", ["gzip", "gzip, gzip", "deflate", "x-gzip, deflate", "zstd"])
def test_a_decompression_bomb_stops_at_the_cap_with_bounded_memory(server, bombs, encoding):
    body = bombs[encoding]
    assert len(body) < 2 * 2**20
    server.expect_request("/bomb").respond_with_data(
        body, content_type="text/html", headers={"Content-Encoding": encoding}
    )
    with fetcher() as client, peak_memory() as peak:
        with pytest.raises(FetchError, match="over the 20 MiB cap"):
            client.fetch(server.url_for("/bomb"))
    assert client.settings.max_bytes == MAX_SNAPSHOT_BYTES
    assert peak[0] < BOUND


@pytest.mark.parametrize("encoding", ["gzip", "gzip, gzip", "deflate", "zstd"])
def test_a_compressed_page_under_the_cap_arrives_whole(server, encoding):
    html = article_html(extra="The harbour plan was approved. " * 2000).encode()
    raw = html
    for coding in [part.strip() for part in encoding.split(",")]:
        if coding == "zstd":
            raw = zstandard.ZstdCompressor().compress(raw)
        else:
            raw = gzipped(iter([raw]), 31 if coding == "gzip" else 15)
    server.expect_request("/page").respond_with_data(
        raw, content_type="text/html", headers={"Content-Encoding": encoding}
    )
    with fetcher() as client:
        assert client.fetch(server.url_for("/page")).raw == html


def test_raw_deflate_without_the_zlib_wrapper_is_read_too(server):
    html = article_html().encode()
    server.expect_request("/raw").respond_with_data(
        gzipped(iter([html]), wbits=-15), content_type="text/html", headers={"Content-Encoding": "deflate"}
    )
    with fetcher() as client:
        assert client.fetch(server.url_for("/raw")).raw == html


def test_a_zstd_frame_asking_for_a_huge_window_is_refused_before_allocating_it(server):
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=30)
    frame = zstandard.ZstdCompressor(compression_params=params).compressobj()
    body = frame.compress(b"<p>x</p>" * 1000) + frame.flush()
    server.expect_request("/wide").respond_with_data(body, headers={"Content-Encoding": "zstd"})
    with fetcher() as client, pytest.raises(FetchError, match="not valid zstd"):
        client.fetch(server.url_for("/wide"))


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("br", "unsupported Content-Encoding 'br'"),
        ("compress", "unsupported Content-Encoding 'compress'"),
        ("gzip, gzip, gzip, gzip", "4 stacked content encodings"),
    ],
)
def test_an_encoding_we_cannot_decode_is_a_clear_error(server, encoding, message):
    server.expect_request("/odd").respond_with_data(b"\x1f\x8b junk", headers={"Content-Encoding": encoding})
    with fetcher() as client, pytest.raises(FetchError, match=message):
        client.fetch(server.url_for("/odd"))


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "zstd"])
def test_a_corrupt_compressed_body_is_a_clear_error(server, encoding):
    server.expect_request("/corrupt").respond_with_data(
        b"\x1f\x8b\x08\x00" + b"\xff" * 500 if encoding == "gzip" else b"\xff" * 500,
        headers={"Content-Encoding": encoding},
    )
    with fetcher() as client, pytest.raises(FetchError, match=f"not valid {encoding}"):
        client.fetch(server.url_for("/corrupt"))


def test_we_ask_only_for_the_encodings_we_decode(server):
    server.expect_request("/story").respond_with_data(article_html(), content_type="text/html")
    with fetcher() as client:
        client.fetch(server.url_for("/story"))
    [(request, _)] = server.log
    assert request.headers["Accept-Encoding"] == "gzip, deflate, zstd"


# --- servers that drip ------------------------------------------------------------------------


@contextmanager
def dripping(pieces: Callable[[], Iterator[bytes]], every: float = 0.2) -> Iterator[str]:
    """A raw socket server on 127.0.0.1 that sends each connection `pieces()`, one per `every` seconds."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                for piece in pieces():
                    if stop.wait(every):
                        return
                    conn.sendall(piece)
            except OSError:  # the client hung up: what a deadline does
                pass

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/story"
    finally:
        stop.set()
        listener.close()


def dripped_headers() -> Iterator[bytes]:
    yield b"HTTP/1.1 200 OK\r\n"
    for n in range(300):  # a minute of header lines
        yield b"X-Drip-%d: still here\r\n" % n


def dripped_status_line() -> Iterator[bytes]:
    for byte in b"HTTP/1.1 200 OK\r\n" * 20:
        yield bytes([byte])


def dripped_body() -> Iterator[bytes]:
    yield b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"
    for _ in range(300):
        yield b"<p>x</p>"


@pytest.mark.parametrize("pieces", [dripped_headers, dripped_status_line, dripped_body])
def test_a_server_that_drips_its_answer_fails_within_the_deadline(pieces):
    with dripping(pieces) as url, fetcher(timeout=0.5, retries=2) as client:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"no answer within 1\.5 s|took over 1\.5 s"):
            client.fetch(url)
        took = time.monotonic() - started
    assert ATTEMPT_DEADLINE * 0.5 <= took < ATTEMPT_DEADLINE * 0.5 + 1  # one attempt, not three


def test_dripped_headers_after_a_redirect_still_end_at_the_first_hops_deadline(server):
    with dripping(dripped_headers) as url, fetcher(timeout=0.5) as client:
        server.expect_request("/short").respond_with_data("", status=302, headers={"Location": url})
        started = time.monotonic()
        with pytest.raises(FetchError, match="no answer within"):
            client.fetch(server.url_for("/short"))
        assert time.monotonic() - started < ATTEMPT_DEADLINE * 0.5 + 1


@pytest.mark.parametrize("hostile", ["drip", "retry-after", "hang"])
def test_no_fetch_outlasts_longest_fetch(server, hostile):
    """poll sizes its claims on longest_fetch(): it must hold for servers that stall every way they can."""
    settings = {"timeout": 0.3, "retries": 2, "backoff": 0.01, "host_delay": 0.1}
    if hostile == "retry-after":
        server.expect_request("/story").respond_with_data("busy", status=503, headers={"Retry-After": "1"})
        url = server.url_for("/story")
    elif hostile == "hang":
        server.expect_request("/story").respond_with_handler(lambda _r: time.sleep(1) or "late")
        url = server.url_for("/story")
    with dripping(dripped_headers) as drip_url, fetcher(**settings) as client:
        url = drip_url if hostile == "drip" else url
        started = time.monotonic()
        try:
            client.fetch(url)
        except FetchError:
            pass
        assert time.monotonic() - started <= client.longest_fetch()


def test_a_name_server_that_answers_slowly_is_cut_at_the_deadline(monkeypatch):
    """A site's own name server can take as long as it likes; getaddrinfo cannot be interrupted."""
    real = socket.getaddrinfo

    def slow(host, *args, **kwargs):
        if host == "slow.example":
            time.sleep(5)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    with fetcher(timeout=0.3) as client:
        started = time.monotonic()
        with pytest.raises(FetchError, match="cannot resolve slow.example: no answer within"):
            client.fetch("http://slow.example/story")
        assert time.monotonic() - started < ATTEMPT_DEADLINE * 0.3 + 0.5


# --- redirects that are not to a web page -----------------------------------------------------


def redirecting(location: bytes) -> Callable[[], Iterator[bytes]]:
    """A raw answer: a test server's own framework would refuse to send some of these Locations."""
    return lambda: iter([b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n"])


@pytest.mark.parametrize(
    "location",
    [
        b"javascript:alert(1)",
        b"JavaScript:alert(document.domain)",
        b"data:text/html,<script>alert(1)</script>",
        b"file:///etc/passwd",
        b"ftp://example.org/x",
        b"gopher://127.0.0.1:6379/_FLUSHALL",
        b"mailto:a@example.org",
        b"http://[::1/x",
        b"http://exa mple.org/",
        b"https://example.org:99999/",
    ],
)
def test_a_redirect_to_anything_but_an_http_page_is_a_clear_error(location):
    with dripping(redirecting(location), every=0) as url, fetcher() as client:
        with pytest.raises(FetchError, match="redirects to a URL that is not fetched"):
            client.fetch(url)


@pytest.mark.parametrize(
    "location",
    [
        "http://0177.0.0.1/",
        "http://127.000.000.001/",
        "http://１２７.0.0.1/",
        "http://0x7f.1/",
        "http://\xff\xfe/",
    ],
)
def test_a_redirect_to_an_odd_spelling_of_an_address_is_refused_not_a_traceback(location):
    with dripping(redirecting(location.encode()), every=0) as url, fetcher(allow_private=False) as client:
        with pytest.raises(VersionerError, match="private address|not fetched|cannot resolve"):
            client.fetch(url.replace("127.0.0.1", "localhost"), private_hosts={"localhost"})


# --- metadata addresses, and private addresses per host ---------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "169.254.169.254",
        "169.254.170.2",
        "169.254.0.23",
        "100.100.100.200",
        "168.63.129.16",
        "fd00:ec2::254",
        "fd20:ce::254",
        "::ffff:169.254.169.254",
        "::ffff:a9fe:a9fe",
        "::ffff:0:a9fe:a9fe",
        "64:ff9b::a9fe:a9fe",
        "::a9fe:a9fe",
        "2002:a9fe:a9fe::1",
        "2852039166",  # 169.254.169.254 as one number
        "0xa9fea9fe",
        "0251.0376.0251.0376",
        "169.254.43518",
    ],
)
def test_metadata_addresses_are_refused_even_with_allow_private(host):
    with pytest.raises(PrivateAddress, match="metadata address: refused always"):
        resolve(host, 80, allow_private=True)


def test_a_metadata_url_is_refused_at_track_time_with_allow_private():
    with pytest.raises(PrivateAddress, match="refused always"):
        check_url("http://169.254.169.254/latest/meta-data/iam/", allow_private=True)


def test_a_redirect_to_a_metadata_address_is_refused_with_allow_private(server):
    server.expect_request("/creds").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    with fetcher(allow_private=True) as client, pytest.raises(PrivateAddress, match="metadata"):
        client.fetch(server.url_for("/creds"))


def test_private_addresses_are_reached_only_for_the_hosts_allowed(server):
    server.expect_request("/story").respond_with_data(article_html(), content_type="text/html")
    url = server.url_for("/story")
    with fetcher(allow_private=False) as client:
        assert client.fetch(url, private_hosts={"127.0.0.1"}).status == 200
        with pytest.raises(PrivateAddress, match="private"):
            client.fetch(url)
        with pytest.raises(PrivateAddress, match="private"):
            client.fetch(url.replace("127.0.0.1", "localhost"), private_hosts={"127.0.0.1"})


def test_a_redirect_from_an_allowed_host_to_another_private_host_is_refused(server):
    other = server.url_for("/inside").replace("127.0.0.1", "localhost")
    server.expect_request("/out").respond_with_data("", status=302, headers={"Location": other})
    with fetcher(allow_private=False) as client, pytest.raises(PrivateAddress, match="localhost"):
        client.fetch(server.url_for("/out"), private_hosts={"127.0.0.1"})
    assert len(server.log) == 1
