"""Consent and paywall overlays: removed from the parsed page before extraction, so they never read as article text.

A consent manager's banner is long, changes from one fetch to the next (its count of partners, its
wording, whether it shows at all) and is no part of the article; left in, it makes false versions. It
is found two ways, never by per-site rules:

* by the markup of the consent manager that inserted it (CONSENT_MANAGERS: the id or class its script
  gives the overlay's root), removed whatever it says;
* by shape and wording together: an element shaped like an overlay (OVERLAY_SHAPE: a <dialog>, a
  dialog role, aria-modal, a fixed position, or a class or id such as `cookie-banner` or
  `consent-modal`) whose own text speaks of cookies, consent, partners or privacy in at least two
  ways (CONSENT_WORDING, in the languages of the news world).

A paywall overlay is removed the same way (PAYWALL_MARKUP and PAYWALL_WORDING), only while it is short:
a long element of a paywall class is the locked article itself. Neither kind ever removes an element
that holds an <article> or <main>: an article that merely mentions cookies (a recipe, a story about
the GDPR) is not shaped like an overlay, and its text stays. docs/how-changes-are-decided.md has the
same lists as a table.
"""

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

# The overlay roots consent managers' scripts insert: (manager, pattern on an id, pattern on a class name).
CONSENT_MANAGERS: tuple[tuple[str, str, str], ...] = (
    (
        "OneTrust",
        r"onetrust-(?:consent-sdk|banner-sdk|pc-sdk)",
        r"optanon-alert-box-wrapper|ot-sdk-container",
    ),
    ("Cookiebot", r"CybotCookiebotDialog\w*|CookiebotWidget", r"CybotCookiebotDialog\w*"),
    ("Didomi", r"didomi-(?:host|popup|notice)", r"didomi-(?:host|popup-container|notice)"),
    ("Usercentrics", r"usercentrics-(?:root|cmp-ui)|uc-center-container", r"uc-banner"),
    ("CookieYes", r"cookie-law-info-bar|cliSettingsPopup", r"cky-(?:consent-container|modal|overlay)"),
    ("Quantcast", r"qc-cmp2-\w+|qcCmpUi\w*", r"qc-cmp2-container|qc-cmp-ui-container"),
    ("Sourcepoint", r"sp_message_container_\w+", r"sp-message-container|sp_veil"),
    (
        "TrustArc",
        r"truste-consent-track|truste-consent-\w+|consent_blackbar|teconsent|trustarc-banner\w*",
        r"truste_box_overlay|truste_overlay",
    ),
    ("tarteaucitron", r"tarteaucitron(?:Root|AlertBig|AlertSmall)?", r"tarteaucitronRoot"),
    ("Axeptio", r"axeptio_(?:overlay|main|widget)", r"axeptio_(?:overlay|widget)"),
    ("Complianz", r"cmplz-cookiebanner-container|cmplz-manage-consent", r"cmplz-cookiebanner"),
    ("Klaro", r"klaro", r"klaro"),
    ("iubenda", r"iubenda-cs-banner|iubenda-iframe", r"iubenda-cs-container"),
    ("Borlabs", r"BorlabsCookieBox|BorlabsCookieWidget", r"BorlabsCookie|borlabs-cookie-\w+"),
    ("Osano", r"osano-cm-\w+", r"osano-cm-(?:window|dialog|widget)"),
    ("cookieconsent", r"cookieconsent", r"cc-window|cc-revoke"),
)
# Class and id words that make an element look like an overlay or a banner.
OVERLAY_NAME = re.compile(
    r"(?:^|[-_\s])(?:cookies?|consent|gdpr|cmp|privacy)[-_]?(?:banner|bar|box|consent|container|dialog|layer"
    r"|modal|notice|notification|overlay|popup|pop-up|wall|wrapper|hint|info|message|manager)(?:$|[-_\s])"
    r"|(?:^|[-_\s])(?:modal|overlay|popup|pop-up|lightbox|dialog|banner)(?:$|[-_\s])",
    re.IGNORECASE,
)
FIXED = re.compile(r"position\s*:\s*(?:fixed|sticky)", re.IGNORECASE)
OVERLAY_ROLES = {"dialog", "alertdialog"}
# Two or more of these concepts in one overlay's text: it is about consent, in any of these languages.
CONSENT_WORDING: tuple[re.Pattern, ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"cookie|kakor\b|ciasteczk|tracker|tracking",
        r"consent|einwillig|zustimm|toestemming|zgod[ayęo]|samtyck|accetta|akzeptier|accepter|aceptar|aceitar"
        r"|accepteren|akceptuj|godkänn|acceptera",
        r"partner|socios|parceiros|leverantörer|fornitori|anbieter|vendors",
        r"privacy|privée|privacidad|privacidade|privatsphäre|datenschutz|prywatno|integritet|riservatezza",
        r"personal data|personenbezogen|données personnelles|datos personales|dati personali|persoonsgegevens"
        r"|dados pessoais|dane osobowe|personuppgifter|ip-adress|unique identifiers|identifiants",
        r"advertis|werbung|anzeigen|publicit|annunci|reclame|reklam|ads\b|personalis|personaliz",
    )
)
CONSENT_MIN_CONCEPTS = 2
# A shaped overlay longer than this is not a banner, whatever it says.
OVERLAY_MAX_WORDS = 1_500
PAYWALL_MARKUP = re.compile(
    r"(?:^|[-_\s])(?:pay-?wall|reg-?wall|subscription-?wall|piano-?(?:modal|offer)|tp-modal|tp-backdrop"
    r"|premium-?(?:wall|overlay|banner))(?:$|[-_\s])",
    re.IGNORECASE,
)
PAYWALL_WORDING = re.compile(
    r"subscri|abonn|suscr|abbona|assin|prenumer|subskryp|log in|sign in|anmelden|connectez|inicia sesión",
    re.IGNORECASE,
)
PAYWALL_MAX_WORDS = 150
PROTECTED = ("article", "main")
# Bounds on the work for one page: elements whose text is read, characters read of each.
MAX_JUDGED = 200
TEXT_LIMIT = 20_000


