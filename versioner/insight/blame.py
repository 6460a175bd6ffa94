"""Blame: since which version each paragraph and sentence of a version has stood, word for word.

One pass backwards from version N, keeping the paragraphs and sentences of version N that every
version so far still holds, until none is left or version 1 is reached: no diff is computed, each text
is decoded once, and a sentence is looked for in the paragraph it was last found in first, so pysbd
splits only paragraphs that changed around a surviving sentence. Texts are compared as stored, after
the normalisation the versioning rule compares captures with (docs/how-changes-are-decided.md), so a
moved paragraph keeps its age. A paragraph removed and later put back stands again from its return: blame tells since when
the article has said this without a break (docs/research.md).
"""

from versioner.diff.engine import SEP
from versioner.errors import NotInArchive
from versioner.insight.sentences import guess_language, sentences
from versioner.store import Store


def blame(store: Store, article: dict, n: int | None = None) -> dict:
    """`versioner blame --json` and the blame page: version N's paragraphs and sentences with their ages."""
    versions = store.versions(article["id"])
    if not versions:
        raise NotInArchive(f"article {article['id']} has no versions yet")
    n = len(versions) if n is None else n
    if not 1 <= n <= len(versions):
        raise NotInArchive(f"article {article['id']} has versions 1 to {len(versions)}, not {n}")
    target = store.with_text(versions[n - 1]).text
    language = guess_language(target)
    paragraphs = _paragraphs(target)
    home: dict[str, str] = {}  # each sentence of version n → a paragraph of version n that holds it
    for paragraph in paragraphs:
        for sentence in sentences(paragraph, language):
            home.setdefault(sentence, paragraph)
    paragraph_since = dict.fromkeys(paragraphs, n)
    sentence_since = dict.fromkeys(home, n)
    standing, said = set(paragraph_since), set(sentence_since)
    for version in reversed(versions[: n - 1]):
        if not standing and not said:
            break
        text = store.with_text(version).text
        held = set(_paragraphs(text))
        flat = " ".join(text.split())
        standing &= held
        moved = [s for s in said if home[s] not in held and s in flat]
        found = _homes(held, moved, language)
        home.update(found)  # the next older version most likely has that paragraph as it is
        said = {s for s in said if home[s] in held}
        for paragraph in standing:
            paragraph_since[paragraph] = version.n
        for sentence in said:
            sentence_since[sentence] = version.n
    first_seen = {v.n: v.first_seen for v in versions}

    def aged(text: str, since: int) -> dict:
        return {"text": text, "since": since, "first_seen": first_seen[since]}

    return {
        "article": article["id"],
        "n": n,
        "paragraphs": [
            {
                **aged(p, paragraph_since[p]),
                "sentences": [aged(s, sentence_since[s]) for s in sentences(p, language)],
            }
            for p in paragraphs
        ],
    }


def _paragraphs(text: str) -> list[str]:
    return text.split(SEP) if text else []


def _homes(paragraphs: set[str], wanted: list[str], language: str) -> dict[str, str]:
    """For each wanted sentence that one of these paragraphs has among its own: that paragraph."""
    found: dict[str, str] = {}
    if not wanted:
        return found
    for paragraph in paragraphs:
        flat = " ".join(paragraph.split())
        inside = [s for s in wanted if s not in found and s in flat]
        if inside:
            own = set(sentences(paragraph, language))
            found.update((s, paragraph) for s in inside if s in own)
    return found
