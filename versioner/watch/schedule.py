"""When to check a tracked article again: often while it is young, rarely when old, then never.

News articles change most in their first hours. A schedule is a list of tiers read as "every 10 minutes
while younger than 3 hours": `10m<3h, 1h<2d, 6h<7d, 1d<30d` (the default). The age is measured from the
article's anchor time: its publication time where the page or feed declares one earlier than the moment
versioner first saw it, else that first sighting. Past the last tier the article is no longer checked
(`versioner poll --force` still does). Pure functions: the clock is always passed in.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from versioner.errors import VersionerError

DEFAULT_SCHEDULE = "10m<3h, 1h<2d, 6h<7d, 1d<30d"
# Feeds are read at most this often (every poll run, under the usual 10-minute cron line).
FEED_EVERY = timedelta(minutes=10)
# A check due within this much after a run starts is done by that run, so a cron run that starts a second
# earlier than the last one does not skip a round.
DUE_SLACK = timedelta(minutes=1)
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


@dataclass(frozen=True)
class Tier:
    """Check every `every` while the article is younger than `until`."""

    every: timedelta
    until: timedelta


@dataclass(frozen=True)
class Schedule:
    """Tiers in increasing age; an article older than the last one is not checked any more."""

    tiers: tuple[Tier, ...]

    def __str__(self) -> str:
        return ", ".join(f"{format_duration(t.every)}<{format_duration(t.until)}" for t in self.tiers)


def parse_schedule(text: str | None) -> Schedule:
    """Read `10m<3h, 1h<2d, ...`; raises VersionerError with an example when it does not parse."""
    text = text if text and text.strip() else DEFAULT_SCHEDULE
    tiers = []
    for part in text.split(","):
        every, sep, until = part.partition("<")
        if not sep:
            raise VersionerError(
                f"schedule tier {part.strip()!r} is not EVERY<AGE (example: {DEFAULT_SCHEDULE})"
            )
        tier = Tier(parse_duration(every), parse_duration(until))
        if tier.every <= timedelta(0):
            raise VersionerError(f"schedule tier {part.strip()!r}: the interval must be positive")
        if tiers and tier.until <= tiers[-1].until:
            raise VersionerError(
                f"schedule tiers must grow in age: {part.strip()!r} comes after "
                f"{format_duration(tiers[-1].until)}"
            )
        tiers.append(tier)
    return Schedule(tuple(tiers))


def parse_duration(text: str) -> timedelta:
    """`90s`, `10m`, `1.5h`, `2d`, `1w`."""
    match = DURATION.match(text)
    if not match:
        raise VersionerError(
            f"not a duration: {text.strip()!r} (use a number and s, m, h, d or w: 10m, 6h, 30d)"
        )
    return timedelta(**{UNITS[match.group(2)]: float(match.group(1))})


def format_duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def anchor_time(first_seen: datetime, published: datetime | None = None) -> datetime:
    """The moment an article's age counts from: its publication, unless that is later than first seen.

    A publication time after the first sighting is a page that re-dates itself on every edit; it would keep
    the article young for ever, so the sighting wins.
    """
    return published if published is not None and published < first_seen else first_seen


def interval_at(schedule: Schedule, age: timedelta) -> timedelta | None:
    """How long to wait after a check at this age; None once the article is too old to check."""
    for tier in schedule.tiers:
        if age < tier.until:
            return tier.every
    return None


def next_check(schedule: Schedule, anchor: datetime, checked_at: datetime) -> datetime | None:
    """When an article checked at `checked_at` is due again; None when the schedule is over for it."""
    every = interval_at(schedule, checked_at - anchor)
    return None if every is None else checked_at + every


def due_cutoff(run_started: datetime) -> datetime:
    """Checks due up to this moment belong to a run started at `run_started`."""
    return run_started + DUE_SLACK
