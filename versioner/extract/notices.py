"""Correction and update notices: where a page says that it was changed.

Two places say it. The text: a paragraph that opens with "Correction:", "An earlier version of this
article…", "Korrektur:", "Mise à jour :" and their kin (NOTICE_PHRASES, one table for every language
the project reads). The markup: schema.org's `correction` property (JSON-LD or microdata, a
CorrectionComment as the Trust Project recommends). A newer dateModified is the third signal; it is
already a version field (`updated`), so versioner/signals.py weighs it.

Pure functions: no database, no network.
"""

import json
import re
from dataclasses import dataclass

CORRECTION = "correction"
UPDATE = "update"

# (language, kind, phrase): a paragraph that opens with the phrase is a notice of that kind.
# Phrases are regular expressions, matched case-insensitively after leading marks (*, [, (, –).
NOTICE_PHRASES: tuple[tuple[str, str, str], ...] = (
    ("en", CORRECTION, r"corrections?\s*:"),
    ("en", CORRECTION, r"clarification\s*:"),
    ("en", CORRECTION, r"an earlier version of this (?:article|story|report|piece|post)"),
    ("en", CORRECTION, r"this (?:article|story|report|piece) (?:was|has been) (?:amended|corrected)"),
    ("en", UPDATE, r"update[sd]?\s*(?:\(|:|–|—)"),
    ("en", UPDATE, r"editor[’']s note\s*:"),
    ("en", UPDATE, r"this (?:article|story|report|piece) (?:was|has been) updated"),
    ("de", CORRECTION, r"korrektur(?:hinweis)?\s*:"),
    ("de", CORRECTION, r"richtigstellung\s*:?"),
    ("de", CORRECTION, r"transparenzhinweis\s*:?"),
    ("de", CORRECTION, r"in einer früheren (?:version|fassung) (?:dieses|des|dieser|der) "),
    ("de", UPDATE, r"aktualisierung\s*:"),
    ("de", UPDATE, r"anmerkung der redaktion\s*:"),
    ("fr", CORRECTION, r"rectificatif\b"),
    ("fr", CORRECTION, r"erratum\b"),
    ("fr", CORRECTION, r"correction\s*:"),
    ("fr", CORRECTION, r"une (?:précédente|première) version de cet article"),
    ("fr", UPDATE, r"mise à jour\s*:"),
    ("fr", UPDATE, r"màj\s*:"),
    ("es", CORRECTION, r"corrección\s*:"),
    ("es", CORRECTION, r"fe de errores\b"),
    ("es", CORRECTION, r"una versión anterior de (?:este|esta) (?:artículo|noticia|información)"),
    ("es", UPDATE, r"actualización\s*:"),
    ("it", CORRECTION, r"rettifica\b"),
    ("it", CORRECTION, r"correzione\s*:"),
    ("it", CORRECTION, r"una versione precedente di questo articolo"),
    ("it", UPDATE, r"aggiornamento\s*:"),
    ("nl", CORRECTION, r"correctie\s*:"),
    ("nl", CORRECTION, r"rectificatie\b"),
    ("nl", CORRECTION, r"in een eerdere versie van dit (?:artikel|bericht|stuk)"),
    ("nl", UPDATE, r"aanvulling\s*:"),
    ("pt", CORRECTION, r"correção\s*:"),
    ("pt", CORRECTION, r"errata\b"),
    ("pt", CORRECTION, r"uma versão anterior (?:deste|desta) (?:artigo|texto|reportagem|notícia)"),
    ("pt", UPDATE, r"a(?:c)?tualização\s*:"),
    ("pl", CORRECTION, r"sprostowanie\b"),
    ("pl", CORRECTION, r"korekta\s*:"),
    ("pl", CORRECTION, r"we wcześniejszej wersji (?:tego )?(?:artykułu|tekstu)"),
    ("pl", UPDATE, r"aktualizacja\s*:"),
    ("sv", CORRECTION, r"rättelse\s*:?"),
    ("sv", CORRECTION, r"korrigering\s*:"),
    ("sv", CORRECTION, r"i en tidigare version av (?:den här|denna) (?:artikel|text)"),
    ("sv", UPDATE, r"uppdatering\s*:"),
)
# One alternation, a group per phrase: the first phrase that matches at the start wins, as in the table.
_OPENING = re.compile("|".join(f"({phrase})" for _, _, phrase in NOTICE_PHRASES), re.IGNORECASE)
_KIND_OF_GROUP = {index: kind for index, (_, kind, _) in enumerate(NOTICE_PHRASES, start=1)}
LEADING_MARKS = re.compile(r"^[\s*\[(_–—•-]+")
NOTICE_MAX_CHARS = 1000
# Where a page's structured data is looked for, and how much of it: bounded like the rest of extraction.
STRUCTURED_SCAN_CHARS = 1_000_000
LD_JSON = re.compile(
    r"""<script\b[^>]{0,200}type=["']?application/ld\+json["']?[^>]{0,200}>(.{0,200000}?)</script>""",
    re.IGNORECASE | re.DOTALL,
)
MICRODATA_CORRECTION = re.compile(r"""itemprop=["']?correction\b""", re.IGNORECASE)


