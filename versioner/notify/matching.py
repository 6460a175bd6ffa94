"""Which subscriptions a change concerns: pure functions of the subscription's filters and the change.

No filter means every change. Filters of different kinds must all hold; several values of one kind
(two --site, three --words) mean any of them.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    """One new version of an article, as the filters see it."""

    article_id: int
    site: str
    title_changed: bool
    words_added: int
    words_removed: int
    added: tuple[str, ...]  # the pieces of text the change added (title included) ...
    removed: tuple[str, ...]  # ... and removed
    backfill: bool  # placed before the latest version: a late capture of the past, not news


def matches(subscription: dict, change: Change) -> bool:
    """Whether the subscription wants to hear of this change."""
    if change.backfill and not subscription["backfill"]:
        return False
    if subscription["article_ids"] and change.article_id not in subscription["article_ids"]:
        return False
    if subscription["sites"] and change.site.lower() not in {s.lower() for s in subscription["sites"]}:
        return False
    if subscription["headline_only"] and not change.title_changed:
        return False
    if change.words_added + change.words_removed < (subscription["min_words"] or 0):
        return False
    return not subscription["words"] or bool(words_found(subscription["words"], change))


def words_found(words: list[str], change: Change) -> list[str]:
    """The subscription's words (or phrases) that the change added or removed, as whole words in any case."""
    changed = "\n".join(change.added + change.removed)
    return [word for word in words if _whole_word(word).search(changed)]


def _whole_word(word: str) -> re.Pattern:
    phrase = r"\s+".join(re.escape(part) for part in word.split())
    return re.compile(rf"(?<!\w){phrase}(?!\w)", re.IGNORECASE)
