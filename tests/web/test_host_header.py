"""The Host header never decides where a feed's links go: BASE_URL does, or a host on the allow-list.

Without VERSIONER_BASE_URL the app answers only host names in ALLOWED_HOSTS (VERSIONER_ALLOWED_HOSTS;
localhost, 127.0.0.1 and [::1] by default, plus the address `versioner serve` listens on), others 400.
Behind a trusted proxy the forwarded host is the one checked.
"""

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from versioner.errors import VersionerError
from versioner.web import create_app

ROOT = Path(__file__).resolve().parents[2]
ATOM = "{http://www.w3.org/2005/Atom}"
ATTACKER = "attacker.example"


def links(feed: bytes) -> list[str]:
    root = ET.fromstring(feed)
    return [link.get("href") for link in root.iter(f"{ATOM}link")] + [e.text for e in root.iter(f"{ATOM}id")]


@pytest.fixture
def app_for(db_path, monkeypatch):
    monkeypatch.delenv("VERSIONER_BASE_URL", raising=False)
    monkeypatch.delenv("VERSIONER_ALLOWED_HOSTS", raising=False)
    return lambda **config: create_app({"DATABASE": str(db_path), "TESTING": True, **config})


@pytest.mark.parametrize("path", ["/feed.atom", "/", "/api/articles"])
def test_a_host_not_on_the_list_is_400_everywhere(app_for, path):
    response = app_for().test_client().get(path, headers={"Host": ATTACKER})
    assert response.status_code == 400
    assert ATTACKER not in response.get_data(as_text=True)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST:1"])
def test_the_default_hosts_are_answered_and_their_links_used(app_for, host):
    response = app_for().test_client().get("/feed.atom", headers={"Host": host})
    assert response.status_code == 200
    assert all(link.startswith((f"http://{host.lower()}/", "tag:")) for link in links(response.data))


def test_the_allow_list_comes_from_the_environment(app_for, monkeypatch):
    monkeypatch.setenv("VERSIONER_ALLOWED_HOSTS", "news.example.org, archive.example.org")
    client = app_for().test_client()
    assert client.get("/feed.atom", headers={"Host": "archive.example.org"}).status_code == 200
    assert client.get("/feed.atom", headers={"Host": "localhost"}).status_code == 400  # the list replaces
    assert client.get("/feed.atom", headers={"Host": ATTACKER}).status_code == 400


def test_with_a_base_url_every_absolute_link_starts_with_it_whatever_the_host(app_for, monkeypatch):
    monkeypatch.setenv("VERSIONER_BASE_URL", "https://news.example.org/")
    client = app_for().test_client()
    for feed in ("/feed.atom", "/articles/1/feed.atom"):
        response = client.get(feed, headers={"Host": ATTACKER})
        assert response.status_code == 200
        assert ATTACKER not in response.get_data(as_text=True)
        found = links(response.data)
        assert found and all(
            link.startswith(("https://news.example.org/", "tag:news.example.org,")) for link in found
        )


@pytest.mark.parametrize("base", ["news.example.org", "javascript:alert(1)", "https://news.example.org/x"])
def test_a_base_url_that_is_not_an_origin_is_refused_when_the_app_is_made(app_for, base):
    with pytest.raises(VersionerError, match="origin"):
        app_for(BASE_URL=base)


# --- behind a reverse proxy: a real `versioner serve --trusted-proxy 127.0.0.1` -----------------------


@contextlib.contextmanager
def serving(db: Path, env: dict):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-P", "-m", "versioner", "--db", str(db), "serve", "--port", str(port)]
    command += ["--trusted-proxy", "127.0.0.1"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERSIONER_")} | env
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def through_proxy(port: int, forwarded_host: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"X-Forwarded-Host": forwarded_host, "X-Forwarded-Proto": "https"}
        conn.request("GET", "/feed.atom", headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_behind_a_proxy_a_listed_forwarded_host_is_answered_and_others_are_400(db_path):
    with serving(db_path, {"VERSIONER_ALLOWED_HOSTS": "news.example.org"}) as port:
        status, body = through_proxy(port, "news.example.org")
        assert status == 200
        assert all(link.startswith(("https://news.example.org/", "tag:")) for link in links(body))
        assert through_proxy(port, ATTACKER)[0] == 400


def test_behind_a_proxy_with_a_base_url_the_forwarded_host_is_not_used(db_path):
    with serving(db_path, {"VERSIONER_BASE_URL": "https://archive.example.org"}) as port:
        status, body = through_proxy(port, ATTACKER)
    assert status == 200 and ATTACKER.encode() not in body
    assert all(
        link.startswith(("https://archive.example.org/", "tag:archive.example.org,")) for link in links(body)
    )
