"""Charts drawn on the server as SVG geometry: no script, no font, nothing a strict CSP forbids.

A chart here is plain numbers (positions and lengths in the SVG's own units) that a template macro
(templates/charts.html) turns into <rect> and <text> elements styled by classes in style.css. The
figures are always in a table beside the chart too, for screen readers and for copying.
"""

from dataclasses import dataclass

WIDTH = 420  # SVG units; a phone shows it about life-size, a desktop a little larger
LABEL_WIDTH = 160  # room for the labels left of the bars; the SVG scales down on a phone
VALUE_WIDTH = 50  # room for the figure right of the longest bar (templates/charts.html)
ROW_HEIGHT = 30
BAR_HEIGHT = 18
PAD = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as the chart writes it beside the bar
    y: float
    length: float


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per row: they read on a narrow screen where columns would not."""

    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    bar_height: int
    room: float  # the length of a full bar


def bar_chart(rows: list[tuple[str, float, str]]) -> BarChart:
    """Bars for (label, value, value as written) rows, scaled to the largest value."""
    largest = max((value for _, value, _ in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = tuple(
        Bar(label, value, shown, PAD + index * ROW_HEIGHT, round(room * value / largest, 1))
        for index, (label, value, shown) in enumerate(rows)
    )
    return BarChart(bars, WIDTH, PAD * 2 + ROW_HEIGHT * len(rows), LABEL_WIDTH, BAR_HEIGHT, room)
