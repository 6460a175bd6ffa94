"""/api/subscriptions behind the upload API's token, and the upload API's messages sent in the background."""

import pytest
from helpers import text_capture

from versioner.notify.outbox import send
from versioner.notify.subscribe import add
from versioner.store import Store
from versioner.versioning import ingest
from versioner.web import create_app

TOKEN = "notify-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(tmp_path):
    return create_app({"DATABASE": str(tmp_path / "versioner.db"), "API_TOKEN": TOKEN})


def test_without_a_token_configured_the_subscriptions_are_not_there(tmp_path):
    client = create_app({"DATABASE": str(tmp_path / "versioner.db")}).test_client()
    assert client.get("/api/subscriptions", headers=AUTH).status_code == 404


def test_a_wrong_token_is_refused(app):
    response = app.test_client().get("/api/subscriptions", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and "bearer token" in response.get_json()["error"]


def test_subscriptions_are_added_listed_and_removed_with_the_token(app, receiver):
    client = app.test_client()
    made = client.post(
        "/api/subscriptions",
        json={"target": receiver.url("/hook"), "words": ["vote"], "allow_private": True, "secret": "k"},
        headers=AUTH,
    )
    assert made.status_code == 201 and made.get_json()["signed"] is True
    [listed] = client.get("/api/subscriptions", headers=AUTH).get_json()["subscriptions"]
    assert listed["words"] == ["vote"] and "k" not in listed.values()
    assert client.delete(f"/api/subscriptions/{listed['id']}", headers=AUTH).status_code == 204
    assert client.get("/api/subscriptions", headers=AUTH).get_json()["subscriptions"] == []


def test_a_loopback_target_is_a_400_without_allow_private(app, receiver):
    response = app.test_client().post("/api/subscriptions", json={"target": receiver.url("/x")}, headers=AUTH)
    assert response.status_code == 400 and "allow_private" in response.get_json()["error"]


def test_removing_an_unknown_subscription_is_a_404(app):
    assert app.test_client().delete("/api/subscriptions/99", headers=AUTH).status_code == 404


def test_a_new_version_uploaded_is_notified_without_a_notify_send(app, receiver):
    client = app.test_client()
    client.post(
        "/api/subscriptions", json={"target": receiver.url("/up"), "allow_private": True}, headers=AUTH
    )
    for minutes, body in ((0, "The council met."), (10, "The council met and voted.")):
        answer = client.post(
            "/api/captures",
            query_string={
                "url": "https://news.example.org/up",
                "fetched_at": f"2025-02-07T10:{minutes:02d}:00Z",
            },
            data=f"Harbour\n\n{body}",
            headers={**AUTH, "Content-Type": "text/plain"},
        )
        assert answer.status_code == 201
    [message] = receiver.wait("/up", 1)
    assert message["to_version"] == 2


def test_the_diff_link_of_a_message_opens_that_diff(tmp_path, receiver):
    db = tmp_path / "versioner.db"
    store = Store(db)
    add(store, receiver.url("/link"), allow_private=True)
    ingest(store, text_capture("Harbour\n\nThe council met.", 0))
    ingest(store, text_capture("Harbour\n\nThe council met and voted.", 10))
    send(store, None)
    store.close()
    [message] = receiver.wait("/link", 1)
    page = create_app({"DATABASE": str(db)}).test_client().get(message["diff_path"])
    assert page.status_code == 200 and "voted" in page.get_data(as_text=True)