@dataclass(frozen=True)
class Notice:
    """A notice a page carries: its kind ("correction" or "update") and its words."""

    kind: str
    text: str


def text_notices(paragraphs: tuple[str, ...] | list[str]) -> list[Notice]:
    """The paragraphs of a text that are correction or update notices, in page order."""
    found = []
    for paragraph in paragraphs:
        kind = notice_kind(paragraph)
        if kind:
            found.append(Notice(kind, paragraph[:NOTICE_MAX_CHARS]))
    return found


def notice_kind(paragraph: str) -> str | None:
    """ "correction" or "update" where the paragraph opens as a notice does, else None."""
    found = _OPENING.match(LEADING_MARKS.sub("", paragraph[:200]))
    return _KIND_OF_GROUP[found.lastindex] if found else None


def structured_correction(html: str) -> str | None:
    """The text of a schema.org `correction` the page declares (JSON-LD first, then microdata), or None."""
    head = html[:STRUCTURED_SCAN_CHARS]
    for match in LD_JSON.finditer(head):
        try:
            data = json.loads(match.group(1))
        except ValueError:
            continue
        text = _correction_in(data, depth=0)
        if text:
            return text[:NOTICE_MAX_CHARS]
    if MICRODATA_CORRECTION.search(head):
        return _microdata_correction(head)
    return None


def _correction_in(data: object, depth: int) -> str | None:
    """A `correction` value anywhere in a JSON-LD document (it may sit in an @graph or a list)."""
    if depth > 8:
        return None
    if isinstance(data, list):
        for item in data:
            found = _correction_in(item, depth + 1)
            if found:
                return found
    elif isinstance(data, dict):
        if "correction" in data:
            found = _text_of(data["correction"])
            if found:
                return found
        for value in data.values():
            if isinstance(value, dict | list):
                found = _correction_in(value, depth + 1)
                if found:
                    return found
    return None


def _text_of(value: object) -> str | None:
    """A correction given as text, as a CorrectionComment (text or description) or a list of them."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        texts = [text for text in map(_text_of, value) if text]
        return " ".join(texts) or None
    if isinstance(value, dict):
        for key in ("text", "description", "name"):
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key].strip()
    return None


def _microdata_correction(html: str) -> str | None:
    """The text of an element with itemprop=correction (a <meta> gives it in content=)."""
    import lxml.html  # only for the rare page that declares a correction in microdata

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for element in root.iter():
        if not isinstance(element.tag, str) or "correction" not in (element.get("itemprop") or "").split():
            continue
        inner = element.xpath(".//*[@itemprop='text' or @itemprop='description']")
        source = inner[0] if inner else element
        text = source.get("content") if source.tag == "meta" else source.text_content()
        text = " ".join((text or "").split())
        if text:
            return text[:NOTICE_MAX_CHARS]
    return None
