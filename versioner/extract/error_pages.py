"""Error pages served in place of the article, in the languages of the news world, whatever the HTTP status.

Servers answer a missing or broken page with status 200 often enough ("soft 404s"): the page then
reads as a much shorter article. ERROR_PHRASES is the one table of what such pages say, per language.
A page is an error page when its title, or one part of a title such as "Seite nicht gefunden | Site",
is one of these phrases, whatever the page's length; or when a short page (rejection.py says how
short) says one anywhere. An article about broken links may mention "page not found" in its text; it
is neither titled so nor short.
"""

import re

ERROR_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "page not found",
        "404 not found",
        "this page isn[’']t available",
        "page (?:does not|doesn[’']t) exist",
        "an unexpected error has occurred",
        "internal server error",
        "bad gateway",
        "503 service unavailable",
        "service (?:temporarily )?unavailable",
        "we couldn[’']t find (?:that|the|this) page",
        "the page you (?:are|were|’re|'re) looking for (?:does not|doesn[’']t|cannot|can[’']t|could not|couldn[’']t)",
    ),
    "de": (
        "seite (?:wurde )?nicht gefunden",
        "diese seite (?:ist|existiert) nicht",
        "seite existiert nicht",
        "die (?:gewünschte|angeforderte) seite (?:konnte|wurde|existiert|ist)",
        "fehler 404",
        "leider konnten wir die (?:gewünschte|angeforderte) seite nicht finden",
        "seite nicht verfügbar",
    ),
    "fr": (
        "page non trouvée",
        "page introuvable",
        "cette page n[’']existe (?:pas|plus)",
        "la page (?:que vous (?:recherchez|cherchez|demandez) )?(?:est )?introuvable",
        "erreur 404",
        "page indisponible",
    ),
    "es": (
        "página no encontrada",
        "no se (?:ha )?encontr(?:ó|ado) la página",
        "la página que buscas no existe",
        "esta página no existe",
        "error 404",
        "página no disponible",
    ),
    "it": (
        "pagina non trovata",
        "la pagina (?:che stai cercando|richiesta) non esiste",
        "questa pagina non esiste",
        "errore 404",
        "pagina non disponibile",
    ),
    "nl": (
        "pagina niet gevonden",
        "de pagina die u zoekt bestaat niet",
        "deze pagina bestaat niet",
        "de pagina (?:die je zoekt|is) (?:niet gevonden|bestaat niet)",
        "fout 404",
    ),
    "pt": (
        "página não encontrada",
        "a página que (?:procura|você procura|está a procurar) não existe",
        "esta página não existe",
        "erro 404",
        "página indisponível",
    ),
    "pl": (
        "nie znaleziono strony",
        "strona nie (?:została )?znaleziona",
        "strona nie istnieje",
        "błąd 404",
        "strona niedostępna",
        "nie możemy znaleźć (?:tej )?strony",
    ),
    "sv": (
        "sidan (?:kunde inte hittas|hittades inte|finns inte)",
        "sidan du söker finns inte",
        "fel 404",
        "sidan är inte tillgänglig",
    ),
}
# Words that set apart the parts of a page's title: "Page not found | The Paper", "404 – Seite nicht gefunden".
TITLE_PARTS = re.compile(r"\s+[|–—·•:-]\s+|\s*[|–—·•]\s*")

_ANY = "|".join(f"(?:{phrase})" for phrases in ERROR_PHRASES.values() for phrase in phrases)
ANYWHERE = re.compile(rf"(?<!\w)(?:{_ANY})(?!\w)", re.IGNORECASE)
# A title part may lead with the status or the word for error: "404 Page not found", "Error: ..."
WHOLE = re.compile(
    rf"(?:(?:\d{{3}}|error|fehler|erreur|errore|fout|erro|błąd|fel)\W*)?(?:{_ANY})[.!]?", re.IGNORECASE
)


def error_in_title(title: str) -> str | None:
    """The error phrase a page's title (or one part of it) consists of, if any."""
    for part in [title, *TITLE_PARTS.split(title)]:
        part = part.strip()
        if part and WHOLE.fullmatch(part):
            return part
    return None


def error_in_text(text: str) -> str | None:
    """The first error phrase a short page's text says, if any."""
    found = ANYWHERE.search(text)
    return found.group(0) if found else None
