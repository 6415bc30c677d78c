"""Page speed at 1k, 10k and 100k stories, on SQLite and PostgreSQL, against a floor and a ceiling.

Run: make bench   (or .venv/bin/python bench/pages.py [--sizes 1000 10000] [--databases sqlite])

For each database and size it seeds a demo company (`seed-demo`, one person per ten stories,
with their readers, applause and notes), starts `gunicorn -c gunicorn.conf.py wsgi:app` with two
workers, signs in, and drives each page with wrk from a separate process: the feed, a story,
a profile, a search and the nominate POST (a draft saved each time). In the same run it serves
bench/floor.py, a minimal Flask app that checks the same session cookie against the sign-ins
table (one query) and returns the feed page's bytes: the least a signed-in page can do; and
bench/ceiling.py, a bare WSGI app returning the same bytes: the most this machine can serve.
Both run with the same gunicorn settings, and each page's req/s is given as a ratio to each.
For the feed, a story and a profile it also checks that a conditional GET (If-None-Match with
the page's ETag) answers 304. Results print as a table, with the p95 growth from the smallest
to the largest size and a PASS/FAIL line per goal of issue 16, and are saved as JSON in
bench/results/. wrk comes from Debian (`apt-get install wrk`). 1M stories on PostgreSQL only:
`--sizes 1000000 --databases postgresql`.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime
from pathlib import Path

import psycopg
from pages_report import CONDITIONAL_PAGES, goals, growth_lines, table  # beside this script
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/storyboard_bench")
STAFF = ("staff@demo.example.com", "storyboard-demo")
# A form's CSRF token, whatever order the input's attributes come in.
CSRF_FIELD = r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(url: str, instance: Path) -> dict[str, str]:
    return os.environ | {
        "STORYBOARD_SQLALCHEMY_DATABASE_URI": url,
        "STORYBOARD_SECRET_KEY": "bench-secret-key-bench-secret-key",
        "STORYBOARD_INSTANCE_PATH": str(instance),
        "STORYBOARD_LOG_LEVEL": "warning",
        # The benchmark signs in many times from one address.
        "STORYBOARD_LOGIN_RATE_LIMIT": "100000 per minute",
        # Steady state: a worker recycled mid-run (half a second to start) would show up as
        # p95 and p99 spikes on whichever page was being measured, and cut the ceiling most.
        "STORYBOARD_MAX_REQUESTS": "0",
    }


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare(database: str, size: int, workdir: Path) -> dict[str, str]:
    """A freshly seeded database of `size` stories; returns the environment to serve it."""
    if database == "sqlite":
        url = f"sqlite:///{workdir / f'bench-{size}.db'}"
    else:
        url = POSTGRES_URL
        parts = make_url(url)
        with psycopg.connect(host=parts.host, port=parts.port, user=parts.username, dbname="postgres",
                             autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{parts.database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{parts.database}"')
    env = environment(url, workdir / f"instance-{database}-{size}")
    flask = [str(BIN / "flask"), "--app", "storyboard"]
    run([*flask, "init-db"], env)
    started = time.perf_counter()
    run([*flask, "seed-demo", "--people", str(max(size // 10, 10)), "--stories", str(size)], env)
    print(f"  seeded {size} stories on {database} in {time.perf_counter() - started:.0f}s", flush=True)
    if database == "postgresql":
        # Settle the fresh tables first, or autovacuum works through them during the run.
        with psycopg.connect(host=parts.host, port=parts.port, user=parts.username, dbname=parts.database,
                             autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
    return env


def targets(env: dict[str, str]) -> dict[str, int]:
    """A typical story (published, with notes) and its first nominee, and ids for the form."""
    code = (
        "from sqlalchemy import func, select\n"
        "from storyboard import create_app\n"
        "from storyboard.extensions import db\n"
        "from storyboard.models import Story, ThankYou, Value, story_nominees\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    published = select(Story.id).where(Story.status == 'published')\n"
        "    ids = db.session.scalars(published.order_by(Story.id)).all()\n"
        "    later = ids[len(ids) // 2:][:200]\n"
        "    noted = set(db.session.scalars(select(ThankYou.story_id).where(ThankYou.story_id.in_(later))))\n"
        "    story = min(noted) if noted else ids[len(ids) // 2]\n"
        "    about = select(story_nominees.c.person_id).where(story_nominees.c.story_id == story)\n"
        "    nominee = db.session.scalar(about)\n"
        "    value = db.session.scalar(select(Value.id).order_by(Value.position))\n"
        "    print(story, nominee, value)\n"
    )
    story, nominee, value = map(int, run([sys.executable, "-c", code], env).split())
    return {"story": story, "nominee": nominee, "value": value}


class Session:
    """A signed-in browser session, for the cookie and the form token wrk will send."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def conditional_get(self, path: str) -> str:
        """What a second request with If-None-Match (the first answer's ETag) gets back."""
        etag = self.get(path)[2].get("ETag")
        if not etag:
            return "no ETag"
        status = self.get(path, {"If-None-Match": etag})[0]
        return "304" if status == 304 else f"{status}, not 304"

    def token(self, path: str) -> str:
        page = self.get(path)[1].decode()
        return re.search(CSRF_FIELD, page).group(1)

    def sign_in(self) -> None:
        form = {"email": STAFF[0], "password": STAFF[1], "csrf_token": self.token("/auth/login")}
        self.opener.open(self.base + "/auth/login", urllib.parse.urlencode(form).encode(), timeout=30)

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def serve(app: str, env: dict[str, str], workers: int | None = 2) -> tuple[subprocess.Popen, str]:
    """gunicorn with gunicorn.conf.py; `workers=None` keeps its default (cores + 1)."""
    port = free_port()
    env = env | {"STORYBOARD_BIND": f"127.0.0.1:{port}"}
    env |= {"STORYBOARD_WORKERS": str(workers)} if workers else {}
    process = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", app], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return process, base
        except urllib.error.HTTPError:
            return process, base  # answering, if not with 200 (the ceiling has no /healthz)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{app} did not start")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(30)


