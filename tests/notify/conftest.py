"""Receivers the notification tests deliver to: a webhook server on 127.0.0.1 that can go down and come
back on the same port, or hang, and a real SMTP server (aiosmtpd) on a free loopback port."""

import http.server
import json
import threading
import time

import pytest
from helpers import free_port


class Receiver:
    """A webhook endpoint that records every POST; stop() and start() make an outage, /hang never answers."""

    def __init__(self):
        self.port = free_port()
        self.posts: list[tuple[str, dict, bytes]] = []
        self.release = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith("/hang"):
                    outer.release.wait(30)
                    return
                if self.path.startswith("/drip"):  # headers one line at a time, for far longer than a timeout
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    for n in range(60):
                        if outer.release.wait(0.25):
                            return
                        try:
                            self.wfile.write(f"X-Drip-{n}: a\r\n".encode())
                            self.wfile.flush()
                        except OSError:
                            return
                    return
                if self.path.startswith("/moved"):
                    self.send_response(302)
                    self.send_header("Location", f"http://127.0.0.1:{outer.port}/elsewhere")
                    self.end_headers()
                    return
                if self.path.startswith("/slow"):
                    time.sleep(0.05)  # keeps concurrent senders overlapping
                outer.posts.append((self.path, dict(self.headers), body))
                self.send_response(500 if self.path.startswith("/broken") else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._handler = Handler
        self.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self._handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def bodies(self, path: str) -> list[dict]:
        return [json.loads(body) for p, _, body in self.posts if p == path]

    def wait(self, path: str, n: int, seconds: float = 10) -> list[dict]:
        end = time.monotonic() + seconds
        while len(self.bodies(path)) < n and time.monotonic() < end:
            time.sleep(0.05)
        return self.bodies(path)


@pytest.fixture
def receiver():
    started = Receiver()
    yield started
    started.release.set()
    started.stop()


class Mailbox:
    """An SMTP server on a free loopback port that keeps every message it is sent."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[bytes] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                outer.messages.append(envelope.content)
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def target(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=versioner@example.org&to=desk@example.org&mode=insecure"


@pytest.fixture
def mailbox():
    opened = Mailbox()
    yield opened
    opened.controller.stop()
