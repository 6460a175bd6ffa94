"""Atom feeds of changes: well-formed, one stable unique id per change, RFC 3339 dates, escaped content."""

import re
import xml.etree.ElementTree as ET

from helpers import text_capture
from web_fixtures import HOSTILE_URL, KURSK_URL_PART, REVERT_URL, article_id, build_database

from versioner.store import Store
from versioner.versioning import ingest
from versioner.web import create_app

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def feed(client, url: str) -> ET.Element:
    response = client.get(url, base_url="https://localhost")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{ATOM}entry")


def test_recent_changes_feed_has_one_entry_per_version_with_unique_ids_and_rfc3339_dates(client):
    root = feed(client, "/feed.atom")
    items = entries(root)
    assert len(items) == 12 + 2 + 3  # snapshots' versions, the hostile article's and the revert story's
    ids = [e.findtext(f"{ATOM}id") for e in items]
    assert len(set(ids)) == len(ids) and all(i.startswith("tag:localhost,2025:article/") for i in ids)
    for e in items:
        assert RFC3339.match(e.findtext(f"{ATOM}updated"))
        assert e.find(f"{ATOM}link").get("href").startswith("https://localhost/articles/")
        assert e.findtext(f"{ATOM}title") and e.findtext(f"{ATOM}content")
    assert RFC3339.match(root.findtext(f"{ATOM}updated"))
    assert root.findtext(f"{ATOM}id") and root.findtext(f"{ATOM}author/{ATOM}name")
    updated = [e.findtext(f"{ATOM}updated") for e in items]
    assert updated == sorted(updated, reverse=True)


def test_feed_links_to_itself_and_to_the_site(client):
    root = feed(client, "/feed.atom")
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": "https://localhost/feed.atom", "alternate": "https://localhost/"}


def test_a_change_entry_carries_the_edit_summary_a_diff_excerpt_and_a_link_to_the_diff(client, db_path):
    kursk = article_id(db_path, KURSK_URL_PART)
    [change, first] = entries(feed(client, f"/articles/{kursk}/feed.atom"))
    content = change.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "5 paragraphs added" in content.text
    assert "<ins>" in content.text and "Sluzki" in content.text  # HTML, escaped once inside the XML
    link = change.find(f"{ATOM}link").get("href")
    assert re.fullmatch(rf"https://localhost/articles/{kursk}/diff/[0-9a-f]{{12}}\.\.[0-9a-f]{{12}}", link)
    assert client.get(link).status_code == 200
    assert first.findtext(f"{ATOM}title").startswith("New article: ")


def test_hostile_text_stays_text_inside_the_feed(client, db_path):
    hostile = article_id(db_path, HOSTILE_URL)
    root = feed(client, f"/articles/{hostile}/feed.atom")
    for e in entries(root):
        assert "<script>" in e.findtext(f"{ATOM}title")  # a title is plain text: readers show it as such
        content = e.findtext(f"{ATOM}content")
        assert "<script>" not in content and "<img" not in content
    assert "&lt;script&gt;" in "".join(e.findtext(f"{ATOM}content") for e in entries(root))


def test_a_revert_is_a_new_entry_of_its_own(client, db_path):
    revert = article_id(db_path, REVERT_URL)
    ids = [e.findtext(f"{ATOM}id") for e in entries(feed(client, f"/articles/{revert}/feed.atom"))]
    assert len(ids) == len(set(ids)) == 3


def test_entry_ids_survive_a_backfill_that_renumbers_versions(tmp_path):
    path = build_database(tmp_path / "versioner.db")
    revert = article_id(path, REVERT_URL)
    client = create_app({"DATABASE": str(path)}).test_client()
    before = [e.findtext(f"{ATOM}id") for e in entries(feed(client, f"/articles/{revert}/feed.atom"))]
    store = Store(path)
    try:  # a capture from before the first one turns up late: every version's number moves up by one
        ingest(
            store,
            text_capture("Harbour plan on the agenda\n\nThe council meets on Tuesday.", -60, url=REVERT_URL),
        )
        assert [v.n for v in store.versions(revert)] == [1, 2, 3, 4]
    finally:
        store.close()
    after = [e.findtext(f"{ATOM}id") for e in entries(feed(client, f"/articles/{revert}/feed.atom"))]
    assert len(after) == 4 and set(before) < set(after)


def test_feed_of_an_unknown_article_is_a_404(client):
    assert client.get("/articles/999999/feed.atom").status_code == 404
    assert client.get("/articles/x/feed.atom").status_code == 400


def test_feed_answers_conditional_requests(client):
    response = client.get("/feed.atom")
    assert client.get("/feed.atom", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_home_and_article_pages_announce_their_feeds(client, db_path):
    kursk = article_id(db_path, KURSK_URL_PART)
    home = client.get("/").get_data(as_text=True).split("</head>")[0]
    article = client.get(f"/articles/{kursk}").get_data(as_text=True).split("</head>")[0]
    assert 'type="application/atom+xml" href="/feed.atom"' in home
    assert f'type="application/atom+xml" href="/articles/{kursk}/feed.atom"' in article
