"""Notifications: tell subscribers when an article changes (docs/notifications.md).

matching.py says which subscriptions a new version concerns, message.py writes what they are told,
outbox.py queues the messages inside ingest's transaction and sends them after it, targets.py applies the
address rules and hides secrets, deliver.py speaks webhooks (httpx) and every other channel (Apprise),
subscribe.py adds, lists and removes subscriptions.
"""
