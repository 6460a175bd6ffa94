"""Bad input: each one refused with a reason that names it, or kept apart as a rejected capture; nothing
stored before is lost, and the other snapshots of the same run still land.

The CLI half runs `versioner ingest` as a user would (real processes, real files, one run over a folder
of every kind of bad file); the web half sends hostile requests to the Flask app over a database whose
articles carry script, markup and template syntax in every field.
"""

import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers import free_port, versioner, wait_for
from web_fixtures import start_tags
from werkzeug.exceptions import HTTPException

from versioner.capture import Capture
from versioner.sources.files import read_file
from versioner.store import Store
from versioner.urls import canonical_link
from versioner.versioning import ingest
from versioner.web import create_app

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2025, 2, 7, 10, 0, tzinfo=UTC)
STORY = "Harbour plan approved\n\nThe council approved the harbour plan on Tuesday.\n\nWork starts in May."
EDITED = STORY.replace("Tuesday", "Tuesday night").replace("May", "June")
KEPT = "Bridge reopens\n\nThe old bridge reopened on Monday after two years of repairs.\n\nTraffic is light."

# Payloads for every field a page or a feed shows.
TITLE = "<script>alert('title')</script> {{ 7*7 }} {% if 1 %}tpl{% endif %} harbour"
BYLINE = "<img src=x onerror=alert('byline')>"
BODY = (
    "Text with <script>alert('body')</script>, <img src=x onerror=alert('img')>, "
    "<a href=\"javascript:alert('link')\">a link</a>, {{ config }} and {% for x in y %}loop{% endfor %}."
)
SOURCE = "file:<script>alert('source')</script>.txt"  # a file name may hold all of that on Linux
HOSTILE_URL = "https://evil.example.org/news/\"><script>alert('url')</script>?q={{7*7}}"
# What must never reach an HTML page unescaped.
UNESCAPED = re.compile(r"<script>alert|<img src=x onerror|<a href=\"javascript:|\"><script>")


def snapshot(folder: Path | bytes, name: str | bytes, body: bytes, url: str | None, at: datetime) -> Path:
    """A snapshot file and its sidecar (url left out when None: it comes from the page)."""
    folder, name = os.fsencode(folder), os.fsencode(name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "wb") as out:
        out.write(body)
    meta = {"fetched_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"), **({"url": url} if url else {})}
    with open(path + b".meta.json", "w", encoding="utf-8") as out:
        json.dump(meta, out)
    return Path(os.fsdecode(path))


def versions_of(db: Path, url: str) -> list[tuple]:
    """(n, title, byline, text) of every version of an article, read through the library."""
    store = Store(db)
    try:
        article = store.article(url)
        return [
            (v.n, v.title, v.byline, store.version(article["id"], v.n).text)
            for v in store.versions(article["id"])
        ]
    finally:
        store.close()


def article_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


# --- one `versioner ingest` run over every kind of bad file ----------------------------------------

NESTED = "<html><body>" + "<div>" * 100_000 + "<p>Deep text.</p>" + "</div>" * 100_000 + "</body></html>"
NO_ARTICLE = "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a> <a href='/n'>News</a></nav></body></html>"
LATIN1_AS_UTF8 = (
    '<html><head><meta charset="utf-8"><title>Grüße</title></head><body><article><h1>Grüße aus Köln</h1>'
    "<p>Die Straße am Rhein wird gesperrt, sagen die Behörden in Köln am Montag.</p>"
    "<p>Die Bürger müssen über die Brücke im Süden fahren, bis die Arbeiten fertig sind.</p>"
    "</article></body></html>"
).encode("latin-1")
UTF16 = "\ufeffGrößere Brücke\n\nDie Brücke über die Elbe wird größer als geplant.".encode("utf-16-le")
MIXED = (
    "Gemischte Kodierung in Köln\n\nDieser Absatz ist UTF-8: Grüße aus der Straße.\n\n".encode()
    + "Dieser Absatz ist Latin-1: Grüße aus der Straße.".encode("latin-1")
)
STRAY_NUL = ("Stray byte\n\n" + "A sentence of the story. " * 40 + "\x00The end.").encode()
HOSTILE_PAGE = b"""<!doctype html><html><head><meta charset="utf-8">
<title>&lt;script&gt;alert('title')&lt;/script&gt; {{ 7*7 }}</title>
<link rel="canonical" href="https://xss.example.org/story?id=7&amp;page=2&amp;q=&lt;script&gt;">
</head><body><article><h1>&lt;script&gt;alert('title')&lt;/script&gt; {{ 7*7 }}</h1>
<p>First paragraph holds &lt;script&gt;alert('body')&lt;/script&gt; and &lt;img src=x onerror=alert(1)&gt;
as text, and it is long enough to count as the start of an article.</p>
<p>A <a href="javascript:alert('link')">javascript: link</a>, {{ config }} and {% for x in y %}loop{% endfor %}.</p>
<p>A third paragraph, so that this reads as an article with enough words for the extractor.</p>
</article></body></html>"""
HOSTILE_TEXT = f"{TITLE}\n\n{BYLINE}\nAkt. 07.02.2025, 12:54\n\n{BODY}\n\nA second paragraph.".encode()


