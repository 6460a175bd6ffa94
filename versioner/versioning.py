"""The versioning rule: one capture in, one transaction, a result out.

A capture whose normalised title and text equal those of the version in force at its fetch time only
extends that version; otherwise it starts a new version at the right place in time. The versions of an
article are a pure function of its set of captures: after each insert they are rebuilt (`_reconcile`)
from the captures in time order, so late, out-of-order and repeated captures give the same versions.

Every capture path (files, stdin, WARC, poll, the upload API) comes in through `ingest`, which also
computes the diffs a change of versions made (versioner/changes.py), so no reader waits for them.
"""

from dataclasses import dataclass

from versioner import changes, drift, signals
from versioner.aliases import article_for, remember_url
from versioner.capture import Capture
from versioner.errors import BadURL
from versioner.extract.html import extract
from versioner.extract.normalize import Article, normalise
from versioner.extract.rejection import intrinsic_reason, is_truncated
from versioner.notify.outbox import queue as queue_notifications
from versioner.store import CaptureState, Store
from versioner.store.raw_captures import digest as raw_digest
from versioner.times import now, plausible, to_iso
from versioner.urls import canonical_url, site_of


@dataclass(frozen=True)
class IngestResult:
    """What happened to one capture."""

    source: str
    status: str  # "new version", "unchanged", "duplicate", "rejected" or "truncated"
    article_id: int
    url: str
    version: int | None = None
    revert_of: int | None = None
    reason: str | None = None


def ingest(store: Store, capture: Capture) -> IngestResult:
    """Store one capture, update its article's versions and compute the diffs of any new pair of
    versions; raises VersionerError for unusable input.

    Extraction runs before the write transaction, so the database is locked only for the writes. The
    diffs are computed inside it: a write of theirs that fails fails the capture's unit, which is then
    reported, never half-stored.
    """
    if not capture.url:
        raise BadURL(
            "no URL for this snapshot: give --url, a .meta.json sidecar or a canonical link in the HTML"
        )
    url = canonical_url(capture.url)
    site = site_of(url)
    extracted = extract(capture.raw, capture.kind_hint, capture.charset)
    article = normalise(extracted, site)
    reason = intrinsic_reason(article, capture.http_status)
    fetched_at = to_iso(capture.fetched_at)
    with store.transaction():
        store.serialise(url)  # one writer at a time creates the article of a URL
        article_id = article_for(store, url, capture, fetched_at)
        store.serialise(f"article {article_id}")
        raw_hash = raw_digest(capture.raw)
        if store.capture_exists(article_id, fetched_at, raw_hash):
            return IngestResult(capture.source, "duplicate", article_id, url)
        # the text first: a plain-text capture is stored as a few bytes against it (raw_captures.py)
        text_id = (
            None if reason else store.put_text(article_id, article.content_hash, article.title, article.text)
        )
        store.raw_captures.put(capture.raw, article_id, text_id)
        capture_id = store.insert_capture(
            article_id=article_id,
            fetched_at=fetched_at,
            ingested_at=to_iso(now()),
            source=capture.source,
            raw_hash=raw_hash,
            kind_hint=capture.kind_hint,
            http_status=capture.http_status,
            http_headers=capture.headers_json(),
            **judged_columns(article, reason),
        )
        remember_url(store, capture_id, article_id, url)
        store.visible_lines.put(capture_id, extracted.visible)
        if reason:
            store.refresh_article(article_id)
            return IngestResult(capture.source, "rejected", article_id, url, reason=reason)
        outcome = _reconcile(store, article_id)
        store.refresh_article(article_id)
        if outcome.versions_after != outcome.versions_before:
            changes.warm(store, [article_id])  # the new pairs of versions: readers find them computed
        if capture_id in outcome.held_back:
            return IngestResult(
                capture.source, "truncated", article_id, url, reason=outcome.held_back[capture_id]
            )
        n, revert_of = outcome.placed[capture_id]
        status = "new version" if outcome.versions_after > outcome.versions_before else "unchanged"
        if status == "new version":  # the messages are queued in the unit that stores the version
            queue_notifications(store, article_id, n, latest=outcome.versions_after)
        return IngestResult(capture.source, status, article_id, url, n, revert_of)


def judged_columns(article: Article, reason: str | None) -> dict:
    """The columns of a capture that its extraction decides: ingest writes them, reextract rewrites them."""
    return {
        "status": "rejected" if reason else "accepted",
        "reason": reason,
        "content_hash": article.content_hash,
        "title": article.title,
        "byline": article.byline,
        "published": _iso_or_none(article.published),
        "updated": _iso_or_none(article.updated),
        "words": article.words,
        **signals.capture_columns(article),
    }


