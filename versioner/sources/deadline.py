"""An HTTP attempt's deadline, enforced on its connections whatever phase they are in.

httpx's timeouts bound each read, so a server that sends one header line (or one body byte) per second
keeps a request alive for as long as it likes. A Deadline shuts the attempt's sockets when its time is up:
whatever blocks on them (a connect, dripped headers, a body) reads the end of the stream at once, and
fetch.py reports the deadline. Sockets are learnt through httpcore's trace extension.
"""

import socket
import threading
import time


class Deadline:
    """The end of one attempt: start() the clock, pass trace() as the request's "trace" extension,
    cancel() when the attempt is over; `expired` says the deadline ended it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._ends: float | None = None

    def start(self) -> None:
        """Start the clock, once."""
        if self._timer is None:
            self._ends = time.monotonic() + self.seconds
            self._timer = threading.Timer(self.seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()

    def remaining(self) -> float:
        """Seconds left (0 when over), for what the deadline cannot interrupt, such as a name lookup."""
        if self._ends is None:
            return self.seconds
        return max(0.0, self._ends - time.monotonic())

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def trace(self, event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            sock = info["return_value"].get_extra_info("socket")
            if sock is None:
                return
            with self._lock:
                self._sockets.append(sock)
                if self.expired:
                    _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Wake whatever blocks on the socket: it reads the end of the stream. The plain socket's shutdown,
    for a TLS one too (SSLSocket.shutdown would drop its TLS state under the reading thread)."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:  # closed already (a finished hop, or the TCP socket a TLS one replaced)
        pass
