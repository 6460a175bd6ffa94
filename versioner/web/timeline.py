"""The article's timeline as an SVG chart: its length in words over time, each change's words in and out.

The geometry is computed here and drawn by templates/timeline.html with classes and presentation
attributes only (the CSP allows no style attribute). Time runs left to right in proportion, so a
burst of edits looks like one and a correction weeks later stands apart.
"""

from dataclasses import dataclass
from datetime import datetime

from versioner import changes
from versioner.store import Store, VersionInfo

# A narrow drawing, so its labels stay readable when a phone shrinks it to the screen's width.
WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP = 64, 16, 16
LENGTH_HEIGHT = 120  # the band of the length line
GAP = 24  # between the two bands, room for the date labels
CHANGE_HEIGHT = 56  # the band of the change bars, half up (added) and half down (removed)
BAR_WIDTH = 4
# Diffs computed for one view at most, newest first, when the cache lacks them (after an engine
# upgrade); ingest caches every new one, so the rest come in over the next views.
COMPUTE_AT_MOST = 50


@dataclass(frozen=True)
class Bar:
    """One version's change: a rectangle above the middle line (added) or below it (removed)."""

    kind: str  # "added" or "removed"
    x: float
    y: float
    height: float
    label: str


@dataclass(frozen=True)
class Row:
    """One version as the chart's table gives it, for screen readers and for reading exact figures."""

    n: int
    first_seen: str
    words: int
    added: int | None
    removed: int | None


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    length_path: str
    dots: tuple[tuple[float, float, str], ...]
    bars: tuple[Bar, ...]
    rows: tuple[Row, ...]
    max_words: int
    max_change: int
    start_label: str
    end_label: str
    length_top: int
    length_bottom: int
    change_middle: float
    left: int
    right: int


def timeline_chart(store: Store, versions: list[VersionInfo]) -> Chart | None:
    """The chart of these versions (oldest first), or None without versions; diffs come from the cache."""
    if not versions:
        return None
    stats = [None, *_change_stats(store, versions)]
    rows = tuple(
        Row(v.n, v.first_seen, v.words, s and s["words_added"], s and s["words_removed"])
        for v, s in zip(versions, stats, strict=True)
    )
    try:
        times = [_seconds(v.first_seen) for v in versions]
        end = max(times[-1], _seconds(versions[-1].last_seen))
    except ValueError:  # a time an older versioner stored unreadable (year 999): no chart, still a page
        return None
    span = (end - times[0]) or 1.0
    inner = WIDTH - LEFT - RIGHT

    def x_of(t: float) -> float:
        return round(LEFT + inner * (t - times[0]) / span, 1)

    max_words = max(v.words for v in versions) or 1
    length_bottom = TOP + LENGTH_HEIGHT

    def y_of(words: int) -> float:
        return round(length_bottom - LENGTH_HEIGHT * words / max_words, 1)

    path = [f"M{x_of(times[0])},{y_of(versions[0].words)}"]
    for t, v in zip(times[1:], versions[1:], strict=True):
        path.append(f"H{x_of(t)}V{y_of(v.words)}")  # a step: the length holds until the next version
    path.append(f"H{x_of(end)}")
    dots = tuple(
        (x_of(t), y_of(v.words), f"Version {v.n}: {v.words} words")
        for t, v in zip(times, versions, strict=True)
    )
    max_change = max([max(r.added or 0, r.removed or 0) for r in rows] + [1])
    middle = length_bottom + GAP + CHANGE_HEIGHT / 2
    half = CHANGE_HEIGHT / 2
    bars = []
    for t, row in zip(times, rows, strict=True):
        x = round(x_of(t) - BAR_WIDTH / 2, 1)
        if row.added:
            h = max(1.0, round(half * row.added / max_change, 1))
            bars.append(Bar("added", x, middle - h, h, f"Version {row.n}: {row.added} words added"))
        if row.removed:
            h = max(1.0, round(half * row.removed / max_change, 1))
            bars.append(Bar("removed", x, middle, h, f"Version {row.n}: {row.removed} words removed"))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        length_path="".join(path),
        dots=dots,
        bars=tuple(bars),
        rows=rows,
        max_words=max_words,
        max_change=max_change,
        start_label=_label(versions[0].first_seen, span),
        end_label=_label(versions[-1].last_seen or versions[-1].first_seen, span),
        length_top=TOP,
        length_bottom=length_bottom,
        change_middle=middle,
        left=LEFT,
        right=WIDTH - RIGHT,
    )


def _change_stats(store: Store, versions: list[VersionInfo]) -> list[dict | None]:
    """Each version's diff stats against the one before: every cached one, and COMPUTE_AT_MOST more."""
    pairs = list(zip(versions, versions[1:], strict=False))
    stats = [store.diff_cache.stats(changes.key(old, new)) for old, new in pairs]
    missing = [k for k, found in enumerate(stats) if found is None][::-1][:COMPUTE_AT_MOST]
    for k in missing:
        stats[k] = changes.stats(store, *pairs[k])
    return stats


def _seconds(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _label(iso: str, span: float) -> str:
    """The date, and the time too when the whole history fits in two days."""
    return iso[:10] if span > 2 * 86400 else f"{iso[:10]} {iso[11:16]}"
