"""The JSON shapes that scripts depend on, shared by the CLI's --json and the web API."""

from versioner.store import Store, Version, VersionInfo


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
    """article_summary of each row, with `next_check`: when poll checks it next (None: not tracked, or over)."""
    checks = store.watchlist.next_checks([row["id"] for row in rows])
    return [{**article_summary(row), "next_check": checks.get(row["id"])} for row in rows]


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
    }


def version_detail(article: dict, version: Version) -> dict:
    return {"article": article["id"], "url": article["url"], **version_summary(version), "text": version.text}


def diff_json(article: dict, old: VersionInfo, new: VersionInfo, diff: dict) -> dict:
    """`versioner diff --json` and /api/articles/<id>/diff: flat ops rebuild both texts exactly.

    `diff` is VersionDiff.to_json(), as versioner.changes.load gives it."""
    return {"article": article["id"], "url": article["url"], "from": old.n, "to": new.n, **diff}


def render_terminal(old: VersionInfo, new: VersionInfo, data: dict, color: bool) -> str:
    """A word diff for the terminal: [-removed-]{+added+}, coloured on a terminal."""

    def piece(op: str, text: str) -> str:
        if op == "=":
            return text
        if color:
            return f"\x1b[{'31;9' if op == '-' else '32;4'}m{text}\x1b[0m"
        return f"[-{text}-]" if op == "-" else f"{{+{text}+}}"

    lines = [
        f"Version {old.n} ({old.first_seen}) → version {new.n} ({new.first_seen}): {data['stats']['summary']}",
        "",
    ]
    lines.append("".join(piece(op, text) for op, text in data["title"]))
    lines.append("")
    lines.append("".join(piece(op, text) for op, text in data["ops"]))
    return "\n".join(lines)