@dataclass
class Run:
    db: Path
    returncode: int
    stdout: str
    stderr: str
    kept_before: list
    files: dict[str, Path]

    def error_line(self, name: str) -> str:
        """The stderr line that reports the file called name."""
        lines = [line for line in self.stderr.splitlines() if line.startswith("error: ") and name in line]
        assert lines, f"no error reported for {name}:\n{self.stderr}"
        return lines[0]


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory) -> Run:
    tmp = tmp_path_factory.mktemp("bad-input")
    db = tmp / "v.db"
    before = tmp / "before"
    snapshot(before, "kept.txt", KEPT.encode(), "https://good.example.org/kept", T0)
    snapshot(before, "story-1.txt", STORY.encode(), "https://good.example.org/story", T0)
    versioner(db, "ingest", before)
    kept_before = versions_of(db, "https://good.example.org/kept")

    into = tmp / "incoming"
    rng = random.Random(6)
    at = T0 + timedelta(minutes=30)
    files = {
        "story-2.txt": snapshot(into, "story-2.txt", EDITED.encode(), "https://good.example.org/story", at),
        "empty.txt": snapshot(into, "empty.txt", b"", "https://bad.example.org/empty", at),
        "blank.txt": snapshot(into, "blank.txt", b"  \n\t\r\n   \n", "https://bad.example.org/blank", at),
        "garbage.html": snapshot(
            into, "garbage.html", rng.randbytes(64 * 1024), "https://bad.example.org/garbage", at
        ),
        "photo.html": snapshot(
            into, "photo.html", b"\xff\xd8\xff\xe0" + rng.randbytes(4096), "https://bad.example.org/jpeg", at
        ),
        "nul.txt": snapshot(
            into, "nul.txt", "Title\n\nBody".encode("utf-16-le"), "https://bad.example.org/nul", at
        ),
        "stray-nul.txt": snapshot(into, "stray-nul.txt", STRAY_NUL, "https://enc.example.org/nul", at),
        "nested.html": snapshot(into, "nested.html", NESTED.encode(), "https://bad.example.org/nested", at),
        "no-article.html": snapshot(
            into, "no-article.html", NO_ARTICLE.encode(), "https://bad.example.org/none", at
        ),
        "latin1.html": snapshot(into, "latin1.html", LATIN1_AS_UTF8, "https://enc.example.org/latin1", at),
        "utf16.txt": snapshot(into, "utf16.txt", UTF16, "https://enc.example.org/utf16", at),
        "mixed.txt": snapshot(into, "mixed.txt", MIXED, "https://enc.example.org/mixed", at),
        "hostile.html": snapshot(into, "hostile.html", HOSTILE_PAGE, None, at),  # URL from its canonical link
        "hostile.txt": snapshot(into, "hostile.txt", HOSTILE_TEXT, HOSTILE_URL, at),
        "future.txt": snapshot(
            into,
            "future.txt",
            STORY.encode(),
            "https://bad.example.org/future",
            datetime.now(UTC) + timedelta(days=1),
        ),
        "spaces ö.txt": snapshot(
            into,
            "Bericht über Köln mit Leerzeichen.txt",
            KEPT.encode(),
            "https://names.example.org/spaces",
            at,
        ),
        "dotdot.txt": snapshot(
            tmp / "outside", "story.txt", KEPT.encode(), "https://names.example.org/dotdot", at
        ),
    }
    try:
        files["latin-1 name"] = snapshot(
            into, b"caf\xe9-latin1-name.txt", KEPT.encode(), "https://names.example.org/bytes", at
        )
    except OSError:  # a file system that only takes UTF-8 names: nothing to test
        pass
    photo = snapshot(
        tmp, "photo.png", b"\x89PNG\r\n\x1a\n" + rng.randbytes(2048), "https://bad.example.org/png", at
    )
    files["photo.png"] = photo  # outside the folder: named on the command line, so read whatever its name
    dotdot = f"{into}/../outside/story.txt"
    done = versioner(db, "ingest", into, photo, dotdot, check=False)
    return Run(
        db,
        done.returncode,
        done.stdout.decode(),
        done.stderr.decode(errors="backslashreplace"),
        kept_before,
        files,
    )


def test_a_run_with_bad_files_exits_1_without_a_traceback(bad_run):
    assert bad_run.returncode == 1
    assert "Traceback" not in bad_run.stderr
    assert re.search(r"\b7 errors\b", bad_run.stdout), bad_run.stdout


