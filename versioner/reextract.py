"""Re-extraction: every stored raw capture read again by today's rules, and the versions rebuilt from them.

When extraction, normalisation or the versioning rule improve (an overlay removed, an error page
recognised in one more language, the drift guard), an archive made by older rules holds false versions
and misses changes; `versioner reextract` brings it in line. Nothing stored is lost: raw captures and
every text ever stored stay (a permalink to a text that did not change keeps working), only the
judgement of each capture and the versions made of them are rewritten. Each article is one unit of
work, so a run killed halfway leaves every article either done or as it was, and a re-run completes
the rest; run on an archive made by the same rules, it changes nothing.
"""

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from versioner.capture import kind_and_charset
from versioner.drift import DRIFT_REASON
from versioner.errors import VersionerError
from versioner.extract.html import extract
from versioner.extract.normalize import normalise
from versioner.extract.rejection import intrinsic_reason
from versioner.store import Store
from versioner.versioning import judged_columns, rebuild

# Columns the versioning rule itself sets on candidates (accepted or truncated): a re-reading that
# leaves a capture a candidate leaves them to the rebuild.
RULE_COLUMNS = ("status", "reason")


@dataclass
class ArticleChange:
    """One article whose versions the new reading changed."""

    id: int
    url: str
    versions_before: int
    versions_after: int


@dataclass
class Report:
    """What a re-extraction did; versions are matched by their text and first sighting."""

    articles: int = 0
    captures: int = 0
    captures_changed: int = 0
    versions_added: int = 0
    versions_merged_away: int = 0
    versions_unchanged: int = 0
    drift_captures: int = 0
    changed: list[ArticleChange] = field(default_factory=list)

    def to_json(self) -> dict:
        return {**vars(self), "changed": [vars(c) for c in self.changed]}


def reextract(
    store: Store, article_ids: Iterable[int] | None = None, progress: Callable[[int], None] | None = None
) -> Report:
    """Read every capture of these articles (default: all) again and rebuild their versions."""
    report = Report()
    with store.batch():
        for article_id in article_ids if article_ids is not None else _every_article(store):
            with store.transaction():
                _reextract_article(store, article_id, report)
            store.commit_if_due()
            if progress:
                progress(1)
    return report


def _every_article(store: Store) -> Iterable[int]:
    last = 0
    while ids := store.article_ids(after=last):
        yield from ids
        last = ids[-1]


def _reextract_article(store: Store, article_id: int, report: Report) -> None:
    store.serialise(f"article {article_id}")
    article = store.article(article_id)
    before = store.versions(article_id)
    for row in store.capture_rows(article_id):
        report.captures += 1
        if _reread(store, article, row):
            report.captures_changed += 1
    rebuild(store, article_id)
    after = store.versions(article_id)
    old = Counter((v.text_hash, v.first_seen) for v in before)
    new = Counter((v.text_hash, v.first_seen) for v in after)
    report.articles += 1
    report.versions_unchanged += sum((old & new).values())
    report.versions_added += sum((new - old).values())
    report.versions_merged_away += sum((old - new).values())
    report.drift_captures += sum(
        1 for c in store.captures(article_id) if (c["reason"] or "").startswith(DRIFT_REASON)
    )
    if old != new:
        report.changed.append(ArticleChange(article_id, article["url"], len(before), len(after)))


def _reread(store: Store, article: dict, row: dict) -> bool:
    """Judge one stored capture again; True if what it says changed."""
    raw = store.raw_captures.get(row["raw_hash"])
    try:
        extracted = extract(raw, row["kind_hint"], _declared_charset(row))
    except VersionerError as err:  # readable by older rules, not by these: kept, and says why
        columns = {"status": "rejected", "reason": f"cannot be read again: {err}"}
        visible = b""
    else:
        reading = normalise(extracted, article["site"])
        reason = intrinsic_reason(reading, row["http_status"])
        columns = judged_columns(reading, reason)
        visible = extracted.visible
        if not reason:
            store.put_text(article["id"], reading.content_hash, reading.title, reading.text)
            if row["status"] != "rejected":  # still a candidate: its status is the rule's to set
                columns = {k: v for k, v in columns.items() if k not in RULE_COLUMNS}
    changed = {k: v for k, v in columns.items() if row.get(k) != v}
    if changed.get("status") == "rejected":
        changed["version_id"] = None
    if changed:
        store.update_capture(row["id"], changed)
    if store.visible_lines.get(row["id"]) != visible:
        store.visible_lines.put(row["id"], visible)
    return bool(changed)


def _declared_charset(row: dict) -> str | None:
    """The charset the server declared, where the capture kept its response headers."""
    try:
        headers = json.loads(row.get("http_headers") or "[]")
        content_type = next((v for k, v in headers if str(k).lower() == "content-type"), None)
    except (ValueError, TypeError):  # headers not kept as [name, value] pairs: no declaration to go by
        return None
    return kind_and_charset(content_type if isinstance(content_type, str) else None)[1]
