"""Serving as in production: gunicorn with the shipped settings, SQLite tuned for several
workers, and sign-in limits shared between workers through Redis."""
from __future__ import annotations

import http.cookiejar
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from storyboard import PROJECT_ROOT
from storyboard.extensions import db
from tests.helpers import csrf_token_in, free_port, storyboard_env

pytestmark = pytest.mark.slow


class Browser:
    """Just enough of a browser for real forms: cookies, and no following of redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self._NoRedirect()
        )

    def open(self, path: str, form: dict | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf_token(self, path: str) -> str:
        return csrf_token_in(self.open(path)[1])


@pytest.fixture
def gunicorn(database_url, tmp_path):
    """Start `gunicorn -c gunicorn.conf.py wsgi:app` with two workers; yields a Browser factory."""
    processes = []

    def start(**settings) -> str:
        port = free_port()
        env = storyboard_env(database_url, tmp_path) | {
            "STORYBOARD_BIND": f"127.0.0.1:{port}", "STORYBOARD_WORKERS": "2",
        } | {f"STORYBOARD_{name}": str(value) for name, value in settings.items()}
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        process = subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py", "wsgi:app"], cwd=PROJECT_ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                if urllib.request.urlopen(base + "/healthz", timeout=1).status == 200:
                    return base
            except OSError:
                time.sleep(0.1)
        process.kill()
        raise AssertionError(process.communicate()[0])

    yield start
    for process in processes:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)


def test_gunicorn_serves_storyboard_with_the_shipped_settings(app, ctx, gunicorn):
    base = gunicorn()
    browser = Browser(base)
    status, body = browser.open("/healthz")
    assert status == 200 and '"database":"ok"' in body.replace(" ", "")
    status, _ = browser.open("/")
    assert status == 302  # everyone must sign in
    status, body = browser.open("/auth/login")
    assert status == 200 and "Sign in" in body
    status, css = browser.open("/static/css/storyboard.css")
    assert status == 200 and ".card" in css


def test_failed_sign_ins_are_counted_across_workers_in_redis(app, ctx, gunicorn, make_person, redis_url):
    import redis

    make_person(email="mia@example.com", password="correct horse battery")
    prefix = f"storyboard-test-{uuid.uuid4().hex}"
    browser = Browser(gunicorn(REDIS_URL=redis_url, RATELIMIT_KEY_PREFIX=prefix))
    statuses = []
    for _ in range(6):
        form = {"email": "mia@example.com", "password": "wrong", "csrf_token": browser.csrf_token("/auth/login")}
        statuses.append(browser.open("/auth/login", form)[0])
    assert statuses == [401] * 5 + [429]
    counters = redis.Redis.from_url(redis_url).keys(f"*{prefix}*")
    assert counters, "the limits were not kept in Redis"
    redis.Redis.from_url(redis_url).delete(*counters)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path, monkeypatch):
    from storyboard import create_app

    monkeypatch.setenv("STORYBOARD_INSTANCE_PATH", str(tmp_path / "instance"))
    sqlite_app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'wal.db'}", "SECRET_KEY": "x"})
    with sqlite_app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
        db.engine.dispose()


def test_sqlite_zeroes_freed_pages(tmp_path, monkeypatch):
    # Redacted or erased text must not linger in free pages of the file, or in backups of it.
    from storyboard import create_app

    monkeypatch.setenv("STORYBOARD_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.db'}",
                      "SECRET_KEY": "x" * 32})
    with app.app_context():
        assert db.session.execute(text("PRAGMA secure_delete")).scalar() == 1
        db.session.remove()
        db.engine.dispose()


def test_workers_keep_long_lived_objects_out_of_full_collections():
    """A full collection walking the whole app paused pages 30-150 ms (their p99): gunicorn's
    hooks freeze what exists once the app is built, and again after the first 200 requests."""
    script = """
import gc, runpy, types
hooks = runpy.run_path("gunicorn.conf.py")
worker = types.SimpleNamespace()
hooks["post_worker_init"](worker)
after_start = gc.get_freeze_count()
compiled_by_first_requests = [[n] for n in range(5000)]
for _ in range(199):
    hooks["post_request"](worker, None, {}, None)
before_settling = gc.get_freeze_count()
hooks["post_request"](worker, None, {}, None)
print(after_start, before_settling, gc.get_freeze_count())
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    after_start, before_settling, settled = (int(n) for n in done.stdout.split())
    assert after_start > 0
    assert before_settling == after_start
    assert settled >= after_start + 5000
