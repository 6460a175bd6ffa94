"""Paragraphs into sentences, knowing the abbreviations and quotes of the article's language.

pysbd does the splitting (its rules know "Dr.", "U.S.", "z. B.", "M." and sentences ending inside
quotes); the language is guessed once per article from its words, since the archive does not store one.
"""

import re
from collections import Counter
from functools import lru_cache

import pysbd

# A handful of the commonest function words of each language pysbd has rules for that the archive
# holds (docs/research.md); the language with most of them in a text is the text's language.
FUNCTION_WORDS = {
    "en": "the and of to in is that for with was on are by this from",
    "de": "der die das und ist nicht mit von den des dem sich auf für eine",
    "fr": "le la les et des est une que pour dans qui sur pas par du",
    "es": "el los las del que por una con para como pero más sus este",
    "it": "il della che per una sono del con gli nel alla anche come più",
    "nl": "het een van dat niet met voor zijn ook aan maar als wordt bij",
}
DEFAULT_LANGUAGE = "en"
_WORDS = {lang: set(words.split()) for lang, words in FUNCTION_WORDS.items()}
_WORD = re.compile(r"\w+")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
# pysbd lacks some citation abbreviations of statutes ("Abs. 1", "Nr. 2", "Art. 3"): a sentence that
# ends in a short capitalised word and a full stop, followed by one that starts with a number, is one.
_CITATION_END = re.compile(r"(?:^|\s)[A-ZÄÖÜ][a-zäöü]{0,3}\.$")
_STARTS_WITH_NUMBER = re.compile(r"^\d")
# Where a sentence could end inside a paragraph: without one, the paragraph is one sentence and
# pysbd (a few milliseconds a paragraph) need not be asked.
_INNER_END = re.compile(r"[.!?…:;][\"'»«“”„’)\]]*\s")
SPLIT_CACHE = 8192
# A line break before a table row ("| a | b |"), a list item ("* ", "- ", "+ ", "1. ", "2) ") or a heading.
_BLOCK_LINE = re.compile(r"\n(?=[ \t]*(?:\||[*+-][ \t]|#|\d{1,3}[.)][ \t]))")


def guess_language(text: str) -> str:
    """The language code whose function words are commonest in text (English when none is found)."""
    counts = Counter(word for word in _WORD.findall(text[:20_000].lower()))
    scores = {lang: sum(counts[w] for w in words) for lang, words in _WORDS.items()}
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] else DEFAULT_LANGUAGE


@lru_cache(maxsize=SPLIT_CACHE)
def sentences(paragraph: str, language: str = DEFAULT_LANGUAGE) -> tuple[str, ...]:
    """The sentences of one paragraph in order; together they hold all its words.

    A line break inside a paragraph is read as a space: statutes and wiki text are wrapped at a
    width, so their lines are not sentences (pysbd would end one at every line break). A line that
    starts a table row or a list item does start a new piece, split on its own: besides being right,
    it keeps pysbd, whose time grows faster than its input's length, off whole tables.
    """
    pieces = _BLOCK_LINE.split(paragraph)
    if len(pieces) > 1:
        return tuple(s for piece in pieces for s in sentences(piece, language))
    flat = " ".join(paragraph.split())
    if not _INNER_END.search(flat):
        return (flat,) if flat else ()
    pieces = [piece.strip() for piece in _segmenter(language).segment(flat)]
    out: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if out and not _LETTER_OR_DIGIT.search(piece):  # a closing mark split off ("_"): the sentence's end
            out[-1] = f"{out[-1]}{piece}"
        elif out and _CITATION_END.search(out[-1]) and _STARTS_WITH_NUMBER.match(piece):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return tuple(out)


@lru_cache(maxsize=len(FUNCTION_WORDS))
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False)
