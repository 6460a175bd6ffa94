"""A table's content hash that every store computes alike, for `versioner copy` (copy.py).

Each row is encoded from its values alone, each a type tag, a length and the value (an integer, a text,
bytes, NULL), in the order of the column names the caller gives; the SHA-256 of every row are added up
modulo 2**256, so the order rows are read in (the order a store sorts a key of text in) does not change
the result, and a missing, extra or changed row does.
"""

import hashlib
from dataclasses import dataclass

from versioner.errors import CopyError

HASH_SPACE = 1 << 256


@dataclass
class RowDigest:
    """Rows counted and hashed in any order: the sum of their SHA-256s, modulo 2**256."""

    rows: int = 0
    total: int = 0

    def add(self, row: tuple) -> None:
        self.rows += 1
        self.total = (
            self.total + int.from_bytes(hashlib.sha256(encode_row(row)).digest(), "big")
        ) % HASH_SPACE

    @property
    def hexdigest(self) -> str:
        return f"{self.total:064x}"


def encode_row(row: tuple) -> bytes:
    """A row's values as bytes that do not depend on the store: a type tag, a length, the value."""
    parts = []
    for value in row:
        if value is None:
            parts.append(b"N")
            continue
        if isinstance(value, int):  # a bool too: PostgreSQL's true is SQLite's 1
            tag, data = b"I", str(int(value)).encode()
        elif isinstance(value, str):
            tag, data = b"T", value.encode("utf-8", "surrogatepass")
        elif isinstance(value, bytes | bytearray | memoryview):
            tag, data = b"B", bytes(value)
        elif isinstance(value, float):
            tag, data = b"F", repr(value).encode()
        else:
            raise CopyError(
                f"a value of type {type(value).__name__} has no store-independent form: {value!r}"
            )
        parts.append(tag + str(len(data)).encode() + b":" + data)
    return b"".join(parts)
