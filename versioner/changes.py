"""What changed between two stored versions: each diff computed once, by whoever needs it first.

The CLI, the web UI and the API all read diffs here, and ingest computes a new version's diff as it
stores it (`warm`), so the web's lists and feeds do no diffing of their own. Diffs are kept in the
store's diff cache under a key of the engine's version (versioner/diff/engine.py, ENGINE_VERSION) and
both sides (text hash and byline): a new engine version makes every diff be computed afresh.
"""

import hashlib
from collections.abc import Iterable

from versioner.diff.engine import BACKEND, ENGINE_VERSION, diff_versions
from versioner.errors import NotInArchive
from versioner.store import Store, VersionInfo

ENGINE = f"{ENGINE_VERSION}/{BACKEND.__name__}"  # the two backends may cut a long diff differently


def key(old: VersionInfo, new: VersionInfo) -> str:
    """What the diff depends on: the engine and both sides (text hash, byline)."""
    parts = [ENGINE, old.text_hash, old.byline, new.text_hash, new.byline]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


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


def load(store: Store, old: VersionInfo, new: VersionInfo) -> dict:
    """VersionDiff.to_json() of the two versions, from the cache or computed once and cached."""
    old = store.with_text(old)  # the cached diff's dictionary
    cached = store.diff_cache.diff(key(old, new), old.text)
    return cached if cached is not None else _compute(store, old, new)


def stats(store: Store, old: VersionInfo, new: VersionInfo) -> dict:
    """The diff's stats alone (what changed, in numbers), as the lists of changes show them."""
    cached = store.diff_cache.stats(key(old, new))
    return cached if cached is not None else _compute(store, old, new)["stats"]


def warm(store: Store, article_ids: Iterable[int]) -> int:
    """Compute every change (each version against the one before) of these articles not cached yet."""
    computed = 0
    for article_id in set(article_ids):
        versions = store.versions(article_id)
        pairs = {key(old, new): (old, new) for old, new in zip(versions, versions[1:], strict=False)}
        for pair_key in pairs.keys() - store.diff_cache.cached(pairs):
            _compute(store, *pairs[pair_key])
            computed += 1
    return computed


def _compute(store: Store, old: VersionInfo, new: VersionInfo) -> dict:
    old_version, new_version = store.with_text(old), store.with_text(new)
    data = diff_versions(
        old_version.title,
        old_version.byline,
        old_version.text,
        new_version.title,
        new_version.byline,
        new_version.text,
    ).to_json()
    store.diff_cache.put(key(old, new), data, old_version.text)
    return data
