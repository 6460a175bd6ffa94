"""Numbers from URLs and query strings: a malformed one is a 400 that says what was expected."""

from flask import request
from werkzeug.exceptions import BadRequest

# SQLite integers are 64-bit; anything longer is malformed, not merely "not found".
MAX_DIGITS = 18
# More pages than any database holds, and small enough that (page - 1) × per_page fits SQLite's OFFSET.
MAX_PAGE = 10**9


def whole_number(raw: str, what: str, minimum: int = 1) -> int:
    """raw as an int ≥ minimum, or BadRequest naming the parameter."""
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS or int(text) < minimum:
        raise BadRequest(f"{what} must be a whole number from {minimum} up, not {raw[:40]!r}")
    return int(text)


def int_arg(name: str, default: int | None = None, minimum: int = 1) -> int | None:
    """Query parameter `name` as a whole number; absent or empty gives the default."""
    raw = request.args.get(name, "")
    if not raw.strip():
        return default
    return whole_number(raw, f"the {name!r} parameter", minimum)


def bounded_arg(name: str, default: int, maximum: int) -> int:
    """A count such as per_page: at least 1 and at most maximum."""
    value = int_arg(name, default)
    if value > maximum:
        raise BadRequest(f"the {name!r} parameter may be at most {maximum}, not {value}")
    return value


def page_arg() -> int:
    """The 'page' parameter: 1 by default, at most MAX_PAGE."""
    return bounded_arg("page", 1, MAX_PAGE)


def view_arg() -> str:
    """The diff view: inline (default) or side (side by side)."""
    view = request.args.get("view", "inline")
    if view not in ("inline", "side"):
        raise BadRequest(f"the 'view' parameter is 'inline' or 'side', not {view[:40]!r}")
    return view
