"""Consent and paywall overlays never reach the article's text; an article that merely talks of cookies keeps its own."""

import pytest
import trafilatura
from helpers import CORPUS

from versioner.extract.decode import decode
from versioner.extract.html import extract
from versioner.extract.normalize import normalise
from versioner.extract.overlays import CONSENT_MANAGERS, remove_overlays

STORY = (
    "The water board voted on Monday to close the old pumping station by the end of next year.",
    "Engineers said the new station on the east bank would handle twice the flow in a storm.",
    "Residents asked whether the riverside path would stay open during the two years of works.",
)
CONSENT_TEXT = (
    "We and our 312 partners use cookies and similar technologies to store and access information on "
    "your device and to process personal data for personalised advertising and measurement."
)
# The root each manager's script inserts, as its id or class names it (one of each manager's spellings).
VENDOR_ROOTS = {
    "OneTrust": 'id="onetrust-consent-sdk"',
    "Cookiebot": 'id="CybotCookiebotDialog"',
    "Didomi": 'id="didomi-host"',
    "Usercentrics": 'id="usercentrics-root"',
    "CookieYes": 'class="cky-consent-container cky-box-bottom-left"',
    "Quantcast": 'id="qc-cmp2-container"',
    "Sourcepoint": 'id="sp_message_container_998877"',
    "TrustArc": 'id="truste-consent-track"',
    "tarteaucitron": 'id="tarteaucitronRoot"',
    "Axeptio": 'id="axeptio_overlay"',
    "Complianz": 'id="cmplz-cookiebanner-container"',
    "Klaro": 'id="klaro"',
    "iubenda": 'id="iubenda-cs-banner"',
    "Borlabs": 'id="BorlabsCookieBox"',
    "Osano": 'class="osano-cm-window"',
    "cookieconsent": 'class="cc-window cc-banner"',
}


def page(body_extra: str = "", paragraphs=STORY, title: str = "Pumping station to close") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><header><a href='/'>The Gazette</a>"
        f"</header><main><article><h1>{title}</h1>{body}</article></main>{body_extra}</body></html>"
    ).encode()


def text_of(raw: bytes) -> str:
    return normalise(extract(raw)).text


def test_every_consent_manager_in_the_list_has_a_test_page():
    assert {name for name, _, _ in CONSENT_MANAGERS} == set(VENDOR_ROOTS)


@pytest.mark.parametrize("manager", sorted(VENDOR_ROOTS))
def test_a_consent_managers_overlay_is_not_article_text(manager):
    overlay = (
        f"<div {VENDOR_ROOTS[manager]}><div><p>{CONSENT_TEXT}</p><button>Accept all</button></div></div>"
    )
    assert text_of(page(overlay)) == text_of(page())


@pytest.mark.parametrize(
    "shape",
    [
        "<dialog open><p>{}</p><button>OK</button></dialog>",
        '<div role="dialog" class="x1 x2"><p>{}</p></div>',
        '<div aria-modal="true"><p>{}</p></div>',
        '<div style="position: fixed; bottom: 0"><p>{}</p></div>',
        '<section class="site-cookie-banner"><p>{}</p></section>',
    ],
)
def test_an_overlay_shaped_element_about_consent_is_removed_whoever_made_it(shape):
    assert text_of(page(shape.format(CONSENT_TEXT))) == text_of(page())


@pytest.mark.parametrize(
    "wording",
    [
        "Nous et nos partenaires utilisons des cookies pour mesurer l'audience et personnaliser les publicités.",
        "Wir und unsere Partner verwenden Cookies und verarbeiten personenbezogene Daten für Werbung.",
        "Utilizziamo cookie e, previo tuo consenso, condividiamo dati personali con i nostri fornitori.",
        "Używamy plików cookie i przetwarzamy dane osobowe w celach reklamowych; wyrażasz zgodę.",
        "Vi och våra partner använder kakor och behandlar personuppgifter för reklam, med ditt samtycke.",
    ],
)
def test_a_consent_dialog_in_another_language_is_removed(wording):
    assert text_of(page(f'<div role="dialog"><p>{wording}</p></div>')) == text_of(page())


def test_an_article_about_cookies_keeps_its_text():
    recipe = (
        "These butter cookies keep for a week in a tin, and the dough freezes well for a month.",
        "Cream the butter with the sugar, add the egg, then fold in the flour and a pinch of salt.",
        "Bake the cookies at 180 degrees for twelve minutes, until the edges turn golden.",
    )
    assert text_of(page(paragraphs=recipe, title="Butter cookies")).split("\n\n") == list(recipe)


def test_an_article_about_consent_and_privacy_law_keeps_its_text():
    story = (
        "Regulators fined the publisher because its cookie banner did not ask for consent before tracking.",
        "The privacy authority said partners received personal data from readers who had refused.",
        "The publisher said it would change the consent dialog and appeal against the fine.",
    )
    assert text_of(page(paragraphs=story, title="Publisher fined over cookies")).split("\n\n") == list(story)


def test_an_article_header_shaped_like_a_banner_keeps_its_headline_and_lead():
    lead = "Publishers must ask for consent before cookies track readers, and name every partner, the court said."
    header = f'<div class="article-banner"><h1>Cookie consent ruling</h1><p>{lead}</p></div>'
    raw = (
        f"<!doctype html><html><head><title>Cookie consent ruling</title></head><body>{header}<div>"
        + "".join(f"<p>{p}</p>" for p in STORY)
        + "</div></body></html>"
    )
    tree = trafilatura.load_html(raw)
    assert remove_overlays(tree) == []


def test_a_navigation_bar_of_privacy_links_is_not_taken_for_a_banner():
    nav = (
        '<div class="banner"><a href="/privacy">Privacy policy</a> <a href="/cookies">Cookie settings</a> '
        '<a href="/partners">Our partners</a> <a href="/consent">Manage consent</a></div>'
    )
    tree = trafilatura.load_html(page(nav).decode())
    assert remove_overlays(tree) == []


def test_a_short_paywall_overlay_goes_and_a_long_locked_article_stays():
    wall = (
        '<div class="paywall"><p>Subscribe to read the whole story. Already a subscriber? Log in.</p></div>'
    )
    assert text_of(page(wall)) == text_of(page())
    locked = '<div class="paywall">' + "".join(f"<p>{p} Subscribe.</p>" for p in STORY * 20) + "</div>"
    tree = trafilatura.load_html(page(locked).decode())
    assert remove_overlays(tree) == []


def test_deeply_nested_dialogs_go_as_one_overlay():
    nested = '<div role="dialog">' * 200 + f"<p>{CONSENT_TEXT}</p>" + "</div>" * 200
    tree = trafilatura.load_html(page(nested).decode())
    assert [r.kind for r in remove_overlays(tree)] == ["consent overlay"]


def test_thousands_of_dialogs_leave_the_article_whole():
    dialogs = "".join(
        f'<div role="dialog"><p>Notice {i}: the office opens at nine.</p></div>' for i in range(5000)
    )
    assert text_of(page(dialogs)).startswith(text_of(page()))


def test_a_real_pages_cookie_dialog_is_removed_and_its_policy_text_kept():
    path = CORPUS / "ota-genai-eu-html" / "llama-api-acceptable-use-policy" / "v03.html"
    if not path.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    tree = trafilatura.load_html(decode(path.read_bytes(), None))
    [removed] = remove_overlays(tree)
    assert removed.kind == "consent overlay"
    text = text_of(path.read_bytes())
    assert "Essential cookies" not in text and "Prohibited Uses" in text
