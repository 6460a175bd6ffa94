"""What one snapshot may cost to extract: markup limits checked by a cheap scan before any parsing.

Parsing and extraction are not linear in every shape of markup: libxml2 compares each attribute of a
tag with the ones before it (64,000 attributes on one element took minutes), and justext, trafilatura's
fallback extractor, looks for each short paragraph's neighbours one by one (tens of thousands of small
blocks took minutes). A page over these limits is not parsed at all: ingest keeps it as a rejected
capture with the reason; so is a plain text of more paragraphs than a page may have elements. The limits
are far above real pages (the largest page of the test corpus has 2,682 elements, 28 attributes on one
tag and 2,607 in all); at the limits an extraction takes seconds.
"""

import re
from dataclasses import dataclass

# Elements, comments and declarations: trafilatura's time grows with them, linearly once the fallback
# is off.
MAX_NODES = 40_000
# A plain text's paragraphs cost what an HTML page's elements do, in extraction and in the diff after it.
MAX_PARAGRAPHS = MAX_NODES
# Above this many nodes the fallback extractors (readability, justext) are skipped: justext's time
# grows with the square of the number of blocks.
FALLBACK_MAX_NODES = 5_000
# libxml2's time grows with the square of the attributes of one tag, and the total bounds the sum.
MAX_TAG_ATTRIBUTES = 1_000
MAX_ATTRIBUTES = 200_000

# A tag and its body up to the closing '>' (quoted values may hold '>'), or a comment or declaration.
MARKUP = re.compile(r"""<(/?[A-Za-z][^\s/>"'<]*|[!?])((?:[^>"']+|"[^"]*"|'[^']*')*)""")
QUOTED = re.compile(r""""[^"]*"|'[^']*'""")
# An attribute name starts the body or follows a blank or a slash; '=' starts a value, never a name.
ATTRIBUTE_NAME = re.compile(r"(?:^|[\s/])[^\s/=>]")
RAW_TEXT = {"script": re.compile(r"</script", re.IGNORECASE), "style": re.compile(r"</style", re.IGNORECASE)}


@dataclass(frozen=True)
class Markup:
    """What the scan counted, and why the page is over budget (None if it is not)."""

    nodes: int
    over_budget: str | None = None

    @property
    def fallback(self) -> bool:
        """Whether the fallback extractors may run on this page."""
        return self.nodes <= FALLBACK_MAX_NODES


def scan(html: str) -> Markup:
    """Count nodes and attributes, stopping as soon as a limit is passed; linear in the page's length."""
    nodes = attributes = 0
    position = 0
    while match := MARKUP.search(html, position):
        position = match.end()
        name, body = match.group(1).lower(), match.group(2)
        if not name.startswith("/"):
            nodes += 1
            if nodes > MAX_NODES:
                return Markup(nodes, f"over the extraction budget: more than {MAX_NODES:,} elements")
        if name in ("!", "?"):  # a comment or declaration: words, not attributes
            continue
        if name in RAW_TEXT:  # script and style hold text, not markup, up to their end tag
            end = RAW_TEXT[name].search(html, position)
            position = end.start() if end else len(html)
        if len(body) > 2:  # an attribute takes at least two characters: skip the counting for most tags
            count = len(ATTRIBUTE_NAME.findall(QUOTED.sub(" ", body)))
            if count > MAX_TAG_ATTRIBUTES:
                return Markup(
                    nodes,
                    f"over the extraction budget: more than {MAX_TAG_ATTRIBUTES:,} attributes on one tag",
                )
            attributes += count
            if attributes > MAX_ATTRIBUTES:
                return Markup(nodes, f"over the extraction budget: more than {MAX_ATTRIBUTES:,} attributes")
    return Markup(nodes)
