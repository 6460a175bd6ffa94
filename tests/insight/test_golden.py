"""Blame and sentence edits of real series against golden files, each checked by eye.

An edits file lists a version pair's actions, one a line: `+` addition, `-` deletion, `~` edit
(as a word diff, [-removed-]{+added+}), `↕` refactor. A blame file lists the latest version's paragraphs, each with the
version it stands since and, in brackets, its sentences' versions. Rewrite them with
VERSIONER_UPDATE_GOLDEN=1, then read the changes before committing them.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import corpus_series, ingest_all

from versioner.diff.engine import diff_words
from versioner.insight.blame import blame
from versioner.insight.edits import sentence_edits
from versioner.insight.sentences import guess_language

GOLDEN = Path(__file__).parent / "golden"
CUT = 160  # characters of a sentence or paragraph shown


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    series: str
    pair: tuple[int, int]  # version numbers, as the archive counts them
    credit: str


CASES = [
    Case("wikipedia-rewrite", "wikipedia-revisions-en", "harwich", (3, 4), "Wikipedia, CC BY-SA 3.0"),
    Case("statute-amendment", "bundesgit-gesetze-de", "sgb-1", (5, 6), "German federal statute (§ 5 UrhG)"),
    Case(
        "policy-clause-edits",
        "pga-versions",
        "bluesky-terms-of-service-md",
        (1, 2),
        "Platform Governance Archive",
    ),
]


def cut(text: str | None) -> str:
    text = (text or "").replace("\n", "⏎")
    return text if len(text) <= CUT else text[:CUT] + "…"


def render_edits(edits: list[dict]) -> str:
    marks = {"addition": "+", "deletion": "-", "edit": "~", "refactor": "↕"}
    lines = []
    for e in edits:
        mark = marks[e["action"]]
        if e["action"] == "edit":
            ops = diff_words(e["old"], e["new"])
            lines.append("~ " + "".join({"=": t, "-": f"[-{t}-]", "+": f"{{+{t}+}}"}[op] for op, t in ops))
        else:
            lines.append(f"{mark} {cut(e['new'] if e['new'] is not None else e['old'])}")
    return "\n".join(lines)


def render_blame(data: dict) -> str:
    lines = []
    for p in data["paragraphs"]:
        ages = " ".join(f"v{s['since']}" for s in p["sentences"])
        lines.append(f"v{p['since']} [{ages}] {cut(p['text'])}")
    return "\n".join(lines)


def check(name: str, text: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("VERSIONER_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
        pytest.skip(f"rewrote {golden.name}: read it before committing")
    assert text == golden.read_text(encoding="utf-8")


@pytest.fixture(params=CASES, ids=[case.name for case in CASES])
def archived(request, store, corpus):
    case = request.param
    ingest_all(store, corpus_series(corpus, case.source, case.series))
    article = store.articles(limit=1)[0]
    return case, article


def test_real_pair_edits_match_their_golden_file(archived, store):
    case, article = archived
    old, new = (store.version(article["id"], n) for n in case.pair)
    edits = sentence_edits(old.text, new.text, guess_language(new.text))
    head = f"# {case.source}/{case.series} versions {case.pair[0]} -> {case.pair[1]} ({case.credit})\n"
    check(f"{case.name}.edits.txt", head + render_edits(edits) + "\n")


def test_real_series_blame_matches_its_golden_file(archived, store):
    case, article = archived
    data = blame(store, article)
    head = f"# {case.source}/{case.series} version {data['n']} ({case.credit})\n"
    check(f"{case.name}.blame.txt", head + render_blame(data) + "\n")
