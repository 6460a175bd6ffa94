"""The rules that decide what counts as a change, and nothing else.

Applied in this order to every extracted article (documented in docs/how-changes-are-decided.md):
  1. Unicode NFC; zero-width characters and soft hyphens removed; every kind of space folded to one
     blank; line endings unified; each line trimmed.
  2. Template debris left by a page's JavaScript (`{title && {title} }`) removed.
  3. Chrome lines dropped: site footers and navigation that are not the article (GENERIC_CHROME, plus
     a site's own patterns in SITE_RULES).
  4. Timestamp lines (`Akt. 07.02.2025, 12:54, 07.02.2025, 12:35`, optionally after a byline) become
     the version's published/updated metadata; a short byline line just above a timestamp line becomes
     the byline. Neither stays in the text.
  5. Paragraphs left empty disappear; the paragraph structure is otherwise kept.
To extend for a site: add a SiteRules entry (its time zone for local times, extra chrome patterns).
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from versioner.extract.html import Extracted

PARAGRAPH_SEPARATOR = "\x1e"
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200d\u2060\ufeff\u00ad"), None)
SPACE_CLASS = "[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
# a run of two or more spaces of any kind, or one space that is not a plain blank: plain single blanks,
# by far the most common, are not matched at all, which keeps folding cheap
ODD_SPACE = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
SPACES = re.compile(f"{SPACE_CLASS}{{2,}}|{ODD_SPACE.pattern}")
TEMPLATE_DEBRIS = re.compile(r"\{\s*[\w.]+\s*&&[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")

GENERIC_CHROME = (
    re.compile(r"^Es gibt neue Nachrichten auf .{1,60}$"),
    re.compile(r"^(Zur Startseite|Zurück zur Startseite|Back to top|Zum Seitenanfang)$", re.IGNORECASE),
    re.compile(r"^(Anzeige|Werbung|Advertisement|Sponsored)$", re.IGNORECASE),
)

DATE = r"(?:\d{1,2}\.\s?\d{1,2}\.\s?\d{4}|\d{4}-\d{2}-\d{2})"
TIME = r"(?:\d{1,2}[:.]\d{2}(?:\s?Uhr)?)"
UPDATE_LABEL = r"(?:Akt\.|Aktualisiert(?: am)?|Updated(?: on)?|Zuletzt aktualisiert(?: am)?)"
PUBLISH_LABEL = r"(?:Publiziert(?: am)?|Veröffentlicht(?: am)?|Erstellt(?: am)?|Published(?: on)?)"
STAMP = rf"(?:(?P<label>{UPDATE_LABEL}|{PUBLISH_LABEL})\s*:?\s*)?{DATE}(?:,?\s*{TIME})?"
STAMP_PIECE = re.compile(
    rf"(?:(?P<label>{UPDATE_LABEL}|{PUBLISH_LABEL})\s*:?\s*)?(?P<date>{DATE})(?:,?\s*(?P<time>{TIME}))?"
)
STAMP_LINE = re.compile(
    rf"^(?:(?P<byline>[^,.:;!?]{{2,40}}),\s*)?{STAMP}(?:,?\s*{STAMP})*$".replace("?P<label>", "?:")
)
BYLINE_MAX_WORDS = 4


@dataclass(frozen=True)
class SiteRules:
    """What one site needs beyond the generic rules."""

    timezone: str = "UTC"
    chrome: tuple[re.Pattern, ...] = field(default_factory=tuple)


SITE_RULES = {
    "heute.at": SiteRules(timezone="Europe/Vienna"),
    "20min.ch": SiteRules(timezone="Europe/Zurich"),
}


@dataclass(frozen=True)
class Article:
    """A normalised article: what versions are made of and compared by."""

    title: str
    byline: str
    published: datetime | None
    updated: datetime | None
    paragraphs: tuple[str, ...]
    rejection: str | None = None  # why the snapshot was not read as an article: Extracted.rejection
    correction: str | None = None  # Extracted.correction

    @cached_property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @cached_property
    def content_hash(self) -> str:
        """Equal hashes mean no change: only title and text count, as the versioning rule says."""
        return hashlib.sha256(f"{self.title}\x1f{self.text}".encode()).hexdigest()

    @cached_property
    def words(self) -> int:
        return len(self.text.split())


def rules_for(site: str) -> SiteRules:
    """The rules of a site or of the nearest parent domain that has some."""
    labels = site.split(".")
    for start in range(len(labels) - 1):
        rules = SITE_RULES.get(".".join(labels[start:]))
        if rules:
            return rules
    return SiteRules()


def fold(text: str) -> str:
    """Rule 1: the same words written with other invisible characters are the same text."""
    text = unicodedata.normalize("NFC", text).translate(ZERO_WIDTH)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    if "  " in text or ODD_SPACE.search(text):  # most texts have neither: skip the substitution
        text = SPACES.sub(" ", text)
    return "\n".join(line.strip(" ") for line in text.split("\n"))


def normalise(extracted: Extracted, site: str = "") -> Article:
    """Apply the rules above; metadata from the extractor wins over what timestamp lines say."""
    rules = rules_for(site)
    chrome = GENERIC_CHROME + rules.chrome
    found = _Found()
    paragraphs = []
    zone = ZoneInfo(rules.timezone)
    # one fold over the whole body (paragraphs kept apart by a separator no text contains) is far
    # cheaper than one per paragraph
    body = PARAGRAPH_SEPARATOR.join(p.replace(PARAGRAPH_SEPARATOR, " ") for p in extracted.paragraphs)
    for paragraph in fold(body).split(PARAGRAPH_SEPARATOR):
        lines = [_without_debris(line) for line in paragraph.split("\n")]
        kept = _strip_metadata_lines(
            [line for line in lines if line and not _is_chrome(line, chrome)], found, zone
        )
        if kept:
            paragraphs.append("\n".join(kept))
    title = _without_debris(fold(extracted.title).replace("\n", " "))
    return Article(
        title=title,
        byline=SPACES.sub(" ", fold(extracted.byline).replace("\n", " ")).strip() or found.byline,
        published=extracted.published or found.published,
        updated=_later(extracted.updated or found.updated, extracted.published or found.published),
        paragraphs=tuple(paragraphs),
        rejection=extracted.rejection,
        correction=extracted.correction,
    )


@dataclass
class _Found:
    byline: str = ""
    published: datetime | None = None
    updated: datetime | None = None


def _without_debris(line: str) -> str:
    """Rule 2, on one folded line (the debris always holds `&&`, which keeps this cheap)."""
    if "&&" not in line:
        return line
    return SPACES.sub(" ", TEMPLATE_DEBRIS.sub("", line)).strip()


def _is_chrome(line: str, chrome: tuple[re.Pattern, ...]) -> bool:
    return any(pattern.match(line) for pattern in chrome)


def _strip_metadata_lines(lines: list[str], found: _Found, zone: ZoneInfo) -> list[str]:
    kept: list[str] = []
    for line in lines:
        match = STAMP_LINE.match(line)
        if not match:
            kept.append(line)
            continue
        _read_stamps(line, found, zone)
        byline = (match.group("byline") or "").strip()
        if not byline and kept and _looks_like_byline(kept[-1]):
            byline = kept.pop()
        found.byline = found.byline or byline
    return kept


def _looks_like_byline(line: str) -> bool:
    return len(line.split()) <= BYLINE_MAX_WORDS and not re.search(r"[.!?:;\"“”„]$", line)


def _read_stamps(line: str, found: _Found, zone: ZoneInfo) -> None:
    """An update label marks the stamp after it as the update time; the other stamp is the first publication."""
    for piece in STAMP_PIECE.finditer(line):
        moment = _stamp_time(piece.group("date"), piece.group("time"), zone)
        if moment is None:
            continue
        if piece.group("label") and re.match(UPDATE_LABEL, piece.group("label")):
            found.updated = found.updated or moment
        else:
            found.published = found.published or moment


def _stamp_time(date: str, time: str | None, zone: ZoneInfo) -> datetime | None:
    date = date.replace(" ", "")
    hour, minute = (int(x) for x in re.findall(r"\d+", time)[:2]) if time else (0, 0)
    try:
        if "-" in date:
            year, month, day = (int(x) for x in date.split("-"))
        else:
            day, month, year = (int(x) for x in date.split("."))
        return datetime(year, month, day, hour, minute, tzinfo=zone)
    except ValueError:
        return None


def _later(updated: datetime | None, published: datetime | None) -> datetime | None:
    """An 'updated' time equal to the publication time says nothing."""
    return None if updated is None or updated == published else updated
