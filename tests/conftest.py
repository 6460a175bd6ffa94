"""Fixtures: real SQLite files in tmp_path, real PostgreSQL databases on a throwaway server (the `database`
and `store` fixtures give each test both), the shared corpus where it exists (helpers.py has the rest)."""

import os
from pathlib import Path

import postgres_server
import psycopg
import pytest
from helpers import CORPUS, ROOT
from pytest_httpserver import HTTPServer

import versioner
from versioner.store import Store
from versioner.store.postgres import close_pool


def pytest_report_header() -> str:
    return f"versioner {versioner.__version__} from {Path(versioner.__file__).parent}"


def pytest_sessionstart(session) -> None:
    """VERSIONER_TEST_INSTALLED=1 (make test-wheel): the suite must test the installed wheel, not the checkout."""
    if os.environ.get("VERSIONER_TEST_INSTALLED") == "1" and Path(versioner.__file__).is_relative_to(
        ROOT / "versioner"
    ):
        raise pytest.UsageError(f"testing the checkout ({versioner.__file__}), not the installed wheel")


@pytest.fixture(scope="session")
def postgres():
    """The URL of a PostgreSQL server started for this test run, and the name of a database migrated
    to the current schema, for tests that need a new database (CREATE DATABASE ... TEMPLATE is faster
    than migrating)."""
    if reason := postgres_server.missing():
        pytest.skip(reason)
    with postgres_server.cluster() as server:
        template = postgres_server.fresh_database(server)
        Store(template).close()
        close_pool(template)
        yield server, template.rsplit("/", 1)[1]


@pytest.fixture(scope="session")
def postgres_databases(postgres):
    """Two databases of the current schema, emptied before each use: one for the tests, one for the
    test modules that fill theirs once (a test of such a module may have its own besides)."""
    server, template = postgres
    return {scope: postgres_server.fresh_database(server, template) for scope in ("function", "module")}


STORES = ["sqlite", "postgresql"]
# The suites that run on both stores: the store itself, ingest and versioning, the web, search, aliases,
# reliability, copy, and every test of writers at once. The others test code above the store on SQLite.
BOTH_STORES = (
    "store/",
    "web/",
    "test_versioning.py",
    "test_reliability.py",
    "test_search_",
    "test_aliases.py",
    "test_changes.py",
)
WRITERS_AT_ONCE = ("at_once", "concurrent", "parallel")


def pytest_generate_tests(metafunc):
    """`database` and `module_database` on both stores in the suites BOTH_STORES names, else SQLite."""
    path = metafunc.definition.path.relative_to(Path(__file__).parent).as_posix()
    both = path.startswith(BOTH_STORES) or any(word in metafunc.function.__name__ for word in WRITERS_AT_ONCE)
    for name, scope in (("database", "function"), ("module_database", "module")):
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, STORES if both else STORES[:1], indirect=True, scope=scope)


@pytest.fixture
def database(request, tmp_path):
    """Where a test's database is: an SQLite file, or an empty database on the test PostgreSQL server."""
    yield from _database(request, tmp_path, "function")


@pytest.fixture(scope="module")
def module_database(request, tmp_path_factory):
    """`database`, one per test module (the web tests fill theirs once)."""
    yield from _database(request, tmp_path_factory.mktemp("db"), "module")


def _database(request, folder: Path, scope: str):
    if request.param == "sqlite":
        yield str(folder / "versioner.db")
        return
    url = request.getfixturevalue("postgres_databases")[scope]
    close_pool(url)
    postgres_server.empty(url)
    yield url
    close_pool(url)


def drop_database(server: str, url: str) -> None:
    close_pool(url)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


@pytest.fixture
def store(database):
    opened = Store(database)
    yield opened
    opened.close()


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (set VERSIONER_CORPUS)")
    return CORPUS


# A real HTTP server on 127.0.0.1 for fetch, poll and feed tests: one per module, emptied per test.
@pytest.fixture(scope="module")
def running_server():
    with HTTPServer(host="127.0.0.1", threaded=True) as httpserver:
        yield httpserver


@pytest.fixture
def server(running_server):
    running_server.clear()
    yield running_server
    running_server.clear()
