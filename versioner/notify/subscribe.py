"""Adding, listing, removing and trying subscriptions: what `versioner notify` and /api/subscriptions call.

Targets are checked as they are added (targets.check_target); what is shown of a subscription never holds
its secret or the credentials in its target (targets.redact).
"""

from versioner.errors import BadURL, NotInArchive, VersionerError
from versioner.notify.deliver import deliver
from versioner.notify.message import NO_BASE_URL, subject, text_body, with_link
from versioner.notify.targets import check_target, redact
from versioner.store import Store
from versioner.times import now, to_iso

DIGESTS = ("hourly", "daily")


def add(
    store: Store,
    target: str,
    *,
    articles: list[str] = (),
    sites: list[str] = (),
    words: list[str] = (),
    headline_only: bool = False,
    min_words: int = 0,
    digest: str | None = None,
    backfill: bool = False,
    allow_private: bool = False,
    secret: str | None = None,
) -> dict:
    """A new subscription, as shown; BadURL, PrivateAddress or NotInArchive for what cannot be one."""
    target = target.strip()
    if not target:
        raise BadURL("give a target: an http(s):// webhook URL or an Apprise URL such as mailto://...")
    if digest is not None and digest not in DIGESTS:
        raise VersionerError(f"a digest is hourly or daily, not {digest!r}")
    if min_words < 0:
        raise VersionerError("--min-words is a number of words, 0 or more")
    words = [w.strip() for w in words if w.strip()]
    if any(len(w) > 200 for w in words):
        raise VersionerError("a word or phrase to watch for is at most 200 characters")
    check_target(target, allow_private)
    fields = {
        "target": target,
        "secret": secret or None,
        "article_ids": sorted({_article_id(store, ref) for ref in articles}),
        "sites": sorted({s.strip().lower() for s in sites if s.strip()}),
        "words": words,
        "headline_only": bool(headline_only),
        "min_words": int(min_words),
        "digest": digest,
        "backfill": bool(backfill),
        "allow_private": bool(allow_private),
        "created_at": to_iso(now()),
    }
    return shown(store.subscriptions.get(store.subscriptions.add(fields)) | {"pending": 0, "sent": 0})


def _article_id(store: Store, ref: str) -> int:
    try:
        return store.article(ref)["id"]
    except NotInArchive:
        raise BadURL(
            f"no article {ref[:200]!r} in the archive: give the id or URL of an archived article "
            "(track or ingest it first), or follow its site with --site"
        ) from None


def listing(store: Store) -> list[dict]:
    """Every subscription as shown, with its pending and sent counts and the last delivery error."""
    return [shown(row) for row in store.subscriptions.all()]


def remove(store: Store, subscription_id: int) -> None:
    if not store.subscriptions.remove(subscription_id):
        raise NotInArchive(f"no subscription {subscription_id}")


def try_target(store: Store, subscription_id: int, base_url: str | None) -> dict:
    """Send a test message to one subscription now, outside the outbox; DeliveryFailed when it fails."""
    row = store.subscriptions.get(subscription_id)
    if row is None:
        raise NotInArchive(f"no subscription {subscription_id}")
    message = with_link(
        {
            "event": "test",
            "subscription": subscription_id,
            "article": {"id": 0, "url": "https://news.example.org/test", "site": "news.example.org"},
            "title": "versioner test message",
            "old_title": None,
            "headline_changed": False,
            "from_version": 1,
            "to_version": 2,
            "captured_at": to_iso(now()),
            "words_added": 0,
            "words_removed": 0,
            "kind": "none",
            "summary": "A test message: this subscription's target works",
            "backfill": False,
            "diff_path": "/",
            "sentences": [],
            "matched_words": [],
        },
        base_url,
    )
    deliver(
        row["target"],
        allow_private=bool(row["allow_private"]),
        secret=row["secret"],
        subject=subject(message),
        text=text_body(message),
        message=message,
    )
    return {"subscription": subscription_id, "target": redact(row["target"]), "sent": True}


def shown(row: dict) -> dict:
    """A subscription as list, JSON and the API show it: target redacted, the secret only as a flag."""
    return {
        "id": row["id"],
        "target": redact(row["target"]),
        "kind": "webhook" if row["target"].split(":", 1)[0].lower() in ("http", "https") else "apprise",
        "signed": bool(row["secret"]),
        "articles": row["article_ids"],
        "sites": row["sites"],
        "words": row["words"],
        "headline_only": bool(row["headline_only"]),
        "min_words": row["min_words"],
        "digest": row["digest"],
        "backfill": bool(row["backfill"]),
        "allow_private": bool(row["allow_private"]),
        "created_at": row["created_at"],
        "pending": row.get("pending", 0),
        "sent": row.get("sent", 0),
        "attempts": row.get("attempts") or 0,
        "last_error": row.get("last_error"),
    }


def base_url_note(base_url: str | None) -> str | None:
    """What `notify add` and `notify send` say when messages will carry a diff path without a host."""
    return None if base_url else NO_BASE_URL
