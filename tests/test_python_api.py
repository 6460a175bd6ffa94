"""The public Python API: what `versioner.__all__` names exists, and the docs' example script runs."""

import re
import subprocess
import sys

import pytest
from helpers import ROOT, SNAPSHOTS

import versioner

PAGE = ROOT / "docs" / "python-api.md"


def test_every_public_name_is_importable_and_documented():
    page = PAGE.read_text(encoding="utf-8")
    for name in versioner.__all__:
        assert getattr(versioner, name) is not None
        assert name == "__version__" or f"`{name}" in page, f"{name} is not on docs/python-api.md"


def test_public_names_stay_functions_after_their_modules_are_imported():
    import versioner.changes  # noqa: F401  (a module named like a public function would shadow it)
    import versioner.search_results  # noqa: F401
    import versioner.versioning  # noqa: F401

    assert callable(versioner.ingest) and callable(versioner.search) and callable(versioner.ingest_paths)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Stor'"):
        versioner.Stor  # noqa: B018


def test_the_example_script_of_the_docs_runs(tmp_path):
    [script] = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    (tmp_path / "snapshots").symlink_to(SNAPSHOTS)
    done = subprocess.run(
        [sys.executable, "-P", "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith("0 errors") and "new versions" in lines[0]
    assert any("→" in line for line in lines)
    assert "new version" in lines[-2]  # the corrected capture made a version
    assert lines[-1]  # the engine's summary of the two texts
