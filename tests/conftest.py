"""Fixtures: real SQLite files in tmp_path, the shared corpus where it exists (helpers.py has the rest)."""

from pathlib import Path

import pytest
from helpers import CORPUS
from pytest_httpserver import HTTPServer

from versioner.store import Store


@pytest.fixture
def store(tmp_path):
    opened = Store(tmp_path / "versioner.db")
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
