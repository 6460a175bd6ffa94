"""The OpenAPI description (versioner/web/static/openapi.json): valid OpenAPI 3.1, complete, and honest.

Honest means schemathesis, generating requests from the description alone, gets the answers the
description promises from the live app over a real database: no server error, only documented status
codes, content types and headers, bodies that match their schemas, in-bounds input accepted and
out-of-bounds input refused. The answers fuzzing cannot reach (503, 304, 413, 429, no token) are asked
for one by one and checked against the description the same way.
"""

import json
import shutil
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import OpenAPIV31SpecValidator
from web_fixtures import build_database

import versioner.web
from versioner.capture import MAX_SNAPSHOT_BYTES
from versioner.urls import MAX_URL_LENGTH
from versioner.web import api, create_app, params

SPEC = Path(versioner.web.__file__).parent / "static" / "openapi.json"
TOKEN = "openapi-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
STORY = "Harbour plan approved\n\nThe council approved the harbour plan on Tuesday.\n\nWork starts in May."
UPLOAD = {
    "query": {"url": "https://news.example.org/library-hours", "fetched_at": "2025-02-07T10:00:00Z"},
    "headers": {**AUTH, "Content-Type": "text/plain"},
    "body": STORY,
    "media_type": "text/plain",
}

# A config of our own (no schemathesis.toml is read) without the constants schemathesis takes from the
# app's source: it puts floats found there (UPLOAD_PER_SECOND = 2.0) into integer query parameters and
# sends them as "2.0", a spelling no client of an integer uses (schemathesis itself keeps whole floats to
# JSON bodies). Its WSGI transport hands a body over as the app sent it, never decoded: every request
# asks for it plain (compression has tests of its own, tests/web/test_read_path.py).
PLAIN = {"Accept-Encoding": "identity"}
CONFIG = schemathesis.Config.from_dict({"analysis": {"constants": {"enabled": False}}, "headers": PLAIN})
# schemathesis sends bodies only of media types it knows: a WARC record goes as raw bytes.
schemathesis.serializer.alias(["application/warc", "application/warc-record"], "application/octet-stream")

SETTINGS = settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def description() -> dict:
    return json.loads(SPEC.read_text())


@pytest.fixture(scope="module")
def built_database(tmp_path_factory) -> Path:
    return build_database(tmp_path_factory.mktemp("openapi") / "versioner.db")


def app_on_copy(built_database: Path, folder: Path, **config):
    """The app on a copy of the database of its own, so that what one test writes no other test sees."""
    db = folder / "versioner.db"
    shutil.copyfile(built_database, db)
    return create_app({"DATABASE": str(db), **config})


def served(app):
    """The description as the app serves it, bound to the app: schemathesis sends its requests there."""
    return schemathesis.openapi.from_wsgi("/static/openapi.json", app, config=CONFIG)


def lazily_served(request, app):
    # schemathesis 4.32 renames the test for its report through Node._nodeid, which pytest 9.2 renamed.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    return served(app)


@pytest.fixture
def app(built_database, tmp_path):
    return app_on_copy(built_database, tmp_path, API_TOKEN=TOKEN)


@pytest.fixture
def reading_api(request, built_database, tmp_path):
    return lazily_served(request, app_on_copy(built_database, tmp_path))


@pytest.fixture
def upload_api(request, built_database, tmp_path):
    # A burst no test reaches: 429 is documented, but it would keep schemathesis off the authorized path.
    return lazily_served(
        request,
        app_on_copy(built_database, tmp_path, API_TOKEN=TOKEN, UPLOAD_BURST=10**6, UPLOAD_FAILED_BURST=10**6),
    )


def answer(schema, method: str, path: str, status: int, **request):
    """The app's answer to one request (a schemathesis Response: headers by lower-case name, as lists): the
    status expected, and all of it as the description says."""
    case = schema[path][method].Case(**{**request, "headers": {**PLAIN, **request.get("headers", {})}})
    response = case.call()
    assert response.status_code == status, (method, path, response.status_code, response.text[:200])
    checks = schemathesis.checks
    case.validate_response(
        response,
        checks=[
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_headers_conformance,
            checks.response_schema_conformance,
        ],
    )
    return response


