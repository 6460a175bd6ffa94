"""Every real change and nothing else: outages of error pages, the extraction-drift guard, overlays, on real SQLite files."""

import random
from datetime import timedelta

from helpers import T0, ingest_all, text_capture

from versioner.capture import Capture
from versioner.store import Store

URL = "https://news.example.org/2025/ferry"
STORY = [
    "The harbour council voted on Tuesday to approve the first phase of the new ferry terminal.",
    "Residents of the old quarter had asked for a review of the traffic plan during the works.",
    "The mayor said the terminal should open to passengers in the summer of 2027, on schedule.",
    "Opposition members called the budget of 48 million euros unrealistic and asked for an audit.",
]
RELATED = "Storm closes the coastal road between the two ferry ports for a second day"


def page(paragraphs, aside=(RELATED,), article_extra="", title="Council approves ferry terminal") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    side = "".join(f"<li><a href='/x'>{line}</a></li>" for line in aside)
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav><main>"
        f"<article><h1>{title}</h1>{body}{article_extra}</article><aside><h2>Most read</h2><ul>{side}</ul>"
        "</aside></main><footer><p>All rights reserved.</p></footer></body></html>"
    ).encode()


def html_capture(raw: bytes, hours: float, url: str = URL) -> Capture:
    return Capture(raw=raw, url=url, fetched_at=T0 + timedelta(hours=hours), source="test", kind_hint="html")


def texts(store, article_id):
    return [store.with_text(v).text for v in store.versions(article_id)]


# --- outages of error pages --------------------------------------------------------------------

LONG = "Headline\n\n" + "\n\n".join(f"Paragraph {i} " + "word " * 30 for i in range(10))
OUTAGE = "Headline\n\nHoppla. Hier ist etwas schiefgelaufen."  # an error page no table knows


def test_an_outage_of_identical_short_pages_between_full_copies_makes_no_version(store):
    plan = [LONG, OUTAGE, OUTAGE, OUTAGE, LONG]
    results = ingest_all(store, [text_capture(body, 10 * i) for i, body in enumerate(plan)])
    versions = store.versions(results[0].article_id)
    assert len(versions) == 1 and versions[0].capture_count == 2


def test_the_page_coming_back_after_an_outage_is_no_revert(store):
    plan = [LONG, OUTAGE, OUTAGE, LONG]
    results = ingest_all(store, [text_capture(body, 10 * i) for i, body in enumerate(plan)])
    assert [v.revert_of for v in store.versions(results[0].article_id)] == [None]
    assert results[3].status == "unchanged"


def test_an_outage_held_back_says_why(store):
    results = ingest_all(
        store, [text_capture(body, 10 * i) for i, body in enumerate([LONG, OUTAGE, OUTAGE, LONG])]
    )
    held = [c for c in store.captures(results[0].article_id) if c["status"] == "truncated"]
    assert len(held) == 2 and all("outage" in c["reason"] for c in held)


def test_a_shortening_that_stays_is_still_a_version(store):
    results = ingest_all(store, [text_capture(body, 10 * i) for i, body in enumerate([LONG, OUTAGE, OUTAGE])])
    assert len(store.versions(results[0].article_id)) == 2


def test_soft_404s_in_many_languages_between_copies_make_no_version(store):
    errors = [
        ("Pagina non trovata", "La pagina che stai cercando non esiste."),
        ("Nie znaleziono strony", "Strona nie istnieje."),
        ("Sidan kunde inte hittas", "Sidan du söker finns inte."),
    ]
    plan = [page(STORY)]
    for title, text in errors:
        plan += [page([text], aside=(), title=title)] * 2
    plan.append(page(STORY))
    results = ingest_all(store, [html_capture(raw, i) for i, raw in enumerate(plan)])
    assert [r.status for r in results[1:-1]] == ["rejected"] * 6
    assert len(store.versions(results[0].article_id)) == 1


# --- the extraction-drift guard ----------------------------------------------------------------


