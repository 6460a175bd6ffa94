"""Diffs as the web shows them: which two versions, the diff (cached), and its blocks for the templates.

Diffs are read as the CLI reads them (versioner/changes.py: the store's cache, computed on a miss).
The cache key, with RENDER_VERSION, is the diff page's ETag.
"""

import hashlib
from dataclasses import dataclass

from versioner import changes
from versioner.errors import NotInArchive
from versioner.store import Store, VersionInfo

# Bump when the diff templates change what a page shows for the same diff (it is part of the ETag).
RENDER_VERSION = "1"
# Hex digits of a text hash in permalinks: unique within an article, short enough to read.
HASH_PREFIX = 12
# Unchanged paragraphs shown around each change; a longer unchanged run folds away, if it hides this many.
CONTEXT = 2
MIN_FOLD = 4


@dataclass(frozen=True)
class Pair:
    """Two versions of one article, in the order they are compared."""

    article: dict
    old: VersionInfo
    new: VersionInfo

    @property
    def etag(self) -> str:
        key = changes.key(self.old, self.new)
        return hashlib.sha256(f"{key}:{RENDER_VERSION}".encode()).hexdigest()[:32]

    @property
    def permalink(self) -> str:
        """A URL that names the two contents, so it stays right when a backfill renumbers versions."""
        return permalink(self.article["id"], self.old, self.new)


def permalink(article_id: int, old: VersionInfo, new: VersionInfo) -> str:
    return f"/articles/{article_id}/diff/{old.text_hash[:HASH_PREFIX]}..{new.text_hash[:HASH_PREFIX]}"


def pair_by_number(store: Store, article: dict, from_n: int | None, to_n: int | None) -> Pair:
    """Versions from_n and to_n; by default the latest against the one before (as `versioner diff`)."""
    return Pair(article, *changes.choose_versions(store, article, from_n, to_n))


def pair_by_hash(store: Store, article: dict, old_prefix: str, new_prefix: str) -> Pair:
    """The versions a permalink names; where a revert repeats a content, the first one after `old`."""
    olds = store.versions_with_hash(article["id"], old_prefix)
    news = store.versions_with_hash(article["id"], new_prefix)
    if not olds or not news:
        missing = old_prefix if not olds else new_prefix
        raise NotInArchive(f"article {article['id']} has no version with text hash {missing}")
    old = olds[0]
    new = next((v for v in news if v.n > old.n), news[0])
    return Pair(article, old, new)


def load_diff(store: Store, pair: Pair) -> dict:
    """VersionDiff.to_json() of the pair."""
    return changes.load(store, pair.old, pair.new)


def change_stats(store: Store, pair: Pair) -> dict:
    """The pair's diff stats, for the lists of changes."""
    return changes.stats(store, pair.old, pair.new)


def has_change(ops: list) -> bool:
    return any(op != "=" for op, _ in ops)


def display_blocks(data: dict) -> list[dict]:
    """The diff's paragraph blocks in reading order, numbered for the page.

    Each block gets `change` (1, 2, ... for the next/previous navigation; None when equal), `number`
    (its paragraph number on the side it is shown) and, where a paragraph moved, a "moved-away" marker
    at its old place pointing to where it went. Long unchanged stretches become "fold" blocks.
    """
    blocks = []
    change = 1 + has_change(data["title"]) + has_change(data["byline"])
    for block in data["blocks"]:
        shown = dict(block)
        shown["number"] = (block["new_index"] if block["new_index"] is not None else block["old_index"]) + 1
        shown["change"] = None
        if block["op"] != "equal":
            shown["change"] = change
            change += 1
        blocks.append(shown)
    for moved in [b for b in blocks if b["op"] == "moved"]:
        marker = {
            "op": "moved-away",
            "ops": [],
            "change": None,
            "number": moved["old_index"] + 1,
            "to_number": moved["number"],
            "to_change": moved["change"],
        }
        blocks.insert(_old_place(blocks, moved["old_index"]), marker)
    return _fold(blocks)


def _fold(blocks: list[dict]) -> list[dict]:
    """Long runs of unchanged paragraphs, away from any change, folded into one "fold" block."""
    if all(block["op"] == "equal" for block in blocks):
        return blocks
    out: list[dict] = []
    run: list[dict] = []
    changed_before = False
    for block in [*blocks, None]:
        if block is not None and block["op"] == "equal":
            run.append(block)
            continue
        head = CONTEXT if changed_before else 0
        tail = CONTEXT if block is not None else 0
        if len(run) - head - tail >= MIN_FOLD:
            folded = {"op": "fold", "blocks": run[head : len(run) - tail], "change": None}
            out += [*run[:head], folded, *run[len(run) - tail :]]
        else:
            out += run
        run = []
        if block is not None:
            out.append(block)
            changed_before = True
    return out


def _old_place(blocks: list[dict], old_index: int) -> int:
    """Where a paragraph that moved away used to sit: after the last block that came before it."""
    place = 0
    for position, block in enumerate(blocks):
        if block["op"] in ("equal", "changed", "deleted") and block["old_index"] < old_index:
            place = position + 1
    return place


def excerpt(data: dict, context_words: int = 12, max_blocks: int = 3) -> list[list[list[str]]]:
    """A few changed paragraphs with a little context around each change, for feed entries."""
    chosen = [block["ops"] for block in data["blocks"] if block["op"] in ("changed", "inserted", "deleted")]
    return [_trim(ops, context_words) for ops in chosen[:max_blocks]]


def _trim(ops: list, context_words: int, max_words: int = 60) -> list[list[str]]:
    """Unchanged text cut to a few words either side of a change; long insertions and deletions cut too."""
    out = []
    last = len(ops) - 1
    for index, (op, text) in enumerate(ops):
        words = text.split(" ")
        if op != "=":
            text = text if len(words) <= max_words else " ".join(words[:max_words]) + " …"
        elif index == 0 and len(words) > context_words:
            text = "… " + " ".join(words[-context_words:])
        elif index == last and len(words) > context_words:
            text = " ".join(words[:context_words]) + " …"
        elif len(words) > 2 * context_words:
            text = " ".join(words[:context_words]) + " … " + " ".join(words[-context_words:])
        out.append([op, text])
    return out
