"""Jinja filters: how times, counts, search snippets and word diffs read on a page."""

import re
from datetime import datetime

from flask import Flask
from markupsafe import Markup, escape

from versioner.errors import VersionerError
from versioner.search_results import MATCH_END, MATCH_START
from versioner.times import parse_time

XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def human_time(iso: str | None) -> str:
    """2025-02-07T11:54:00Z → 7 Feb 2025, 11:54 UTC (app.js shows it in the reader's time zone)."""
    if not iso:
        return "–"
    moment = _stored_time(iso)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC" if moment else str(iso)


def short_time(iso: str | None) -> str:
    """7 Feb, 11:54: for dense tables where the year is in the heading."""
    if not iso:
        return "–"
    moment = _stored_time(iso)
    return f"{moment.day} {moment:%b, %H:%M}" if moment else str(iso)


def elapsed(later: str, earlier: str) -> str:
    """The time between two ISO times, as a person says it: 19 min, 3 h 5 min, 2 days."""
    end, start = _stored_time(later), _stored_time(earlier)
    if end is None or start is None:
        return f"{later} – {earlier}"  # shown as stored (autoescaped), so one bad row never breaks a page
    return duration(int((end - start).total_seconds()))


def duration(seconds: int | None) -> str:
    """A span of seconds as a person says it: 19 min, 3 h 5 min, 2 days."""
    if seconds is None:
        return "–"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{minutes // (24 * 60)} days"


def _stored_time(iso) -> datetime | None:
    """A time read from the database, or None when it is not one this version would store."""
    try:
        return parse_time(str(iso))
    except VersionerError:
        return None


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def paragraph_changes(stats: dict) -> str:
    """2 paragraphs added · 1 paragraph moved: the paragraph counts of a diff's stats that are not 0."""
    parts = [
        plural(stats[f"paragraphs_{what}"], "paragraph") + f" {what}"
        for what in ("added", "removed", "changed", "moved")
        if stats.get(f"paragraphs_{what}")
    ]
    return " · ".join(parts)


def marked(text: str) -> Markup:
    """A search snippet: the text escaped, then its match markers turned into <mark>."""
    safe = str(escape(text.replace(MATCH_END, MATCH_START)))
    pieces = safe.split(MATCH_START)
    out = [piece if index % 2 == 0 else f"<mark>{piece}</mark>" for index, piece in enumerate(pieces)]
    return Markup("".join(out))


def ops_inline(ops: list) -> Markup:
    """A word diff read inline: insertions in <ins> (after a deletion, class after-del), deletions in <del>.

    A filter rather than a macro: a long diff page has thousands of ops, and a macro's loop over them was
    most of the page's render time. No whitespace slips in between the pieces of the text.
    """
    out = []
    previous = ""
    for op, text in ops:
        if op == "+":
            out.append(
                f'<ins class="after-del">{escape(text)}</ins>'
                if previous == "-"
                else f"<ins>{escape(text)}</ins>"
            )
        elif op == "-":
            out.append(f"<del>{escape(text)}</del>")
        else:
            out.append(str(escape(text)))
        previous = op
    return Markup("".join(out))


def ops_side(ops: list, keep: str) -> Markup:
    """One side of a word diff: the equal text and what this side alone has ("-" old, "+" new)."""
    tag = {"-": "del", "+": "ins"}[keep]
    out = []
    for op, text in ops:
        if op == "=":
            out.append(str(escape(text)))
        elif op == keep:
            out.append(f"<{tag}>{escape(text)}</{tag}>")
    return Markup("".join(out))


def xml_safe(text: str) -> str:
    """Text without the control characters XML 1.0 forbids, so a feed always parses."""
    return XML_INVALID.sub("", text)


def init_app(app: Flask) -> None:
    for f in (
        human_time,
        short_time,
        elapsed,
        paragraphs,
        plural,
        paragraph_changes,
        marked,
        ops_inline,
        ops_side,
        xml_safe,
    ):
        app.add_template_filter(f)
