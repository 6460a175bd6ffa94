"""The lines a reader sees on a page, kept as a compact fingerprint for the extraction-drift guard.

The extractor's boundary moves: a heading restyled as a paragraph, a widget whose class changed,
brings a line that was on the page all along into the article's text, or takes it out. The guard
(versioner/drift.py) tells that from an edit by asking whether the line was visible on the page
before. A page's fingerprint is the set of the texts of its visible elements, each hashed to 8 bytes
and sorted: a few kilobytes per capture, where the raw page is hundreds.

Only lines of LINE_MIN_WORDS words and LINE_MIN_CHARS characters count: "Updated", a date, "Read more"
appear in every page's navigation, so seeing one there is no evidence about the article's text.
Lines are compared without any whitespace, so markup that breaks a line (<br>, inline tags) or the
normalisation's space folding never makes two readings of one line differ.
"""

import hashlib
import re
import unicodedata
from bisect import bisect_left

from lxml.html import HtmlElement

LINE_MIN_WORDS = 4
LINE_MIN_CHARS = 24
# Longer texts are whole sections, not lines; not reading past this bounds the work on any page.
LINE_MAX_CHARS = 5_000
HASH_BYTES = 8
INVISIBLE_TAGS = {"script", "style", "noscript", "template", "head", "title", "svg", "iframe", "object"}
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
NOT_TEXT = re.compile(r"[\s\u200b\u200d\u2060\ufeff\u00ad]+")


def line_hash(line: str) -> bytes | None:
    """The fingerprint entry of one line of text, or None for a line too short to count."""
    if len(line) < LINE_MIN_CHARS or len(line.split()) < LINE_MIN_WORDS:
        return None
    key = NOT_TEXT.sub("", unicodedata.normalize("NFC", line))
    return hashlib.blake2b(key.encode(), digest_size=HASH_BYTES).digest()


def fingerprint(root: HtmlElement) -> bytes:
    """The sorted hashes of every visible element's text on a parsed page."""
    texts: dict[HtmlElement, str | None] = {}
    hashes = set()
    for element in reversed(list(root.iter())):  # children before their parents
        if not isinstance(element.tag, str) or _hidden(element):
            texts[element] = ""
            continue
        pieces = [element.text or ""]
        for child in element:
            child_text = texts.pop(child, "")
            if child_text is None:
                pieces = None
                break
            pieces.append(child_text)
            pieces.append(child.tail or "")
        text = "".join(pieces) if pieces is not None else None
        if text is not None and len(text) > LINE_MAX_CHARS:
            text = None
        texts[element] = text
        digest = line_hash(text) if text else None
        if digest:
            hashes.add(digest)
    return b"".join(sorted(hashes))


def shows(fingerprint: bytes, line: str) -> bool:
    """Whether a page of this fingerprint showed the line (a line too short to count: never)."""
    digest = line_hash(line)
    if digest is None or not fingerprint:
        return False
    count = len(fingerprint) // HASH_BYTES
    index = bisect_left(
        range(count), digest, key=lambda i: fingerprint[i * HASH_BYTES : (i + 1) * HASH_BYTES]
    )
    return index < count and fingerprint[index * HASH_BYTES : (index + 1) * HASH_BYTES] == digest


def _hidden(element: HtmlElement) -> bool:
    return (
        element.tag in INVISIBLE_TAGS
        or element.get("hidden") is not None
        or (element.get("aria-hidden") or "").lower() == "true"
        or bool(HIDDEN_STYLE.search(element.get("style") or ""))
    )
