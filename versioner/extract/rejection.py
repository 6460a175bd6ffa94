"""Captures that are not the article: kept as evidence, never made into versions.

Two kinds. A capture can be judged on its own (an HTTP error, markup over the budget of what one
extraction may cost, an empty page, an error page in any of the languages of error_pages.py, a
paywall, consent or captcha interstitial: `intrinsic_reason`). Or only beside its neighbours: an extraction that
lost most of the article compared with the version before (`is_truncated`), which ingest.py re-judges
whenever a capture arrives next to it, so that the result does not depend on arrival order.
"""

import re

from versioner.extract.error_pages import error_in_text, error_in_title
from versioner.extract.normalize import Article

# Pages this short are judged by their wording; longer ones are articles that may mention these words.
INTERSTITIAL_MAX_WORDS = 300
INTERSTITIAL = re.compile(
    r"subscribe to (?:continue|read)|already a subscriber|jetzt abonnieren|nur für abonnenten|mit plus lesen"
    r"|we value your privacy|cookie consent|allow the use of cookies|your cookie choices|accept all cookies"
    r"|zustimmung erforderlich|einwilligung|cookies zulassen|alle akzeptieren"
    r"|verify you are human|are you a robot|captcha|access denied|checking your browser|enable javascript",
    re.IGNORECASE,
)
# A capture keeping less than this share of the previous version's words lost most of the article...
TRUNCATION_SHARE = 1 / 3
# ...when that version was long enough for the comparison to mean something.
TRUNCATION_MIN_WORDS = 80


def intrinsic_reason(article: Article, http_status: int | None) -> str | None:
    """Why this capture cannot be the article, judged on its own; None if it may be."""
    if http_status is not None and not 200 <= http_status < 300:
        return f"HTTP status {http_status}"
    if article.rejection:
        return article.rejection
    if not article.paragraphs:
        return "no article text found"
    titled = error_in_title(article.title)
    if titled:
        return f"error page (titled {titled!r})"
    if article.words <= INTERSTITIAL_MAX_WORDS:
        said = error_in_text(f"{article.title}\n{article.text}")
        if said:
            return f"error page ({said!r})"
        found = INTERSTITIAL.search(f"{article.title}\n{article.text}")
        if found:
            return f"error or interstitial page ({found.group(0)!r})"
    return None


def is_truncated(words: int, previous_words: int) -> bool:
    """True where a capture holds only a small part of the version in force before it."""
    return previous_words >= TRUNCATION_MIN_WORDS and words < previous_words * TRUNCATION_SHARE
