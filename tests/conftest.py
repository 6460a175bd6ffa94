"""Fixtures: real SQLite files in tmp_path, the shared corpus where it exists (helpers.py has the rest)."""

from pathlib import Path

import pytest
from helpers import CORPUS

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
