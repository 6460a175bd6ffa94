"""A paragraph block of a structured diff: the engine makes them, the statistics read them."""

from dataclasses import dataclass
from typing import Any

from versioner.diff.tokens import Op


@dataclass(frozen=True)
class Block:
    """One paragraph of the structured diff; its ops rebuild the old and/or new paragraph."""

    op: str  # "equal" | "changed" | "deleted" | "inserted" | "moved"
    old_index: int | None
    new_index: int | None
    ops: tuple[Op, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "old_index": self.old_index,
            "new_index": self.new_index,
            "ops": [list(op) for op in self.ops],
        }
