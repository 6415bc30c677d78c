"""`make screenshots`: the demo company's main pages at 390 and 1280 px, written to
docs/screenshots/ for the README, so a newcomer sees the product before running it.

It builds a fresh demo in a temporary instance folder, serves it on a loopback port in a thread
and drives Debian's Chromium with Playwright (never a downloaded browser). The digest is the
email the next issue would send, rendered as a mail client would show its HTML part.
"""
from __future__ import annotations

import os
import subprocess  # nosec B404: runs this project's own flask CLI, no shell
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("STORYBOARD_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "storyboard-demo"  # the demo's password for every account (storyboard/demo/)

# (file name, who signs in, path or a callable returning the path, viewport widths)
SHOTS = [
    ("feed", "staff", "/", (1280, 390)),
    ("story", "staff", "story", (1280, 390)),
    ("nominate", "staff", "/nominate", (1280,)),
    ("queue", "curator", "/queue/", (1280,)),
    ("canon", "staff", "/canon/", (1280,)),
    ("people", "staff", "/people/", (390,)),
    ("insights", "curator", "/insights/", (1280,)),
]


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"make screenshots needs Chromium at {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="storyboard-shots-") as instance:
        env = os.environ | {"STORYBOARD_INSTANCE_PATH": instance}
        flask = [sys.executable, "-m", "flask", "--app", "storyboard"]
        for command in (["init-db"], ["seed-demo"]):
            subprocess.run(flask + command, env=env, check=True, capture_output=True)  # nosec B603
        os.environ["STORYBOARD_INSTANCE_PATH"] = instance
        import logging

        from werkzeug.serving import make_server

        from storyboard import create_app

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise here
        app = create_app()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        app.config["EXTERNAL_URL"] = base
        try:
            shoot(app, base)
        finally:
            server.shutdown()
    print(f"Screenshots written to {OUT.relative_to(ROOT)}/")
    return 0


def shoot(app, base: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"])
        for role in ("staff", "curator"):
            context = browser.new_context(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
            page = context.new_page()
            page.goto(f"{base}/auth/login")
            page.get_by_label("Email").fill(f"{role}@demo.example.com")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            for name, who, path, widths in SHOTS:
                if who != role:
                    continue
                if path == "story":
                    page.goto(f"{base}/")
                    path = page.locator(".story-card .card-title a").first.get_attribute("href")
                for width in widths:
                    page.set_viewport_size({"width": width, "height": 860 if width > 500 else 844})
                    page.goto(f"{base}{path}")
                    suffix = "phone" if width < 500 else "desktop"
                    page.screenshot(path=str(OUT / f"{name}-{suffix}.png"))
            context.close()
        shoot_digest(app, browser)
        browser.close()


def shoot_digest(app, browser) -> None:
    from storyboard.clock import utcnow
    from storyboard.digest.preview import next_issue_preview, test_message
    from storyboard.models import Person

    with app.app_context():
        from storyboard.extensions import db

        person = db.session.scalars(db.select(Person).where(Person.email == "staff@demo.example.com")).one()
        message = test_message(next_issue_preview(utcnow()), person)
        html = message.get_body(preferencelist=("html",)).get_content()
    context = browser.new_context(viewport={"width": 760, "height": 1100})
    page = context.new_page()
    page.set_content(html)
    page.screenshot(path=str(OUT / "digest-email.png"))
    context.close()


if __name__ == "__main__":
    sys.exit(main())
