"""WARC import: HTML response records become captures with their target URI, WARC-Date and HTTP status."""

import io
import json
import subprocess
import sys
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from versioner.ingest_files import ingest_paths
from versioner.store import Store

ROOT = Path(__file__).resolve().parents[2]
STORY = "https://news.example.org/story"
UPDATE = "Update: the vote was postponed."
PARAGRAPHS = (
    "<p>The council met on Tuesday evening to discuss the new harbour plan and its costs.</p>"
    "<p>Residents had raised concerns about traffic and noise during the works.</p>"
)


def page(title: str, extra: str = "") -> bytes:
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{PARAGRAPHS}"
        f"<p>{extra}</p></article></body></html>"
    ).encode()


def response(
    writer: WARCWriter,
    url: str,
    date: str,
    body: bytes,
    content_type: str = "text/html",
    status: str = "200 OK",
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=headers, warc_headers_dict={"WARC-Date": date}
    )
    writer.write_record(record)


def write_warc(path: Path, fill, gzip: bool = True) -> Path:
    with path.open("wb") as stream:
        fill(WARCWriter(stream, gzip=gzip))
    return path


def crawl(writer: WARCWriter) -> None:
    """What a crawler writes: warcinfo, a request, pages, an image, an error page, a revisit."""
    writer.write_record(writer.create_warcinfo_record("crawl.warc.gz", {"software": "test"}))
    request = StatusAndHeaders("GET /story HTTP/1.1", [("Host", "news.example.org")], is_http_request=True)
    writer.write_record(writer.create_warc_record(STORY, "request", http_headers=request))
    response(writer, STORY, "2025-02-07T10:00:00Z", page("Harbour plan"))
    response(writer, "https://news.example.org/logo.png", "2025-02-07T10:00:01Z", b"\x89PNG\r\n", "image/png")
    response(writer, STORY, "2025-02-07T11:00:00Z", page("Harbour plan", UPDATE))
    response(
        writer,
        "https://news.example.org/gone",
        "2025-02-07T11:00:02Z",
        page("Not found"),
        status="404 Not Found",
    )
    writer.write_record(writer.create_revisit_record(STORY, "sha1:AAAA", STORY, "2025-02-07T10:00:00Z"))


def test_html_response_records_become_captures_with_their_uri_date_and_status(tmp_path, store):
    warc = write_warc(tmp_path / "crawl.warc.gz", crawl)
    summary = ingest_paths(store, [warc])
    assert summary.errors == []
    assert [r.status for r in summary.results] == ["new version", "new version", "rejected"]
    article = store.article(STORY)
    captures = store.captures(article["id"])
    assert [(c["fetched_at"], c["http_status"], c["version"]) for c in captures] == [
        ("2025-02-07T10:00:00Z", 200, 1),
        ("2025-02-07T11:00:00Z", 200, 2),
    ]
    assert captures[0]["source"].startswith(f"{warc}@")
    gone = store.captures(store.article("https://news.example.org/gone")["id"])
    assert [(c["http_status"], c["status"]) for c in gone] == [(404, "rejected")]


def test_importing_a_warc_twice_adds_nothing(tmp_path, store):
    warc = write_warc(tmp_path / "crawl.warc.gz", crawl)
    ingest_paths(store, [warc])
    again = ingest_paths(store, [warc])
    assert {r.status for r in again.results} == {"duplicate"}


def test_uncompressed_warc_files_in_a_folder_are_found_and_read(tmp_path, store):
    folder = tmp_path / "incoming"
    folder.mkdir()
    write_warc(
        folder / "one.warc", lambda w: response(w, STORY, "2025-02-07T10:00:00Z", page("Harbour")), gzip=False
    )
    (folder / "notes.md").write_text("not a snapshot")
    summary = ingest_paths(store, [folder])
    assert [r.status for r in summary.results] == ["new version"] and summary.errors == []


def test_a_bad_record_is_an_error_for_that_record_only(tmp_path, store):
    def fill(writer: WARCWriter) -> None:
        response(writer, STORY, "yesterday", page("Harbour plan"))
        response(writer, "http:///no-host", "2025-02-07T10:00:00Z", page("Harbour plan"))
        response(writer, STORY, "2025-02-07T11:00:00Z", page("Harbour plan"))

    warc = write_warc(tmp_path / "mixed.warc.gz", fill)
    summary = ingest_paths(store, [warc])
    assert [r.status for r in summary.results] == ["new version"]
    assert len(summary.errors) == 2
    assert "not an ISO 8601 time" in summary.errors[0]["error"] and summary.errors[0]["file"] == f"{warc}@0"
    assert "has no host" in summary.errors[1]["error"]


def test_a_truncated_warc_keeps_the_records_before_the_damage(tmp_path, store):
    def fill(writer: WARCWriter) -> None:
        response(writer, STORY, "2025-02-07T10:00:00Z", page("Harbour plan"))
        response(writer, STORY, "2025-02-07T11:00:00Z", page("Harbour plan", UPDATE))

    warc = write_warc(tmp_path / "cut.warc.gz", fill)
    warc.write_bytes(warc.read_bytes()[:-100])
    summary = ingest_paths(store, [warc])
    assert [r.status for r in summary.results] == ["new version"]
    [error] = summary.errors
    assert "truncated or damaged" in error["error"]


def test_versioner_ingest_reads_a_warc_from_the_command_line(tmp_path):
    warc = write_warc(tmp_path / "crawl.warc.gz", crawl)
    db = tmp_path / "v.db"
    done = subprocess.run(
        [sys.executable, "-P", "-m", "versioner", "--db", str(db), "ingest", "--json", str(warc)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["captures"], summary["new_versions"], summary["rejected"]) == (3, 2, 1)
    assert Store(db).article(STORY)["version_count"] == 2
