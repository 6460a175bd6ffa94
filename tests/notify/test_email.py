"""mailto:// through Apprise to a real SMTP server on a free loopback port: a readable text body."""

import email

import pytest
from helpers import free_port, text_capture

from versioner.errors import DeliveryFailed
from versioner.notify.outbox import send
from versioner.notify.subscribe import add, try_target
from versioner.versioning import ingest


def test_a_change_reaches_a_mailbox_as_a_readable_text_message(store, mailbox):
    add(store, mailbox.target(), allow_private=True)
    url = "https://news.example.org/harbour"
    ingest(store, text_capture("Harbour plan\n\nThe council met on Monday.", 0, url=url))
    ingest(
        store,
        text_capture(
            "Harbour plan delayed\n\nThe council met on Monday. The vote was postponed.", 10, url=url
        ),
    )
    assert send(store, "https://versions.example.org").sent == 1
    [raw] = mailbox.messages
    mail = email.message_from_bytes(raw)
    assert mail["Subject"] == "Changed: Harbour plan delayed"
    text = (
        next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    )
    assert url in text
    assert "Headline was: Harbour plan" in text and "Headline now: Harbour plan delayed" in text
    assert "+ The vote was postponed." in text
    assert "Diff: https://versions.example.org/articles/1/diff/" in text


def test_notify_test_sends_one_message_now(store, mailbox):
    subscription = add(store, mailbox.target(), allow_private=True)
    try_target(store, subscription["id"], None)
    assert len(mailbox.messages) == 1


def test_a_mail_server_that_is_down_is_a_failure_with_apprise_s_reason(store):
    closed = free_port()  # nothing listens there
    target = f"mailto://127.0.0.1:{closed}?from=versioner@example.org&to=desk@example.org&mode=insecure"
    subscription = add(store, target, allow_private=True)
    with pytest.raises(DeliveryFailed) as failed:
        try_target(store, subscription["id"], None)
    assert str(failed.value) != "Apprise could not send it"  # the channel's own reason, from its log
