"""Browser tests: the real app under uvicorn, driven by the system Chromium through Playwright.

The server runs in a subprocess against a fresh SQLite database seeded with the demo users and
the seed cables' records (see seed.py); it is started once per test session. Chromium is the
Debian package (``scripts/ensure-browser`` installs it; ``make test`` runs that): no browser is
ever downloaded. When it is missing the tests fail, with the command that fixes it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from goodpath.demo.users import demo_password
from tests.browser.seed import seed

CHROMIUM = os.environ.get("GOODPATH_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'goodpath.db'}"
    seed(url)
    port = _free_port()
    env = {**os.environ, "GOODPATH_DATABASE_URL": url, "GOODPATH_VAR_DIR": str(folder / "var")}
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "goodpath.api:app", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the app did not start; its log:\n{(folder / 'server.log').read_text()}", pytrace=False)
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}. Install it with `bash scripts/ensure-browser` "
            "(or `make test`, which runs it); the tests never download a browser.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=VIEWPORT, locale="en-US", base_url=live_server)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    try:
        yield tab
    finally:
        context.close()


def login(page, username: str, password: str | None = None) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password or demo_password(username))
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
