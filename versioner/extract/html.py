"""Snapshot content → the parts of an article: title, byline, times and body paragraphs.

HTML is parsed once; consent and paywall overlays are taken out (overlays.py), the document's own
lists of files and versions read as text (link_lists.py) and the visible lines fingerprinted
(visible.py) before trafilatura reads the main text and metadata (times as the page declares them);
plain text is read line by line, paragraphs split on blank lines. Nothing here decides what counts as
a change: that is normalize.py.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from versioner.errors import SnapshotError
from versioner.extract.budget import MAX_PARAGRAPHS, scan
from versioner.extract.decode import decode
from versioner.extract.link_lists import keep_document_lists
from versioner.extract.notices import structured_correction
from versioner.extract.overlays import remove_overlays
from versioner.extract.visible import fingerprint

# a comment's body cannot hold "-->": with a lazy `.*?` instead, a row of comments before a non-HTML
# start backtracks through every way of joining them (30 comments took minutes)
HTML_START = re.compile(
    r"\s*(?:<!--(?:[^-]|-(?!->))*-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE
)
HEADING_MARKS = re.compile(r"^#{1,6}\s+")
BLOCK_TAGS = {"p", "head", "quote", "item", "row", "cell", "code"}
KICKER_MAX_WORDS = 5
# attributes between the name and the value: bounded, or a page repeating the name without a '>' costs
# a scan to the end of the head for each repetition
BETWEEN = r"[^>]{0,500}"
ISO_VALUE = r"""["']?\s*(\d{4}-\d\d-\d\d[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)"""
DECLARED_TIMES = (
    (
        "published",
        re.compile(
            r"""property=["']article:published_time["']""" + BETWEEN + """content=""" + ISO_VALUE, re.I
        ),
    ),
    ("published", re.compile(r""""datePublished"\s*:\s*""" + ISO_VALUE)),
    (
        "published",
        re.compile(
            r"""itemprop=["']datePublished["']""" + BETWEEN + """(?:content|datetime)=""" + ISO_VALUE, re.I
        ),
    ),
    (
        "updated",
        re.compile(
            r"""property=["']article:modified_time["']""" + BETWEEN + """content=""" + ISO_VALUE, re.I
        ),
    ),
    ("updated", re.compile(r""""dateModified"\s*:\s*""" + ISO_VALUE)),
    (
        "updated",
        re.compile(
            r"""itemprop=["']dateModified["']""" + BETWEEN + """(?:content|datetime)=""" + ISO_VALUE, re.I
        ),
    ),
)
HEADLINE_MAX_WORDS = 25
TITLE_START = re.compile(r"<title[^>]{0,500}>", re.IGNORECASE)


@dataclass(frozen=True)
class Extracted:
    """What an extractor found; times are aware datetimes or None."""

    title: str
    byline: str
    published: datetime | None
    updated: datetime | None
    paragraphs: tuple[str, ...]
    rejection: str | None = None  # why this snapshot was not read as an article (over the extraction budget)
    visible: bytes = b""  # the page's visible lines (visible.fingerprint), for the extraction-drift guard
    correction: str | None = None  # a schema.org correction the page declares (extract/notices.py)


def extract(raw: bytes, kind_hint: str | None = None, declared_charset: str | None = None) -> Extracted:
    """Decode a snapshot and pull the article out of it; raises SnapshotError for unreadable content."""
    text = decode(raw, declared_charset)
    kind = kind_hint or ("html" if HTML_START.match(text[:4096]) else "text")
    return extract_html(text) if kind == "html" else extract_text(text)


def extract_text(text: str) -> Extracted:
    """A text copy of a page: the first paragraph is the headline (after a kicker line, if any)."""
    blocks = [block for block in _blocks(text)]
    if not blocks:
        return Extracted("", "", None, None, ())
    if len(blocks) > MAX_PARAGRAPHS:
        reason = f"over the extraction budget: more than {MAX_PARAGRAPHS:,} paragraphs"
        return Extracted(_title_from_blocks(blocks[:2])[0][:1000], "", None, None, (), rejection=reason)
    title, rest = _title_from_blocks(blocks)
    return Extracted(title, "", None, None, tuple(rest))


def extract_html(html: str) -> Extracted:
    """Main text and metadata of an HTML page, one paragraph per block element."""
    import trafilatura  # imported here: plain-text ingests should not pay trafilatura's start-up time

    markup = scan(html)
    if markup.over_budget:
        return Extracted(_html_title(html), "", None, None, (), rejection=markup.over_budget)
    try:
        tree = trafilatura.load_html(html)
        if tree is None:
            return Extracted(_html_title(html), "", None, None, ())
        remove_overlays(tree)
        keep_document_lists(tree)
        visible = fingerprint(tree)
        doc = trafilatura.bare_extraction(
            tree,
            fast=not markup.fallback,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params={
                "extensive_search": True,
                "original_date": True,
                "outputformat": "%Y-%m-%dT%H:%M:%S%z",
            },
        )
    except (ValueError, TypeError, RecursionError) as err:
        raise SnapshotError(f"the HTML could not be parsed: {err}") from None
    if doc is None or doc.body is None:
        return Extracted(_html_title(html), "", None, None, ())
    title = (doc.title or "").strip()
    paragraphs = [p for p in _body_paragraphs(doc.body)]
    paragraphs = _without_headline(paragraphs, title)
    published, updated = _declared_times(html)
    return Extracted(
        title=title,
        byline=(doc.author or "").strip(),
        published=published or _parse_date(doc.date),
        updated=updated,
        paragraphs=tuple(paragraphs),
        correction=structured_correction(html),
        visible=visible,
    )


def _without_headline(paragraphs: list[str], title: str) -> list[str]:
    """Drop the <h1> that trafilatura repeats at the top, with a short kicker line above it."""
    for index, paragraph in enumerate(paragraphs[:3]):
        if paragraph.strip() == title:
            above = paragraphs[:index]
            if all(_is_kicker(line.strip()) for line in above):
                return paragraphs[index + 1 :]
            return above + paragraphs[index + 1 :]
    return paragraphs


def _blocks(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks, current = [], []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def _title_from_blocks(blocks: list[str]) -> tuple[str, list[str]]:
    """Headline and the rest; a short kicker line above a one-line headline joins it ("Kicker: Headline")."""
    first = HEADING_MARKS.sub("", blocks[0].strip())
    if len(blocks) > 1 and _is_kicker(first) and _is_headline(blocks[1]):
        return f"{first}: {HEADING_MARKS.sub('', blocks[1].strip())}", blocks[2:]
    if "\n" in first:  # a first block of several lines: its first line is the headline
        head, _, tail = first.partition("\n")
        return head.strip(), [tail, *blocks[1:]]
    return first, blocks[1:]


def _is_kicker(line: str) -> bool:
    return (
        "\n" not in line
        and len(line.split()) <= KICKER_MAX_WORDS
        and not line.rstrip().endswith((".", ":", "!", "?"))
    )


def _is_headline(block: str) -> bool:
    block = block.strip()
    return (
        "\n" not in block
        and not block.startswith("#")
        and len(block.split()) <= HEADLINE_MAX_WORDS
        and not block.endswith(".")
    )


def _body_paragraphs(body) -> list[str]:
    paragraphs = []
    for element in body.iter():
        if element.tag not in BLOCK_TAGS or _has_block_ancestor(element):
            continue
        text = _element_text(element).strip()
        if text:
            paragraphs.append(text)
    return paragraphs


def _has_block_ancestor(element) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag in BLOCK_TAGS:
            return True
        parent = parent.getparent()
    return False


def _element_text(element) -> str:
    """Text of a block with <lb/> as a line break and nested blocks flattened."""
    pieces = [element.text or ""]
    for child in element:
        pieces.append("\n" if child.tag == "lb" else _element_text(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


def _html_title(html: str) -> str:
    """The <title> of a page trafilatura found nothing in; one search for its end, whatever the page."""
    head = html[:65536]
    start = TITLE_START.search(head)
    end = head.lower().find("</title>", start.end()) if start else -1
    return re.sub(r"\s+", " ", head[start.end() : end]).strip()[:1000] if end >= 0 else ""


def _declared_times(html: str) -> tuple[datetime | None, datetime | None]:
    """Publication and update times as the page declares them (Open Graph, JSON-LD, schema.org).

    These carry the time of day and zone, which date guessers often drop.
    """
    head = html[:300_000]
    found = {}
    for kind, pattern in DECLARED_TIMES:
        if kind not in found:
            match = pattern.search(head)
            moment = _parse_date(match.group(1)) if match else None
            if moment:
                found[kind] = moment
    return found.get("published"), found.get("updated")


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
