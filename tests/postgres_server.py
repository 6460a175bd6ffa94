"""A throwaway PostgreSQL cluster for the tests and benchmarks: initdb in a temporary folder, a free
loopback port, stopped and removed at the end. Never a shared or pre-existing server.

`cluster()` yields a server URL without a database name; `fresh_database(url)` makes an empty database on
it. Root cannot run PostgreSQL, so as root the server runs as the `postgres` user that Debian's package
creates. Where PostgreSQL is not installed, `missing()` says why, for a skip.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

import psycopg

_numbers = count(1)


def _bindir() -> Path | None:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: [int(part) for part in re.findall(r"\d+", path.parts[-3])],
    )
    return found[-1].parent if found else None


def missing() -> str | None:
    """Why no cluster can start here, or None."""
    if _bindir() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to start PostgreSQL as the postgres user"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def cluster() -> Iterator[str]:
    """A running server on 127.0.0.1 for the length of the block: its URL, e.g. postgresql://postgres@127.0.0.1:5433"""
    bindir = _bindir()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="versioner-pg-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    if as_postgres:
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()

    def run(*command: str) -> None:
        subprocess.run(
            [*as_postgres, str(bindir / command[0]), *command[1:]], check=True, capture_output=True
        )

    try:
        run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--locale=C.UTF-8", "-E", "UTF8")
        settings = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        run("pg_ctl", "-D", str(data), "-w", "-l", str(folder / "server.log"), "-o", settings, "start")
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}"
        finally:
            run("pg_ctl", "-D", str(data), "-m", "immediate", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def empty(url: str) -> None:
    """Every table of a versioner database emptied and its ids counting from 1 again (ten times faster
    than a new database); whatever still holds a connection to it is disconnected first."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'versioner_schema'"
            )
        ]
        conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def fresh_database(server: str, template: str | None = None) -> str:
    """An empty database on the server (a copy of `template` when given); its URL."""
    name = f"versioner_{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return f"{server}/{name}"
