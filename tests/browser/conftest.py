"""A real Chromium (Debian's /usr/bin/chromium) driven by Playwright against a live server."""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.helpers import free_port

CHROMIUM = os.environ.get("STORYBOARD_CHROMIUM", "/usr/bin/chromium")
# Chromium's own background services try to reach the internet, which this machine refuses.
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI needs Chromium at {CHROMIUM} for the browser tests")
    marker = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: apt-get install chromium")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(marker)


@pytest.fixture
def live_server(app):
    """Serve the test app on a loopback port in a thread; yields its base URL."""
    app.config["WTF_CSRF_ENABLED"] = True  # the browser posts real forms with real tokens
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def page(request, browser):
    """A fresh browser page, with JavaScript on and, separately, off."""
    context = browser.new_context(java_script_enabled=request.param)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.javascript_enabled = request.param
    yield page
    context.close()
