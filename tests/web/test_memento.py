"""Memento through `versioner serve` (waitress) on 127.0.0.1: TimeGate, TimeMaps and memento headers,
read with an RFC 8288 parser; request targets sent raw, as Memento clients send them."""

import http.client
import json
import re
import signal
import subprocess
import sys
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
from helpers import PARAGRAPHS, ROOT, T0, free_port, ingest_all, text_capture, versioner, wait_for

from versioner.store import Store
from versioner.web import create_app

STORY = "https://www.example.org/story?id=3"
TEXTS = [
    "\n\n".join(PARAGRAPHS),
    "\n\n".join([*PARAGRAPHS, "A paragraph added in the second version of the story, after the vote."]),
    "\n\n".join([*PARAGRAPHS[1:], "The third version dropped the opening and kept the new ending."]),
]
HOURS = [0, 5, 10]  # the versions' first captures, hours after T0
# RFC 8288: <target> followed by ;-separated parameters, a value bare or a quoted string.
LINK = re.compile(r'<([^>]*)>((?:\s*;\s*[!#$%&\'*+\-.^_`|~\w]+(?:\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;,\s]*))?)*)')
PARAM = re.compile(r';\s*([!#$%&\'*+\-.^_`|~\w]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*))?')


def page(label: str) -> str:
    return "\n\n".join([f"{label}: a story of its own.", *PARAGRAPHS])


def parse_links(text: str) -> list[tuple[str, dict[str, str]]]:
    links = []
    for target, params in LINK.findall(text):
        found = {}
        for name, value in PARAM.findall(params):
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            found[name.lower()] = value
        links.append((target, found))
    return links


def with_rel(links, word: str) -> list[tuple[str, dict]]:
    return [(target, params) for target, params in links if word in params.get("rel", "").split()]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("memento") / "versioner.db"
    store = Store(path)
    ingest_all(store, [text_capture(t, 60 * h, url=STORY) for t, h in zip(TEXTS, HOURS, strict=True)])
    ingest_all(
        store,
        [
            text_capture(page("Double slash"), url="https://www.example.org/a//b"),
            text_capture(page("Single slash"), url="https://www.example.org/a/b"),
            text_capture(page("Café, percent-encoded"), url="https://www.example.org/caf%C3%A9"),
        ],
    )
    store.close()
    return path


@pytest.fixture(scope="module")
def base(db):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "versioner", "--db", str(db), "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


