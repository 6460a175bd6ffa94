"""Lists of links that are part of a document: kept as its text, where trafilatura drops every link list.

A block of links is navigation as a rule: related articles, "most read", a site's menu, whose teasers
rotate from one fetch to the next. Two kinds of list are the document's own, and a change to them is a
change of the document: a list of its files (annexes, forms, the PDF of a ruling: every link goes to a
document file) and a list of its earlier versions (every link names a date or a version). Their links
are unwrapped into plain text before extraction, so trafilatura reads them as list items; every other
link list, and every list in a page's navigation, header, footer or sidebar, stays out.
"""

import re
from urllib.parse import urlsplit

from lxml.html import HtmlElement

DOCUMENT_FILE = re.compile(r"\.(?:pdf|docx?|odt|rtf|xlsx?|ods|csv|pptx?|odp|zip|txt|epub)$", re.IGNORECASE)
# A link to an earlier version names its date or its number, and little else.
VERSION_LINK = re.compile(r"\b(?:1[89]|20)\d\d\b|\bv(?:ersion)?\.?\s?\d+(?:\.\d+)*\b", re.IGNORECASE)
VERSION_LINK_MAX_WORDS = 8
NAVIGATION = {"nav", "header", "footer", "aside", "form", "menu"}
NAVIGATION_NAME = re.compile(
    r"(?:^|[-_\s])(?:nav|menu|breadcrumbs?|related|teasers?|share|social)(?:$|[-_\s])", re.I
)


def keep_document_lists(root: HtmlElement) -> int:
    """Unwrap the links of the document's own lists in place; returns how many lists were kept."""
    kept = 0
    for listing in root.iter("ul", "ol"):
        items = [child for child in listing if child.tag == "li"]
        links = [a for item in items for a in item.iter("a")]
        if not items or len(links) < len(items) or _in_navigation(listing):
            continue
        if all(_only_links(item) for item in items) and (
            all(_document_file(a) for a in links) or all(_version_link(a) for a in links)
        ):
            for link in links:
                link.drop_tag()
            kept += 1
    return kept


def _only_links(item: HtmlElement) -> bool:
    """Whether a list item says nothing but its links (a list with prose is read as text already)."""
    linked = sum(len(a.text_content().split()) for a in item.iter("a"))
    return linked > 0 and linked >= len(item.text_content().split())


def _document_file(link: HtmlElement) -> bool:
    return bool(DOCUMENT_FILE.search(urlsplit(link.get("href") or "").path))


def _version_link(link: HtmlElement) -> bool:
    text = link.text_content()
    return len(text.split()) <= VERSION_LINK_MAX_WORDS and bool(VERSION_LINK.search(text))


def _in_navigation(element: HtmlElement) -> bool:
    while element is not None:
        if element.tag in NAVIGATION or (element.get("role") or "").lower() == "navigation":
            return True
        names = f"{element.get('id') or ''} {element.get('class') or ''}"
        if names.strip() and NAVIGATION_NAME.search(names):
            return True
        element = element.getparent()
    return False
