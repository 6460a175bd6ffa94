"""What is PostgreSQL's own in the store: its parameters, its schema version, its connection errors, and
search that finds on PostgreSQL exactly what it finds on SQLite. Against the throwaway test server."""

import subprocess
import sys

import pytest
from helpers import ROOT, ingest_all, text_capture, versioner_text

from versioner.errors import StorageError
from versioner.search_results import search
from versioner.store import Store, tsearch
from versioner.store.postgres import translate

# Texts whose words FTS5 and a naive PostgreSQL parser would split differently.
TEXTS = {
    "https://news.example.org/harbour": "Harbour plan approved\n\nThe Bürgermeister's plan for the "
    "harbour costs 48.5 million euros, says the e-mail of mayor@example.org.\n\nCOVID-19 rules end.",
    "https://news.example.org/ferry": "Ferry terminal opens\n\nThe new ferry terminal opens in "
    "Würzburg-Süd; the plan's second phase follows.\n\nA naïve café owner said it's \"déjà vu\".",
    "https://news.example.org/quotes": "O'Brien's statement\n\nO'Brien said 'no comment' to the "
    "back\\slash reporters; the plan was dropped_quietly.",
}
QUERIES = [
    "plan",
    "Burgermeister",
    "bürgermeister's",
    "covid",
    "19",
    "covid-19",
    "48",
    "mayor example",
    "e-mail",
    '"ferry terminal"',
    '"terminal ferry"',
    "wurzburg sud",
    "cafe naive",
    "deja vu",
    "plan*",
    "pla*",
    '"second pha"*',
    "o'brien",
    "brien",
    "back\\slash",
    "dropped",
    "dropped_quietly",
    "'no comment'",
    "NEAR(plan ferry)",
    "plan AND ferry",
    '"',
    "!!!",
    "harbour ferry",
]


def test_parameters_become_psycopgs_outside_quoted_text():
    assert (
        translate("SELECT ? FROM t WHERE a = :a AND b = ?") == "SELECT %s FROM t WHERE a = %(a)s AND b = %s"
    )
    assert translate("SELECT '?:a' || ?::text, x % 2") == "SELECT '?:a' || %s::text, x %% 2"
    assert translate('SELECT :skip0::json, "odd?col"') == 'SELECT %(skip0)s::json, "odd?col"'
    assert translate("SELECT 'it''s 100%'") == "SELECT 'it''s 100%%'"


def test_lexemes_are_folded_words_with_their_positions_and_quotes_escaped():
    assert tsearch.vector("Déjà vu, déjà VU!") == "'deja':1,3 'vu':2,4"
    assert tsearch.vector("O'Brien back\\slash") == "'o':1 'brien':2 'back':3 'slash':4"
    assert tsearch.query('"second pha"*') == "'second' <-> 'pha':*"
    assert tsearch.query('"it\'s"') == "'it' <-> 's'"
    assert tsearch.query('"!!!"') is None


@pytest.fixture
def both(tmp_path, postgres):
    """The same captures in an SQLite file and in a PostgreSQL database."""
    from conftest import drop_database
    from postgres_server import fresh_database

    server, template = postgres
    stores = [Store(tmp_path / "versioner.db"), Store(fresh_database(server, template))]
    for store in stores:
        ingest_all(
            store, [text_capture(text, minutes, url=url) for minutes, (url, text) in enumerate(TEXTS.items())]
        )
    yield stores
    for store in stores:
        store.close()
    drop_database(server, stores[1].path)


@pytest.mark.parametrize("query", QUERIES)
def test_a_search_finds_on_postgresql_what_it_finds_on_sqlite(both, query):
    lite, pg = (search(store, query) for store in both)
    assert [(h["url"], h["matching"]) for h in pg[1]] == [(h["url"], h["matching"]) for h in lite[1]]
    assert pg[0] == lite[0]


def test_a_database_a_newer_versioner_wrote_is_refused_and_left_untouched(postgres):
    from postgres_server import fresh_database

    server, template = postgres
    url = fresh_database(server, template)
    store = Store(url)
    store.db.execute("UPDATE versioner_schema SET version = 999")
    store.close()
    from versioner.store import pg_schema

    pg_schema._current.discard(url)  # as a new process would: it has not seen this database yet
    with pytest.raises(StorageError, match="newer versioner.*999"):
        Store(url)


def test_processes_that_open_an_empty_database_together_migrate_it_once(postgres):
    from postgres_server import fresh_database

    server, _ = postgres
    url = fresh_database(server)  # no template: nothing migrated yet
    opening = [
        subprocess.Popen(
            [sys.executable, "-P", "-m", "versioner", "--db", url, "articles", "--json"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for process in opening:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    store = Store(url)
    assert store.db.execute("SELECT count(*), max(version) FROM versioner_schema").fetchone()[0] == 1
    store.close()


def test_a_server_that_refuses_is_said_at_once_without_the_password():
    done = versioner_text("postgresql://reader:hunter2@127.0.0.1:1/news", "articles", check=False)
    assert done.returncode == 1
    assert "cannot connect to postgresql://reader:***@127.0.0.1:1/news" in done.stderr
    assert "hunter2" not in done.stderr and "Traceback" not in done.stderr


def test_a_missing_database_is_named_in_the_error(postgres):
    server, _ = postgres
    done = versioner_text(f"{server}/no_such_archive", "articles", check=False)
    assert done.returncode == 1 and 'database "no_such_archive" does not exist' in done.stderr


def test_commands_name_the_database_without_its_password(postgres):
    from postgres_server import fresh_database

    server, template = postgres
    url = fresh_database(server, template).replace("postgres@", "postgres:hunter2@")  # trust: ignored
    done = versioner_text(url, "check")
    assert done.returncode == 0 and "postgres:***@" in done.stdout and "hunter2" not in done.stdout
