"""What a subscriber is told of a change: a JSON message kept in the outbox, and the text and title that
e-mail and chat get from it.

The message is written when the version is stored, from the diff ingest has just computed
(versioner/changes.py), so it says what the change was then even if later captures renumber versions.
The diff link is kept as a path and put under the public base URL when the message is sent: the base URL
is the sender's setting (VERSIONER_BASE_URL or --base-url), not the ingest's.
"""

import re

from versioner.notify.matching import Change
from versioner.store import VersionInfo

HASH_PREFIX = 12  # hex digits of a text hash in a permalink, as the web's diff pages read them
MAX_SENTENCES = 12  # changed sentences quoted in a message; the diff link has the rest
MAX_SENTENCE_CHARS = 400
NO_BASE_URL = "no public base URL is set (VERSIONER_BASE_URL or --base-url): the diff link is a path only"
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")


def describe(
    article: dict, old: VersionInfo, new: VersionInfo, diff: dict, backfill: bool
) -> tuple[Change, dict]:
    """The change as the filters see it, and the message that tells it."""
    stats = diff["stats"]
    added = [text for op, text in diff["title"] + diff["ops"] if op == "+"]
    removed = [text for op, text in diff["title"] + diff["ops"] if op == "-"]
    change = Change(
        article_id=article["id"],
        site=article["site"],
        title_changed=bool(stats["title_changed"]),
        words_added=stats["words_added"],
        words_removed=stats["words_removed"],
        added=tuple(added),
        removed=tuple(removed),
        backfill=backfill,
    )
    message = {
        "event": "new_version",
        "article": {"id": article["id"], "url": article["url"], "site": article["site"]},
        "title": new.title,
        "old_title": old.title if stats["title_changed"] else None,
        "headline_changed": bool(stats["title_changed"]),
        "from_version": old.n,
        "to_version": new.n,
        "captured_at": new.first_seen,
        "words_added": stats["words_added"],
        "words_removed": stats["words_removed"],
        "kind": stats["kind"],
        "summary": stats["summary"],
        "backfill": backfill,
        "diff_path": diff_path(article["id"], old, new),
        "sentences": changed_sentences(diff["blocks"]),
    }
    return change, message


def diff_path(article_id: int, old: VersionInfo, new: VersionInfo) -> str:
    """The web UI's diff permalink (versioner/web/diff_display.py): both sides named by a text-hash prefix,
    so the link stays right when a backfill renumbers versions. Built here, not imported, so that ingest
    never loads the web app; tests/notify/test_web_api.py follows one to the page it names."""
    return f"/articles/{article_id}/diff/{old.text_hash[:HASH_PREFIX]}..{new.text_hash[:HASH_PREFIX]}"


def changed_sentences(blocks: list[dict]) -> list[dict]:
    """The sentences a change touched, each as {"removed": ...} or {"added": ...}, in reading order."""
    found: list[dict] = []
    for block in blocks:
        if block["op"] in ("equal", "moved"):
            continue
        for side, name in (("-", "removed"), ("+", "added")):
            for sentence in _touched(block["ops"], side):
                found.append({name: sentence[:MAX_SENTENCE_CHARS]})
    return found[:MAX_SENTENCES]


def _touched(ops: list, side: str) -> list[str]:
    """The sentences of one side of a paragraph that hold a piece changed on that side."""
    text, marks = "", []
    for op, piece in ops:
        if op in ("=", side):
            if op == side and piece.strip():
                marks.append((len(text), len(text) + len(piece)))
            text += piece
    touched, start = [], 0
    for end in [m.start() for m in SENTENCE_END.finditer(text)] + [len(text)]:
        if any(a < end and b > start for a, b in marks) and text[start:end].strip():
            touched.append(text[start:end].strip())
        start = end
    return touched


def with_link(message: dict, base_url: str | None) -> dict:
    """The message as it goes out: the diff's full URL, or a note that no base URL is set."""
    url = base_url.rstrip("/") + message["diff_path"] if base_url else None
    return {**message, "diff_url": url, **({} if base_url else {"note": NO_BASE_URL})}


def subject(message: dict) -> str:
    if message["event"] == "digest":
        return f"versioner: {len(message['changes'])} article changes"
    return f"Changed: {message['title'] or message['article']['url']}"[:200]


def text_body(message: dict) -> str:
    """A readable body for e-mail and chat: what changed, the changed sentences, the link."""
    if message["event"] == "digest":
        return "\n\n".join(text_body(change) for change in message["changes"])
    lines = [message["article"]["url"]]
    if message["headline_changed"]:
        lines += [f"Headline was: {message['old_title']}", f"Headline now: {message['title']}"]
    else:
        lines.append(message["title"])
    lines.append(
        f"Version {message['from_version']} → {message['to_version']}, captured {message['captured_at']}: "
        f"{message['summary']} (+{message['words_added']} / -{message['words_removed']} words)"
    )
    if message["backfill"]:
        lines.append("A late capture placed this version back in time (a backfill).")
    quoted = [
        f"{'-' if 'removed' in s else '+'} {s.get('removed') or s.get('added')}" for s in message["sentences"]
    ]
    if quoted:
        lines += ["", *quoted]
    lines += ["", f"Diff: {message['diff_url'] or message['diff_path']}"]
    if message.get("note"):
        lines.append(f"({message['note']})")
    return "\n".join(lines)
