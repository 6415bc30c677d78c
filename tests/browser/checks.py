"""What every page of the browser journeys must pass: axe-core finds no serious or critical
accessibility problem, nothing is wider than the window on a phone or a desktop, and the HTML
the server sent is valid (the Nu HTML Checker, run once per test session over every page kept).

`check_page(page, role, name)` runs the first two at once and keeps the page's HTML; the
`html_checker` fixture (tests/browser/conftest.py) checks what was kept when the session ends.
The page must come from a browser context made by the `page` fixture with `watch` applied, so
that the HTML checked is the server's own response (POST results included), not Chromium's
serialisation of a DOM the script may have changed.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WIDTHS = ({"width": 390, "height": 844}, {"width": 1280, "height": 800})
SERIOUS = ("serious", "critical")


@dataclass
class Tally:
    """What the checks saw, for the session's summary line and the end-of-test assertions."""

    axe_runs: int = 0  # one page at one width
    pages: set = field(default_factory=set)  # (role, page type)
    problems: list = field(default_factory=list)  # readable lines, serious or critical
    milder: int = 0  # moderate or minor axe findings: reported, not failed
    documents: dict = field(default_factory=dict)  # HTML digest -> (label, html)
    html_errors: list = field(default_factory=list)


TALLY = Tally()


def watch(page) -> None:
    """Keep the last main-frame document response, so `check_page` can read what was sent."""

    def seen(response) -> None:
        if response.request.resource_type == "document" and response.frame == page.main_frame:
            page.storyboard_document = response

    page.storyboard_document = None
    page.on("response", seen)


def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _describe(violation: dict) -> list[str]:
    return [f"{violation['id']} ({violation['impact']}): {violation['help']} -> {' '.join(map(str, node['target']))}"
            f" {node['html'][:160]}" for node in violation["nodes"][:5]]


def check_page(page, role: str, name: str) -> None:
    """axe and the width at 390 and 1280 px, then keep the page's HTML for the Nu checker.

    axe findings are collected (the test fails at its end with all of them, see `page_checks`);
    a page wider than the window fails at once, naming what sticks out.
    """
    label = f"{role}: {name} ({page.url})"
    html = raw_html(page)
    scanned = page if page.javascript_enabled else _twin(page, html)
    original = page.viewport_size
    axe = _axe()
    try:
        for size in WIDTHS:
            page.set_viewport_size(size)
            scanned.set_viewport_size(size)
            results = axe.run(scanned).response
            TALLY.axe_runs += 1
            for violation in results["violations"]:
                if violation["impact"] in SERIOUS:
                    TALLY.problems.extend(f"{label} at {size['width']} px: {line}" for line in _describe(violation))
                else:
                    TALLY.milder += 1
            _assert_fits(page, size["width"], label)
    finally:
        page.set_viewport_size(original)
    TALLY.pages.add((role, name))
    # Tokens and times differ between otherwise identical pages; one copy of each is enough.
    same = re.sub(r'value="[^"]{30,}"|datetime="[^"]*"', "", html)
    TALLY.documents.setdefault(hashlib.sha256(same.encode()).hexdigest(), (label, html))


def _assert_fits(page, limit: int, label: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= limit:
        return
    wide = page.evaluate("""(limit) => [...document.querySelectorAll('body *')]
        .filter((element) => element.getBoundingClientRect().right > limit + 1).slice(-3)
        .map((element) => `<${element.tagName.toLowerCase()} class="${element.className}">`
                          + ` "${element.textContent.trim().slice(0, 40)}"`)""", limit)
    raise AssertionError(f"{label} is {width} px wide in a {limit} px window: {wide}")


def raw_html(page) -> str:
    """The HTML of the page as the server sent it (the response to a form post included)."""
    response = getattr(page, "storyboard_document", None)
    if response is not None and response.url.split("#")[0] == page.url.split("#")[0]:
        return response.text()
    return page.request.get(page.url).text()  # reached some other way: ask again, same session


def _twin(page, html: str):
    """A page with JavaScript on that shows `html` at the same address, its script left out.

    axe needs timers, which a context without JavaScript never runs; what a browser without
    JavaScript shows is exactly the server's HTML and CSS, so the twin shows that and axe checks
    it there. Its context is closed by the `page_checks` fixture.
    """
    twin = getattr(page, "storyboard_twin", None)
    if twin is None:
        twin = page.context.browser.new_context(java_script_enabled=True).new_page()

        def serve(route) -> None:
            if route.request.is_navigation_request():
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=twin.storyboard_html)
            elif route.request.resource_type == "script":
                route.abort()
            else:
                route.continue_()

        twin.route("**/*", serve)
        page.storyboard_twin = twin
    twin.storyboard_html = html
    twin.goto(page.url)
    return twin


def run_nu_checker(folder: Path, java: str) -> list[str]:
    """Every kept document through one Nu HTML Checker run; readable lines, one per error."""
    files, labels = [], {}
    for number, (label, html) in enumerate(TALLY.documents.values(), 1):
        path = folder / f"page-{number:04d}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
        labels[path.name] = label
    if not files:
        return []
    # The checker starts slowly (a JVM), so every page goes in one run. It reports on stderr.
    done = subprocess.run(  # our own command line, no shell
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *files],
        capture_output=True, text=True, timeout=600, check=False,
    )
    try:
        messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    except (json.JSONDecodeError, KeyError):
        return [f"the Nu HTML Checker did not answer in JSON (exit {done.returncode}): {done.stderr[:500]}"]
    lines = []
    for message in messages:
        url = message.get("url", "?")  # file:/tmp/.../page-0001.html
        where = labels.get(url.rsplit("/", 1)[-1], url)
        extract = (message.get("extract") or "").replace("\n", " ")
        lines.append(f"{where} line {message.get('lastLine', '?')}: {message['message']} | {extract}")
    return lines
