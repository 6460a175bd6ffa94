"""Reading snapshots: encodings, binary refusal, HTML and text extraction."""

import codecs

import pytest

from versioner.errors import SnapshotError
from versioner.extract.decode import decode
from versioner.extract.html import extract

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Site | Headline</title>
<meta property="article:published_time" content="2025-06-14T09:41:00+01:00">
<meta property="article:modified_time" content="2025-06-14T10:32:00+01:00"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>Council approves harbour plan</h1>
<p>The council approved the harbour plan on Tuesday after a debate that lasted well into the night.</p>
<p>Work on the first phase starts in May, the mayor said.<br>Costs are estimated at four million.</p>
</article><footer>Imprint · Privacy</footer></body></html>"""


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG"),
        (b"\x00" * 4096, "binary"),
        (b"%PDF-1.7\n...", "PDF"),
    ],
)
def test_unreadable_content_is_an_error(raw, message):
    with pytest.raises(SnapshotError, match=message):
        decode(raw)


def test_latin1_declared_as_utf8_is_still_read():
    raw = '<html><head><meta charset="utf-8"></head><body><p>Grüße aus Köln, schöne Straße.</p></body></html>'
    assert "Grüße aus Köln" in decode(raw.encode("latin-1"), declared="utf-8")


def test_utf16_with_bom_is_read():
    assert decode(codecs.BOM_UTF16_LE + "Größe".encode("utf-16-le")) == "Größe"


def test_utf8_bom_is_dropped():
    assert decode(codecs.BOM_UTF8 + b"Headline") == "Headline"


def test_html_gives_title_paragraphs_and_declared_times():
    got = extract(PAGE.encode(), "html")
    assert got.title == "Council approves harbour plan"
    assert got.paragraphs[0].startswith("The council approved")
    assert (
        got.paragraphs[1]
        == "Work on the first phase starts in May, the mayor said.\nCosts are estimated at four million."
    )
    assert got.published.isoformat() == "2025-06-14T09:41:00+01:00"
    assert got.updated.isoformat() == "2025-06-14T10:32:00+01:00"
    assert not any("Imprint" in p or "Home" in p for p in got.paragraphs)


def test_html_is_sniffed_without_a_hint():
    assert extract(PAGE.encode()).title == "Council approves harbour plan"


def test_text_first_paragraph_is_the_headline():
    got = extract(b"Harbour plan approved\n\nFirst paragraph.\n\nSecond paragraph.\n", "text")
    assert got.title == "Harbour plan approved"
    assert got.paragraphs == ("First paragraph.", "Second paragraph.")


def test_text_kicker_above_headline_joins_it():
    got = extract(b"Russen in Panik\n\nUkraine durchbricht Front bei Kursk\n\nText.", "text")
    assert got.title == "Russen in Panik: Ukraine durchbricht Front bei Kursk"
    assert got.paragraphs == ("Text.",)


def test_html_without_article_gives_no_paragraphs():
    assert extract(b"<html><body><nav>Home</nav></body></html>", "html").paragraphs == ()


def test_deeply_nested_html_does_not_crash():
    raw = (
        "<html><body>"
        + "<div>" * 5000
        + "<p>Deep text that is the only content here.</p>"
        + "</div>" * 5000
        + "</body></html>"
    ).encode()
    extract(raw, "html")  # either paragraphs or none, but no exception other than SnapshotError


def test_headline_and_kicker_repeated_in_the_body_are_dropped():
    page = PAGE.replace(
        "<h1>Council approves harbour plan</h1>", "<p>Harbour vote</p><h1>Council approves harbour plan</h1>"
    )
    got = extract(page.encode(), "html")
    assert got.paragraphs[0].startswith("The council approved")
