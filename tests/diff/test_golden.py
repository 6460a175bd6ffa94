"""Real version pairs against golden renderings of their diffs, each checked by eye.

A golden file shows the stats, then every changed paragraph as [-removed-]{+added+} with a little
unchanged context (⟨…⟩ marks what was cut). Rewrite them with VERSIONER_UPDATE_GOLDEN=1, then
read the changes before committing them.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from versioner.diff.engine import Block, VersionDiff, diff_versions
from versioner.diff.tokens import Op, tokenize

GOLDEN = Path(__file__).parent / "golden"
SNAPSHOTS = Path(__file__).resolve().parents[2] / "snapshots"
CONTEXT = 12  # unchanged tokens kept either side of a change


@dataclass(frozen=True)
class Case:
    name: str
    series: str  # under the corpus, or under snapshots/ for the seed
    old: str
    new: str
    credit: str


CASES = [
    Case(
        "seed-update", "heute-kursk", "2025-02-07T11-35-00Z.txt", "2025-02-07T11-54-00Z.txt", "seed snapshots"
    ),
    Case(
        "statute-amendment",
        "bundesgit-gesetze-de/sgb-1",
        "v05.md",
        "v06.md",
        "German federal statute (§ 5 UrhG), via bundesgit",
    ),
    Case(
        "policy-clause-edits",
        "pga-versions/bluesky-terms-of-service-md",
        "v01.md",
        "v02.md",
        "Platform Governance Archive, ODC-By 1.0",
    ),
    Case(
        "wikipedia-rewrite", "wikipedia-revisions-en/harwich", "v03.txt", "v04.txt", "Wikipedia, CC BY-SA 3.0"
    ),
    Case(
        "wikipedia-moved-paragraph",
        "wikipedia-revisions-en/history-of-london",
        "v04.txt",
        "v05.txt",
        "Wikipedia, CC BY-SA 3.0",
    ),
]


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, trimmed, as the extractor hands them over."""
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def version(folder: Path, name: str, seed: bool) -> tuple[str, str]:
    """(title, body) of one version file."""
    raw = (folder / name).read_text(encoding="utf-8")
    kept = paragraphs(raw)[:-1] if seed else paragraphs(raw)  # the seed ends in site chrome
    return "", "\n\n".join(kept)


def marked(op: str, text: str) -> str:
    return {"=": text, "-": f"[-{text}-]", "+": f"{{+{text}+}}"}[op]


def excerpt(ops: tuple[Op, ...]) -> str:
    """The ops with long unchanged stretches cut down to CONTEXT tokens next to each change."""
    out = []
    for k, (op, text) in enumerate(ops):
        if op != "=":
            out.append(marked(op, text))
            continue
        words = tokenize(text)
        head = CONTEXT if k or len(ops) == 1 else 0
        tail = CONTEXT if k < len(ops) - 1 else 0
        if len(words) <= head + tail:
            out.append(text)
        else:
            out.append("".join(words[:head]) + "⟨…⟩" + "".join(words[len(words) - tail :]))
    return "".join(out)


def where(block: Block) -> str:
    return " -> ".join("_" if i is None else str(i + 1) for i in (block.old_index, block.new_index))


def render(diff: VersionDiff) -> str:
    """The diff as a person reads it, equal paragraphs left out."""
    s = diff.stats
    lines = [
        f"{s['kind']}: {s['summary']}",
        f"words +{s['words_added']} -{s['words_removed']}, paragraphs +{s['paragraphs_added']} "
        f"-{s['paragraphs_removed']} changed {s['paragraphs_changed']} moved {s['paragraphs_moved']}",
    ]
    for field, ops in (("title", diff.title), ("byline", diff.byline)):
        if any(op != "=" for op, _ in ops):
            lines.append(f"{field}: " + "".join(marked(*op) for op in ops))
    for block in diff.blocks:
        if block.op != "equal":
            lines += ["", f"@@ {block.op} {where(block)}", excerpt(block.ops)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_real_pair_matches_its_golden_diff(case: Case, request):
    seed = case.name == "seed-update"
    folder = SNAPSHOTS / case.series if seed else request.getfixturevalue("corpus") / case.series
    (old_title, old_body), (new_title, new_body) = (
        version(folder, case.old, seed),
        version(folder, case.new, seed),
    )
    diff = diff_versions(old_title, "", old_body, new_title, "", new_body)
    text = f"# {case.series} {case.old} -> {case.new} ({case.credit})\n" + render(diff)
    golden = GOLDEN / f"{case.name}.txt"
    if os.environ.get("VERSIONER_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
        pytest.skip(f"rewrote {golden.name}: read it before committing")
    assert text == golden.read_text(encoding="utf-8")
