"""Notices and stealth edits of versions, judged at ingest from real captures in a real database."""

import json
import re
from datetime import timedelta

from helpers import T0, versioner_text
from hypothesis import given
from hypothesis import strategies as st

from versioner.capture import Capture
from versioner.signals import RELATIVE_TIME, STAMPS, TIME_OF_DAY
from versioner.versioning import ingest

URL = "https://news.example.org/2025/04/schools-close-700101"
BASE = [
    "The ministry said 40 schools would close for repairs this summer.",
    "Parents were told in a letter on Monday.",
    "The works are expected to cost 12 million euros.",
]


def page(paragraphs, modified="2025-04-01T08:00:00Z", correction=None, title="Schools to close") -> bytes:
    data = {"@type": "NewsArticle", "datePublished": "2025-04-01T08:00:00Z", "dateModified": modified}
    if correction:
        data["correction"] = {"@type": "CorrectionComment", "text": correction}
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="en"><head><title>{title}</title>'
        f'<script type="application/ld+json">{json.dumps(data)}</script></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def add(store, raw: bytes, hours: float, url: str = URL):
    return ingest(store, Capture(raw, url, T0 + timedelta(hours=hours), "test", kind_hint="html"))


def signals(store, url: str = URL):
    versions = store.versions(store.article_id_for_url(url))
    return [(v.notice_kind, bool(v.stealth)) for v in versions]


def test_a_correction_notice_in_text_and_json_ld_marks_the_version(store):
    add(store, page(BASE), 0)
    corrected = [
        BASE[0].replace("40", "14"),
        *BASE[1:],
        "Correction: An earlier version misstated the number.",
    ]
    add(store, page(corrected, "2025-04-01T11:30:00Z", "An earlier version misstated the number."), 3)
    assert signals(store) == [(None, False), ("correction", False)]


def test_a_silent_figure_change_is_a_stealth_edit(store):
    add(store, page(BASE), 0)
    add(store, page([*BASE[:2], BASE[2].replace("12 million", "19 million")]), 3)
    assert signals(store) == [(None, False), (None, True)]


def test_a_newer_modification_time_announces_the_change(store):
    add(store, page(BASE), 0)
    add(store, page([*BASE[:2], BASE[2].replace("12", "19")], modified="2025-04-01T10:00:00Z"), 3)
    assert signals(store) == [(None, False), ("modified", False)]


def test_a_notice_already_there_is_not_a_new_notice(store):
    notice = "Correction: An earlier version misstated the number."
    add(store, page(BASE), 0)
    add(store, page([*BASE, notice], "2025-04-01T10:00:00Z"), 1)
    add(store, page([BASE[0].replace("40", "41"), *BASE[1:], notice], "2025-04-01T10:00:00Z"), 2)
    assert signals(store) == [(None, False), ("correction", False), (None, True)]


def test_a_change_of_punctuation_and_spacing_is_no_stealth_edit(store):
    add(store, page(BASE), 0)
    add(store, page([BASE[0].replace("summer.", "summer!"), BASE[1].replace(" in ", "  in,  "), BASE[2]]), 1)
    assert signals(store) == [(None, False), (None, False)]


def test_a_new_live_blog_entry_is_no_stealth_edit(store):
    entries = ["12:05 The minister arrives at the school.", "11:40 Parents gather outside the gates."]
    add(store, page([*BASE, *entries]), 0)
    add(store, page([*BASE, "12:31 The minister leaves without a statement.", *entries]), 1)
    assert signals(store) == [(None, False), (None, False)]


def test_live_blog_relative_times_are_no_stealth_edit(store):
    add(store, page([*BASE, "Posted 5 minutes ago: parents gather outside the gates."]), 0)
    add(store, page([*BASE, "Posted 35 minutes ago: parents gather outside the gates."]), 1)
    assert signals(store) == [(None, False), (None, False)]


def test_a_first_version_carries_no_notice_even_with_one_on_the_page(store):
    add(store, page([*BASE, "Correction: the date was wrong."], correction="The date was wrong."), 0)
    assert signals(store) == [(None, False)]


def test_signals_follow_time_order_when_captures_arrive_late(store):
    changed = [*BASE[:2], BASE[2].replace("12 million", "19 million")]
    add(store, page(changed), 3)
    add(store, page(BASE), 0)
    assert signals(store) == [(None, False), (None, True)]


def test_versions_json_gives_notice_and_stealth(tmp_path):
    db = tmp_path / "v.db"
    first, second = tmp_path / "1.html", tmp_path / "2.html"
    first.write_bytes(page(BASE))
    second.write_bytes(page([*BASE, "Update: the council has replied."]))
    versioner_text(db, "ingest", "--url", URL, "--fetched-at", "2025-04-01T09:00:00Z", first)
    versioner_text(db, "ingest", "--url", URL, "--fetched-at", "2025-04-01T10:00:00Z", second)
    items = json.loads(versioner_text(db, "versions", URL, "--json").stdout)
    assert [(v["notice"], v["stealth"]) for v in items] == [
        (None, False),
        ({"kind": "update", "text": "Update: the council has replied."}, False),
    ]


def test_badges_show_on_the_version_list_the_numbered_diff_and_the_feed(store):
    from versioner.web import create_app

    add(store, page(BASE), 0)
    add(store, page([*BASE[:2], BASE[2].replace("12 million", "19 million")]), 3)
    client = create_app({"DATABASE": store.path, "TESTING": True}).test_client()
    for path in ("/articles/1", "/articles/1/diff?from=1&to=2", "/articles/1/feed.atom"):
        assert "Stealth edit" in client.get(path).get_data(as_text=True), path


STAMP_PIECES = st.sampled_from(
    [
        "12:35",
        "9.05 Uhr",
        "7:15 p.m.",
        "3 minutes ago",
        "an hour ago",
        "vor 5 Minuten",
        "vor einer Stunde",
        "il y a 2 heures",
        "hace 3 horas",
        "just now",
        "Gerade eben",
        "İl y a 4 jours",
        "٣:٤٥",
        " ",
        "x",
        "_",
    ]
)


@given(st.lists(st.one_of(STAMP_PIECES, st.text(max_size=8)), max_size=6).map("".join))
def test_the_stamp_pattern_removes_what_its_plain_alternatives_remove(text):
    plain = re.compile(f"{TIME_OF_DAY}|{RELATIVE_TIME}", re.IGNORECASE)  # without the scan's lookahead
    assert STAMPS.sub(" ", text) == plain.sub(" ", text)
