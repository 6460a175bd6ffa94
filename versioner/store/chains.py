"""Rows stored compressed against a base row of their own table, as texts and raw captures both are.

A row names its base (NULL: a keyframe, compressed on its own) and its depth in the chain of bases. A
row is read by walking the chain back to a keyframe, or to a value already decoded, then decoding
forward; chains stop at codec.MAX_DEPTH, so a read decodes a bounded number of rows. Decoded values are
kept in a cache with a budget in characters or bytes: rows never change, and the next row of an
article wants the latest one as its base. A keyframe may still have a dictionary from elsewhere
(`root`): a raw capture compressed against its own extracted text (raw_captures.py).

SQLite reads the chain a row at a time and stops at the first row already decoded; on PostgreSQL each
query is a round trip to the server, so the whole chain comes in one recursive query.
"""

import sqlite3
from collections.abc import Callable
from typing import Any

import sqlite_utils

from versioner.errors import NotInArchive


class Chain:
    """The chained rows of one table: `key` names a row, `base` its base row's key."""

    def __init__(
        self,
        db: sqlite_utils.Database | sqlite3.Connection,
        table: str,
        key: str,
        base: str,
        decode: Callable[[bytes, Any], Any],
        budget: int,
        what: str,
        root: Callable[[Any], Any] | None = None,
    ):
        self.db, self.table, self.key, self.base = db, table, key, base
        self.decode, self.budget, self.what = decode, budget, what
        self.root = root  # a keyframe's key -> what it was compressed against (None: nothing)
        self._values: dict[Any, Any] = {}  # decoded values by key, oldest first
        self._cached = 0
        self._one_query = getattr(db, "dialect", "sqlite") == "postgresql"

    def get(self, key: Any) -> Any:
        """The decoded value of row `key`; NotInArchive where there is no such row."""
        links = self._whole_chain(key) if self._one_query and key not in self._values else None
        chain = []
        current = key
        while current is not None and current not in self._values:
            row = links.get(current) if links is not None else self._link(current)
            if row is None:
                raise NotInArchive(f"no {self.what} {current}")
            chain.append((current, row[1]))
            current = row[0]
        if current is not None:
            value = self._values[current]
        else:
            value = self.root(chain[-1][0]) if chain and self.root is not None else None
        for row_key, data in reversed(chain):
            value = self.decode(data, value)
            self.remember(row_key, value)
        return value

    def _link(self, key: Any) -> tuple | None:
        """(base, data) of one row."""
        return self.db.execute(
            f"SELECT {self.base}, data FROM {self.table} WHERE {self.key} = ?", [key]
        ).fetchone()

    def _whole_chain(self, key: Any) -> dict[Any, tuple]:
        """(base, data) of every row of the chain that ends at row `key`, by key, in one query."""
        rows = self.db.execute(
            f"""WITH RECURSIVE chain(key, base, data) AS (
                    SELECT {self.key}, {self.base}, data FROM {self.table} WHERE {self.key} = ?
                    UNION ALL
                    SELECT t.{self.key}, t.{self.base}, t.data FROM {self.table} t JOIN chain c ON t.{self.key} = c.base
                )
                SELECT key, base, data FROM chain""",
            [key],
        ).fetchall()
        return {row[0]: (row[1], row[2]) for row in rows}

    def ancestor(self, start: Any, depth: int) -> tuple | None:
        """(key, depth) of the row at `depth` in the chain of bases that ends at row `start`."""
        return self.db.execute(
            f"""WITH RECURSIVE chain(key, base, depth) AS (
                    SELECT {self.key}, {self.base}, depth FROM {self.table} WHERE {self.key} = ?
                    UNION ALL
                    SELECT t.{self.key}, t.{self.base}, t.depth FROM {self.table} t JOIN chain c ON t.{self.key} = c.base
                )
                SELECT key, depth FROM chain WHERE depth = ?""",
            [start, depth],
        ).fetchone()

    def remember(self, key: Any, value: Any) -> None:
        """Keep a decoded value, dropping the oldest ones past the budget."""
        self._values[key] = value
        self._cached += len(value)
        while self._cached > self.budget and len(self._values) > 1:
            self._cached -= len(self._values.pop(next(iter(self._values))))

    def forget(self) -> None:
        """Drop every decoded value: after a rollback the cache may hold rows that are gone."""
        self._values.clear()
        self._cached = 0