def load(url: str, seconds: int, connections: int, cookie: str | None = None, body: str | None = None) -> dict:
    """wrk against one URL: a short warm-up, then the measured run."""
    env = os.environ | {"BENCH_METHOD": "POST" if body else "GET"}
    env |= {"BENCH_COOKIE": cookie} if cookie else {}
    env |= {"BENCH_BODY": body} if body else {}
    script = str(ROOT / "bench" / "wrk_report.lua")
    base = ["wrk", "-t", str(connections), "-c", str(connections), "-s", script, "--timeout", "10s"]
    subprocess.run([*base, "-d", "2s", url], env=env, capture_output=True, check=True)
    output = subprocess.run([*base, "-d", f"{seconds}s", url], env=env, capture_output=True, text=True,
                            check=True).stdout
    report = json.loads([line for line in output.splitlines() if line.startswith("{")][-1])
    report["rps"] = report["requests"] / (report["duration_us"] / 1e6)
    return report


def measure(database: str, size: int, workdir: Path, seconds: int, connections: int) -> list[dict]:
    env = prepare(database, size, workdir)
    ids = targets(env)
    process, base = serve("wsgi:app", env)
    rows = []
    try:
        session = Session(base)
        session.sign_in()
        today = date.today().isoformat()
        nominate = urllib.parse.urlencode({
            "csrf_token": session.token("/nominate"), "nominees": ids["nominee"], "values": ids["value"],
            "title": "Stayed late to rebuild an order", "impact_kind": "customer",
            "body_md": "She **rebuilt** the order by hand and drove it over.",
            "impact": "The parcel arrived before the wedding.", "happened_on": today, "action": "draft",
        })
        pages = {
            "feed": ("/", None), "story": (f"/stories/{ids['story']}", None),
            "profile": (f"/people/{ids['nominee']}", None), "search": ("/search?q=refund", None),
            "nominate POST": ("/nominate", nominate),
        }
        for name, (path, body) in pages.items():
            row = {"database": database, "stories": size, "page": name}
            if body is None:
                status, content, _ = session.get(path)
                assert status == 200, f"{name}: {status}"
                if name == "feed":
                    feed_bytes = content
                if name in CONDITIONAL_PAGES:
                    row["conditional_get"] = session.conditional_get(path)
            report = load(base + path, seconds, connections, session.cookie, body)
            if report["http_errors"] or report["socket_errors"]:
                raise SystemExit(f"{name} on {database} {size}: {report}")
            rows.append(row | report)
            print(f"  {name:14} {report['rps']:8.0f} req/s  p95 {report['p95_us'] / 1000:6.1f} ms", flush=True)
    finally:
        stop(process)
    body_file = workdir / "feed.html"
    body_file.write_bytes(feed_bytes)
    served = env | {"BENCH_CEILING_BODY": str(body_file), "BENCH_FLOOR_BODY": str(body_file)}
    baselines = {}
    for name, app, cookie in (("floor", "bench.floor:app", session.cookie), ("ceiling", "bench.ceiling:app", None)):
        process, base = serve(app, served)
        try:
            if cookie:  # the floor must really recognise the sign-in, or it measures a 401
                status = Session(base).get("/", {"Cookie": cookie})[0]
                assert status == 200, f"the floor answered {status} to the signed-in cookie"
            report = load(base + "/", seconds, connections, cookie)
        finally:
            stop(process)
        if report["http_errors"] or report["socket_errors"]:
            raise SystemExit(f"{name} on {database} {size}: {report}")
        baselines[name] = {"database": database, "stories": size, "page": name} | report
        print(f"  {name:14} {report['rps']:8.0f} req/s  p95 {report['p95_us'] / 1000:6.1f} ms", flush=True)
    for row in [*rows, baselines["floor"]]:
        row["ratio_to_ceiling"] = row["rps"] / baselines["ceiling"]["rps"]
    for row in rows:
        row["ratio_to_floor"] = row["rps"] / baselines["floor"]["rps"]
    return [*rows, *baselines.values()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per page")
    parser.add_argument("--connections", type=int, default=2, help="wrk connections (and threads)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="storyboard-bench-"))
    rows = []
    try:
        for database in args.databases:
            for size in args.sizes:
                print(f"{database}, {size} stories:", flush=True)
                rows += measure(database, size, workdir, args.seconds, args.connections)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(table(rows))
    print()
    print("\n".join(growth_lines(rows)))
    print()
    print("Goals (issue 16; figures from a shared 2-core machine are noisy):")
    print("\n".join(goals(rows)))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    result = {"measured_at": stamp, "seconds": args.seconds, "connections": args.connections,
              "workers": 2, "rows": rows, "p95_growth": growth_lines(rows), "goals": goals(rows)}
    for name in (f"pages-{stamp}.json", "pages-latest.json"):
        (RESULTS / name).write_text(json.dumps(result, indent=2))
    print(f"\nSaved bench/results/pages-{stamp}.json")


if __name__ == "__main__":
    main()
