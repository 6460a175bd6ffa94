"""PostgreSQL as a versioner store: a psycopg 3 connection that takes the store's SQL as SQLite does.

The store's modules write one SQL for both engines wherever the two agree (ON CONFLICT, RETURNING,
window functions), with `?` and `:name` parameters; this connection turns those into psycopg's `%s`
and `%(name)s` and hands back rows as SQLite does: tuples from execute(), dicts from query(), integers
where PostgreSQL would answer numeric (a sum) and bytes for bytea. Transactions are explicit, as on
SQLite with isolation_level=None: the store says BEGIN and COMMIT itself.

Connections come from one pool per database URL and process (psycopg_pool), so the web app, which opens
a store per request, reuses its connections; env VERSIONER_PG_POOL_SIZE bounds them (default 10).
"""

import atexit
import os
import re
import threading
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from versioner.errors import StorageError

URL_PREFIXES = ("postgresql://", "postgres://")
POOL_SIZE = 10
CONNECT_SECONDS = 10
# A parameter outside quoted text: `?`, or `:name` that is not the second colon of a `::type` cast.
_PARAMETER = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*")|\?|(?<![:\w]):([A-Za-z_]\w*)|%""")

_pools: dict[str, ConnectionPool] = {}
_pools_lock = threading.Lock()


def is_postgres_url(location: str) -> bool:
    return str(location).startswith(URL_PREFIXES)


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """The store's SQL with psycopg's parameter marks (and a literal % doubled)."""

    def mark(match: re.Match) -> str:
        quoted, name = match.group(1), match.group(2)
        if quoted:  # psycopg reads % everywhere, quotes or not
            return quoted.replace("%", "%%")
        if name:
            return f"%({name})s"
        return "%s" if match.group(0) == "?" else "%%"

    return _PARAMETER.sub(mark, sql)


class _IntegralNumeric(Loader):
    """numeric as int where it is integral (sum() of integers), float otherwise: what SQLite answers."""

    def load(self, data) -> int | float:
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else float(value)


class _BoolAsInteger(Dumper):
    """Python's True and False as 1 and 0: the store's flag columns are integers, as in SQLite."""

    oid = psycopg.postgres.types["int2"].oid

    def dump(self, value: bool) -> bytes:
        return b"1" if value else b"0"


def _configure(conn: psycopg.Connection) -> None:
    conn.adapters.register_loader("numeric", _IntegralNumeric)
    conn.adapters.register_dumper(bool, _BoolAsInteger)
    conn.execute("SET TIME ZONE 'UTC'")  # a date without a time is midnight UTC, as in SQLite


def _pool_size() -> int:
    setting = os.environ.get("VERSIONER_PG_POOL_SIZE", str(POOL_SIZE))
    if not setting.strip().isdigit() or int(setting) < 1:
        raise StorageError(f"VERSIONER_PG_POOL_SIZE={setting!r}: give a number of connections, 1 or more")
    return int(setting)


def _pool(url: str) -> ConnectionPool:
    with _pools_lock:
        if url not in _pools:
            size = _pool_size()
            _reachable(url)
            pool = ConnectionPool(
                url,
                min_size=0,  # a command that never opens the store connects to nothing
                max_size=size,
                kwargs={"autocommit": True},
                configure=_configure,
                check=ConnectionPool.check_connection,  # a server restarted meanwhile: connect again
                open=False,
                timeout=CONNECT_SECONDS,
            )
            try:
                pool.open(wait=True, timeout=CONNECT_SECONDS)
            except Exception as err:
                pool.close()
                raise StorageError(f"cannot connect to {safe_location(url)}: {err}") from None
            _pools[url] = pool
        return _pools[url]


def close_pool(url: str) -> None:
    """Close the connections kept for one database (before it is dropped, say)."""
    with _pools_lock:
        pool = _pools.pop(url, None)
    if pool is not None:
        pool.close()


def _reachable(url: str) -> None:
    """Connect once before there is a pool, which would retry a wrong URL or a refused connection in
    silence until its timeout: a mistyped --db is said at once, in libpq's words."""
    try:
        psycopg.connect(url, connect_timeout=CONNECT_SECONDS).close()
    except Exception as err:
        reason = " ".join(str(err).split())  # libpq says it over lines, with tabs
        raise StorageError(f"cannot connect to {safe_location(url)}: {reason}") from None


@atexit.register
def _close_pools() -> None:
    for url in list(_pools):
        close_pool(url)


def safe_location(url: str) -> str:
    """A database's location for messages: a URL without its password."""
    return re.sub(r"://([^:@/]+):[^@/]*@", r"://\1:***@", url)


class PostgresDatabase:
    """One pooled connection to a versioner database on PostgreSQL, used as the store uses SQLite's."""

    dialect = "postgresql"
    begin_write = "BEGIN"
    begin_snapshot = "BEGIN ISOLATION LEVEL REPEATABLE READ"

    def __init__(self, url: str):
        self.url = url
        self._pool = _pool(url)
        try:
            self.conn = self._pool.getconn()
        except Exception as err:
            raise StorageError(f"cannot connect to {safe_location(url)}: {err}") from None

    def execute(self, sql: str, params=None) -> psycopg.Cursor:
        return self.conn.execute(translate(sql), params or ())

    def executemany(self, sql: str, rows) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(translate(sql), list(rows))

    def query(self, sql: str, params=None) -> Iterator[dict]:
        with self.conn.cursor(row_factory=dict_row) as cursor:
            yield from cursor.execute(translate(sql), params or ())

    def attempt(self, sql: str, params=None) -> bool:
        """Run a write that may fail (a busy or read-only database) without failing the transaction
        around it: inside one, a savepoint takes the failure; False when it failed."""
        inside = self.in_transaction
        try:
            if inside:
                self.conn.execute("SAVEPOINT attempt")
            self.execute(sql, params)
            if inside:
                self.conn.execute("RELEASE attempt")
            return True
        except psycopg.Error:
            if inside:
                self.conn.execute("ROLLBACK TO attempt")
                self.conn.execute("RELEASE attempt")
            return False

    @property
    def in_transaction(self) -> bool:
        return self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def close(self) -> None:
        if self.conn is not None:
            self._pool.putconn(self.conn)  # a transaction left open is rolled back by the pool
            self.conn = None
