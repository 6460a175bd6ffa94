"""What a broken file, a careless command line or a hostile page must never do to the CLI: stop a whole
run, print a traceback, put raw terminal escapes on the screen, or report as stored what is not.

Every test runs `versioner` in a real process on real files, as cron or a user would.
"""

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT, versioner, versioner_text
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PARAGRAPHS = (
    "<p>The council met on Tuesday evening to discuss the new harbour plan and its costs in detail.</p>"
    "<p>Residents had raised concerns about traffic and noise during the works over the summer.</p>"
)


def page(title: str, head: str = "") -> bytes:
    return (
        f"<html><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>{PARAGRAPHS}"
        "</article></body></html>"
    ).encode()


def snapshot(folder: Path, name: str | bytes, body: bytes, **meta) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(name))))
    path.write_bytes(body)
    if meta:
        path.with_name(path.name + ".meta.json").write_text(json.dumps(meta))
    return path


def ingest_json(db: Path, *args) -> tuple[int, dict]:
    done = versioner(db, "ingest", "--json", *args, check=False)
    assert b"Traceback" not in done.stderr, done.stderr.decode()
    return done.returncode, json.loads(done.stdout)


def errors_by_file(summary: dict) -> dict[str, str]:
    return {Path(e["file"]).name: e["error"] for e in summary["errors"]}


def stored_urls(db: Path) -> set[str]:
    return {row["url"] for row in json.loads(versioner(db, "articles", "--json").stdout)}


# --- bug 4: a malformed canonical link ---------------------------------------------------------


def test_a_malformed_canonical_link_fails_only_its_own_file_and_the_folder_lands(tmp_path):
    folder = tmp_path / "in"
    snapshot(folder, "broken.html", page("Broken", '<link rel="canonical" href="http://[::1/x">'))
    snapshot(folder, "good.html", page("Good", '<link rel="canonical" href="https://news.example.org/good">'))
    db = tmp_path / "v.db"
    status, summary = ingest_json(db, folder)
    assert status == 1
    assert summary["new_versions"] == 1
    assert "no URL for this snapshot" in errors_by_file(summary)["broken.html"]
    assert stored_urls(db) == {"https://news.example.org/good"}


def test_a_malformed_canonical_link_gives_way_to_the_sidecar_url(tmp_path):
    folder = tmp_path / "in"
    snapshot(
        folder,
        "broken.html",
        page("Broken", '<link rel="canonical" href="http://[::1/x">'),
        url="https://news.example.org/from-sidecar",
        fetched_at="2025-02-07T10:00:00Z",
    )
    status, summary = ingest_json(tmp_path / "v.db", folder)
    assert status == 0 and summary["new_versions"] == 1
    assert stored_urls(tmp_path / "v.db") == {"https://news.example.org/from-sidecar"}


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://[::1/", "malformed URL"),
        ("http://0177.0.0.1/", "four decimal numbers"),
        ("http://127.000.000.001/", "four decimal numbers"),
        ("http://xn--zz.example/", "international host name"),
    ],
)
def test_a_bad_url_on_the_command_line_is_a_clear_bad_url_everywhere(tmp_path, url, reason):
    text = tmp_path / "x.txt"
    text.write_text("Harbour plan\n\nThe council approved the harbour plan on Tuesday.")
    for args in (("track", url), ("feeds", "add", url), ("ingest", "--url", url, text), ("versions", url)):
        done = versioner_text(tmp_path / "v.db", *args, check=False)
        assert done.returncode == 1, args
        assert "Traceback" not in done.stderr, args
        if args[0] != "versions":  # a lookup says the article is not there
            assert reason in done.stderr, (args, done.stderr)


