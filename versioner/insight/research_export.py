"""The research export: one record per consecutive version pair, with its sentence-level edits.

Streamed one article at a time (only two texts are decoded at once), from one snapshot of the
database so a poll writing meanwhile cannot shift the pages of articles. The schema is documented in
docs/research.md; JSON Lines gives a pair per line, CSV an edit per row (a pair with no sentence edit,
a headline change alone, one row with an empty action), so pandas reads it without parsing JSON.
"""

import csv
import json
from collections.abc import Callable, Iterator
from typing import TextIO

from versioner.insight.edits import sentence_edits
from versioner.insight.sentences import guess_language
from versioner.store import Store

PAGE = 500  # articles read per query
PAIR_FIELDS = (
    "article_id",
    "url",
    "site",
    "language",
    "old_n",
    "new_n",
    "old_first_seen",
    "new_first_seen",
    "old_title",
    "new_title",
)
CSV_FIELDS = (*PAIR_FIELDS, "action", "old", "new")
FORMATS = ("jsonl", "csv")


def articles(store: Store, site: str | None = None, since: str | None = None) -> Iterator[dict]:
    """Articles with a change at or after `since` (ISO 8601 UTC), most recently changed first."""
    offset = 0
    while page := store.articles(limit=PAGE, offset=offset, site=site):
        for article in page:
            if since and article["last_changed"] < since:
                return  # the list is ordered by last change: no later article has one after since
            yield article
        offset += PAGE


def pair_records(store: Store, article: dict, since: str | None = None) -> Iterator[dict]:
    """Each pair of consecutive versions of the article whose newer one was first seen at or after since."""
    versions = store.versions(article["id"])
    if len(versions) < 2:
        return
    # The language of the latest version, as blame reads it, so both split its sentences alike.
    language = guess_language(store.with_text(versions[-1]).text)
    old = None
    for previous, current in zip(versions, versions[1:], strict=False):
        if since and current.first_seen < since:
            continue
        old = old if old is not None and old.n == previous.n else store.with_text(previous)
        new = store.with_text(current)
        yield {
            "article_id": article["id"],
            "url": article["url"],
            "site": article["site"],
            "language": language,
            "old_n": old.n,
            "new_n": new.n,
            "old_first_seen": old.first_seen,
            "new_first_seen": new.first_seen,
            "old_title": old.title,
            "new_title": new.title,
            "edits": sentence_edits(old.text, new.text, language),
        }
        old = new


def export(
    store: Store,
    out: TextIO,
    fmt: str,
    site: str | None = None,
    since: str | None = None,
    advance: Callable[[], None] | None = None,
) -> int:
    """Write every version pair of the chosen articles to out as jsonl or csv; the number of pairs.

    `advance` is called after each article (a progress bar's update).
    """
    writer = csv.DictWriter(out, CSV_FIELDS, lineterminator="\n") if fmt == "csv" else None
    if writer:
        writer.writeheader()
    pairs = 0
    store.hold_snapshot()
    try:
        for article in articles(store, site, since):
            for record in pair_records(store, article, since):
                pairs += 1
                if writer:
                    writer.writerows(_csv_rows(record))
                else:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
            if advance:
                advance()
    finally:
        store.release_snapshot()
    return pairs


def _csv_rows(record: dict) -> Iterator[dict]:
    pair = {name: record[name] for name in PAIR_FIELDS}
    for edit in record["edits"] or [{"action": "", "old": None, "new": None}]:
        yield {**pair, **edit}


def count_articles(store: Store, site: str | None = None) -> int:
    """How many articles an export may visit (the progress bar's length)."""
    return store.article_count(site=site)
