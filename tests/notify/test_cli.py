"""`versioner notify`: add, list (secrets hidden), remove, send and test, in real processes."""

import json

from helpers import versioner, versioner_text


def test_add_refuses_a_loopback_target_without_allow_private(tmp_path, receiver):
    done = versioner_text(tmp_path / "v.db", "notify", "add", receiver.url("/x"), check=False)
    assert done.returncode == 1 and "--allow-private" in done.stderr


def test_add_says_when_no_base_url_is_set(tmp_path, receiver):
    done = versioner_text(tmp_path / "v.db", "notify", "add", "--allow-private", receiver.url("/x"))
    assert "subscription 1" in done.stdout and "VERSIONER_BASE_URL" in done.stderr


def test_list_hides_passwords_tokens_and_secrets(tmp_path):
    db = tmp_path / "v.db"
    versioner(db, "notify", "add", "--secret", "hmac-key-1", "https://hooks.example.org/in?token=tok-55&x=1")
    versioner(db, "notify", "add", "mailtos://reader:pa55word@mail.example.org")
    versioner(db, "notify", "add", "https://hooks.slack.example/services/T0/B0/XXXXXXXXXXXXXXXXXXXXXXXXXX")
    printed = (
        versioner_text(db, "notify", "list").stdout + versioner_text(db, "notify", "list", "--json").stdout
    )
    for secret in ("hmac-key-1", "tok-55", "pa55word", "XXXXXXXXXXXXXXXXXXXXXXXXXX"):
        assert secret not in printed
    listed = json.loads(versioner_text(db, "notify", "list", "--json").stdout)["subscriptions"]
    assert [s["kind"] for s in listed] == ["webhook", "apprise", "webhook"] and listed[0]["signed"]


def test_an_unknown_article_filter_is_refused(tmp_path):
    done = versioner_text(
        tmp_path / "v.db", "notify", "add", "--article", "42", "https://hooks.example.org/in", check=False
    )
    assert done.returncode == 1 and "no article" in done.stderr and "--site" in done.stderr


def test_remove_then_list_shows_none(tmp_path):
    db = tmp_path / "v.db"
    versioner(db, "notify", "add", "https://hooks.example.org/in")
    versioner(db, "notify", "remove", "1")
    assert json.loads(versioner_text(db, "notify", "list", "--json").stdout) == {"subscriptions": []}
    assert versioner_text(db, "notify", "remove", "1", check=False).returncode == 1


def test_ingest_delivers_at_the_end_of_its_run_and_send_finds_nothing_left(tmp_path, receiver):
    db = tmp_path / "v.db"
    versioner(db, "notify", "add", "--allow-private", receiver.url("/run"))
    for minutes, body in ((0, "The council met."), (10, "The council met and voted.")):
        versioner(
            db,
            "ingest",
            "--url",
            "https://news.example.org/a",
            "--fetched-at",
            f"2025-02-07T10:{minutes:02d}:00Z",
            "-",
            stdin=f"Harbour\n\n{body}".encode(),
        )
    assert len(receiver.bodies("/run")) == 1
    sent = json.loads(versioner_text(db, "notify", "send", "--json").stdout)
    assert sent == {"sent": 0, "failed": 0, "failures": []}


def test_notify_test_exits_1_with_the_reason_when_the_target_is_down(tmp_path, receiver):
    db = tmp_path / "v.db"
    versioner(db, "notify", "add", "--allow-private", receiver.url("/down"))
    receiver.stop()
    done = versioner_text(db, "notify", "test", "1", check=False)
    receiver.start()
    assert done.returncode == 1 and "connect" in done.stderr.lower()


def test_poll_delivers_the_change_it_found_at_the_end_of_its_run(tmp_path, receiver, server):
    from helpers import article_html
    from werkzeug import Response

    page = {"html": article_html()}
    server.expect_request("/story").respond_with_handler(
        lambda _r: Response(page["html"], content_type="text/html")
    )
    db = tmp_path / "v.db"
    versioner(db, "notify", "add", "--allow-private", receiver.url("/poll"))
    versioner(db, "track", "--allow-private", server.url_for("/story"))
    poll = ("poll", "--force", "--delay", "0", "--contact", "tests@example.org")
    versioner(db, *poll)
    page["html"] = article_html(extra="Update: the council postponed the vote.")
    versioner(db, *poll)
    [message] = receiver.bodies("/poll")
    assert (
        message["to_version"] == 2
        and {"added": "Update: the council postponed the vote."} in message["sentences"]
    )
