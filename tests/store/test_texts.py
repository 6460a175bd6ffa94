"""Compact version texts: exact round trips, bounded chains, and readable through plain SQL."""

import asyncio
import random
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import T0, article_html, ingest_all, text_capture

from versioner.capture import Capture
from versioner.errors import StorageError
from versioner.ingest_files import ingest_paths
from versioner.search_results import search
from versioner.store import Store, codec, search_index
from versioner.store.integrity import check
from versioner.store.texts import register

ROOT = Path(__file__).resolve().parents[2]
BODY = "\n\n".join(
    f"Paragraph {i} tells the council's harbour story in some detail, part {i}." for i in range(40)
)


def test_text_round_trips_with_and_without_a_base():
    edited = BODY.replace("part 7.", "part 7, corrected.")
    rewritten = "\n\n".join(f"A different story, told in paragraph {i}." for i in range(30))
    assert codec.best_compression(BODY, []) == (None, codec.pack(BODY.encode()))
    assert codec.decompress(codec.best_compression(BODY, [])[1]) == BODY
    base_id, delta = codec.best_compression(edited, [(7, BODY)])
    assert base_id == 7 and codec.decompress(delta, BODY) == edited
    base_id, encoded = codec.best_compression(rewritten, [(7, BODY)])
    assert codec.decompress(encoded, BODY if base_id == 7 else None) == rewritten


def test_a_small_edit_costs_a_few_bytes(store):
    ingest_all(
        store,
        [text_capture("T\n\n" + BODY, 0), text_capture("T\n\n" + BODY.replace("part 7.", "part 8."), 10)],
    )
    stored, delta = store.db.execute("SELECT size, length(data) FROM texts ORDER BY id DESC").fetchone()
    assert delta < 100 < 2500 < stored


def test_a_revert_stores_no_second_copy(store):
    results = ingest_all(
        store, [text_capture("T\n\nOne.", 0), text_capture("T\n\nTwo.", 10), text_capture("T\n\nOne.", 20)]
    )
    assert store.db.execute("SELECT count(*) FROM texts").fetchone()[0] == 2
    assert store.version(results[0].article_id, 3).text == "One."


def test_chains_of_bases_stay_bounded_without_new_keyframes_and_every_version_reads_back(tmp_path):
    bodies = [BODY.replace("part 3.", f"part 3, edit {i}.") for i in range(codec.MAX_DEPTH * 4)]
    store = Store(tmp_path / "chain.db")
    results = ingest_all(store, [text_capture("T\n\n" + b, i) for i, b in enumerate(bodies)])
    deepest, keyframes, largest_delta = store.db.execute(
        "SELECT max(depth), count(*) FILTER (WHERE base_id IS NULL), max(length(data)) FILTER (WHERE depth > 0)"
        " FROM texts"
    ).fetchone()
    assert deepest == codec.MAX_DEPTH
    assert keyframes == 1  # a full chain branches off halfway down it instead
    assert largest_delta < 100
    fresh = Store(tmp_path / "chain.db")  # no cached texts
    assert [fresh.version(results[0].article_id, n).text for n in range(1, len(bodies) + 1)] == bodies


def test_version_texts_view_reads_in_plain_sqlite(tmp_path):
    db = tmp_path / "view.db"
    store = Store(db)
    ingest_paths(store, [ROOT / "snapshots"])
    want = {
        (v.article_id, v.n): store.with_text(v).text
        for a in store.articles()
        for v in store.versions(a["id"])
    }
    conn = sqlite3.connect(db)
    register(conn)
    got = {(a, n): t for a, n, t in conn.execute("SELECT article_id, n, text FROM version_texts")}
    assert got == want
    decoded = dict(conn.execute("SELECT hash, text FROM decoded_texts"))
    assert set(decoded.values()) == set(want.values())


