"""Webhooks to a real HTTP server on 127.0.0.1: signed bodies, retries after an outage, never a duplicate,
a hanging or failing target that holds up no other, the address rules at delivery time."""

import hashlib
import hmac

import pytest
from helpers import text_capture

from versioner.errors import DeliveryFailed
from versioner.notify.deliver import deliver
from versioner.notify.outbox import send
from versioner.notify.subscribe import add, listing
from versioner.versioning import ingest


def change_article(store, minutes: float = 0) -> None:
    url = "https://news.example.org/harbour"
    ingest(store, text_capture("Harbour plan\n\nThe council met.", minutes, url=url))
    ingest(store, text_capture("Harbour plan\n\nThe council met and voted.", minutes + 10, url=url))


def test_a_signed_subscription_carries_the_hmac_of_the_body(store, receiver):
    add(store, receiver.url("/signed"), allow_private=True, secret="s3cret")
    change_article(store)
    send(store, None)
    receiver.wait("/signed", 1)
    [(_, headers, body)] = receiver.posts
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Versioner-Signature"] == f"sha256={expected}"
    assert headers["Content-Type"] == "application/json"


def test_a_message_missed_in_an_outage_is_sent_once_by_notify_send(store, receiver):
    add(store, receiver.url("/all"), allow_private=True)
    receiver.stop()
    change_article(store)
    assert send(store, None).failed == 1  # the end of the run: the receiver is down
    receiver.start()
    assert send(store, None).sent == 0  # within its backoff: not yet
    assert send(store, None, force=True).sent == 1  # notify send: whatever the backoff
    assert send(store, None, force=True).sent == 0
    assert len(receiver.wait("/all", 1)) == 1


def test_a_failed_delivery_is_listed_with_its_attempts_and_error(store, receiver):
    add(store, receiver.url("/broken"), allow_private=True)
    change_article(store)
    send(store, None)
    send(store, None, force=True)
    [shown] = listing(store)
    assert (shown["pending"], shown["attempts"]) == (1, 2)
    assert "500" in shown["last_error"]


def test_a_hanging_target_holds_up_no_other(store, receiver):
    add(store, receiver.url("/hang"), allow_private=True)
    add(store, receiver.url("/fine"), allow_private=True)
    change_article(store)
    report = send(store, None, timeout=1)
    assert (report.sent, report.failed) == (1, 1)
    assert len(receiver.bodies("/fine")) == 1
    assert "no answer" in report.failures[0]["error"]


def test_a_receiver_that_drips_its_answer_is_given_up_at_the_timeout(store, receiver):
    add(store, receiver.url("/drip"), allow_private=True)
    change_article(store)
    report = send(store, None, timeout=1)
    assert report.failed == 1 and "no answer within 1 s" in report.failures[0]["error"]


def test_a_redirect_is_not_followed(store, receiver):
    add(store, receiver.url("/moved"), allow_private=True)
    change_article(store)
    report = send(store, None)
    assert report.failed == 1 and "not followed" in report.failures[0]["error"]
    assert receiver.posts == []


def test_a_loopback_target_is_refused_when_added_without_allow_private(store, receiver):
    with pytest.raises(Exception, match="loopback"):
        add(store, receiver.url("/all"))
    assert listing(store) == []


def test_the_address_is_checked_again_at_delivery(receiver):
    with pytest.raises(DeliveryFailed, match="loopback"):
        deliver(receiver.url("/all"), allow_private=False, secret=None, subject="s", text="t", message={})
    assert receiver.posts == []


def test_a_metadata_address_is_refused_even_with_allow_private(store):
    with pytest.raises(Exception, match="metadata"):
        add(store, "http://169.254.169.254/latest", allow_private=True)
