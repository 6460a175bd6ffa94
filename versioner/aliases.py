"""One story, many URLs: which URLs name the same article, at ingest and on a person's word.

At ingest (`article_for`), a capture's URL is the same article as
  * an URL already stored or aliased (the one lookup, Store.article_id_for_url);
  * the URL the fetch asked for before redirects, and the page's canonical link within its site;
  * on the same site, an article whose URL carries the same story id (versioner/story_ids.py).
A URL found by the last two becomes an alias of the article it matched. A person decides the rest:
`suggest` proposes new URLs whose first text nearly equals a recent article of the same site,
`merge` makes one article of two, `split` undoes it exactly (each capture remembers its URL).
The versioning rule stays a pure function of an article's captures: a merge or split moves captures
and rebuilds both articles.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from versioner.capture import Capture
from versioner.errors import AliasError, NotInArchive, VersionerError
from versioner.store import Store
from versioner.story_ids import story_id
from versioner.times import now, parse_time, to_iso
from versioner.urls import canonical_link, canonical_url, same_site, site_of

SUGGEST_DAYS = 7  # how far apart two first sightings may be for their articles to be proposed as one
SUGGEST_LIMIT = 5000  # the newest articles compared by `suggest`
SUGGEST_SIMILARITY = 0.8  # share of word 3-grams two first texts have in common
SHINGLE = 3


def article_for(store: Store, url: str, capture: Capture, fetched_at: str) -> int:
    """The id of the article `url` belongs to, created if it is new; inside ingest's transaction.

    The capture's other names that no article has yet become aliases of it.
    """
    others = _other_names(url, capture)
    found = store.article_id_for_url(url) or _by_other_name(store, url, others, fetched_at)
    if not found:
        sid = story_id(url)
        same_story = store.aliases.url_with_story_id(site_of(url), sid) if sid else None
        if same_story:
            found = store.article_id_for_url(same_story)
            store.aliases.add(url, found, "story id", fetched_at)
        else:
            found = store.create_article(url, site_of(url), fetched_at)
            store.aliases.set_story_id(found, sid)
    for other, reason in others:
        if store.article_id_for_url(other) is None:
            store.aliases.add(other, found, reason, fetched_at)
    return found


def _by_other_name(store: Store, url: str, others: list[tuple[str, str]], fetched_at: str) -> int | None:
    """The article another name of the page has, unless the two URLs look like two stories."""
    for other, reason in others:
        found = store.article_id_for_url(other) if _same_story(url, other) else None
        if found:
            store.aliases.add(url, found, reason, fetched_at)
            return found
    return None


def remember_url(store: Store, capture_id: int, article_id: int, url: str) -> None:
    """Note the URL a capture came in under when it is an alias: a split moves it back with it."""
    if store.article(article_id)["url"] != url:
        store.aliases.remember_capture_url(capture_id, url)


def _same_story(url: str, other: str) -> bool:
    """A story URL redirecting to a front page or another story id is not the same story: sites send a
    deleted article's readers to their home or section page."""
    ids = story_id(url), story_id(other)
    if any(ids):
        return ids[0] == ids[1]
    return bool(urlsplit(url).path.strip("/"))


def _other_names(url: str, capture: Capture) -> list[tuple[str, str]]:
    """Other URLs of the same page: the one asked for before redirects, and a canonical link within
    the site (not the site's front page, which some sites name as every page's canonical)."""
    names = []
    if capture.requested_url:
        try:
            asked = canonical_url(capture.requested_url)
        except VersionerError:
            asked = None
        if asked and asked != url:
            names.append((asked, "redirect"))
    link = canonical_link(capture.raw, url) if capture.kind_hint != "text" else None
    if link and link != url and same_site(link, url) and urlsplit(link).path.strip("/"):
        names.append((link, "canonical"))
    return names


@dataclass(frozen=True)
class Suggestion:
    """A newer article whose first text nearly equals an older one of the same site."""

    url: str
    article: int
    same_as: int
    same_as_url: str
    similarity: float

    def to_json(self) -> dict:
        return {
            "url": self.url,
            "article": self.article,
            "same_as": {"article": self.same_as, "url": self.same_as_url},
            "similarity": round(self.similarity, 3),
        }