def test_a_filtered_view_query_decodes_only_the_texts_it_returns(tmp_path):
    db = tmp_path / "many.db"
    store = Store(db)
    ingest_all(
        store,
        [
            text_capture(f"Story {a}\n\n{BODY} Edit {e}.", e, url=f"https://a.example/{a}")
            for a in range(20)
            for e in range(3)
        ],
    )
    article, depth = store.db.execute(
        "SELECT article_id, depth FROM texts ORDER BY id DESC LIMIT 1"
    ).fetchone()
    conn = sqlite3.connect(db)
    register(conn)
    reads = []
    conn.set_trace_callback(lambda sql: reads.append(sql) if "FROM texts WHERE id" in sql else None)
    (text,) = conn.execute(
        "SELECT text FROM version_texts WHERE article_id = ? AND n = 3", [article]
    ).fetchone()
    assert text.endswith("Edit 2.")
    assert 0 < len(reads) <= depth + 1  # its chain of bases, not the 60 texts of the database


def test_sqlite_utils_plugin_makes_the_view_readable(tmp_path):
    db = tmp_path / "cli.db"
    ingest_paths(Store(db), [ROOT / "snapshots"])
    done = subprocess.run(
        [
            Path(sys.executable).parent / "sqlite-utils",
            "query",
            str(db),
            "select text from version_texts where text like '%Sluzki%'",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Sluzki" in done.stdout


def test_datasette_plugin_makes_the_view_readable(tmp_path):
    from datasette.app import Datasette

    db = tmp_path / "ds.db"
    ingest_paths(Store(db), [ROOT / "snapshots"])

    async def fetch():
        response = await Datasette([str(db)]).client.get("/ds/version_texts.json?_shape=array&n=2&_size=50")
        return response.status_code, response.json()

    status, rows = asyncio.run(fetch())
    assert status == 200
    assert any("Sluzki" in row["text"] for row in rows)


def test_search_finds_words_of_an_older_version_with_a_snippet(store):
    ingest_all(
        store,
        [
            text_capture("Harbour\n\nThe mayor praised the plan.", 0),
            text_capture("Harbour\n\nThe council rejected the plan.", 10),
        ],
    )
    total, hits = search(store, "praised")
    assert total == 1 and hits[0]["n"] == 1
    assert "\x02praised\x03" in hits[0]["snippet"]
    assert search(store, "rejected")[1][0]["matching"] == [2]


def test_search_needs_every_term_in_one_version_not_one_paragraph(store):
    ingest_all(
        store,
        [
            text_capture("Harbour\n\nThe mayor praised the plan.\n\nFerries run late.", 0),
            text_capture("Harbour\n\nThe mayor praised the plan.\n\nFerries are cancelled.", 10),
        ],
    )
    assert search(store, "praised ferries")[1][0]["matching"] == [1, 2]  # in two paragraphs of each
    assert search(store, "harbour cancelled")[1][0]["matching"] == [2]  # headline and body
    assert search(store, "late cancelled") == (0, [])  # each in a version, never both in one
    assert search(store, '"plan ferries"') == (0, [])  # a phrase stays within its paragraph


def test_a_paragraph_shared_by_many_versions_is_indexed_once(store):
    bodies = [f"Harbour\n\n{BODY}\n\nUpdate {n}." for n in range(10)]
    ingest_all(store, [text_capture(body, n) for n, body in enumerate(bodies)])
    paragraphs = store.db.execute("SELECT count(*) FROM paragraphs").fetchone()[0]
    assert paragraphs == 1 + 40 + 10  # the headline, the shared paragraphs, one update each
    assert search(store, "story")[1][0]["matching"] == list(range(1, 11))


def test_raw_captures_are_deltas_of_the_previous_capture_and_read_back_exactly(tmp_path):
    rng = random.Random(4)
    page = "<html><body><article>" + "".join(f"<p>{rng.getrandbits(64):x} words</p>" for _ in range(400))
    pages = [f"{page}<footer>tracking id {i}</footer></article></body></html>" for i in range(60)]
    store = Store(tmp_path / "raw.db")
    ingest_all(store, [text_capture(p, i, url="https://a.example/page") for i, p in enumerate(pages)])
    deltas, keyframes = store.db.execute(
        "SELECT max(length(data)) FILTER (WHERE depth > 0), count(*) FILTER (WHERE depth = 0) FROM raw_blobs"
    ).fetchone()
    assert deltas < 100  # each later copy costs only its changed bytes
    assert keyframes == 1  # a full chain of bases branches off halfway down it
    assert store.db.execute("SELECT max(depth) FROM raw_blobs").fetchone()[0] == codec.MAX_DEPTH
    fresh = Store(tmp_path / "raw.db")  # nothing decoded in memory
    hashes = [row[0] for row in fresh.db.execute("SELECT raw_hash FROM captures ORDER BY fetched_at")]
    assert [fresh.raw_captures.get(h) for h in hashes] == [p.encode() for p in pages]


def test_a_plain_text_capture_costs_a_few_bytes_beside_its_text_and_reads_back_exactly(tmp_path):
    bodies = [
        f"Harbour\n\n{BODY}",
        f"Harbour vote\r\n\r\n{BODY.replace('part 7.', 'part 7, corrected.')}  \n",  # CRLF, trailing spaces
        f"\ufeffHarbour vote\n\n{BODY}\n\nUpdate: the vote is delayed.",  # a byte order mark
    ]
    store = Store(tmp_path / "raw.db")
    ingest_all(store, [text_capture(body, n) for n, body in enumerate(bodies)])
    rows = store.db.execute("SELECT text_id, base_hash, length(data) FROM raw_blobs").fetchall()
    assert all(text_id is not None and base is None for text_id, base, _ in rows)
    assert max(size for _, _, size in rows) < 200  # not a second copy of the ~2,800 bytes of text
    fresh = Store(tmp_path / "raw.db")  # nothing decoded in memory
    hashes = [row[0] for row in fresh.db.execute("SELECT raw_hash FROM captures ORDER BY fetched_at")]
    assert [fresh.raw_captures.get(h) for h in hashes] == [b.encode() for b in bodies]
    assert check(fresh) == []


def test_a_page_much_larger_than_its_text_is_compressed_against_the_previous_capture(tmp_path):
    store = Store(tmp_path / "raw.db")
    pages = [article_html(extra=f"<!-- {'markup ' * 2000} {n} -->") for n in range(2)]
    ingest_all(
        store,
        [
            Capture(page.encode(), "https://a.example/story", T0 + timedelta(minutes=n), "test", "html")
            for n, page in enumerate(pages)
        ],
    )
    rows = store.db.execute("SELECT text_id, depth FROM raw_blobs ORDER BY rowid").fetchall()
    assert rows == [(None, 0), (None, 1)]
    hashes = [row[0] for row in store.db.execute("SELECT raw_hash FROM captures ORDER BY fetched_at")]
    assert [Store(tmp_path / "raw.db").raw_captures.get(h) for h in hashes] == [p.encode() for p in pages]


def test_an_article_past_the_index_s_paragraphs_per_article_is_refused_and_nothing_half_stored(
    store, monkeypatch
):
    monkeypatch.setattr(search_index, "ARTICLE_SHIFT", 2)  # four paragraphs per article, not 262,144
    first = "Harbour\n\nThe council met.\n\nThe mayor spoke.\n\nThe vote was close."
    ingest_all(store, [text_capture(first, 0)])
    with pytest.raises(StorageError, match="4 distinct paragraphs, the most the search index keeps"):
        ingest_all(store, [text_capture(first + "\n\nA fifth paragraph.", 10)])
    assert store.db.execute("SELECT count(*) FROM captures").fetchone()[0] == 1
    assert store.db.execute("SELECT count(*) FROM paragraphs").fetchone()[0] == 4
    assert search(store, "vote")[1][0]["matching"] == [1]
