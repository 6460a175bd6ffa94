"""A synthetic news archive of any size, built fast: real ingest for what is measured, copies for the bulk.

Articles are a headline and 6 to 14 paragraphs drawn from the real texts of the shared corpus (policies,
statutes, Wikipedia revisions; headlines from the German front-page teasers), so the vocabulary and the
paragraph lengths are real. One article enters the archive a minute, on twenty sites.

Ingesting a million articles through `ingest()` takes hours on a shared 2-core machine, so the archive
grows by two means:

* `ingest` (the real path, timed by the report): new articles, changed versions of articles already in
  the archive (one paragraph replaced or added, as news corrections are) and unchanged re-captures;
* `copy_seed`: the first block of articles, really ingested, copied row for row (`articles`, `captures`,
  `versions`, `texts`, the paragraph index and its FTS5 rows, `article_stats`, whose sums `site_totals`
  gains as ingest would move it) with new ids, URLs and times shifted to
  when the copy enters the archive: the rows ingest wrote, at SQL speed. Copies share their seed's raw
  captures (same bytes, same hash), so the report measures bytes per article on the seed alone, before
  any copy exists.

Every table's columns are copied as they are, so columns other modules add come along unchanged.
"""

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from versioner.capture import Capture
from versioner.store import Store
from versioner.store.search_index import ARTICLE_SHIFT, paragraphs_of
from versioner.store.site_stats import COUNTS
from versioner.versioning import ingest

T0 = datetime(2024, 1, 1, tzinfo=UTC)
ARTICLE_EVERY = timedelta(minutes=1)
SITES = [f"news{n}.example.org" for n in range(20)]
RARE_WORD = "Quellwasserkonzession"  # made up: one article of each slice has it
SOURCES = ("pga-versions", "ota-france-versions-fr", "wikipedia-revisions-en", "bundesgit-gesetze-de")


def corpus_text(corpus: Path) -> tuple[list[str], list[str]]:
    """Paragraphs (20 to 150 words) and headlines of the corpus, each once."""
    paragraphs: dict[str, None] = {}
    for source in SOURCES:
        for path in sorted((corpus / source).glob("*/v*.*")):
            for part in path.read_text(encoding="utf-8").split("\n\n"):
                part = " ".join(part.replace("#", " ").split())
                if 20 <= len(part.split()) <= 150:
                    paragraphs[part] = None
    headlines = {
        json.loads(path.read_text(encoding="utf-8")).get("title", ""): None
        for path in sorted((corpus / "frontpage-teasers-de").glob("*/v*.json"))
    }
    return list(paragraphs), [h for h in headlines if h]


