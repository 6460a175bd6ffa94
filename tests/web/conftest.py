"""The web tests' fixtures: each module gets its own database filled from snapshots/, and a test client."""

import pytest
from web_fixtures import build_database

from versioner.web import create_app


@pytest.fixture(scope="module")
def db_path(module_database):
    """snapshots/ and the web fixtures' articles in an SQLite file or a PostgreSQL database."""
    return build_database(module_database)


@pytest.fixture
def client(db_path):
    return create_app({"DATABASE": str(db_path), "TESTING": True}).test_client()
