"""False versions and missed changes: the versions made against what really changed.

    python benchmarks/change_detection.py [--quick] [--verbose]

Two sets. The public ground truth, ../shared/corpus/ota-genai-eu-html (its README): Open Terms Archive
marks each capture whose text really changed (`ota_text_version_commit`) and gives the text in force
after it; a capture whose text in force is an error page is no change, nor is the return after it.
And pages built here: an unchanged article under the consent overlays of many managers and shapes, and
outages of soft 404s in each language of versioner/extract/error_pages.py between copies of it, with
one real one-word edit. A capture is a false version where a version starts at it without a real
change, a missed change where a real change starts none. The goal is 0 and 0, with no per-site rule.
"""

import json
import re
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diff_bench import corpus_dir  # noqa: E402

from versioner.capture import Capture  # noqa: E402
from versioner.extract.error_pages import error_in_text  # noqa: E402
from versioner.store import Store  # noqa: E402
from versioner.versioning import ingest  # noqa: E402

T0 = datetime(2025, 3, 4, 8, tzinfo=UTC)
LINK_TARGET = re.compile(r"\]\([^)]*\)")
DATE_LINE = re.compile(r"\s*(?:last )?(?:updated|effective)\b", re.IGNORECASE)
STORY = [
    "The harbour council voted on Tuesday to approve the first phase of the new ferry terminal.",
    "Residents of the old quarter had asked for a review of the traffic plan during the works.",
    "The mayor said the terminal should open to passengers in the summer of 2027, on schedule.",
]
CONSENT = {
    "OneTrust": '<div id="onetrust-consent-sdk"><p>We and our {n} partners store and access information on a '
    "device, such as cookies, for personalised ads.</p></div>",
    "Didomi": '<div id="didomi-host"><p>Wir und unsere {n} Partner verwenden Cookies und verarbeiten '
    "personenbezogene Daten.</p></div>",
    "Quantcast": '<div id="qc-cmp2-container"><p>We and our {n} partners process personal data.</p></div>',
    "dialog, fr": '<div role="dialog"><p>Nous et nos {n} partenaires utilisons des cookies et des données '
    "personnelles pour la publicité.</p></div>",
    "fixed, it": '<div style="position:fixed"><p>Noi e {n} fornitori utilizziamo cookie e dati personali con il '
    "tuo consenso.</p></div>",
    "banner, pl": '<div class="cookie-banner"><p>My i {n} partnerów używamy plików cookie; wyrażasz zgodę na '
    "reklamy.</p></div>",
}
SOFT_404 = {
    "en": "Page not found",
    "de": "Seite nicht gefunden",
    "fr": "Page introuvable",
    "es": "Página no encontrada",
    "it": "Pagina non trovata",
    "nl": "Pagina niet gevonden",
    "pt": "Página não encontrada",
    "pl": "Nie znaleziono strony",
    "sv": "Sidan kunde inte hittas",
}


def rows(corpus: Path, work: Path, quick: bool, verbose: bool = False) -> list[tuple]:
    """The report's rows: (figure, measured, baseline, ratio, target, verdict)."""
    built = _score(work / "cd-built.db", _built_series(), verbose)
    truth = _ota_series(corpus / "ota-genai-eu-html", quick)
    public = [_score(work / f"cd-ota-{n}.db", series, verbose) for n, series in enumerate(truth)]
    out = [_row("consent overlays, soft 404s", built)]
    if public:
        out.append(_row("public ground truth (OTA)", tuple(map(sum, zip(*public, strict=True)))))
    else:
        out.append(("false/missed, public ground truth", "no corpus", "", "", "0 / 0", "SKIP"))
    return out


def _row(name: str, score: tuple[int, int, int]) -> tuple:
    captures, false, missed = score
    verdict = "PASS" if false == missed == 0 else "MISS"
    return (
        f"false/missed, {name}",
        f"{false} false, {missed} missed",
        f"{captures} captures",
        "",
        "0 / 0",
        verdict,
    )


def _score(db: Path, series: list[tuple[Capture, bool | None]], verbose: bool) -> tuple[int, int, int]:
    """(captures, false versions, missed changes) of one series of (capture, really changed) in time order;
    a change of None (in link targets, spacing or dates only) counts either way."""
    store = Store(db)
    for capture, _ in series:
        ingest(store, capture)
    article = store.article_id_for_url(series[0][0].url)
    starts = {v.first_seen for v in store.versions(article)}
    store.close()
    false = missed = 0
    for capture, changed in series:
        if changed is None:
            continue
        started = capture.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ") in starts
        false += started and not changed
        missed += changed and not started
        if verbose and started != changed:
            print(f"{'false' if started else 'missed'}: {capture.url} {capture.source}", file=sys.stderr)
    return len(series), false, missed


def _built_series() -> list[tuple[Capture, bool]]:
    url = "https://www.harbourtimes.example/news/ferry"
    edited = [STORY[0], STORY[1].replace("traffic", "parking"), STORY[2]]
    plan = [(_page(STORY), True, "first")]
    plan += [(_page(STORY, o.format(n=100 + i)), False, m) for i, (m, o) in enumerate(CONSENT.items())]
    for lang, title in SOFT_404.items():
        plan += [(_page(["Sorry, we could not find what you asked for."], title=title), False, lang)] * 2
        plan.append((_page(STORY, CONSENT["OneTrust"].format(n=lang)), False, f"back after {lang}"))
    plan.append((_page(edited, CONSENT["Didomi"].format(n=7)), True, "edit"))
    return [
        (Capture(raw, url, T0 + timedelta(hours=i), label, "html"), changed)
        for i, (raw, changed, label) in enumerate(plan)
    ]


def _page(paragraphs: list[str], overlay: str = "", title: str = "Council approves ferry terminal") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title} | Harbour Times</title></head><body><nav><a href='/'>Home</a>"
        f"</nav><main><article><h1>{title}</h1>{body}</article></main>{overlay}</body></html>"
    ).encode()


def _ota_series(root: Path, quick: bool) -> list[list[tuple[Capture, bool]]]:
    """Each series as (capture, really changed): a new Open Terms Archive text that is no error page and
    differs from the last real text (the return after an error page is none)."""
    out = []
    metas = sorted(root.glob("*/meta.json"))
    if quick:  # the smallest series alone
        metas = sorted(metas, key=lambda m: sum(f.stat().st_size for f in m.parent.glob("v*")))[:1]
    for meta_file in metas:
        folder = meta_file.parent
        series, last = [], None
        for entry in json.loads(meta_file.read_text())["versions"]:
            text = (folder / entry["ota_text_file"]).read_text()
            error = len(text) < 3000 and error_in_text(text[:2000]) is not None
            changed = (
                False if error or text == last else None if last and _seen(text) == _seen(last) else True
            )
            last = text if not error else last
            at = datetime.fromisoformat(entry["captured_at"])
            raw = (folder / entry["file"]).read_bytes()
            series.append(
                (
                    Capture(
                        raw, f"https://ground-truth.example.org/{folder.name}", at, entry["file"], "html"
                    ),
                    changed,
                )
            )
        out.append(series)
    return out


def _seen(markdown: str) -> str:
    """What a reader sees of Open Terms Archive's Markdown: no link targets, dates or spacing."""
    kept = [line for line in markdown.splitlines() if not DATE_LINE.match(line)]
    return " ".join(LINK_TARGET.sub("]", " ".join(kept)).split())


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="versioner-cd-") as tmp:
        for row in rows(corpus_dir(), Path(tmp), "--quick" in sys.argv, verbose="--verbose" in sys.argv):
            print("  ".join(str(cell) for cell in row if cell))
