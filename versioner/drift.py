"""The extraction-drift guard: a line that was on the page all along moving into or out of the text is no edit.

The extractor's boundary moves between captures of an unchanged page: a heading restyled as a
paragraph, a widget whose class changed. A capture extends the version in force, instead of starting
one, when

* its title is that version's,
* the lines both texts share stand in the same order (a reordering is an edit),
* every line it adds was visible on the previous capture's page, and
* every line it drops is still visible on its own page,

where a line counts as visible only if it is long enough to be evidence (versioner/extract/visible.py:
"Updated", a date or "Read more" are on every page). A real edit, even of one word, makes a line that
was on neither page, and so a version. The guard is decided while the versions are rebuilt from the
captures in time order (versioning._reconcile), so the versions stay a function of the set of captures.
"""

from collections import Counter

from versioner.extract.visible import shows
from versioner.store import CaptureState, Store

# The start of the reason a drifted capture records (counted by versioner reextract).
DRIFT_REASON = "extraction drift"


def runs(
    store: Store, article_id: int, captures: list[CaptureState]
) -> tuple[list[list[CaptureState]], dict[int, str]]:
    """The captures (in time order) grouped into the runs that become versions; and why each capture
    that only drifted joined the run in force."""
    grouped: list[list[CaptureState]] = []
    drifted: dict[int, str] = {}
    for index, capture in enumerate(captures):
        if grouped and capture.content_hash == grouped[-1][0].content_hash:
            grouped[-1].append(capture)
            continue
        reason = _drift(store, article_id, grouped[-1][0], captures[index - 1], capture) if grouped else None
        if reason:
            grouped[-1].append(capture)
            drifted[capture.id] = reason
        else:
            grouped.append([capture])
    return grouped, drifted


def _drift(
    store: Store, article_id: int, in_force: CaptureState, previous: CaptureState, capture: CaptureState
) -> str | None:
    """Why the capture only drifted from the version in force, or None where it changed the text."""
    if capture.title != in_force.title:
        return None
    before_page = store.visible_lines.get(previous.id)
    after_page = store.visible_lines.get(capture.id)
    if not before_page or not after_page:
        return None
    old = _lines(store, article_id, in_force.content_hash)
    new = _lines(store, article_id, capture.content_hash)
    added, removed = Counter(new) - Counter(old), Counter(old) - Counter(new)
    if not added and not removed:
        return None  # the same lines in another order
    if _without(new, added) != _without(old, removed):
        return None
    if not all(shows(before_page, line) for line in added):
        return None
    if not all(shows(after_page, line) for line in removed):
        return None
    return (
        f"{DRIFT_REASON}: {sum(added.values())} line(s) in and {sum(removed.values())} out, "
        "all visible on both pages; the version in force goes on"
    )


def _lines(store: Store, article_id: int, content_hash: str) -> list[str]:
    text = store.texts.get(article_id, content_hash)
    return text.split("\n\n") if text else []


def _without(lines: list[str], taken: Counter) -> list[str]:
    """The lines in order, without (the first occurrences of) those taken."""
    left = Counter(taken)
    kept = []
    for line in lines:
        if left[line] > 0:
            left[line] -= 1
        else:
            kept.append(line)
    return kept