def get(base: str, target: str, headers: dict | None = None) -> http.client.HTTPResponse:
    """GET with the request target sent byte for byte (no client normalises it)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    connection.request("GET", target, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def gate(base: str, target: str, moment=None) -> http.client.HTTPResponse:
    headers = {"Accept-Datetime": format_datetime(moment, usegmt=True)} if moment else {}
    return get(base, "/timegate/" + target, headers)


def memento_datetime(base: str, location: str):
    page = get(base, urlsplit(location).path)
    assert page.status == 200
    return parsedate_to_datetime(page.headers["Memento-Datetime"])


def test_timegate_redirects_to_the_version_in_force_at_accept_datetime(base):
    answer = gate(base, STORY, T0 + timedelta(hours=7))
    assert answer.status == 302
    assert memento_datetime(base, answer.headers["Location"]) == T0 + timedelta(hours=5)


def test_timegate_at_a_versions_first_capture_gives_that_version(base):
    answer = gate(base, STORY, T0 + timedelta(hours=10))
    assert memento_datetime(base, answer.headers["Location"]) == T0 + timedelta(hours=10)


def test_timegate_before_the_first_version_gives_the_first(base):
    answer = gate(base, STORY, T0 - timedelta(days=30))
    assert memento_datetime(base, answer.headers["Location"]) == T0


def test_timegate_after_the_last_version_gives_the_last(base):
    answer = gate(base, STORY, T0 + timedelta(days=300))
    assert memento_datetime(base, answer.headers["Location"]) == T0 + timedelta(hours=10)


def test_timegate_without_accept_datetime_gives_the_latest(base):
    answer = gate(base, STORY)
    assert answer.status == 302
    assert memento_datetime(base, answer.headers["Location"]) == T0 + timedelta(hours=10)


def test_timegate_varies_on_accept_datetime(base):
    varies = [name.strip().lower() for name in gate(base, STORY, T0).headers["Vary"].split(",")]
    assert "accept-datetime" in varies


def test_timegate_links_the_original_the_timemap_and_the_first_and_last_mementos(base):
    links = parse_links(gate(base, STORY, T0 + timedelta(hours=7)).headers["Link"])
    assert [target for target, _ in with_rel(links, "original")] == [STORY]
    ((timemap, params),) = with_rel(links, "timemap")
    assert timemap == f"{base}/timemap/link/{STORY}" and params["type"] == "application/link-format"
    ((first, first_params),) = with_rel(links, "first")
    ((last, last_params),) = with_rel(links, "last")
    assert parsedate_to_datetime(first_params["datetime"]) == T0
    assert parsedate_to_datetime(last_params["datetime"]) == T0 + timedelta(hours=10)


def test_a_bad_accept_datetime_is_a_400_that_shows_the_expected_form(base):
    answer = get(base, "/timegate/" + STORY, {"Accept-Datetime": "yesterday at noon"})
    assert answer.status == 400
    assert "GMT" in answer.body.decode()


def test_a_url_versioner_does_not_hold_is_a_404(base):
    answer = gate(base, "https://never-captured.example.org/story", T0)
    assert answer.status == 404
    assert "never-captured.example.org" in answer.body.decode()


def test_the_query_string_of_the_request_belongs_to_the_target_url(base):
    other = gate(base, "https://www.example.org/story?id=4")
    assert other.status == 404
    assert gate(base, STORY).status == 302


def test_tracking_parameters_and_a_missing_scheme_still_find_the_article(base):
    for target in (
        STORY + "&utm_source=newsletter",
        "www.example.org/story?id=3",
        "HTTPS://WWW.example.org/story?id=3",
    ):
        answer = gate(base, target)
        assert answer.status == 302, target
        assert with_rel(parse_links(answer.headers["Link"]), "original")[0][0] == STORY


def test_double_slashes_in_the_target_path_are_not_merged(base):
    double = parse_links(gate(base, "https://www.example.org/a//b").headers["Link"])
    single = parse_links(gate(base, "https://www.example.org/a/b").headers["Link"])
    assert with_rel(double, "original")[0][0] == "https://www.example.org/a//b"
    assert with_rel(single, "original")[0][0] == "https://www.example.org/a/b"


def test_a_scheme_whose_slashes_a_proxy_merged_gets_them_back(base):
    answer = gate(base, "https:/www.example.org/story?id=3")
    assert with_rel(parse_links(answer.headers["Link"]), "original")[0][0] == STORY


def test_percent_escapes_in_the_target_are_kept_as_sent(base):
    answer = gate(base, "https://www.example.org/caf%C3%A9")
    assert answer.status == 302
    assert (
        with_rel(parse_links(answer.headers["Link"]), "original")[0][0] == "https://www.example.org/caf%C3%A9"
    )


def test_a_target_sent_percent_encoded_whole_is_decoded_once(base):
    assert gate(base, "https%3A%2F%2Fwww.example.org%2Fstory%3Fid%3D3").status == 302


def test_the_link_timemap_lists_every_version_with_an_rfc_1123_datetime(base):
    answer = get(base, "/timemap/link/" + STORY)
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("application/link-format")
    mementos = with_rel(parse_links(answer.body.decode()), "memento")
    assert [parsedate_to_datetime(p["datetime"]) for _, p in mementos] == [
        T0 + timedelta(hours=h) for h in HOURS
    ]
    assert all(p["datetime"].endswith(" GMT") for _, p in mementos)


def test_the_link_timemap_names_the_original_the_timegate_and_itself_with_from_and_until(base):
    links = parse_links(get(base, "/timemap/link/" + STORY).body.decode())
    assert with_rel(links, "original")[0][0] == STORY
    assert with_rel(links, "timegate")[0][0] == f"{base}/timegate/{STORY}"
    ((own, params),) = with_rel(links, "self")
    assert own == f"{base}/timemap/link/{STORY}"
    assert parsedate_to_datetime(params["from"]) == T0
    assert parsedate_to_datetime(params["until"]) == T0 + timedelta(hours=10)


def test_the_json_timemap_has_the_shape_memento_aggregators_write(base):
    answer = get(base, "/timemap/json/" + STORY)
    timemap = json.loads(answer.body)
    assert timemap["original_uri"] == STORY
    assert timemap["timegate_uri"] == f"{base}/timegate/{STORY}"
    assert timemap["timemap_uri"]["link_format"] == f"{base}/timemap/link/{STORY}"
    listed = timemap["mementos"]["list"]
    assert [m["datetime"] for m in listed] == [f"2025-02-07T{10 + h:02d}:00:00Z" for h in HOURS]
    assert timemap["mementos"]["first"] == listed[0] and timemap["mementos"]["last"] == listed[-1]


def test_every_timemap_memento_answers_with_its_own_memento_datetime(base):
    for target, params in with_rel(parse_links(get(base, "/timemap/link/" + STORY).body.decode()), "memento"):
        assert memento_datetime(base, target) == parsedate_to_datetime(params["datetime"])


def test_a_memento_links_its_original_timegate_timemap_and_neighbours(base):
    middle = gate(base, STORY, T0 + timedelta(hours=5)).headers["Location"]
    links = parse_links(get(base, urlsplit(middle).path).headers["Link"])
    assert with_rel(links, "original")[0][0] == STORY
    assert with_rel(links, "timegate")[0][0] == f"{base}/timegate/{STORY}"
    assert with_rel(links, "timemap")[0][0] == f"{base}/timemap/link/{STORY}"
    times = {
        word: parsedate_to_datetime(with_rel(links, word)[0][1]["datetime"])
        for word in ("first", "prev", "next", "last")
    }
    assert times == {
        "first": T0,
        "prev": T0,
        "next": T0 + timedelta(hours=10),
        "last": T0 + timedelta(hours=10),
    }


def test_without_a_raw_request_uri_the_target_is_rebuilt_from_the_path_and_query(db):
    client = create_app({"DATABASE": str(db)}).test_client()
    answer = client.get("/timegate/" + STORY, environ_overrides={"RAW_URI": "", "REQUEST_URI": ""})
    assert answer.status_code == 302
    assert with_rel(parse_links(answer.headers["Link"]), "original")[0][0] == STORY


def test_a_url_merged_into_another_article_finds_that_articles_history(tmp_path):
    db = tmp_path / "versioner.db"
    store = Store(db)
    ingest_all(
        store,
        [
            text_capture(TEXTS[0], url="https://www.example.org/story-old-slug"),
            text_capture(TEXTS[1], 60, url="https://www.example.org/story-new-slug"),
        ],
    )
    store.close()
    versioner(db, "merge", "https://www.example.org/story-new-slug", "https://www.example.org/story-old-slug")
    client = create_app({"DATABASE": str(db)}).test_client()
    answer = client.get("/timegate/https://www.example.org/story-old-slug")
    assert answer.status_code == 302
    assert (
        with_rel(parse_links(answer.headers["Link"]), "original")[0][0]
        == "https://www.example.org/story-new-slug"
    )
