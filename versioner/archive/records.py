"""One stored capture as WARC records: a `response` (or `resource`) record and a `metadata` record.

A capture whose HTTP status is known (a fetch, a WARC import, a WARC upload) becomes a `response`
record: its status line, and its headers as the server sent them when they were recorded. The bytes
are stored decoded (gzip undone, chunks joined), so Content-Encoding and Transfer-Encoding are left out
and Content-Length is the stored length. A capture fetched before headers were recorded has only its
status: its header block is the honest minimum, a Content-Type from the capture's kind, and the metadata
record says so. A capture without HTTP (a file, stdin, a plain upload) is a `resource` record.
"""

import io
import json
from http import HTTPStatus

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

from versioner.errors import VersionerError
from versioner.extract.decode import decode
from versioner.extract.html import HTML_START

CONTENT_TYPES = {"html": "text/html", "text": "text/plain"}
# Headers that describe the bytes on the wire, not the decoded bytes the archive holds.
WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
FIELDS_TYPE = "application/warc-fields"


def capture_records(builder: RecordBuilder, row: dict, raw: bytes) -> tuple[ArcWarcRecord, ArcWarcRecord]:
    """The capture's record and the metadata record that names its article, version and status."""
    warc_headers = {"WARC-Date": row["fetched_at"]}
    if row["http_status"] is not None:
        recorded = json.loads(row["http_headers"]) if row["http_headers"] else None
        record = builder.create_warc_record(
            row["url"],
            "response",
            payload=io.BytesIO(raw),
            length=len(raw),
            warc_headers_dict=warc_headers,
            http_headers=http_block(row["http_status"], recorded, content_type(row, raw), len(raw)),
        )
        headers_note = "recorded" if recorded is not None else "not recorded: Content-Type from the capture"
    else:
        record = builder.create_warc_record(
            row["url"],
            "resource",
            payload=io.BytesIO(raw),
            length=len(raw),
            warc_content_type=content_type(row, raw),
            warc_headers_dict=warc_headers,
        )
        headers_note = None
    fields = metadata_fields(row, headers_note)
    metadata = builder.create_warc_record(
        row["url"],
        "metadata",
        payload=io.BytesIO(fields),
        length=len(fields),
        warc_content_type=FIELDS_TYPE,
        warc_headers_dict={
            **warc_headers,
            "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID"),
        },
    )
    return record, metadata


def http_block(status: int, recorded: list | None, fallback_type: str, length: int) -> StatusAndHeaders:
    """The status line and headers of a response record, describing the bytes as stored."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    headers = [(str(name), str(value)) for name, value in recorded or () if name.lower() not in WIRE_HEADERS]
    if not any(name.lower() == "content-type" for name, _ in headers):  # as ingest read it
        headers.insert(0, ("Content-Type", fallback_type))
    headers.append(("Content-Length", str(length)))
    return StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1")


def content_type(row: dict, raw: bytes) -> str:
    """The media type of the capture as ingest read it: the recorded Content-Type, else its kind; a
    capture of no stated kind is judged as extraction judges it (HTML by its start, else text)."""
    for name, value in json.loads(row["http_headers"]) if row["http_headers"] else ():
        if name.lower() == "content-type":
            return value
    return CONTENT_TYPES[row["kind_hint"] or _sniffed_kind(raw)]


def _sniffed_kind(raw: bytes) -> str:
    try:
        return "html" if HTML_START.match(decode(raw)[:4096]) else "text"
    except VersionerError:  # bytes no decoder reads were never an article: text says the least
        return "text"


def metadata_fields(row: dict, headers_note: str | None) -> bytes:
    """application/warc-fields: which article and version the capture belongs to, and what ingest said."""
    fields = [
        ("versioner-article", str(row["article_id"])),
        ("versioner-capture", str(row["id"])),
        ("versioner-status", row["status"]),
    ]
    if row["version"] is not None:
        fields += [
            ("versioner-version", str(row["version"])),
            ("versioner-version-first-seen", row["version_first_seen"]),
            ("versioner-memento", f"/articles/{row['article_id']}/versions/{row['version']}"),
        ]
    if row["reason"]:
        fields.append(("versioner-reason", row["reason"]))
    fields.append(("versioner-source", row["source"]))
    if headers_note:
        fields.append(("versioner-http-headers", headers_note))
    return "".join(f"{name}: {_one_line(value)}\r\n" for name, value in fields).encode("utf-8")


def _one_line(value: str) -> str:
    return " ".join(str(value).split())