def test_the_description_is_valid_openapi_3_1():
    spec = description()
    assert spec["openapi"].startswith("3.1.")
    OpenAPIV31SpecValidator(spec).validate()


def test_the_app_serves_the_description(app):
    response = app.test_client().get("/static/openapi.json")
    assert response.status_code == 200 and response.get_json() == description()


def test_the_description_names_every_route_of_the_api_and_the_feeds(app):
    documented = {
        (method.upper(), path) for path, operations in description()["paths"].items() for method in operations
    }
    served_routes = {
        (
            method,
            rule.rule.replace("<ref>", "{id}")
            .replace("<n>", "{n}")
            .replace("<path:url>", "{url}")
            .replace("<site>", "{site}"),
        )
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/api/", "/timegate/", "/timemap/")) or rule.rule.endswith(".atom")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == served_routes


def test_the_description_states_the_bounds_the_server_enforces():
    def schema_of(path: str, name: str) -> dict:
        [operation] = description()["paths"][path].values()
        [parameter] = [p for p in operation["parameters"] if p["name"] == name]
        return parameter["schema"]

    largest_id = 10**params.MAX_DIGITS - 1
    for path, name in [
        ("/api/articles/{id}", "id"),
        ("/api/articles/{id}/versions/{n}", "n"),
        ("/api/articles/{id}/diff", "from"),
        ("/api/articles/{id}/diff", "to"),
        ("/articles/{id}/feed.atom", "id"),
    ]:
        assert (schema_of(path, name)["minimum"], schema_of(path, name)["maximum"]) == (1, largest_id)
    for path in ("/api/articles", "/api/search"):
        assert (schema_of(path, "page")["minimum"], schema_of(path, "page")["maximum"]) == (
            1,
            params.MAX_PAGE,
        )
        assert schema_of(path, "per_page")["maximum"] == api.MAX_PER_PAGE
    assert (schema_of("/api/search", "q")["minLength"], schema_of("/api/search", "q")["maxLength"]) == (
        1,
        api.MAX_QUERY,
    )
    assert schema_of("/api/captures", "url")["maxLength"] == MAX_URL_LENGTH
    body = description()["paths"]["/api/captures"]["post"]["requestBody"]["description"]
    assert f"At most {MAX_SNAPSHOT_BYTES // 2**20} MiB" in body


@(
    schemathesis.pytest.from_fixture("reading_api")
    .exclude(method="POST")
    .exclude(path_regex="^/api/subscriptions")
    .parametrize()
)
@SETTINGS
def test_the_reading_api_and_the_feeds_answer_as_described(case):
    case.call_and_validate()


@schemathesis.pytest.from_fixture("upload_api").include(method="POST").parametrize()
@SETTINGS
def test_the_upload_api_answers_as_described(case):
    # Neither positive_data_acceptance nor negative_data_rejection: both judge each parameter on its own,
    # but the upload reads the URL and the time from the query, else a header, else the WARC record, an
    # either-or OpenAPI cannot state. So a request the schema allows may rightly lack them (400), and one
    # it forbids may rightly succeed (a bad header beside a good ?url=, any ?url= beside a WARC body);
    # whether a body holds a readable page (else 422) is beyond a schema too. The url bound is tested below.
    case.call_and_validate(
        headers=AUTH,
        excluded_checks=[
            schemathesis.checks.positive_data_acceptance,
            schemathesis.checks.negative_data_rejection,
        ],
    )


def test_the_upload_takes_a_url_as_long_as_described_and_no_longer(app):
    schema = served(app)
    start = "https://news.example.org/"
    longest = start + "a" * (MAX_URL_LENGTH - len(start))
    answer(schema, "POST", "/api/captures", 201, **{**UPLOAD, "query": {**UPLOAD["query"], "url": longest}})
    too_long = {**UPLOAD["query"], "url": longest + "a"}
    answer(schema, "POST", "/api/captures", 400, **{**UPLOAD, "query": too_long})


@pytest.mark.parametrize(
    ("method", "path", "request_parts"),
    [
        ("GET", "/api/articles", {}),
        ("GET", "/api/articles/{id}", {"path_parameters": {"id": 1}}),
        ("GET", "/api/articles/{id}/versions/{n}", {"path_parameters": {"id": 1, "n": 1}}),
        ("GET", "/api/articles/{id}/diff", {"path_parameters": {"id": 1}}),
        ("GET", "/api/search", {"query": {"q": "harbour"}}),
        ("POST", "/api/captures", UPLOAD),
        ("GET", "/feed.atom", {}),
        ("GET", "/articles/{id}/feed.atom", {"path_parameters": {"id": 1}}),
    ],
)
def test_every_operation_answers_503_as_described_when_the_database_cannot_be_read(
    tmp_path, method, path, request_parts
):
    not_a_database = tmp_path / "versioner.db"
    not_a_database.write_text("This file is not a SQLite database, whatever its name says.\n" * 20)
    schema = served(create_app({"DATABASE": str(not_a_database), "API_TOKEN": TOKEN}))
    answer(schema, method, path, 503, **request_parts)


@pytest.mark.parametrize("path", ["/api/articles/{id}/diff", "/articles/{id}/feed.atom", "/feed.atom"])
def test_an_answer_asked_again_with_its_etag_is_a_304_as_described(app, path):
    schema = served(app)
    request_parts = {"path_parameters": {"id": 1}} if "{id}" in path else {}
    [etag] = answer(schema, "GET", path, 200, **request_parts).headers["etag"]
    again = answer(schema, "GET", path, 304, headers={"If-None-Match": etag}, **request_parts)
    assert again.content == b"" and again.headers["etag"] == [etag]


def test_an_oversized_upload_is_a_413_as_described(app):
    answer(served(app), "POST", "/api/captures", 413, **{**UPLOAD, "body": "x" * (MAX_SNAPSHOT_BYTES + 1)})


def test_a_client_posting_too_fast_gets_a_429_as_described(built_database, tmp_path):
    app = app_on_copy(built_database, tmp_path, API_TOKEN=TOKEN, UPLOAD_BURST=1, UPLOAD_PER_SECOND=0.01)
    schema = served(app)
    answer(schema, "POST", "/api/captures", 201, **UPLOAD)
    refused = answer(schema, "POST", "/api/captures", 429, **UPLOAD)
    [wait] = refused.headers["retry-after"]
    assert int(wait) >= 1


def test_without_a_token_the_upload_api_is_a_404_as_described(built_database, tmp_path, monkeypatch):
    monkeypatch.delenv("VERSIONER_API_TOKEN", raising=False)
    answer(served(app_on_copy(built_database, tmp_path)), "POST", "/api/captures", 404, **UPLOAD)


@pytest.mark.parametrize(
    ("method", "path", "request_parts"),
    [
        ("GET", "/api/articles", {}),
        ("GET", "/api/search", {"query": {"q": "harbour"}}),
        ("POST", "/api/captures", UPLOAD),
        ("GET", "/feed.atom", {}),
        ("GET", "/articles/{id}/feed.atom", {"path_parameters": {"id": 1}}),
    ],
)
def test_a_host_not_allowed_is_a_400_as_described(app, method, path, request_parts):
    headers = {**request_parts.get("headers", {}), "Host": "attacker.example"}
    answer(served(app), method, path, 400, **{**request_parts, "headers": headers})


def test_a_form_upload_is_a_415_as_described(upload_api):
    form = {**UPLOAD, "headers": {**AUTH, "Content-Type": "multipart/form-data; boundary=x"}}
    answer(upload_api, "POST", "/api/captures", 415, **{**form, "body": "--x\r\n\r\npage\r\n--x--\r\n"})


def test_a_warc_body_of_two_pages_is_a_422_as_described(upload_api):
    content = description()["paths"]["/api/captures"]["post"]["requestBody"]["content"]
    record = content["application/warc"]["examples"]["record"]["value"]  # the description's own example
    warc = {"headers": {**AUTH, "Content-Type": "application/warc"}, "media_type": "application/warc"}
    answer(upload_api, "POST", "/api/captures", 422, **warc, body=(record + record).encode())