@dataclass
class Archive:
    """What the builder knows of the archive it grows: each article's URL and current paragraphs."""

    store: Store
    paragraphs: list[str]
    headlines: list[str]
    rng: random.Random = field(default_factory=lambda: random.Random(14))
    articles: int = 0  # articles in the archive, really ingested or copied
    texts: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # url: (headline, paragraphs)
    urls: list[str] = field(default_factory=list)  # of the articles really ingested
    copies: list[tuple[str, str]] = field(default_factory=list)  # (url of a copy, url of its seed)
    seed: dict | None = None  # id ranges of the seed's rows, once copy_seed may run

    def now(self) -> datetime:
        return T0 + self.articles * ARTICLE_EVERY

    def new_captures(self, count: int, rare: bool = False) -> list[Capture]:
        """Captures of `count` new articles, one a minute (with the rare word in the first if `rare`)."""
        found = []
        for index in range(count):
            body = self.rng.sample(self.paragraphs, self.rng.randint(6, 14))
            if rare and index == 0:
                body[-1] += f" {RARE_WORD}."
            url = f"https://{self.rng.choice(SITES)}/{self.articles:07d}-story"
            self.texts[url] = (self.rng.choice(self.headlines), body)
            self.urls.append(url)
            found.append(self._capture(url, self.now()))
            self.articles += 1
        return found

    def change_captures(self, count: int) -> list[Capture]:
        """Captures of `count` articles already stored, each with one paragraph replaced or added."""
        found = []
        for _ in range(count):
            url = self._any_url()
            headline, body = self.texts[url]
            body = list(body)
            if self.rng.random() < 0.5:
                body[self.rng.randrange(len(body))] = self.rng.choice(self.paragraphs)
            else:
                body.insert(self.rng.randrange(len(body) + 1), self.rng.choice(self.paragraphs))
            self.texts[url] = (headline, body)
            found.append(self._capture(url, self.now() + timedelta(seconds=len(found) + 1)))
        return found

    def same_captures(self, count: int) -> list[Capture]:
        """Captures of `count` stored articles, unchanged (a poll that finds nothing new)."""
        return [self._capture(self._any_url(), self.now() + timedelta(seconds=n + 1)) for n in range(count)]

    def _any_url(self) -> str:
        if self.copies and self.rng.random() < 0.8:  # most of the archive is copies
            copy, seed = self.copies[self.rng.randrange(len(self.copies))]
            self.texts.setdefault(copy, self.seed["bodies"][seed])
            return copy
        return self.rng.choice(self.urls)

    def _capture(self, url: str, at: datetime) -> Capture:
        headline, body = self.texts[url]
        return Capture("\n\n".join([headline, *body]).encode(), url, at, "scale", "text")

    def ingest(self, captures: list[Capture]) -> None:
        """The real path: every capture through `ingest()`, in one batch, as `versioner ingest` does."""
        with self.store.batch():
            for capture in captures:
                ingest(self.store, capture)
                self.store.commit_if_due()

    def mark_seed(self) -> None:
        """Every article stored so far becomes the seed that copy_seed copies."""
        db = self.store.db
        self.seed = {
            table: db.execute(f"SELECT min(id), max(id) FROM {table}").fetchone()
            for table in ("articles", "captures", "versions", "texts")
        }
        low, high = self.seed["articles"]
        self.seed["urls"] = [
            row[0]
            for row in db.execute(f"SELECT url FROM articles WHERE id BETWEEN {low} AND {high} ORDER BY id")
        ]
        self.seed["bodies"] = {url: self.texts[url] for url in self.seed["urls"]}
        self.urls = []  # the seed stays as it is: later captures go to copies and newer articles
        self.seed["fts"] = []
        for article_id, title, text_id in db.execute(
            f"SELECT t.article_id, c.title, t.id FROM texts t JOIN captures c ON c.article_id = t.article_id "
            f"AND c.content_hash = t.hash WHERE t.article_id BETWEEN {low} AND {high} GROUP BY t.id"
        ).fetchall():
            ids = dict(
                db.execute("SELECT hash, id FROM paragraphs WHERE article_id = ?", [article_id]).fetchall()
            )
            text = self.store.texts.text_of(text_id)
            self.seed["fts"] += [(ids[digest], part) for digest, part in paragraphs_of(title, text).items()]
        self.seed["fts"] = sorted(set(self.seed["fts"]))

    def copy_seed(self, articles: int) -> None:
        """At least `articles` more articles: whole copies of the seed, as a first text may be compressed
        against another seed article's (a keyframe of its site), which a copy must have too."""
        low, high = self.seed["articles"]
        for _ in range(-(-articles // (high - low + 1))):
            self._copy(low, high)

    def _copy(self, low: int, high: int) -> None:
        db = self.store.db
        shift = f"'+{self.articles * 60} seconds'"  # the seed's first article entered at T0
        offsets = {
            table: db.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
            + 1
            - self.seed[table][0]
            for table in ("articles", "captures", "versions", "texts")
        }
        a, c, v, t = (offsets[name] for name in ("articles", "captures", "versions", "texts"))
        moved = f"strftime('%Y-%m-%dT%H:%M:%SZ', {{}}, {shift})"
        rows = {
            "articles": (
                {
                    "id": f"id + {a}",
                    "url": f"url || '-{a}'",
                    "first_seen": moved.format("first_seen"),
                    "last_seen": moved.format("last_seen"),
                    "last_changed": moved.format("last_changed"),
                },
                f"id BETWEEN {low} AND {high}",
            ),
            "versions": (
                {
                    "id": f"id + {v}",
                    "article_id": f"article_id + {a}",
                    "first_seen": moved.format("first_seen"),
                    "last_seen": moved.format("last_seen"),
                },
                f"article_id BETWEEN {low} AND {high} AND id <= {self.seed['versions'][1]}",
            ),
            "texts": (
                {"id": f"id + {t}", "article_id": f"article_id + {a}", "base_id": f"base_id + {t}"},
                f"article_id BETWEEN {low} AND {high} AND id <= {self.seed['texts'][1]}",
            ),
            "captures": (
                {
                    "id": f"id + {c}",
                    "article_id": f"article_id + {a}",
                    "version_id": f"version_id + {v}",
                    "fetched_at": moved.format("fetched_at"),
                    "ingested_at": moved.format("ingested_at"),
                },
                f"article_id BETWEEN {low} AND {high} AND id <= {self.seed['captures'][1]}",
            ),
            "paragraphs": (
                {"article_id": f"article_id + {a}", "id": f"id + ({a} << {ARTICLE_SHIFT})"},
                f"article_id BETWEEN {low} AND {high}",
            ),
            "article_stats": ({"article_id": f"article_id + {a}"}, f"article_id BETWEEN {low} AND {high}"),
            "text_paragraphs": (
                {"paragraph_id": f"paragraph_id + ({a} << {ARTICLE_SHIFT})", "text_id": f"text_id + {t}"},
                f"paragraph_id BETWEEN {low << ARTICLE_SHIFT} AND {((high + 1) << ARTICLE_SHIFT) - 1}",
            ),
        }
        # The copies' references are the seed's, moved by the same offsets. Checked row by row, every
        # new text would scan text_paragraphs (its text_id has no index of its own), so not here.
        db.execute("PRAGMA foreign_keys = OFF")
        with self.store.transaction():
            for table, (changed, where) in rows.items():
                columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()]
                select = ", ".join(changed.get(name, name) for name in columns)
                db.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM {table} WHERE {where}"
                )
            sums = (
                ", ".join(  # the sites' totals moved by the copies' statistics, as refresh_article moves them
                    f"{name} = {name} + (SELECT coalesce(sum(s.{name}), 0) FROM article_stats s "
                    f"WHERE s.article_id BETWEEN {low + a} AND {high + a} AND s.site = site_totals.site)"
                    for name in COUNTS
                )
            )
            db.execute(f"UPDATE site_totals SET {sums}")
            first, last = low << ARTICLE_SHIFT, ((high + 1) << ARTICLE_SHIFT) - 1
            db.conn.executemany(
                "INSERT INTO paragraphs_fts (rowid, text) VALUES (?, ?)",
                [
                    (rowid + (a << ARTICLE_SHIFT), text)
                    for rowid, text in self.seed["fts"]
                    if first <= rowid <= last
                ],
            )
        db.execute("PRAGMA foreign_keys = ON")
        seed_urls = self.seed["urls"][low - self.seed["articles"][0] : high - self.seed["articles"][0] + 1]
        self.copies += [(f"{url}-{a}", url) for url in seed_urls]
        self.articles += high - low + 1
