"""Error pages served in place of the article are rejected with a reason in every language of the table, whatever the status."""

import pytest

from versioner.extract.error_pages import ERROR_PHRASES
from versioner.extract.html import extract
from versioner.extract.normalize import normalise
from versioner.extract.rejection import intrinsic_reason

# What a site's error page says, in its title and its one short text (written for these tests).
SOFT_404 = {
    "en": ("Page not found", "Sorry, we couldn't find that page. It may have moved. Try searching the site."),
    "de": (
        "Seite nicht gefunden",
        "Die angeforderte Seite konnte leider nicht gefunden werden. Zur Startseite.",
    ),
    "fr": ("Page introuvable", "Désolé, cette page n'existe plus ou a été déplacée. Revenez à l'accueil."),
    "es": ("Página no encontrada", "Lo sentimos, esta página no existe. Vuelve a la portada del diario."),
    "it": ("Pagina non trovata", "Ci dispiace, la pagina richiesta non esiste. Torna alla home page."),
    "nl": ("Pagina niet gevonden", "Sorry, deze pagina bestaat niet meer. Ga naar de voorpagina."),
    "pt": ("Página não encontrada", "Lamentamos, esta página não existe. Volte à página inicial do jornal."),
    "pl": ("Nie znaleziono strony", "Przepraszamy, strona nie istnieje lub została przeniesiona."),
    "sv": ("Sidan kunde inte hittas", "Tyvärr, sidan du söker finns inte. Gå till startsidan."),
}


def error_page(title: str, text: str, heading: str | None = None) -> bytes:
    return (
        f"<!doctype html><html><head><title>{title} | Dagbladet</title></head><body><header><a href='/'>"
        f"Dagbladet</a></header><main><h1>{heading or title}</h1><p>{text}</p></main></body></html>"
    ).encode()


def reason_for(raw: bytes, status: int = 200) -> str | None:
    return intrinsic_reason(normalise(extract(raw)), status)


def test_the_table_covers_every_language_tested():
    assert set(ERROR_PHRASES) >= set(SOFT_404)


@pytest.mark.parametrize("lang", sorted(SOFT_404))
def test_a_soft_404_served_with_status_200_is_rejected_with_a_reason(lang):
    title, text = SOFT_404[lang]
    reason = reason_for(error_page(title, text))
    assert reason and "error page" in reason


@pytest.mark.parametrize("lang", sorted(SOFT_404))
def test_a_soft_404_is_known_by_its_text_under_a_neutral_title(lang):
    _, text = SOFT_404[lang]
    assert reason_for(error_page("Dagbladet", text, heading="Oops")) is not None


def test_an_article_that_mentions_page_not_found_is_not_an_error_page():
    story = " ".join(
        ["Link rot is everywhere: a study found that readers now meet 'page not found' on one link in four."]
        + [
            "Archivists said the web forgets faster than libraries ever did, and urged publishers to keep old URLs."
        ]
        * 30
    )
    assert reason_for(error_page("Why the web forgets", story)) is None
