"""`versioner export warc`, read back with warcio: records, headers, digests, and the round trip through ingest."""

import gzip
import json
import subprocess
import sys
from datetime import timedelta

import pytest
from helpers import (
    PARAGRAPHS,
    T0,
    article_html,
    corpus_series,
    ingest_all,
    text_capture,
    versioner,
    versioner_text,
)
from warcio.archiveiterator import ArchiveIterator

from versioner.capture import Capture
from versioner.store import Store

STORY = "https://news.example.org/story"
RECORDED = (
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Encoding", "gzip"),
    ("Content-Length", "321"),
    ("X-Served-By", "cache-fra-1"),
)


def html_capture(minutes: float, status: int = 200, headers=RECORDED, extra: str = "") -> Capture:
    return Capture(
        raw=article_html(extra=extra).encode(),
        url=STORY,
        fetched_at=T0 + timedelta(minutes=minutes),
        source="https://news.example.org/story",
        kind_hint="html",
        http_status=status,
        charset="utf-8",
        http_headers=headers,
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "versioner.db"
    store = Store(path)
    ingest_all(
        store,
        [
            html_capture(0),  # a fetch with its headers recorded
            html_capture(60, headers=None, extra="Updated."),  # fetched before headers were kept
            html_capture(90, status=404, headers=(("Content-Type", "text/html"),), extra="Not found"),
            text_capture("\n\n".join(PARAGRAPHS), url="https://other.example.net/file"),  # a file
        ],
    )
    store.close()
    return path


@pytest.fixture(scope="module")
def found(db, tmp_path_factory) -> list:
    """The records of one export of the whole database, read once for the tests that only read it."""
    out = tmp_path_factory.mktemp("out") / "out.warc.gz"
    versioner(db, "export", "warc", out)
    return records(out)


def records(path) -> list:
    """Every record, with its block read (the iterator moves on otherwise)."""
    found = []
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream):
            record.payload = record.content_stream().read()
            found.append(record)
    return found


def exported(db, tmp_path, *args, name="out.warc.gz") -> list:
    out = tmp_path / name
    versioner(db, "export", "warc", out, *args)
    return records(out)


def captures_of(found) -> list:
    return [r for r in found if r.rec_type in ("response", "resource")]


def test_the_export_passes_warcio_check(db, tmp_path):
    out = tmp_path / "out.warc.gz"
    versioner(db, "export", "warc", out)
    checked = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", str(out)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "digest pass" in checked.stdout and "fail" not in checked.stdout


def test_the_file_opens_with_a_warcinfo_record_of_warc_1_1(found):
    first = found[0]
    assert first.rec_type == "warcinfo" and first.rec_headers.protocol == "WARC/1.1"
    assert b"software: versioner/" in first.payload


def test_every_capture_is_one_record_with_its_url_fetch_time_and_digests(found):
    listed = captures_of(found)
    assert [
        (r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers.get_header("WARC-Date")) for r in listed
    ] == [
        (STORY, "2025-02-07T10:00:00Z"),
        (STORY, "2025-02-07T11:00:00Z"),
        (STORY, "2025-02-07T11:30:00Z"),
        ("https://other.example.net/file", "2025-02-07T10:00:00Z"),
    ]
    assert all(r.rec_headers.get_header("WARC-Payload-Digest") for r in listed)
    assert all(r.rec_headers.get_header("WARC-Block-Digest") for r in listed)


def test_a_fetched_capture_is_a_response_with_its_recorded_status_and_headers(found):
    response = captures_of(found)[0]
    assert response.rec_type == "response"
    assert response.http_headers.get_statuscode() == "200"
    assert response.http_headers.get_header("X-Served-By") == "cache-fra-1"
    assert response.http_headers.get_header("Content-Type") == "text/html; charset=utf-8"
    assert response.payload == article_html().encode()


def test_a_response_describes_the_stored_decoded_bytes_not_the_wire(found):
    response = captures_of(found)[0]
    assert response.http_headers.get_header("Content-Encoding") is None
    assert response.http_headers.get_header("Content-Length") == str(len(response.payload))


def test_a_capture_stored_before_headers_were_kept_gets_a_minimal_block_that_says_so(found):
    response = captures_of(found)[1]
    assert response.rec_type == "response"
    assert [name for name, _ in response.http_headers.headers] == ["Content-Type", "Content-Length"]
    assert response.http_headers.get_header("Content-Type") == "text/html"
    metadata = found[found.index(response) + 1]
    assert b"versioner-http-headers: not recorded" in metadata.payload


