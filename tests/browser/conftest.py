"""Fixtures for browser tests: the Flask app served on a real HTTP server on 127.0.0.1, and
Debian's Chromium (`/usr/bin/chromium`) driven by Playwright's sync API.

Playwright cannot download its own browser here, so it launches the system one. Mark browser
tests with `@pytest.mark.browser` (or `pytestmark = pytest.mark.browser` in the module).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from werkzeug.serving import make_server

from catalogue.settings import Settings
from web.auth import TEST_PRINCIPALS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # The machine's network is closed: no calls home, no updates, no sync, no proxy look-ups.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-proxy-server",
]
# Generous for a busy 2-core machine; a condition that holds is seen as soon as it holds.
TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class LiveServer:
    app: Flask
    url: str  # e.g. "http://127.0.0.1:43127", no trailing slash

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def app(settings: Settings) -> Flask:
    """The web app on the test's own instance folder and database (those of `catalogue`)."""
    from web import create_app

    return create_app({
        "INSTANCE_PATH": str(settings.instance),
        "DATABASE_URL": settings.database_url,
        "TESTING": True,
        TEST_PRINCIPALS: ["*"],  # reads everything; the access tests sign people in
    })


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """`app` on a real HTTP server, on an ephemeral port of 127.0.0.1, in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        message = (f"the browser tests need Debian's Chromium at {CHROMIUM} "
                   "(apt-get install chromium; scripts/test installs it when run as root)")
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as p:
        expect.set_options(timeout=TIMEOUT_MS)
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile per test: no cookies or storage carried over."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
