"""Blame: since which version each paragraph and sentence of a version has stood, word for word.

One pass over the versions up to N, keeping for each paragraph and sentence of the version before the
version from which it has stood without a break: no diff is computed, so a history of hundreds of
versions costs one decode of each text. Texts are compared as stored, after the normalisation the
versioning rule compares captures with (docs/how-changes-are-decided.md), so a moved paragraph keeps
its age. A paragraph removed and later put back stands again from its return: blame tells since when
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
    language = guess_language(store.with_text(versions[n - 1]).text)
    paragraph_since: dict[str, int] = {}
    sentence_since: dict[str, int] = {}
    paragraphs: list[str] = []
    for version in versions[:n]:
        text = store.with_text(version).text
        paragraphs = text.split(SEP) if text else []
        paragraph_since = {p: paragraph_since.get(p, version.n) for p in paragraphs}
        sentence_since = {
            s: sentence_since.get(s, version.n) for p in paragraphs for s in sentences(p, language)
        }
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
