"""The browser and the served app for end-to-end tests: Debian's Chromium driven by Playwright.

Each test module brings its own `db_path` fixture (the database it serves) and its own `page`.
"""

import threading
from pathlib import Path

import pytest

from versioner.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def base_url(db_path):
    """The app served by waitress, as `versioner serve` does, on a free port of 127.0.0.1."""
    import waitress

    server = waitress.create_server(
        create_app({"DATABASE": str(db_path)}), host="127.0.0.1", port=0, threads=4
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
