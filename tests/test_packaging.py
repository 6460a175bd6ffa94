"""The package as users get it: sdist and wheel built from the checkout, checked by twine, the wheel
installed into a fresh virtual environment and every page and feed opened through its live server.

An editable install reads templates from the checkout, so only this catches a file left out of the wheel.
"""

import html
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from importlib.metadata import metadata
from pathlib import Path

import httpx
import pytest
from helpers import ROOT, SNAPSHOTS, free_port, wait_for
from web_fixtures import hrefs

import versioner

pytestmark = pytest.mark.slow
MAX_PAGES = 400  # the crawl reaches every kind of page of snapshots/ well before this


def run(*command, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, command))}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist and the wheel, built in an isolated environment as a package index would build them,
    from the files a clean clone would hold: a stale egg-info of the work tree must not fill the gaps."""
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist")
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).stdout
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", out, source)
    return out


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel and what running it needs, nothing else: its bin/."""
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=True)
    [wheel] = dist.glob("*.whl")
    run(env / "bin" / "pip", "install", "-q", "--disable-pip-version-check", wheel)
    return env / "bin"


def package_files() -> set[str]:
    """Every file of the package in the checkout that git tracks, as a path inside the wheel."""
    listed = run("git", "ls-files", "--cached", "--others", "--exclude-standard", "versioner", cwd=ROOT)
    return set(listed.stdout.split())


def test_the_wheel_holds_every_file_of_the_package(dist):
    [wheel] = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = package_files() - names
    assert not missing, f"left out of the wheel: {sorted(missing)}"
    assert not {n for n in names if n.startswith(("tests/", "benchmarks/", "snapshots/"))}


def test_the_sdist_holds_every_file_of_the_package(dist):
    [sdist] = dist.glob("*.tar.gz")
    listing = run("tar", "-tzf", sdist).stdout.split()
    names = {name.split("/", 1)[1] for name in listing if "/" in name}
    assert package_files() - names == set()
    assert {"pyproject.toml", "README.md"} <= names


def test_twine_finds_the_metadata_sound(dist):
    done = run(sys.executable, "-m", "twine", "check", "--strict", *dist.iterdir())
    assert done.stdout.count("PASSED") == 2


def test_the_metadata_states_an_spdx_licence_and_the_pythons_it_runs_on():
    meta = metadata("versioner")
    assert meta["License-Expression"] == "MIT"
    assert meta["Requires-Python"] == ">=3.11"
    assert "Programming Language :: Python :: 3.11" in meta.get_all("Classifier")


def test_the_installed_command_and_python_m_agree_on_the_version(installed):
    expected = f"versioner, version {versioner.__version__}"
    assert run(installed / "versioner", "--version").stdout.strip() == expected
    module = run(installed / "python", "-P", "-m", "versioner", "--version").stdout.strip()
    assert module.endswith(f"version {versioner.__version__}")
    assert run(installed / "python", "-P", "-m", "versioner", "--help").stdout == (
        run(installed / "versioner", "--help").stdout.replace(
            "Usage: versioner", "Usage: python -m versioner"
        )
    )


def test_the_installed_wheel_serves_every_page_and_feed(installed, tmp_path):
    db = tmp_path / "news.db"
    run(installed / "versioner", "--db", db, "ingest", SNAPSHOTS)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [installed / "versioner", "--db", db, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,  # nothing of the checkout within reach
    )
    try:
        wait_for(base + "/")
        seen = crawl(base)
    finally:
        server.terminate()
        server.wait(timeout=10)
    kinds = {kind_of(path) for path in seen}
    assert {"home", "article", "version", "diff", "feed", "article feed", "search", "about"} <= kinds
    assert {"/static/style.css", "/static/app.js", "/static/openapi.json", "/favicon.svg"} & seen
    assert "/static/openapi.json" in seen and "/api/articles" in seen


def crawl(base: str) -> set[str]:
    """Every root-relative link reachable from the home page, each answered 200 with a sound type."""
    todo = [
        "/",
        "/feed.atom",
        "/search?q=Kursk",
        "/api/search?q=Kursk",
        "/static/openapi.json",
        "/api/articles",
    ]
    seen: set[str] = set()
    with httpx.Client(base_url=base, timeout=30) as client:
        while todo and len(seen) < MAX_PAGES:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            response = client.get(path)
            assert response.status_code == 200, f"{path}: {response.status_code}"
            kind = response.headers["content-type"].split(";")[0]
            assert kind in {
                "text/html",
                "application/atom+xml",
                "application/json",
                "text/css",
                "text/javascript",
                "image/svg+xml",
                "text/plain",
            }, f"{path}: {kind}"
            if kind in {"text/html", "application/atom+xml"}:
                links = (html.unescape(link).removeprefix(base) for link in hrefs(response.text))
                todo += [link.split("#")[0] for link in links if link.startswith("/")]
    return seen


def kind_of(path: str) -> str:
    patterns = {
        "home": r"/(\?.*)?",
        "article": r"/articles/\d+",
        "version": r"/articles/\d+/versions/\d+",
        "diff": r"/articles/\d+/diff.*",
        "article feed": r"/articles/\d+/feed\.atom",
        "feed": r"/feed\.atom",
        "search": r"/search.*",
        "about": r"/about",
    }
    return next((kind for kind, pattern in patterns.items() if re.fullmatch(pattern, path)), path)