@pytest.mark.parametrize(
    "name, reason",
    [
        ("empty.txt", "the file is empty"),
        ("blank.txt", "only whitespace"),
        ("garbage.html", "not text|binary"),
        ("photo.html", "a JPEG image, not an article"),
        ("photo.png", "a PNG image, not an article"),
        ("nul.txt", "binary \\(control characters or NUL bytes\\)"),
        ("future.txt", "fetched at .* which is in the future"),
    ],
)
def test_each_refused_file_is_named_with_its_reason(bad_run, name, reason):
    line = bad_run.error_line(str(bad_run.files[name]))
    assert re.search(reason, line), line


def test_refused_files_leave_nothing_in_the_database(bad_run):
    with sqlite3.connect(bad_run.db) as conn:
        urls = {row[0] for row in conn.execute("SELECT url FROM articles")}
        orphans = conn.execute(
            "SELECT count(*) FROM raw_blobs WHERE hash NOT IN (SELECT raw_hash FROM captures)"
        ).fetchone()[0]
    for refused in ("empty", "blank", "garbage", "jpeg", "png", "nul", "future"):
        assert f"https://bad.example.org/{refused}" not in urls
    assert orphans == 0
    assert integrity(bad_run.db) == "ok"


def test_what_was_stored_before_the_run_is_intact(bad_run):
    assert versions_of(bad_run.db, "https://good.example.org/kept") == bad_run.kept_before


def test_the_good_snapshots_of_the_same_run_still_land(bad_run):
    story = versions_of(bad_run.db, "https://good.example.org/story")
    assert [(n, text) for n, _, _, text in story] == [
        (1, STORY.split("\n\n", 1)[1]),
        (2, EDITED.split("\n\n", 1)[1]),
    ]


@pytest.mark.parametrize(
    "url, reason",
    [
        ("https://bad.example.org/none", "no article text found"),
        ("https://bad.example.org/nested", "over the extraction budget: more than 40,000 elements"),
    ],
)
def test_a_page_without_an_article_is_kept_as_a_rejected_capture_not_a_version(bad_run, url, reason):
    with sqlite3.connect(bad_run.db) as conn:
        captures = conn.execute(
            "SELECT c.status, c.reason, a.version_count FROM captures c JOIN articles a ON a.id = c.article_id "
            "WHERE a.url = ?",
            [url],
        ).fetchall()
    assert captures == [("rejected", reason, 0)]


@pytest.mark.parametrize(
    "url, words",
    [
        ("https://enc.example.org/latin1", ["Grüße aus Köln", "Straße", "Brücke im Süden"]),
        ("https://enc.example.org/utf16", ["Größere Brücke", "größer"]),
        (
            "https://enc.example.org/mixed",
            ["Köln", "UTF-8: Grüße aus der Straße", "Latin-1: Grüße aus der Straße"],
        ),
    ],
)
def test_wrong_and_mixed_encodings_are_read_right(bad_run, url, words):
    [(_, title, _, text)] = versions_of(bad_run.db, url)
    for word in words:
        assert word in title + "\n" + text
    assert not re.search("[ÃĂÂ�]", title + text), (title, text)  # no mojibake


def test_a_stray_nul_byte_is_dropped_and_the_text_kept(bad_run):
    [(_, title, _, text)] = versions_of(bad_run.db, "https://enc.example.org/nul")
    assert title == "Stray byte" and text.endswith("The end.") and "\x00" not in text


def test_hostile_fields_are_stored_verbatim_and_round_trip_through_the_cli_json(bad_run):
    shown = json.loads(versioner(bad_run.db, "show", "--json", HOSTILE_URL).stdout)
    assert shown["url"] == HOSTILE_URL.replace("{{7*7}}", "%7B%7B7%2A7%7D%7D")
    assert (shown["title"], shown["byline"]) == (TITLE, BYLINE)
    assert shown["text"] == BODY + "\n\nA second paragraph."
    listed = json.loads(versioner(bad_run.db, "versions", "--json", HOSTILE_URL).stdout)
    assert (listed[0]["title"], listed[0]["byline"]) == (TITLE, BYLINE)


def test_markup_escaped_in_a_page_is_stored_as_the_text_it_shows(bad_run):
    [(_, title, _, text)] = versions_of(
        bad_run.db, "https://xss.example.org/story?id=7&page=2&q=%3Cscript%3E"
    )
    assert title == "<script>alert('title')</script> {{ 7*7 }}"
    assert "holds <script>alert('body')</script> and <img src=x onerror=alert(1)>" in text
    assert "{{ config }} and {% for x in y %}loop{% endfor %}" in text


@pytest.mark.parametrize(
    "name, url",
    [
        ("spaces ö.txt", "https://names.example.org/spaces"),
        ("dotdot.txt", "https://names.example.org/dotdot"),
        ("latin-1 name", "https://names.example.org/bytes"),
    ],
)
def test_file_names_with_spaces_non_ascii_dotdot_or_odd_bytes_land(bad_run, name, url):
    if name not in bad_run.files:
        pytest.skip("this file system refuses names that are not UTF-8")
    assert [n for n, *_ in versions_of(bad_run.db, url)] == [1]
    with sqlite3.connect(bad_run.db) as conn:
        [source] = conn.execute(
            "SELECT c.source FROM captures c JOIN articles a ON a.id = c.article_id WHERE a.url = ?", [url]
        ).fetchone()
    expected = {
        "spaces ö.txt": "Bericht über Köln mit Leerzeichen.txt",
        "dotdot.txt": "/incoming/../outside/story.txt",
        "latin-1 name": "caf\\xe9-latin1-name.txt",
    }[name]
    assert source.startswith("file:") and source.endswith(expected)