def suggest(store: Store, days: int = SUGGEST_DAYS, limit: int = SUGGEST_LIMIT) -> list[Suggestion]:
    """Pairs of articles of one site, first seen at most `days` apart among the `limit` newest articles,
    whose first versions share most of their word 3-grams; newest first."""
    rows = store.aliases.newest_first_texts(limit)
    shingles = {row["id"]: _shingles(store.texts.get(row["id"], row["text_hash"])) for row in rows}
    by_site: dict[str, list[dict]] = {}
    for row in rows:
        by_site.setdefault(row["site"], []).append(row)
    found = []
    window = timedelta(days=days)
    for articles in by_site.values():
        articles.sort(key=lambda row: row["first_seen"])
        for index, newer in enumerate(articles):
            best = _best_match(newer, articles[:index], shingles, window)
            if best:
                found.append(best)
    return sorted(found, key=lambda s: s.article, reverse=True)


def _best_match(newer: dict, older: list[dict], shingles: dict, window: timedelta) -> Suggestion | None:
    mine = shingles[newer["id"]]
    if not mine:
        return None
    start = parse_time(newer["first_seen"]) - window
    best = None
    for row in older:
        if parse_time(row["first_seen"]) < start:
            continue
        if newer["story_id"] and row["story_id"] and newer["story_id"] != row["story_id"]:
            continue  # two ids: two stories
        theirs = shingles[row["id"]]
        share = len(mine & theirs) / len(mine | theirs) if theirs else 0.0
        if share >= SUGGEST_SIMILARITY and (best is None or share > best.similarity):
            best = Suggestion(newer["url"], newer["id"], row["id"], row["url"], share)
    return best


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = text.casefold().split()
    return {tuple(words[i : i + SHINGLE]) for i in range(max(len(words) - SHINGLE + 1, 0))}


def merge(store: Store, keep_ref: str, other_ref: str) -> dict:
    """Make `other` part of `keep`: its captures, URL and aliases; `split OTHER-URL` undoes it."""
    from versioner.versioning import rebuild  # the versioning rule imports this module

    with store.transaction():
        keep, other = store.article(keep_ref), store.article(other_ref)
        if keep["id"] == other["id"]:
            raise AliasError(f"{keep['url']} and {other['url']} are one article already")
        store.serialise(*(f"article {article_id}" for article_id in sorted((keep["id"], other["id"]))))
        hashes = store.aliases.move_captures(other, keep["id"])
        _carry_texts(store, other["id"], keep["id"], hashes)
        store.aliases.move_aliases(other["id"], keep["id"])
        store.aliases.add(other["url"], keep["id"], "merge", to_iso(now()), moved_from=other["id"])
        rebuild(store, keep["id"])  # first: its captures leave the other's versions, which can then go
        rebuild(store, other["id"])
        return {"article": keep["id"], "merged": other["id"], "url": other["url"]}


def split(store: Store, url: str) -> dict:
    """Undo what made `url` an alias: its captures (and a merged article's aliases) leave the article."""
    from versioner.versioning import rebuild

    url = canonical_url(url)
    with store.transaction():
        alias = store.aliases.get(url)
        if alias is None:
            raise AliasError(f"{url} is no alias of another article: nothing to split")
        source = alias["article_id"]
        store.serialise(url, f"article {source}")
        if alias["moved_from"] and alias["reason"] == "merge":
            target = store.article(alias["moved_from"])
        else:
            # its first and last sightings are made right from its captures by the rebuild below
            target = {"id": store.create_article(url, site_of(url), to_iso(now())), "url": url}
            store.aliases.set_story_id(target["id"], story_id(url))
        urls = store.aliases.detach(url, source, target["id"])
        hashes = store.aliases.move_captures_of_urls(urls, source, target)
        _carry_texts(store, source, target["id"], hashes)
        rebuild(store, target["id"])  # first: its captures leave the source's versions, which can then go
        rebuild(store, source)
        return {"article": source, "split": target["id"], "url": url}


def _carry_texts(store: Store, source_id: int, target_id: int, hashes: list[str]) -> None:
    """The target needs the texts of the captures it got (texts are stored per article)."""
    for content_hash in hashes:
        try:
            text = store.texts.get(source_id, content_hash)
        except NotInArchive:
            continue
        store.put_text(target_id, content_hash, store.aliases.title_of(target_id, content_hash), text)
