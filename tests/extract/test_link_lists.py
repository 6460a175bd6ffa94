"""What belongs to an article's text: its own lists of documents and of earlier versions do; navigation and related articles do not."""

from versioner.extract.html import extract
from versioner.extract.normalize import normalise

STORY = "".join(
    f"<p>{p}</p>"
    for p in (
        "The harbour council voted on Tuesday to approve the first phase of the new ferry terminal.",
        "Residents of the old quarter had asked for a review of the traffic plan during the works.",
        "The mayor said construction would begin in the spring and that the terminal should open in 2027.",
        "Opposition members called the budget of 48 million euros unrealistic and asked for an audit.",
    )
)


def text_of(in_article: str, elsewhere: str = "") -> list[str]:
    raw = (
        "<!doctype html><html><head><title>Ferry terminal</title></head><body><main><article><h1>Ferry terminal"
        f"</h1>{STORY}{in_article}</article></main>{elsewhere}</body></html>"
    )
    return normalise(extract(raw.encode())).text.split("\n\n")


def links(*items: tuple[str, str]) -> str:
    return "<ul>" + "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in items) + "</ul>"


def test_a_list_of_the_documents_files_is_part_of_its_text():
    annexes = links(
        ("/annex-1.pdf", "Annex 1: budget tables of the terminal"),
        ("/annex-2.docx", "Annex 2: traffic study"),
    )
    assert text_of(annexes)[-2:] == ["Annex 1: budget tables of the terminal", "Annex 2: traffic study"]


def test_a_list_of_earlier_versions_is_part_of_the_text():
    earlier = links(("/terms/2024", "14 March 2024"), ("/terms/2023", "Version 2.1"))
    assert text_of(earlier)[-2:] == ["14 March 2024", "Version 2.1"]


def test_a_related_articles_list_inside_the_article_stays_out():
    related = links(
        ("/storm", "Storm closes the coastal road between two ports"), ("/schools", "Schools reopen")
    )
    assert not any("Storm closes" in p for p in text_of(related))


def test_a_document_list_in_the_navigation_stays_out():
    menu = (
        "<nav>"
        + links(("/report.pdf", "Annual report of the harbour"), ("/plan.pdf", "Harbour plan"))
        + "</nav>"
    )
    assert not any("Annual report" in p for p in text_of("", elsewhere=menu))


def test_a_new_annex_is_a_change_of_the_text():
    one = links(("/annex-1.pdf", "Annex 1: budget tables of the terminal"))
    two = links(
        ("/annex-1.pdf", "Annex 1: budget tables of the terminal"), ("/annex-2.pdf", "Annex 2: noise study")
    )
    assert text_of(one) != text_of(two)
