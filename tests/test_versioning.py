"""The versioning rule, on real SQLite files."""

import random

import pytest
from helpers import T0, corpus_series, ingest_all, text_capture

from versioner.capture import Capture
from versioner.versioning import ingest

STORY = "Harbour plan approved\n\nThe council approved the harbour plan on Tuesday.\n\nWork starts in May."
EDITED = (
    "Harbour plan approved\n\nThe council approved the harbour plan on Tuesday night.\n\nWork starts in May."
)


def texts(store, article_id):
    return [store.with_text(v).text for v in store.versions(article_id)]


def test_unchanged_capture_extends_the_version_in_force(store):
    first, second = ingest_all(store, [text_capture(STORY, 0), text_capture(STORY + "\n", 30)])
    assert (first.status, second.status) == ("new version", "unchanged")
    [version] = store.versions(first.article_id)
    assert version.capture_count == 2
    assert (version.first_seen, version.last_seen) == ("2025-02-07T10:00:00Z", "2025-02-07T10:30:00Z")


def test_changed_text_starts_a_new_version(store):
    results = ingest_all(store, [text_capture(STORY, 0), text_capture(EDITED, 30)])
    assert [r.status for r in results] == ["new version", "new version"]
    assert [v.n for v in store.versions(results[0].article_id)] == [1, 2]


def test_same_snapshot_twice_changes_nothing(store):
    first = ingest(store, text_capture(STORY, 0))
    again = ingest(store, text_capture(STORY, 0))
    assert again.status == "duplicate"
    assert store.article(first.article_id)["capture_count"] == 1


def test_return_to_earlier_wording_is_a_revert(store):
    results = ingest_all(store, [text_capture(STORY, 0), text_capture(EDITED, 10), text_capture(STORY, 20)])
    versions = store.versions(results[0].article_id)
    assert [v.revert_of for v in versions] == [None, None, 1]
    assert results[2].revert_of == 1


def test_out_of_order_capture_lands_in_time_order(store):
    results = ingest_all(store, [text_capture(EDITED, 30), text_capture(STORY, 0)])
    versions = store.versions(results[0].article_id)
    assert texts(store, results[0].article_id) == [STORY.split("\n\n", 1)[1], EDITED.split("\n\n", 1)[1]]
    assert versions[0].first_seen == "2025-02-07T10:00:00Z"


def test_late_capture_inside_a_version_splits_it(store):
    results = ingest_all(store, [text_capture(STORY, 0), text_capture(STORY, 60), text_capture(EDITED, 30)])
    versions = store.versions(results[0].article_id)
    assert [v.capture_count for v in versions] == [1, 1, 1]
    assert versions[2].revert_of == 1


def test_late_capture_before_a_version_with_its_text_extends_it_backwards(store):
    results = ingest_all(store, [text_capture(STORY, 0), text_capture(EDITED, 60), text_capture(EDITED, 30)])
    versions = store.versions(results[0].article_id)
    assert len(versions) == 2 and versions[1].first_seen == "2025-02-07T10:30:00Z"
    assert results[2].status == "unchanged"


def test_error_page_between_two_copies_is_rejected_not_a_version(store):
    error = "Oops\n\nThis page isn't available. An unexpected error has occurred."
    results = ingest_all(store, [text_capture(STORY, 0), text_capture(error, 10), text_capture(STORY, 20)])
    assert [r.status for r in results] == ["new version", "rejected", "unchanged"]
    assert len(store.versions(results[0].article_id)) == 1


def test_http_error_capture_is_kept_as_rejected(store):
    result = ingest(store, text_capture(STORY, 0, http_status=503))
    assert result.status == "rejected" and result.reason == "HTTP status 503"
    assert store.captures(result.article_id)[0]["status"] == "rejected"
    assert store.versions(result.article_id) == []


LONG = "Headline\n\n" + "\n\n".join(f"Paragraph {i} " + "word " * 30 for i in range(10))
STUB = "Headline\n\nParagraph 0 " + "word " * 30


def test_capture_that_lost_most_of_the_article_is_held_back(store):
    results = ingest_all(store, [text_capture(LONG, 0), text_capture(STUB, 10), text_capture(LONG, 20)])
    assert results[1].status == "truncated"
    assert len(store.versions(results[0].article_id)) == 1


def test_shortening_confirmed_by_the_next_capture_becomes_a_version(store):
    results = ingest_all(store, [text_capture(LONG, 0), text_capture(STUB, 10), text_capture(STUB, 20)])
    versions = store.versions(results[0].article_id)
    assert len(versions) == 2 and versions[1].capture_count == 2
    assert versions[1].first_seen == "2025-02-07T10:10:00Z"


def test_confirmed_shortening_needs_no_stored_text_of_the_held_capture(store):
    # the stub arrives first and is held back; a later copy between confirms it, its text comes from raw
    results = ingest_all(store, [text_capture(LONG, 0), text_capture(STUB, 20), text_capture(STUB + " ", 10)])
    assert len(store.versions(results[0].article_id)) == 2


def test_any_order_gives_the_same_versions_on_real_series(store, corpus, tmp_path):
    from versioner.store import Store

    for source, name in [
        ("pga-versions", _first_series(corpus / "pga-versions")),
        ("frontpage-teasers-de", _first_series(corpus / "frontpage-teasers-de")),
    ]:
        captures = corpus_series(corpus, source, name)
        ingest_all(store, captures)
        want = texts(store, store.article_id_for_url(captures[0].url))
        for seed in (1, 2):
            shuffled = captures[:]
            random.Random(seed).shuffle(shuffled)
            other = Store(tmp_path / f"{name}-{seed}.db")
            ingest_all(other, shuffled + shuffled[:3])
            assert texts(other, other.article_id_for_url(captures[0].url)) == want, (name, seed)
            other.close()


def test_error_page_flip_flop_in_real_captures_gives_no_false_versions(store, corpus):
    captures = corpus_series(corpus, "ota-genai-eu-html", "llama-api-acceptable-use-policy")
    results = ingest_all(store, captures)
    rejected = [r for r in results if r.status in ("rejected", "truncated")]
    assert rejected, "the error-page captures should be rejected"
    assert not any("unexpected error" in t.lower() for t in texts(store, results[0].article_id))


def test_noise_only_captures_collapse_into_one_version(store, corpus):
    captures = corpus_series(corpus, "ota-genai-eu-html", "claude-terms-of-service-noise-only")
    results = ingest_all(store, captures)
    assert len(store.versions(results[0].article_id)) == 1


def _first_series(folder):
    return sorted(p.name for p in folder.iterdir() if (p / "meta.json").exists())[0]


@pytest.mark.parametrize(
    "declared", ["0001-01-01T00:00:00+01:00", "0999-06-01T00:00:00Z", "3000-01-01T00:00:00Z"]
)
def test_an_absurd_published_time_on_the_page_is_stored_as_none(store, declared):
    page = (
        f'<html><head><meta property="article:published_time" content="{declared}"></head><body><article>'
        "<h1>Harbour plan approved</h1><p>The council approved the harbour plan on Tuesday evening after a "
        "long debate about the costs and the timetable of the works.</p></article></body></html>"
    )
    capture = Capture(page.encode(), "https://news.example.org/harbour", T0, "test", "html")
    result = ingest(store, capture)
    assert result.status == "new version"
    assert store.version(result.article_id, 1).published is None
