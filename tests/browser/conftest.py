"""A real Chromium (Debian's /usr/bin/chromium) driven by Playwright against a live server."""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.checks import TALLY, VNU_JAR, run_nu_checker, watch
from tests.helpers import free_port

CHROMIUM = os.environ.get("STORYBOARD_CHROMIUM", "/usr/bin/chromium")
# Chromium's own background services try to reach the internet, which this machine refuses.
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    _need_the_html_checker(items)
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI needs Chromium at {CHROMIUM} for the browser tests")
    marker = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: apt-get install chromium")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(marker)


def _missing_html_checker() -> str | None:
    if not shutil.which("java"):
        return "no java for the Nu HTML Checker: apt-get install default-jre-headless"
    if not VNU_JAR.exists():
        return f"no {VNU_JAR.relative_to(VNU_JAR.parents[4])}: npm ci --ignore-scripts (or make browser)"
    return None


def _need_the_html_checker(items) -> None:
    """Tests that check their pages (the `page_checks` fixture) need java and vnu.jar: in CI
    their absence fails the run, as Chromium's does; elsewhere those tests are skipped."""
    checked = [item for item in items if "page_checks" in getattr(item, "fixturenames", ())]
    missing = _missing_html_checker() if checked else None
    if missing is None:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI needs the HTML checker for the browser journeys: {missing}")
    for item in checked:
        item.add_marker(pytest.mark.skip(reason=missing))


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


@pytest.fixture(scope="session")
def html_checker(tmp_path_factory):
    """Runs the Nu HTML Checker once, when the session ends, over every page `check_page` kept
    (the JVM takes seconds to start); any error fails the session's last checked test."""
    yield
    TALLY.html_errors = run_nu_checker(tmp_path_factory.mktemp("html"), shutil.which("java"))
    if TALLY.html_errors:
        pytest.fail(f"{len(TALLY.html_errors)} HTML errors (Nu HTML Checker):\n" + "\n".join(TALLY.html_errors),
                    pytrace=False)


@pytest.fixture
def page_checks(page, html_checker):
    """Checks with `tests.browser.checks.check_page`; at the test's end, fails with every serious
    or critical axe finding on the pages it checked."""
    watch(page)
    before = len(TALLY.problems)
    yield TALLY
    twin = getattr(page, "storyboard_twin", None)
    if twin is not None:  # axe's page for a context without JavaScript (checks._twin)
        twin.context.close()
    found = TALLY.problems[before:]
    assert not found, f"{len(found)} serious or critical axe findings:\n" + "\n".join(found)


def pytest_terminal_summary(terminalreporter):
    if TALLY.axe_runs:
        terminalreporter.write_line(
            f"page checks: axe ran {TALLY.axe_runs} times on {len(TALLY.pages)} page types by role "
            f"({len(TALLY.problems)} serious or critical, {TALLY.milder} milder findings); the Nu HTML "
            f"Checker read {len(TALLY.documents)} documents ({len(TALLY.html_errors)} errors)")