def test_entities_in_a_canonical_link_are_decoded_for_files_and_fetches_alike(tmp_path):
    page = b'<html><head><link rel="canonical" href="https://x.example/a?id=1&amp;page=2"></head></html>'
    (tmp_path / "page.html").write_bytes(page)
    assert read_file(tmp_path / "page.html").url == "https://x.example/a?id=1&page=2"
    assert canonical_link(page, "https://x.example/") == "https://x.example/a?id=1&page=2"


# --- size, time and repetition -------------------------------------------------------------------------


def _measured(db: Path, tmp: Path, *args) -> tuple[int, str, int]:
    """Run versioner; (exit status, stderr, peak resident memory in KiB) of that process alone."""
    err = tmp / "stderr.txt"
    with err.open("wb") as errors:
        proc = subprocess.Popen(
            [sys.executable, "-P", "-m", "versioner", "--db", str(db), *map(str, args)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, err.read_text(errors="replace"), usage.ru_maxrss


def test_a_100_mb_file_is_refused_by_the_size_cap_without_being_read(tmp_path):
    huge = tmp_path / "huge.html"
    with huge.open("wb") as out:
        out.truncate(100 * 2**20)  # sparse: costs no disk
    good = snapshot(tmp_path / "in", "good.txt", STORY.encode(), "https://good.example.org/story", T0)
    _, _, baseline = _measured(tmp_path / "base.db", tmp_path, "ingest", good)
    status, stderr, peak = _measured(tmp_path / "v.db", tmp_path, "ingest", huge, good)
    assert status == 1 and "Traceback" not in stderr
    assert re.search(rf"error: {re.escape(str(huge))}: 105 MB is over the 20 MiB snapshot size cap", stderr)
    assert peak - baseline < 20 * 1024, f"{(peak - baseline) // 1024} MiB more memory than a run without it"
    assert [n for n, *_ in versions_of(tmp_path / "v.db", "https://good.example.org/story")] == [1]


def test_a_fetch_time_in_the_future_is_refused_before_anything_is_read(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(STORY)
    done = versioner(
        tmp_path / "v.db", "ingest", "--url", "https://a.example/s", "--fetched-at", "2999-01-01T00:00:00Z",
        story, check=False,
    )  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr.decode()
    assert done.stderr.decode().startswith("Error: fetched at 2999-01-01T00:00:00Z, which is in the future")
    assert not (tmp_path / "v.db").exists() or article_count(tmp_path / "v.db") == 0


def test_a_fetch_time_within_the_clock_skew_tolerance_is_accepted(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(STORY)
    soon = (datetime.now(UTC) + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    versioner(tmp_path / "v.db", "ingest", "--url", "https://a.example/s", "--fetched-at", soon, story)
    assert [n for n, *_ in versions_of(tmp_path / "v.db", "https://a.example/s")] == [1]


def test_a_file_dated_in_the_future_by_its_clock_is_refused_and_the_others_land(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ahead.txt").write_text(STORY)
    ahead = time.time() + 86400
    os.utime(folder / "ahead.txt", (ahead, ahead))
    snapshot(folder, "fine.txt", KEPT.encode(), "https://a.example/fine", T0)
    done = versioner(tmp_path / "v.db", "ingest", "--url", "https://a.example/s", folder, check=False)
    assert done.returncode == 1
    assert re.search(r"ahead\.txt: fetched at .* which is in the future", done.stderr.decode())
    assert article_count(tmp_path / "v.db") == 1


def test_the_same_instant_in_another_zone_is_the_same_capture(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(STORY)
    db = tmp_path / "v.db"
    for at in ("2025-02-07T11:54:00Z", "2025-02-07T12:54:00+01:00", "2025-02-07T06:54:00-05:00"):
        versioner(db, "ingest", "--url", "https://a.example/s", "--fetched-at", at, story)
    [version] = json.loads(versioner(db, "versions", "--json", "https://a.example/s").stdout)
    assert (version["captures"], version["first_seen"]) == (1, "2025-02-07T11:54:00Z")


def test_a_local_time_in_a_sidecar_is_converted_to_utc(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(STORY)
    (tmp_path / "story.txt.meta.json").write_text(
        json.dumps({"url": "https://a.example/s", "fetched_at": "2025-02-07T12:54:00+01:00"})
    )
    versioner(tmp_path / "v.db", "ingest", path)
    [version] = json.loads(versioner(tmp_path / "v.db", "versions", "--json", "https://a.example/s").stdout)
    assert version["first_seen"] == "2025-02-07T11:54:00Z"


def test_the_same_file_named_twice_in_one_run_is_stored_once(tmp_path):
    path = snapshot(tmp_path / "in", "story.txt", STORY.encode(), "https://a.example/s", T0)
    done = versioner(
        tmp_path / "v.db", "ingest", "--json", path, f"{tmp_path}/in/../in/story.txt", path.parent
    )
    summary = json.loads(done.stdout)
    assert (summary["new_versions"], summary["duplicates"], summary["errors"]) == (1, 2, [])
    with sqlite3.connect(tmp_path / "v.db") as conn:
        assert conn.execute("SELECT count(*) FROM captures").fetchone()[0] == 1


def test_runs_in_reverse_order_give_the_versions_of_an_in_order_run(tmp_path):
    bodies = [STORY, EDITED, STORY.replace("May", "July")]
    files = [
        snapshot(tmp_path / "in", f"s{i}.txt", body.encode(), "https://a.example/s", T0 + timedelta(hours=i))
        for i, body in enumerate(bodies)
    ]
    for db, order in (("in-order.db", files), ("reverse.db", files[::-1])):
        for path in order:
            versioner(tmp_path / db, "ingest", path)
    assert versions_of(tmp_path / "reverse.db", "https://a.example/s") == versions_of(
        tmp_path / "in-order.db", "https://a.example/s"
    )


# --- the web: hostile articles, hostile requests ---------------------------------------------------


@pytest.fixture(scope="module")
def web_db(tmp_path_factory) -> Path:
    """A hostile article with three versions (payloads in title, byline, text, URL and source), and a plain one."""
    path = tmp_path_factory.mktemp("bad-web") / "v.db"
    store = Store(path)
    bodies = (
        f"{TITLE}\n\n{BYLINE}\nAkt. 07.02.2025, 10:00\n\n{BODY}\n\nSecond paragraph.",
        f"{TITLE}\n\n{BYLINE}\nAkt. 07.02.2025, 11:00\n\n{BODY} More <script>alert('v2')</script>.\n\nSecond paragraph.",
        f"{TITLE} again\n\n{BYLINE}x\nAkt. 07.02.2025, 12:00\n\n{BODY}\n\nSecond paragraph, {{{{ 7*7 }}}}.",
    )
    try:
        for hour, body in enumerate(bodies):
            ingest(store, Capture(body.encode(), HOSTILE_URL, T0 + timedelta(hours=hour), SOURCE, "text"))
        ingest(store, Capture(STORY.encode(), "https://good.example.org/story", T0, "file:story.txt", "text"))
    finally:
        store.close()
    return path


@pytest.fixture
def client(web_db):
    return create_app({"DATABASE": str(web_db), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def hostile(web_db) -> int:
    """The hostile article's id."""
    store = Store(web_db)
    try:
        return store.article(HOSTILE_URL)["id"]
    finally:
        store.close()


def _hostile_pages(client, hostile: int) -> list[str]:
    permalink = client.get(f"/articles/{hostile}/diff/1..2").headers["Location"]
    return [
        "/",
        f"/articles/{hostile}",
        *(f"/articles/{hostile}/versions/{n}" for n in (1, 2, 3)),
        f"/articles/{hostile}/diff",
        f"/articles/{hostile}/diff?from=1&to=3&view=side",
        f"/articles/{hostile}/diff?from=3&to=1",
        permalink,
        "/search?q=alert",
        "/search?q=harbour",
        "/search?q=<script>alert('query')</script>",
        "/search?q=\"><img src=x onerror=alert('query')>",
        "/articles/<script>alert('ref')</script>",
        f"/articles/{hostile}/versions/<img src=x onerror=alert('n')>",
        f"/articles/{hostile}/diff/<script>alert('spec')</script>..2",
        f"/articles/{hostile}/diff?view=<script>alert('view')</script>",
        f"/articles/{hostile}/diff?from=<script>",
        "/nothing/<script>alert('404')</script>",
    ]


def test_every_page_escapes_hostile_fields_and_echoed_input(client, hostile):
    for url in _hostile_pages(client, hostile):
        response = client.get(url)
        assert response.mimetype == "text/html", url
        html = response.get_data(as_text=True)
        assert not UNESCAPED.search(html), url
        if response.status_code == 200 and "/search" not in url:
            assert "&lt;script&gt;alert(" in html, url  # shown as text, not dropped


def test_template_syntax_in_an_article_is_shown_not_evaluated(client, hostile):
    html = client.get(f"/articles/{hostile}/versions/1").get_data(as_text=True)
    assert "{{ 7*7 }} {% if 1 %}tpl{% endif %}" in html and "{{ config }}" in html
    assert "{% for x in y %}loop{% endfor %}" in html
    assert "SECRET_KEY" not in html and "&lt;Config" not in html


def test_no_page_carries_a_script_an_event_handler_or_a_link_that_is_not_http(client, hostile):
    for url in _hostile_pages(client, hostile):
        for tag, attrs in start_tags(client.get(url).get_data(as_text=True)):
            assert tag not in ("img", "iframe", "object", "embed"), url
            if tag == "script":
                assert attrs == {"src": "/static/app.js", "defer": None}, url
            assert not [name for name in attrs if name.startswith("on")], (url, tag, attrs)
            for name in ("href", "src", "action"):
                if name in attrs:
                    assert re.match(r"(/|#|https?://)", attrs[name]), (url, tag, attrs)


def test_the_hostile_url_is_only_a_quoted_attribute_on_the_article_page(client, hostile):
    tags = start_tags(client.get(f"/articles/{hostile}").get_data(as_text=True))
    [link] = [attrs for tag, attrs in tags if tag == "a" and "external" in attrs.get("rel", "")]
    assert link["href"].startswith('https://evil.example.org/news/"><script>')  # one attribute, intact


@pytest.mark.parametrize("feed", ["/feed.atom", "/articles/{id}/feed.atom"])
def test_feeds_keep_hostile_fields_as_text_and_their_html_runs_nothing(client, hostile, feed):
    response = client.get(feed.format(id=hostile))
    assert response.mimetype == "application/atom+xml"
    assert not UNESCAPED.search(response.get_data(as_text=True))
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ElementTree.fromstring(response.data).findall(f"{atom}entry")
    hostile_entries = [e for e in entries if "alert('title')" in e.findtext(f"{atom}title")]
    assert len(hostile_entries) == 3
    assert {e.findtext(f"{atom}author/{atom}name") for e in hostile_entries} == {BYLINE, BYLINE + "x"}
    for entry in entries:
        content = entry.findtext(f"{atom}content")  # the HTML a feed reader renders
        for tag, attrs in start_tags(content):
            assert tag not in ("script", "img", "iframe"), content
            assert not [name for name in attrs if name.startswith("on")], content
            assert "href" not in attrs or attrs["href"].startswith("http"), content


@pytest.mark.parametrize("query", ["'; DROP TABLE versions; --", 'x" OR 1=1 --', "versions_fts MATCH '*'"])
def test_sql_in_a_search_is_searched_for_and_changes_nothing(client, web_db, query):
    assert client.get("/search", query_string={"q": query}).status_code == 200
    assert "1 article found" in client.get("/search?q=council").get_data(as_text=True)
    assert integrity(web_db) == "ok"


@pytest.mark.parametrize("query", ["NEAR(council harbour, 2)", 'council"', "*", "a\x00b", "%ff", "\ud800"])
def test_fts_syntax_and_odd_characters_in_a_search_are_not_errors(client, query):
    response = client.get("/search", query_string={"q": query.encode("utf-8", "surrogatepass")})
    assert response.status_code == 200 and "error-code" not in response.get_data(as_text=True)


BIG = str(10**30)
MAX_INT = str(2**63 - 1)


@pytest.mark.parametrize(
    "url, status",
    [
        ("/articles/{id}/versions/0", 400),
        ("/articles/{id}/versions/-1", 400),
        ("/articles/{id}/versions/abc", 400),
        ("/articles/{id}/versions/1.5", 400),
        ("/articles/{id}/versions/%EF%BC%91", 400),  # a full-width digit one
        ("/articles/{id}/versions/%D9%A1", 400),  # an Arabic-Indic digit one
        ("/articles/{id}/versions/99999", 404),
        (f"/articles/{{id}}/versions/{MAX_INT}", 400),
        (f"/articles/{{id}}/versions/{BIG}", 400),
        (f"/articles/{BIG}", 400),
        (f"/articles/{BIG}/feed.atom", 400),
        (f"/captures/{BIG}/raw", 400),
        ("/captures/0/raw", 400),
        ("/captures/999999/raw", 404),
        ("/articles/{id}/diff?from=x&to=2", 400),
        ("/articles/{id}/diff?from=0&to=2", 400),
        (f"/articles/{{id}}/diff?from=1&to={BIG}", 400),
        ("/articles/{id}/diff?from=1&to=99999", 404),
        ("/articles/{id}/diff/0..1", 404),
        ("/articles/{id}/diff/99999..1", 404),
        (f"/articles/{{id}}/diff/{BIG}..1", 400),
        (f"/?page={BIG}", 400),
        ("/?page=999999999999999999", 400),
        ("/search?q=harbour&page=999999999999999999", 400),
        ("/api/articles?page=999999999999999999", 400),
        ("/api/articles?page=1000000000", 200),
        (f"/api/articles/{BIG}", 400),
        ("/api/articles/{id}/versions/0", 400),
        ("/api/articles/{id}/versions/99999", 404),
        (f"/api/articles/{{id}}/versions/{BIG}", 400),
        ("/api/articles/{id}/diff?from=x&to=2", 400),
        ("/api/articles/{id}/diff?from=0&to=2", 400),
        (f"/api/articles/{{id}}/diff?from={BIG}&to=2", 400),
        (f"/api/articles/{{id}}/diff?from=1&to={MAX_INT}", 400),
        ("/api/articles/{id}/diff?from=1&to=99999", 404),
    ],
)
def test_out_of_range_and_malformed_numbers_are_a_4xx_that_explains(client, hostile, url, status):
    response = client.get(url.format(id=hostile))
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if status == 200:
        return
    if url.startswith("/api/"):
        assert response.get_json()["status"] == status and response.get_json()["error"]
    else:
        html = response.get_data(as_text=True)
        assert "error-code" in html and ("whole number" in html or "at most" in html or status == 404)


# --- every response: security headers, no cookies -------------------------------------------------


def _every_request(client) -> list[tuple[str, str, dict]]:
    """(method, url, extra) for every route of the app, in good and bad forms, plus the error cases."""
    store = Store(client.application.config["DATABASE"])
    hostile = store.article(HOSTILE_URL)["id"]
    capture = store.captures(hostile)[0]["id"]
    permalink = client.get(f"/articles/{hostile}/diff/1..2").headers["Location"]
    diff_etag = client.get(f"/articles/{hostile}/diff").headers["ETag"]
    gets = [
        "/",
        "/?page=2",
        "/?page=x",
        f"/articles/{hostile}",
        "/articles/999999",
        "/articles/abc",
        f"/articles/{hostile}/versions/1",
        f"/articles/{hostile}/versions/9",
        f"/articles/{hostile}/diff",
        f"/articles/{hostile}/diff?view=nope",
        f"/articles/{hostile}/diff/1..2",
        permalink,
        permalink + ".txt",
        f"/articles/{hostile}/diff/zz..yy",
        f"/captures/{capture}/raw",
        f"/captures/{capture}/raw?download=1",
        "/captures/999999/raw",
        "/search?q=harbour",
        "/search?q=" + "a" * 600,
        "/about",
        "/feed.atom",
        f"/articles/{hostile}/feed.atom",
        "/articles/999999/feed.atom",
        "/api/articles",
        "/api/articles?per_page=1000",
        f"/api/articles/{hostile}",
        f"/api/articles/{hostile}/versions/1",
        f"/api/articles/{hostile}/diff",
        "/api/articles/999999/diff",
        "/api/search?q=harbour",
        "/api/search?q=" + "a" * 600,
        "/api/search",
        f"/articles/{hostile}/blame",
        f"/articles/{hostile}/blame/1",
        f"/api/articles/{hostile}/blame",
        f"/api/articles/{hostile}/blame/1",
        f"/timegate/https://a.example/{hostile}",
        f"/timemap/link/https://a.example/{hostile}",
        f"/timemap/json/https://a.example/{hostile}",
        "/sites",
        f"/sites/{hostile}",
        "/api/sites",
        f"/api/sites/{hostile}",
        "/api/subscriptions",
        f"/api/subscriptions/{hostile}",
        "/static/style.css",
        "/static/app.js",
        "/static/favicon.svg",
        "/static/openapi.json",
        "/static/nothing.css",
        "/nothing-here",
    ]
    requests = [("GET", url, {}) for url in gets]
    requests += [
        ("HEAD", url, {}) for url in ("/", f"/articles/{hostile}", "/feed.atom", "/static/style.css")
    ]
    requests += [("OPTIONS", url, {}) for url in ("/", "/api/articles")]
    requests += [("POST", url, {}) for url in ("/", f"/articles/{hostile}", "/api/articles", "/feed.atom")]
    requests += [("DELETE", "/api/articles", {}), ("PUT", "/static/style.css", {})]
    requests += [("GET", f"/articles/{hostile}/diff", {"headers": {"If-None-Match": diff_etag}})]  # a 304
    requests += [("POST", "/api/captures", {})]  # no token configured: 404
    requests += [("POST", "/api/subscriptions", {}), ("DELETE", f"/api/subscriptions/{hostile}", {})]
    store.close()
    return requests


def _assert_safe_headers(response, what) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp, (what, csp)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, (what, csp)
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy") == "same-origin", what
    assert headers.get("X-Frame-Options") == "DENY", what
    assert "Set-Cookie" not in headers, what


def test_every_response_carries_the_security_headers_and_no_cookie(client):
    statuses = set()
    for method, url, extra in _every_request(client):
        response = client.open(url, method=method, **extra)
        statuses.add(response.status_code)
        _assert_safe_headers(response, (method, url, response.status_code))
    assert {200, 302, 304, 400, 404, 405} <= statuses


def test_the_walk_covers_every_route_of_the_app(client):
    adapter = client.application.url_map.bind("localhost")
    reached = set()
    for method, url, _ in _every_request(client):
        try:
            endpoint, _ = adapter.match(
                url.split("?")[0], method=method if method in ("POST", "DELETE") else "GET"
            )
            reached.add(endpoint)
        except HTTPException:  # the unknown URLs of the walk
            pass
    assert reached == {rule.endpoint for rule in client.application.url_map.iter_rules()}


def test_the_upload_api_answers_with_the_same_headers(tmp_path):
    client = create_app(
        {"DATABASE": str(tmp_path / "v.db"), "TESTING": True, "API_TOKEN": "t0ken"}
    ).test_client()
    query = {"url": "https://a.example/s", "fetched_at": "2025-02-07T10:00:00Z"}
    statuses = []
    for headers, body in (
        ({}, STORY),
        ({"Authorization": "Bearer wrong"}, STORY),
        ({"Authorization": "Bearer t0ken"}, b""),
        ({"Authorization": "Bearer t0ken"}, b"x" * (21 * 2**20)),
        ({"Authorization": "Bearer t0ken"}, STORY),
    ):
        response = client.post("/api/captures", query_string=query, data=body, headers=headers)
        _assert_safe_headers(response, (headers, response.status_code))
        statuses.append(response.status_code)
    assert statuses == [401, 401, 422, 413, 201]


def test_sessions_are_unused_so_no_secret_key_is_needed(client):
    assert client.application.secret_key is None  # nothing could sign a cookie, and nothing sets one
    for source in (ROOT / "web").glob("*.py"):
        assert not re.search(r"\bsession\b|set_cookie", source.read_text()), source.name


def test_a_database_that_cannot_be_read_is_a_503_that_does_not_show_its_path(tmp_path):
    broken = tmp_path / "secret-place" / "broken.db"
    broken.parent.mkdir()
    broken.write_bytes(b"this is not a database " * 200)
    client = create_app({"DATABASE": str(broken), "TESTING": True}).test_client()
    page = client.get("/")
    assert page.status_code == 503 and "secret-place" not in page.get_data(as_text=True)
    _assert_safe_headers(page, "503 page")
    api = client.get("/api/articles")
    assert api.status_code == 503 and api.get_json()["status"] == 503
    assert "secret-place" not in api.get_data(as_text=True)


def test_an_unexpected_error_is_a_500_page_with_the_same_headers_and_no_traceback(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "v.db")})

    def broken():
        raise RuntimeError("a bug with a secret detail")

    app.add_url_rule("/broken", view_func=broken)
    app.logger.disabled = True
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert "secret detail" not in response.get_data(as_text=True) and "Traceback" not in response.get_data(
        as_text=True
    )
    _assert_safe_headers(response, "500 page")


def test_the_upload_token_never_reaches_the_server_log(tmp_path):
    token = "tok-" + "7f3a9c" * 6
    env = {**os.environ, "VERSIONER_API_TOKEN": token}
    db = tmp_path / "v.db"
    log = tmp_path / "server.log"
    port = free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-P", "-m", "versioner", "--db", str(db), "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        import httpx

        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/about")
        query = {"url": "https://a.example/s", "fetched_at": "2025-02-07T10:00:00Z"}
        answers = [
            httpx.post(f"{base}/api/captures", params=query, content=body, headers=headers).status_code
            for headers, body in (
                ({"Authorization": f"Bearer {token}"}, STORY),
                ({"Authorization": f"Bearer {token}x"}, STORY),  # a near miss
                ({"Authorization": f"Basic {token}"}, STORY),
                ({"Authorization": f"Bearer {token}"}, b"\x89PNG\r\n\x1a\n"),
                ({"Authorization": f"Bearer {token}"}, b"x" * (21 * 2**20)),
            )
        ]
        assert answers == [201, 401, 401, 422, 413]
    finally:
        server.terminate()
        server.wait(timeout=10)
    written = log.read_text(errors="replace")
    assert "versioner on http://" in written  # the log was captured
    assert token not in written


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Versioner-Url": "https://[::1/", "X-Versioner-Fetched-At": "2025-02-07T10:00:00Z"},
        {"X-Versioner-Url": "http://0177.0.0.1/s", "X-Versioner-Fetched-At": "2025-02-07T10:00:00Z"},
        {"X-Versioner-Url": "https://a.example/s", "X-Versioner-Fetched-At": "0999-06-01T00:00:00Z"},
        {"X-Versioner-Url": "https://a.example/s", "X-Versioner-Fetched-At": "0001-01-01T00:00:00+01:00"},
        {"X-Versioner-Url": "https://a.example/s", "X-Versioner-Fetched-At": "1989-12-31T23:59:59Z"},
    ],
)
def test_an_upload_with_a_malformed_url_or_a_time_before_1990_is_a_400_that_stores_nothing(tmp_path, headers):
    db = tmp_path / "v.db"
    client = create_app({"DATABASE": str(db), "TESTING": True, "API_TOKEN": "t0ken"}).test_client()
    response = client.post(
        "/api/captures",
        data=STORY,
        headers={"Authorization": "Bearer t0ken", "Content-Type": "text/plain", **headers},
    )
    assert response.status_code == 400
    bad = "X-Versioner-Fetched-At" if "a.example" in headers["X-Versioner-Url"] else "X-Versioner-Url"
    assert headers[bad] in response.get_json()["error"]  # the refusal names the value
    assert client.get("/").status_code == 200
    assert Store(db).articles(limit=10) == []
