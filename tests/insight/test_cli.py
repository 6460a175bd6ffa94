"""`versioner blame` and `versioner export jsonl|csv`, run as real processes on a real database."""

import csv
import io
import json

from helpers import versioner_text
from insight_fixtures import PORT, STRIKE, URL, body

A, B, C = STRIKE
D = PORT


def stored(tmp_path, versions: list[list[str]], titles: list[str] | None = None):
    db = tmp_path / "versioner.db"
    for k, paragraphs in enumerate(versions):
        page = tmp_path / f"v{k}.txt"
        page.write_text(body(titles[k] if titles else "Port strike begins", paragraphs))
        versioner_text(db, "ingest", "--url", URL, "--fetched-at", f"2025-05-01T{6 + 3 * k:02d}:00:00Z", page)
    return db


def test_blame_json_gives_each_paragraph_the_version_it_stands_since(tmp_path):
    db = stored(tmp_path, [[A, B, C], [A, B, C, D], [A, B.replace("6", "8"), D, C]])
    data = json.loads(versioner_text(db, "blame", URL, "3", "--json").stdout)
    assert (data["n"], [p["since"] for p in data["paragraphs"]]) == (3, [1, 3, 2, 1])


def test_blame_of_a_version_that_does_not_exist_is_a_clear_error(tmp_path):
    db = stored(tmp_path, [[A]])
    done = versioner_text(db, "blame", URL, "5", check=False)
    assert (done.returncode, "versions 1 to 1" in done.stderr, "Traceback" in done.stderr) == (1, True, False)


def test_export_jsonl_has_a_line_per_version_pair_with_its_edits(tmp_path):
    db = stored(tmp_path, [[A, B, C], [A, B, C, D], [A, B.replace("6", "8"), D, C]])
    out = tmp_path / "edits.jsonl"
    versioner_text(db, "export", "jsonl", out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [([r["old_n"], r["new_n"]], [e["action"] for e in r["edits"]]) for r in rows] == [
        ([1, 2], ["addition"]),
        ([2, 3], ["edit", "refactor"]),
    ]


def test_export_to_stdout_writes_only_the_records(tmp_path):
    db = stored(tmp_path, [[A], [A, B]])
    done = versioner_text(db, "export", "jsonl", "-")
    assert [json.loads(line)["url"] for line in done.stdout.splitlines()] == [URL]
    assert done.stderr == ""


def test_export_csv_has_a_row_per_edit_and_one_for_a_pair_without_any(tmp_path):
    db = stored(tmp_path, [[A], [A, B], [A, B]], titles=["Strike", "Strike", "Strike ends"])
    rows = list(csv.DictReader(io.StringIO(versioner_text(db, "export", "csv", "-").stdout)))
    assert [(r["new_n"], r["action"], r["new"], r["new_title"]) for r in rows] == [
        ("2", "addition", B, "Strike"),
        ("3", "", "", "Strike ends"),
    ]


def test_export_since_leaves_out_pairs_whose_newer_version_is_older(tmp_path):
    db = stored(tmp_path, [[A], [A, B], [A, B, C]])
    done = versioner_text(db, "export", "jsonl", "-", "--since", "2025-05-01T10:00:00Z")
    assert [json.loads(line)["new_n"] for line in done.stdout.splitlines()] == [3]


def test_export_of_another_site_is_empty(tmp_path):
    db = stored(tmp_path, [[A], [A, B]])
    assert versioner_text(db, "export", "jsonl", "-", "--site", "elsewhere.example").stdout == ""


def test_export_with_a_time_that_is_not_one_is_a_clear_error(tmp_path):
    db = stored(tmp_path, [[A], [A, B]])
    done = versioner_text(db, "export", "csv", tmp_path / "out.csv", "--since", "yesterday", check=False)
    assert (done.returncode, "not an ISO 8601 time" in done.stderr, (tmp_path / "out.csv").exists()) == (
        1,
        True,
        False,
    )