def test_full_width_digits_are_read_as_the_address_they_are_and_refused_as_private(tmp_path):
    done = versioner_text(tmp_path / "v.db", "track", "http://１２７.０.０.１/", check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "127.0.0.1" in done.stderr


# --- bug 3: times out of range -------------------------------------------------------------------


def test_times_before_1990_are_refused_from_every_way_in_and_the_rest_of_the_run_lands(tmp_path):
    folder = tmp_path / "in"
    snapshot(
        folder,
        "sidecar.html",
        page("Sidecar"),
        url="https://news.example.org/sidecar",
        fetched_at="0001-01-01T00:00:00+01:00",
    )
    named = snapshot(
        folder,
        "0999-06-01T00-00-00Z.html",
        page("Named", '<link rel="canonical" href="https://news.example.org/named">'),
    )
    epoch = snapshot(
        folder, "epoch.html", page("Epoch", '<link rel="canonical" href="https://news.example.org/epoch">')
    )
    os.utime(epoch, (0, 0))  # a file unpacked from an archive without times
    snapshot(
        folder,
        "good.html",
        page("Good"),
        url="https://news.example.org/good",
        fetched_at="2025-02-07T10:00:00Z",
    )
    db = tmp_path / "v.db"
    status, summary = ingest_json(db, folder)
    errors = errors_by_file(summary)
    assert status == 1 and set(errors) == {"sidecar.html", named.name, "epoch.html"}
    assert "0001-01-01T00:00:00+01:00" in errors["sidecar.html"]
    assert "0999-06-01T00-00-00" in errors[named.name]
    assert "modification time" in errors["epoch.html"]
    assert stored_urls(db) == {"https://news.example.org/good"}


@pytest.mark.parametrize(
    "when", ["0999-06-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "1989-12-31T23:00:00Z"]
)
def test_a_fetched_at_option_before_1990_is_refused_before_anything_is_read(tmp_path, when):
    text = tmp_path / "x.txt"
    text.write_text("Harbour plan\n\nThe council approved the harbour plan on Tuesday.")
    done = versioner_text(
        tmp_path / "v.db",
        "ingest",
        "--url",
        "https://news.example.org/a",
        "--fetched-at",
        when,
        text,
        check=False,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert when in done.stderr and "out of range" in done.stderr


def test_a_warc_date_out_of_range_fails_its_record_only(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    with warc.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, date in [
            ("https://news.example.org/ancient", "0001-01-01T00:00:00+01:00"),
            ("https://news.example.org/old", "0999-06-01T00:00:00Z"),
            ("https://news.example.org/good", "2025-02-07T10:00:00Z"),
        ]:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(page(url.rsplit("/", 1)[1].title())),
                    http_headers=headers,
                    warc_headers_dict={"WARC-Date": date},
                )
            )
    db = tmp_path / "v.db"
    status, summary = ingest_json(db, warc)
    assert status == 1 and len(summary["errors"]) == 2
    assert all("out of range" in e["error"] for e in summary["errors"])
    assert stored_urls(db) == {"https://news.example.org/good"}


# --- bug 8: terminal escapes ---------------------------------------------------------------------


def test_escapes_and_newlines_in_file_names_are_printed_escaped_and_kept_exact_in_json(tmp_path):
    folder = tmp_path / "in"
    name = "evil\x1b]0;pwned\x07\x1b[2J\nname.html"
    snapshot(folder, name, page("No URL here"))
    db = tmp_path / "v.db"
    done = versioner(db, "ingest", folder, check=False)
    assert done.returncode == 1
    assert b"\x1b" not in done.stderr and b"\x07" not in done.stderr
    assert b"evil\\x1b]0;pwned\\x07\\x1b[2J\\x0aname.html" in done.stderr
    assert len(done.stderr.decode().strip().splitlines()) == 1  # the newline did not start a fake line
    _, summary = ingest_json(db, folder)
    assert [Path(e["file"]).name for e in summary["errors"]] == [name]


def test_titles_with_control_characters_are_printed_escaped_by_every_listing(tmp_path):
    db = tmp_path / "v.db"
    snapshot(
        tmp_path, "a.html", page("Harbour plan", '<link rel="canonical" href="https://news.example.org/a">')
    )
    versioner(db, "ingest", tmp_path / "a.html")
    title = "Harbour \x1b[2J\x1b]0;pwned\x07 plan\u202eevil"
    with sqlite3.connect(db) as conn:  # what another tool, or an older versioner, may have stored
        for table in ("articles", "versions", "captures"):
            conn.execute(f"UPDATE {table} SET title = ?", [title])
    for args in (("articles",), ("versions", "1"), ("show", "1"), ("search", "harbour")):
        out = versioner(db, *args).stdout
        assert b"\x1b" not in out and b"\x07" not in out and "\u202e".encode() not in out, args
        assert b"Harbour \\x1b[2J" in out, args
    assert json.loads(versioner(db, "versions", "1", "--json").stdout)[0]["title"] == title


# --- --db that keeps nothing ---------------------------------------------------------------------


@pytest.mark.parametrize("db", ["", ":memory:", " :memory: "])
def test_a_database_in_memory_is_refused_for_every_command(tmp_path, db):
    text = tmp_path / "x.txt"
    text.write_text("Harbour plan\n\nThe council approved the harbour plan on Tuesday.")
    for args in (("ingest", "--url", "https://news.example.org/a", text), ("articles",), ("poll",)):
        done = versioner_text(db, *args, check=False)
        assert done.returncode == 1, args
        assert "database in memory" in done.stderr and "new version" not in done.stdout, args


# --- Ctrl-C during ingest ------------------------------------------------------------------------


def test_ctrl_c_during_ingest_says_what_was_stored_keeps_it_and_exits_130(tmp_path):
    folder = tmp_path / "in"
    for n in range(3):
        snapshot(
            folder,
            f"{n}.html",
            page(f"Story {n}", f'<link rel="canonical" href="https://news.example.org/{n}">'),
        )
    db = tmp_path / "v.db"
    # The files first, then standard input, which this test never closes: the run waits there for Ctrl-C.
    run = subprocess.Popen(
        [
            sys.executable,
            "-P",
            "-m",
            "versioner",
            "--db",
            str(db),
            "ingest",
            folder,
            "-",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        # A background job (`make test &`, some CI runners) inherits SIGINT ignored; Ctrl-C is the default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        _wait_until_reading_stdin(run.pid)
        run.send_signal(signal.SIGINT)
        run.wait(timeout=60)  # stdin stays open: closing it now could end the read before the signal lands
        out, err = run.communicate(timeout=10)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 130
    assert b"Traceback" not in err
    assert b"3 captures, 3 new versions" in out
    assert b"Interrupted" in err
    assert stored_urls(db) == {f"https://news.example.org/{n}" for n in range(3)}


def _wait_until_reading_stdin(pid: int) -> None:
    """Until the process blocks in read(0, ...) (Linux: /proc/PID/syscall), else a generous pause."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            call = Path(f"/proc/{pid}/syscall").read_text().split()
        except OSError:
            time.sleep(8)
            return
        if call[:2] == ["0", "0x0"]:
            time.sleep(0.2)  # and stays there
            if Path(f"/proc/{pid}/syscall").read_text().split()[:2] == ["0", "0x0"]:
                return
        time.sleep(0.05)
    raise AssertionError("ingest never reached standard input")


def test_the_terminal_diff_prints_a_pages_escape_sequences_escaped():
    from versioner.present import render_terminal
    from versioner.store import VersionInfo

    info = VersionInfo(1, 1, 1, "t", "", "h", 1, None, None, "2025-01-01T00:00:00Z", "x", 1, None)
    data = {
        "title": [["=", "Title"]],
        "ops": [["+", "\x1b]0;PWNED\x07 added"]],
        "stats": {"summary": "1 word added"},
    }
    coloured = render_terminal(info, info, data, color=True)
    assert "\x1b]0;" not in coloured and "\\x1b]0;PWNED\\x07" in coloured
    assert "\x1b]0;PWNED" in render_terminal(info, info, data, color=False)  # piped: the exact text
