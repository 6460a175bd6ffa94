"""The long id a news site keeps in an article's URL while the slug around it follows the headline.

/news/2025/04/mayor-resigns-after-audit-88123456 and /news/2025/04/mayor-steps-down-after-damning-audit-88123456
are one story: the same host and the same id. An id is the last token of the path (tokens are split at
every character that is not a letter or digit) that is a UUID, a run of at least MIN_DIGITS digits that
is not a date (20250402), or at least MIN_HEX hex characters mixing letters and digits. Years, months
and days in the path (/2025/04/02/) are far shorter than an id, so they never count.
"""

import re
from datetime import date
from urllib.parse import urlsplit

MIN_DIGITS = 6
MIN_HEX = 12
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
TOKEN = re.compile(r"[0-9A-Za-z]+")
HEX = re.compile(r"[0-9a-f]+", re.IGNORECASE)


def story_id(url: str) -> str | None:
    """The story id in a URL's path, lower-cased, or None where the path carries none."""
    path = urlsplit(url).path
    uuids = UUID.findall(path)
    if uuids:
        return uuids[-1].lower()
    for token in reversed(TOKEN.findall(path)):
        if _is_id(token):
            return token.lower()
    return None


def _is_id(token: str) -> bool:
    if token.isdigit():
        return len(token) >= MIN_DIGITS and not _is_date(token)
    return (
        len(token) >= MIN_HEX
        and HEX.fullmatch(token) is not None
        and any(ch.isdigit() for ch in token)
        and any(ch.isalpha() for ch in token)
    )


def _is_date(digits: str) -> bool:
    """20250402 (a day) or 202504 (a month) between 1990 and 2099: a date in the path, not an id."""
    if len(digits) not in (6, 8) or not digits.startswith(("19", "20")):
        return False
    year, month = int(digits[:4]), int(digits[4:6])
    day = int(digits[6:8]) if len(digits) == 8 else 1
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1990 <= year <= 2099