@dataclass(frozen=True)
class Removed:
    """One overlay taken off the page, and why (for tests and for a reader of the logs)."""

    kind: str  # the consent manager's name, "consent overlay" or "paywall overlay"
    words: int


def remove_overlays(root: HtmlElement) -> list[Removed]:
    """Take consent and paywall overlays out of a parsed page in place; returns what went.

    One walk, never into what it removed; at most MAX_JUDGED elements have their text read, so a
    hostile page of thousands of nested dialogs costs a bounded time (its overlays then stay).
    """
    removed: list[Removed] = []
    judged = 0
    stack = [root]
    while stack:
        element = stack.pop()
        kind = _manager(element)
        if kind is None and judged < MAX_JUDGED and _shaped(element):
            judged += 1
            kind = _judge_shaped(element)
        if kind and element is not root and not _holds_article(element):
            removed.append(Removed(kind, len(_text(element).split())))
            element.drop_tree()
            continue
        stack.extend(child for child in reversed(element) if isinstance(child.tag, str))
    return removed


def _manager(element: HtmlElement) -> str | None:
    ident = element.get("id")
    classes = element.get("class")
    found = (ident and _MANAGER_IDS.fullmatch(ident)) or (
        classes and next(filter(None, map(_MANAGER_CLASSES.fullmatch, classes.split())), None)
    )
    return CONSENT_MANAGERS[int(found.lastgroup[1:])][0] if found else None


def _dialog(element: HtmlElement) -> bool:
    return (
        element.tag == "dialog"
        or (element.get("role") or "").lower() in OVERLAY_ROLES
        or (element.get("aria-modal") or "").lower() == "true"
    )


def _shaped(element: HtmlElement) -> bool:
    """Whether the element is built like an overlay: its tag, role, modality, position or name say so."""
    names = " ".join(filter(None, (element.get("id"), element.get("class"), element.get("data-testid"))))
    label = element.get("aria-label")
    return (
        _dialog(element)
        or bool(FIXED.search(element.get("style") or ""))
        or bool(names and (OVERLAY_NAME.search(names) or PAYWALL_MARKUP.search(names)))
        or bool(label and any(concept.search(label) for concept in CONSENT_WORDING[:4]))
    )


def _judge_shaped(element: HtmlElement) -> str | None:
    """An overlay-shaped element is a consent or paywall overlay by its wording, and mostly prose.

    A site's navigation bar full of links to its privacy policy and cookie settings is not a banner:
    at most half of an overlay's words may be link text. An element shaped only by its class name or
    position that holds the page's <h1> is the article's header (a story about cookie law), not a banner.
    """
    text = _text(element)
    words = len(text.split())
    if not words or words > OVERLAY_MAX_WORDS:
        return None
    if not _dialog(element) and next(element.iterdescendants("h1"), None) is not None:
        return None
    links = 0
    for link in element.iterdescendants("a"):
        links += len(_text(link).split())
        if links * 2 > words:
            return None
    concepts = [bool(concept.search(text)) for concept in CONSENT_WORDING]
    if (concepts[0] or concepts[1]) and sum(concepts) >= CONSENT_MIN_CONCEPTS:
        return "consent overlay"
    names = " ".join(filter(None, (element.get("id"), element.get("class"))))
    if PAYWALL_MARKUP.search(names) and words <= PAYWALL_MAX_WORDS and PAYWALL_WORDING.search(text):
        return "paywall overlay"
    return None


def _text(element: HtmlElement) -> str:
    """The element's text, read no further than a long overlay's worth of characters."""
    pieces, size = [], 0
    for piece in element.itertext():
        pieces.append(piece)
        size += len(piece)
        if size > TEXT_LIMIT:
            break
    return " ".join(pieces)


def _holds_article(element: HtmlElement) -> bool:
    return element.tag in PROTECTED or next(element.iterdescendants(*PROTECTED), None) is not None


# One pattern per attribute, a group per manager: an element is matched once, not once per manager.
_MANAGER_IDS = re.compile("|".join(f"(?P<m{i}>{ids})" for i, (_, ids, _) in enumerate(CONSENT_MANAGERS)))
_MANAGER_CLASSES = re.compile(
    "|".join(f"(?P<m{i}>{classes})" for i, (_, _, classes) in enumerate(CONSENT_MANAGERS))
)
