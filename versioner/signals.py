"""Watchdog signals of a version: did its change come with a notice, or was it a stealth edit?

Two steps, both pure. At ingest each capture gets `capture_columns`: the notices its page carries,
a hash of its substance (the body without notices, time stamps, spacing, punctuation or case) and how
many live-blog entries (paragraphs opening with a time) it has. When the versioning rule rebuilds an
article's versions, `version_fields` compares each version's first capture with the last capture of
the version before:

* notice: a notice the earlier capture did not carry (a correction before an update), else a newer
  declared modification time ("modified"); a notice that was already there is not a new notice.
* stealth: the substance changed, with no new notice, no newer modification time, and no new
  live-blog entry (a live blog announces its changes by the time stamp of each entry).
"""

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Protocol

from versioner.extract.normalize import Article
from versioner.extract.notices import CORRECTION, Notice, text_notices

MODIFIED = "modified"
TIME_OF_DAY = r"\b\d{1,2}[:.]\d{2}(?:\s?(?:uhr|h|a\.?m\.?|p\.?m\.?))?\b"
RELATIVE_TIME = (
    r"\b(?:\d+|an?|one)\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?)\s+ago\b"
    r"|\bvor\s+(?:\d+|einer?)\s+(?:sekunden?|minuten?|stunden?|tag(?:en)?)\b"
    r"|\bil y a\s+\d+\s+(?:secondes?|minutes?|heures?|jours?)\b"
    r"|\bhace\s+\d+\s+(?:segundos?|minutos?|horas?|días?)\b"
    r"|\bjust now\b|\bgerade eben\b"
)
# The lookahead names every letter a stamp can start with: it changes no match, but lets the scan skip
# the other positions without trying each alternative there (twice as fast on a news text).
STAMP_START = r"(?=[\dajvigho])"
STAMPS = re.compile(f"{STAMP_START}(?:{TIME_OF_DAY}|{RELATIVE_TIME})", re.IGNORECASE)
LIVE_ENTRY = re.compile(rf"^\s*(?:{TIME_OF_DAY}|{RELATIVE_TIME})", re.IGNORECASE)
NOT_A_WORD = re.compile(r"[\W_]+")


class SignalSource(Protocol):
    """What version_fields reads of a capture (a store.CaptureState)."""

    notices: str | None
    substance_hash: str | None
    live_entries: int | None
    updated: str | None


def capture_columns(article: Article) -> dict:
    """The signal columns of one capture, from its normalised article and its declared correction."""
    found = text_notices(article.paragraphs)
    notice_words = {notice.text for notice in found}
    if article.correction and not any(article.correction in text for text in notice_words):
        found.append(Notice(CORRECTION, article.correction))
    body = [paragraph for paragraph in article.paragraphs if paragraph[:1000] not in notice_words]
    return {
        "notices": json.dumps([[n.kind, n.text] for n in found], ensure_ascii=False) if found else None,
        "substance_hash": substance_hash(body),
        "live_entries": sum(1 for paragraph in body if LIVE_ENTRY.match(paragraph)),
    }


def substance_hash(paragraphs: Sequence[str]) -> str:
    """Equal for two bodies that differ only in spacing, punctuation, case or time stamps."""
    words = NOT_A_WORD.sub(" ", STAMPS.sub(" ", "\n".join(paragraphs))).casefold().split()
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def version_fields(previous: SignalSource | None, current: SignalSource) -> dict:
    """notice_kind, notice_text and stealth of the version that `current` starts, after `previous`."""
    if previous is None:  # a first version is no change: nothing was announced or hidden
        return {"notice_kind": None, "notice_text": None, "stealth": 0}
    before = _notices(previous.notices)
    new = [notice for notice in _notices(current.notices) if notice not in before]
    new.sort(key=lambda notice: notice[0] != CORRECTION)
    newer = bool(current.updated) and (not previous.updated or current.updated > previous.updated)
    if new:
        kind, text = new[0]
    elif newer:
        kind, text = MODIFIED, f"modified {current.updated}"
    else:
        kind, text = None, None
    changed = (
        previous.substance_hash is not None
        and current.substance_hash is not None
        and previous.substance_hash != current.substance_hash
    )
    live = (current.live_entries or 0) > (previous.live_entries or 0)
    return {"notice_kind": kind, "notice_text": text, "stealth": int(changed and not kind and not live)}


def notice_of(kind: str | None, text: str | None) -> dict | None:
    """A version's notice as the JSON shapes show it: null, or {kind, text}."""
    return {"kind": kind, "text": text} if kind else None


def _notices(stored: str | None) -> list[tuple[str, str]]:
    return [(kind, text) for kind, text in json.loads(stored)] if stored else []
