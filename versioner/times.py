"""Timestamps: always timezone-aware, stored as ISO 8601 UTC strings that sort as text."""

from datetime import UTC, datetime

from versioner.errors import VersionerError


def parse_time(text: str) -> datetime:
    """Read an ISO 8601 time; one without a zone is taken as UTC, one with a zone is converted."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise VersionerError(
            f"not an ISO 8601 time: {text[:40]!r} (expected e.g. 2025-02-07T11:54:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_iso(moment: datetime) -> str:
    """UTC, second precision, with a Z: the one form the database holds."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now() -> datetime:
    return datetime.now(UTC)
