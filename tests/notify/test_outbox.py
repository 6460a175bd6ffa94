"""What ingest queues: one message per matching subscription for each new version, in its transaction."""

from datetime import timedelta

from helpers import T0, text_capture

from versioner.notify.outbox import send
from versioner.notify.subscribe import add
from versioner.times import to_iso
from versioner.versioning import ingest

TITLE = "Bridge vote this week"


def story(body: str, minutes: float):
    return text_capture(f"{TITLE}\n\n{body}", minutes, url="https://news.example.org/bridge-vote")


def pending(store, subscription_id: int = 1) -> list[dict]:
    return [m for m in store.subscriptions.messages(subscription_id) if m["sent_at"] is None]


def subscribe(store, receiver, path: str = "/all", **filters) -> int:
    return add(store, receiver.url(path), allow_private=True, **filters)["id"]


def test_a_first_version_and_an_unchanged_capture_queue_nothing(store, receiver):
    subscribe(store, receiver)
    ingest(store, story("The council will vote on Thursday.", 0))
    ingest(store, story("The council will vote on Thursday.", 10))
    assert store.subscriptions.messages(1) == []


def test_a_changed_capture_queues_one_message_per_matching_subscription(store, receiver):
    subscribe(store, receiver)
    subscribe(store, receiver, "/word", words=["postponed"])
    ingest(store, story("The council will vote on Thursday.", 0))
    ingest(store, story("The council will vote on Thursday after a long debate.", 10))
    assert len(pending(store, 1)) == 1 and pending(store, 2) == []


def test_a_backfill_is_queued_only_for_subscriptions_that_ask_for_it(store, receiver):
    subscribe(store, receiver)
    subscribe(store, receiver, "/past", backfill=True)
    ingest(store, story("First text.", 0))
    ingest(store, story("Third text.", 20))
    ingest(store, story("Second text, found late.", 10))  # lands between the two: versions renumber
    assert len(pending(store, 1)) == 1  # the live change only
    assert len(pending(store, 2)) == 2


def test_the_message_names_the_change_and_its_diff(store, receiver):
    subscribe(store, receiver)
    ingest(store, story("The council will vote on Thursday.", 0))
    ingest(
        store,
        text_capture(
            "Bridge vote postponed\n\nThe council postponed the vote.",
            10,
            url="https://news.example.org/bridge-vote",
        ),
    )
    send(store, "https://versions.example.org")
    [message] = receiver.wait("/all", 1)
    assert message["article"]["url"] == "https://news.example.org/bridge-vote"
    assert (message["old_title"], message["title"]) == (TITLE, "Bridge vote postponed")
    assert (message["from_version"], message["to_version"]) == (1, 2)
    assert message["captured_at"] == to_iso(T0 + timedelta(minutes=10))
    assert message["diff_url"].startswith("https://versions.example.org/articles/1/diff/")
    assert {"added": "The council postponed the vote."} in message["sentences"]
    assert message["summary"] and message["words_added"] > 0


def test_without_a_base_url_the_message_says_its_link_is_a_path(store, receiver):
    subscribe(store, receiver)
    ingest(store, story("One.", 0))
    ingest(store, story("Two.", 10))
    send(store, None)
    [message] = receiver.wait("/all", 1)
    assert message["diff_url"] is None and message["diff_path"].startswith("/articles/1/diff/")
    assert "VERSIONER_BASE_URL" in message["note"]


def test_a_digest_sends_one_message_for_the_changes_of_its_period(store, receiver, time_machine):
    time_machine.move_to(T0 + timedelta(minutes=5), tick=False)
    subscribe(store, receiver, digest="hourly")
    ingest(store, story("One.", 0))
    ingest(store, story("Two.", 10))
    ingest(store, story("Three.", 20))
    assert send(store, None).sent == 0  # the hour is not over
    time_machine.move_to(T0 + timedelta(hours=1, minutes=1), tick=False)
    assert send(store, None).sent == 1
    [digest] = receiver.wait("/all", 1)
    assert digest["event"] == "digest" and [c["to_version"] for c in digest["changes"]] == [2, 3]