def test_an_error_answer_keeps_its_status(found):
    assert captures_of(found)[2].http_headers.get_statuscode() == "404"


def test_a_file_capture_is_a_resource_record_of_its_kind(found):
    resource = captures_of(found)[3]
    assert resource.rec_type == "resource" and resource.http_headers is None
    assert resource.rec_headers.get_header("Content-Type") == "text/plain"


def test_each_capture_is_followed_by_a_metadata_record_naming_its_version(found):
    response, metadata = found[1], found[2]
    assert metadata.rec_type == "metadata"
    assert metadata.rec_headers.get_header("WARC-Concurrent-To") == response.rec_headers.get_header(
        "WARC-Record-ID"
    )
    fields = dict(line.split(": ", 1) for line in metadata.payload.decode().splitlines())
    assert fields["versioner-version"] == "1" and fields["versioner-status"] == "accepted"
    assert fields["versioner-memento"] == f"/articles/{fields['versioner-article']}/versions/1"


def test_a_rejected_capture_says_why_in_its_metadata(found):
    metadata = found[found.index(captures_of(found)[2]) + 1]
    assert b"versioner-status: rejected" in metadata.payload and b"versioner-reason: " in metadata.payload


def test_a_gz_name_compresses_each_record_and_another_name_does_not(db, tmp_path):
    versioner(db, "export", "warc", tmp_path / "a.warc.gz")
    versioner(db, "export", "warc", tmp_path / "a.warc")
    packed = (tmp_path / "a.warc.gz").read_bytes()
    assert packed[:2] == b"\x1f\x8b" and gzip.decompress(packed).startswith(b"WARC/1.1")
    assert (tmp_path / "a.warc").read_bytes().startswith(b"WARC/1.1")
    assert len(records(tmp_path / "a.warc.gz")) == len(records(tmp_path / "a.warc"))


def test_a_dash_writes_the_warc_to_standard_output_and_the_summary_to_stderr(db, tmp_path):
    done = versioner(db, "export", "warc", "-")
    (tmp_path / "piped.warc").write_bytes(done.stdout)
    assert len(captures_of(records(tmp_path / "piped.warc"))) == 4
    assert b"4 captures of 2 articles" in done.stderr


def test_articles_site_and_since_choose_the_captures(db, tmp_path):
    assert len(captures_of(exported(db, tmp_path, STORY))) == 3
    assert len(captures_of(exported(db, tmp_path, "--site", "other.example.net"))) == 1
    assert len(captures_of(exported(db, tmp_path, "--since", "2025-02-07T10:30:00Z"))) == 2


def test_an_unknown_article_is_an_error_and_leaves_no_file(db, tmp_path):
    done = versioner_text(
        db, "export", "warc", tmp_path / "out.warc", "https://nowhere.example.org/", check=False
    )
    assert done.returncode == 1 and "no article" in done.stderr
    assert list(tmp_path.glob("*.warc*")) == []


def test_the_json_summary_counts_what_was_written(db, tmp_path):
    done = versioner_text(db, "export", "warc", tmp_path / "out.warc", "--json")
    assert json.loads(done.stdout) | {"path": None} == {
        "path": None,
        "articles": 2,
        "captures": 4,
        "records": 9,
        "compressed": False,
    }


def versions_of(db, url: str) -> list:
    listed = json.loads(versioner_text(db, "versions", url, "--json").stdout)
    listed = listed["versions"] if isinstance(listed, dict) else listed
    shown = [json.loads(versioner_text(db, "show", url, str(v["n"]), "--json").stdout) for v in listed]
    return [
        (v["n"], v["first_seen"], v["last_seen"], s["title"], s["text"])
        for v, s in zip(listed, shown, strict=True)
    ]


def test_the_export_ingested_into_an_empty_database_gives_the_same_versions(db, tmp_path):
    out = tmp_path / "out.warc.gz"
    versioner(db, "export", "warc", out)
    back = tmp_path / "back.db"
    versioner(back, "ingest", out)
    for url in (STORY, "https://other.example.net/file"):
        assert versions_of(back, url) == versions_of(db, url)


def test_a_corpus_history_survives_the_round_trip(corpus, tmp_path):
    db, back, out = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "out.warc.gz"
    store = Store(db)
    captures = corpus_series(corpus, "ota-genai-eu-html", "llama-api-acceptable-use-policy")
    ingest_all(store, captures)
    store.close()
    versioner(db, "export", "warc", out)
    versioner(back, "ingest", out)
    assert versions_of(back, captures[0].url) == versions_of(db, captures[0].url)