def rebuild(store: Store, article_id: int) -> None:
    """Rebuild an article's versions from its captures as they are judged now (versioner reextract),
    and compute the diffs of any new pair of versions; inside the caller's unit of work."""
    _reconcile(store, article_id)
    store.refresh_article(article_id)
    changes.warm(store, [article_id])


@dataclass(frozen=True)
class _Outcome:
    """What rebuilding the versions did: counts, and where each capture landed or why it was held back."""

    versions_before: int
    versions_after: int
    placed: dict[int, tuple[int, int | None]]  # capture id -> (version n, revert_of)
    held_back: dict[int, str]  # capture id -> reason


def _reconcile(store: Store, article_id: int) -> _Outcome:
    """Rebuild an article's versions from its captures, touching only the rows that change.

    Every candidate capture's text is in the store (texts.put at ingest), so a capture held back as
    truncated and confirmed later has its text at hand.
    """
    accepted, truncated = _judge_truncation(store.candidate_captures(article_id))
    runs, drifted = drift.runs(store, article_id, accepted)
    existing = store.versions(article_id)
    placed: dict[int, tuple[int, int | None]] = {}
    last_n_of_hash: dict[str, int] = {}
    for index, run in enumerate(runs):
        first = run[0]
        fields = {
            "title": first.title,
            "byline": first.byline,
            "text_hash": first.content_hash,
            "words": first.words,
            "published": first.published,
            "updated": first.updated,
            "first_seen": first.fetched_at,
            "last_seen": run[-1].fetched_at,
            "capture_count": len(run),
            "revert_of": last_n_of_hash.get(first.content_hash),
            **signals.version_fields(runs[index - 1][-1] if index else None, first),
        }
        last_n_of_hash[first.content_hash] = index + 1
        if index < len(existing):
            row = existing[index]
            changed = {name: value for name, value in fields.items() if getattr(row, name) != value}
            if changed:
                store.update_version(row, changed)
            version_id = row.id
        else:
            version_id = store.insert_version(article_id, index + 1, fields)
        for capture in run:
            placed[capture.id] = (index + 1, fields["revert_of"])
            reason = drifted.get(capture.id)
            if capture.status != "accepted" or capture.version_id != version_id or capture.reason != reason:
                store.set_capture_state(capture.id, "accepted", reason, version_id)
    for capture, reason in truncated:
        if capture.status != "truncated" or capture.version_id is not None or capture.reason != reason:
            store.set_capture_state(capture.id, "truncated", reason, None)
    for row in existing[len(runs) :]:
        store.delete_version(row)
    return _Outcome(len(existing), len(runs), placed, {capture.id: reason for capture, reason in truncated})


def _judge_truncation(
    captures: list[CaptureState],
) -> tuple[list[CaptureState], list[tuple[CaptureState, str]]]:
    """Split off captures that lost most of the article, unless the captures after confirm the shorter text.

    Two captures of the same shorter text confirm it, unless the full text comes back after them: an
    outage of identical error pages is no edit, and the page's return no revert.
    """
    accepted: list[CaptureState] = []
    truncated = []
    for index, capture in enumerate(captures):
        previous = accepted[-1] if accepted else None
        if (
            previous
            and capture.content_hash != previous.content_hash
            and is_truncated(capture.words, previous.words)
        ):
            reason = _unconfirmed(captures, index, previous)
            if reason:
                truncated.append((capture, reason))
                continue
        accepted.append(capture)
    return accepted, truncated


def _unconfirmed(captures: list[CaptureState], index: int, previous: CaptureState) -> str | None:
    """Why the much shorter capture at `index` is held back; None where its neighbours confirm it."""
    same = captures[index].content_hash
    start = end = index
    while start > 0 and captures[start - 1].content_hash == same:
        start -= 1
    while end + 1 < len(captures) and captures[end + 1].content_hash == same:
        end += 1
    kept = f"kept {captures[index].words} of {previous.words} words"
    if start == end:
        return f"{kept}; a later capture with the same text would confirm it"
    after = captures[end + 1] if end + 1 < len(captures) else None
    if after is not None and not is_truncated(after.words, previous.words):
        return f"{kept}, then the full text came back: an outage, not an edit"
    return None


def _iso_or_none(moment) -> str | None:
    """A page's own published or updated time; an absurd one (year 1, year 3000) is as good as none."""
    moment = plausible(moment)
    return to_iso(moment) if moment else None