def test_a_line_visible_all_along_coming_into_the_text_is_drift_not_a_version(store):
    before = page(STORY)
    after = page(STORY + [RELATED])  # the related headline now read as part of the article
    results = ingest_all(store, [html_capture(before, 0), html_capture(after, 1)])
    assert results[1].status == "unchanged"
    [version] = store.versions(results[0].article_id)
    assert version.capture_count == 2


def test_a_drifted_capture_records_its_reason(store):
    results = ingest_all(store, [html_capture(page(STORY), 0), html_capture(page(STORY + [RELATED]), 1)])
    second = store.captures(results[0].article_id)[1]
    assert second["status"] == "accepted" and second["reason"].startswith("extraction drift")


def test_a_line_dropped_from_the_text_but_still_on_the_page_is_drift(store):
    before = page(STORY + [RELATED])
    after = page(STORY)
    results = ingest_all(store, [html_capture(before, 0), html_capture(after, 1)])
    assert len(store.versions(results[0].article_id)) == 1


def test_a_one_word_edit_is_still_a_version_beside_drift(store):
    edited = STORY[:2] + [STORY[2].replace("summer", "autumn")] + STORY[3:]
    captures = [
        html_capture(page(STORY), 0),
        html_capture(page(STORY + [RELATED]), 1),
        html_capture(page(edited), 2),
    ]
    results = ingest_all(store, captures)
    assert results[2].status == "new version"
    assert "autumn" in texts(store, results[0].article_id)[-1]


def test_a_new_line_that_no_page_showed_is_a_version(store):
    added = "The council also promised a second public hearing before the contracts are signed."
    results = ingest_all(store, [html_capture(page(STORY), 0), html_capture(page(STORY + [added]), 1)])
    assert results[1].status == "new version"


def test_a_short_common_line_is_no_evidence_of_drift(store):
    before = page(STORY, aside=("Read more",))
    after = page(STORY + ["Read more"], aside=("Read more",))
    results = ingest_all(store, [html_capture(before, 0), html_capture(after, 1)])
    assert results[1].status == "new version"


def test_paragraphs_reordered_are_a_version_even_if_all_were_visible(store):
    reordered = [STORY[1], STORY[0], *STORY[2:]]
    results = ingest_all(store, [html_capture(page(STORY), 0), html_capture(page(reordered), 1)])
    assert results[1].status == "new version"


def test_drift_is_judged_the_same_in_any_order_of_arrival(tmp_path):
    edited = STORY[:2] + [STORY[2].replace("summer", "autumn")] + STORY[3:]
    plan = [
        page(STORY),
        page(STORY + [RELATED]),
        page(STORY),
        page(edited),
        page(edited + [RELATED]),
        page(edited),
    ]
    captures = [html_capture(raw, i) for i, raw in enumerate(plan)]
    seen = []
    for seed in (0, 1, 2):
        shuffled = captures[:] if seed == 0 else random.Random(seed).sample(captures, len(captures))
        store = Store(tmp_path / f"{seed}.db")
        results = ingest_all(store, shuffled)
        seen.append([(v.first_seen, v.capture_count) for v in store.versions(results[0].article_id)])
        store.close()
    assert seen[0] == seen[1] == seen[2] and len(seen[0]) == 2


# --- consent overlays --------------------------------------------------------------------------


def test_consent_banners_coming_and_going_make_no_version(store):
    banners = [
        "",
        '<div id="onetrust-consent-sdk"><p>We and our 842 partners store and access information on your device, '
        "such as cookies, for personalised advertising.</p></div>",
        '<div id="didomi-host"><p>Wir und unsere 312 Partner speichern Cookies und verarbeiten personenbezogene '
        "Daten.</p></div>",
        '<div role="dialog"><p>Nous et nos partenaires utilisons des cookies et traitons des données personnelles '
        "avec votre consentement.</p></div>",
    ]
    captures = [
        html_capture(page(STORY).replace(b"</body>", f"{b}</body>".encode()), i)
        for i, b in enumerate(banners)
    ]
    results = ingest_all(store, captures)
    assert [r.status for r in results] == ["new version"] + ["unchanged"] * 3
