"""Fixtures: real SQLite files in tmp_path, the shared corpus where it exists (helpers.py has the rest)."""

import os
from pathlib import Path

import pytest
from helpers import CORPUS, ROOT
from pytest_httpserver import HTTPServer

import versioner
from versioner.store import Store


def pytest_report_header() -> str:
    return f"versioner {versioner.__version__} from {Path(versioner.__file__).parent}"


def pytest_sessionstart(session) -> None:
    """VERSIONER_TEST_INSTALLED=1 (make test-wheel): the suite must test the installed wheel, not the checkout."""
    if os.environ.get("VERSIONER_TEST_INSTALLED") == "1" and Path(versioner.__file__).is_relative_to(
        ROOT / "versioner"
    ):
        raise pytest.UsageError(f"testing the checkout ({versioner.__file__}), not the installed wheel")


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
