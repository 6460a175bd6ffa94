"""What the insight tests share: an article's URL, its paragraphs, a version written as a text file."""

URL = "https://www.harbourtimes.example/news/port-strike"
STRIKE = [
    "Dock workers began a 48-hour strike at dawn.",
    "The union wants a pay rise of 6 percent.",
    "Ferries run as normal.",
]
PORT = "The port authority called the strike illegal."


def body(title: str, paragraphs: list[str]) -> str:
    """A plain-text capture: the headline, then the paragraphs, blank lines between."""
    return "\n\n".join([title, *paragraphs]) + "\n"
