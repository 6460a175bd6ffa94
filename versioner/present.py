"""The JSON shapes that scripts depend on, shared by the CLI's --json and the web API."""

from versioner.diff.engine import VersionDiff, diff_versions
from versioner.errors import NotInArchive
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
    from versioner.store.watchlist import Watchlist

    checks = Watchlist(store.db).next_checks([row["id"] for row in rows])
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


def choose_versions(
    store: Store, article: dict, from_n: int | None, to_n: int | None
) -> tuple[VersionInfo, VersionInfo]:
    """The two versions to compare (without their texts): by default the latest against the one before."""
    count = article["version_count"]
    if count == 0:
        raise NotInArchive(f"article {article['id']} has no versions yet")
    to_n = to_n if to_n is not None else (from_n + 1 if from_n is not None else count)
    from_n = from_n if from_n is not None else max(to_n - 1, 1)
    for n in (from_n, to_n):
        if not 1 <= n <= count:
            raise NotInArchive(f"article {article['id']} has versions 1 to {count}, not {n}")
    return store.version_info(article["id"], from_n), store.version_info(article["id"], to_n)


def diff_pair(
    store: Store, article: dict, from_n: int | None, to_n: int | None
) -> tuple[Version, Version, VersionDiff]:
    """The two versions to compare and their diff."""
    old, new = (store.with_text(v) for v in choose_versions(store, article, from_n, to_n))
    return old, new, diff_versions(old.title, old.byline, old.text, new.title, new.byline, new.text)


def diff_json(article: dict, old: VersionInfo, new: VersionInfo, result: VersionDiff) -> dict:
    """`versioner diff --format json` and /api/articles/<id>/diff: flat ops rebuild both texts exactly."""
    return {"article": article["id"], "url": article["url"], "from": old.n, "to": new.n, **result.to_json()}


def render_terminal(old: VersionInfo, new: VersionInfo, result: VersionDiff, color: bool) -> str:
    """A word diff for the terminal: [-removed-]{+added+}, coloured on a terminal."""

    def piece(op: str, text: str) -> str:
        if op == "=":
            return text
        if color:
            return f"\x1b[{'31;9' if op == '-' else '32;4'}m{text}\x1b[0m"
        return f"[-{text}-]" if op == "-" else f"{{+{text}+}}"

    data = result.to_json()
    lines = [
        f"Version {old.n} ({old.first_seen}) → version {new.n} ({new.first_seen}): {data['stats']['summary']}",
        "",
    ]
    lines.append("".join(piece(op, text) for op, text in data["title"]))
    lines.append("")
    lines.append("".join(piece(op, text) for op, text in data["ops"]))
    return "\n".join(lines)
