"""What the CLI and the web show: the JSON shapes scripts depend on, the terminal diff, printable text."""

import re

from versioner.signals import notice_of
from versioner.store import Store, Version, VersionInfo

UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: object, keep_newlines: bool = False) -> str:
    """Text from a file name, a page or a feed, safe to print: control characters as \\x1b, \\n escapes.

    For text output only; JSON output stays exact (json.dumps escapes control characters itself).
    """

    def escape(match: re.Match) -> str:
        char = match.group(0)
        if keep_newlines and char == "\n":
            return char
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return UNPRINTABLE.sub(escape, str(text))


def article_summary(row: dict) -> dict:
    return {
        "id": row["id"],
        "url": row["url"],
        "site": row["site"],
        "title": row["title"],
        "versions": row["version_count"],
        "captures": row["capture_count"],
        "first_seen": row["first_seen"],
        "last_seen": row["last_seen"],
        "last_changed": row["last_changed"],
    }


def article_summaries(store: Store, rows: list[dict]) -> list[dict]:
    """article_summary of each row, with `next_check`: when poll checks it next (None: not tracked, or over),
    and `aliases`: the article's other URLs."""
    checks = store.watchlist.next_checks([row["id"] for row in rows])
    aliases = store.aliases.of_articles([row["id"] for row in rows])
    return [
        {**article_summary(row), "next_check": checks.get(row["id"]), "aliases": aliases.get(row["id"], [])}
        for row in rows
    ]


def version_summary(version: Version) -> dict:
    return {
        "n": version.n,
        "title": version.title,
        "byline": version.byline,
        "words": version.words,
        "published": version.published,
        "updated": version.updated,
        "first_seen": version.first_seen,
        "last_seen": version.last_seen,
        "captures": version.capture_count,
        "revert_of": version.revert_of,
        "notice": notice_of(version.notice_kind, version.notice_text),
        "stealth": bool(version.stealth),
    }


def version_detail(article: dict, version: Version) -> dict:
    return {"article": article["id"], "url": article["url"], **version_summary(version), "text": version.text}


def diff_json(article: dict, old: VersionInfo, new: VersionInfo, diff: dict) -> dict:
    """`versioner diff --json` and /api/articles/<id>/diff: flat ops rebuild both texts exactly.

    `diff` is VersionDiff.to_json(), as versioner.changes.load gives it."""
    return {"article": article["id"], "url": article["url"], "from": old.n, "to": new.n, **diff}


def render_terminal(
    old: VersionInfo, new: VersionInfo, data: dict, color: bool, heading: str | None = None
) -> str:
    """A word diff for the terminal: [-removed-]{+added+}, coloured on a terminal.

    The first line names the versions by number and date unless `heading` replaces them (a permalink's
    text is kept for good, and numbers can shift).
    """

    def piece(op: str, text: str) -> str:
        if color:  # on a terminal: no escape sequence of the page's reaches it
            text = printable(text, keep_newlines=True)
        if op == "=":
            return text
        if color:
            return f"\x1b[{'31;9' if op == '-' else '32;4'}m{text}\x1b[0m"
        return f"[-{text}-]" if op == "-" else f"{{+{text}+}}"

    heading = heading or f"Version {old.n} ({old.first_seen}) → version {new.n} ({new.first_seen})"
    lines = [f"{heading}: {data['stats']['summary']}", ""]
    lines.append("".join(piece(op, text) for op, text in data["title"]))
    lines.append("")
    lines.append("".join(piece(op, text) for op, text in data["ops"]))
    return "\n".join(lines)
