"""Timestamps: always timezone-aware, stored as ISO 8601 UTC strings that sort as text.

Every time that comes in (--fetched-at, a sidecar, a file name, a file's mtime, a WARC-Date, the
upload API) goes through `parse_time` or `check_in_range`: a time before EARLIEST is a mistake (a
zeroed clock, a typo, a year with a digit missing), and it would sort wrongly or not convert to UTC.
"""

from datetime import UTC, datetime, timedelta

from versioner.errors import VersionerError

# Before the web: no capture of an article can be older. Anything earlier is a wrong clock or a typo.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# A page may announce a time a little ahead (an embargo, a wrong zone); a year ahead is nonsense.
PAGE_TIME_AHEAD = timedelta(days=366)


def parse_time(text: str) -> datetime:
    """Read an ISO 8601 time; one without a zone is taken as UTC, one with a zone is converted.

    Raises VersionerError for anything that is not such a time, or is one before EARLIEST.
    """
    text = str(text)
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise VersionerError(
            f"not an ISO 8601 time: {text[:40]!r} (expected e.g. 2025-02-07T11:54:00Z)"
        ) from None
    return check_in_range(moment, text)


def check_in_range(moment: datetime, shown: str | None = None) -> datetime:
    """The moment in UTC, or VersionerError naming it (`shown`, else the moment) when before EARLIEST."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    name = shown if shown is not None else moment.isoformat()
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 once in UTC
        raise VersionerError(f"the time {name[:40]!r} is out of range once converted to UTC") from None
    if utc < EARLIEST:
        raise VersionerError(
            f"the time {name[:40]!r} is out of range: times before {EARLIEST:%Y-%m-%d} are refused"
        )
    return utc


def plausible(moment: datetime | None) -> datetime | None:
    """A time read from a page (published, updated) in UTC, or None when it is absurd (before EARLIEST,
    or more than PAGE_TIME_AHEAD after now): never an error."""
    if moment is None:
        return None
    try:
        utc = check_in_range(moment)
    except VersionerError:
        return None
    return utc if utc <= now() + PAGE_TIME_AHEAD else None


def to_iso(moment: datetime) -> str:
    """UTC, second precision, with a Z: the one form the database holds.

    The year has four digits whatever it is, so the text still sorts as the time does.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise VersionerError(
            f"the time {moment.isoformat()!r} is out of range once converted to UTC"
        ) from None
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}Z"


def now() -> datetime:
    return datetime.now(UTC)
