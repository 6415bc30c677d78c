"""Peak memory of the stories CSV export at 1k and at 100k stories: it must stay flat.

Run: .venv/bin/python bench/export_memory.py [--database-url URL] [--sizes 1000 100000]

For each size, a company is built in bulk (the same builder as bench/insights_dashboard.py:
2,000 people, stories over three years, nominees, values, co-nominators, evidence), then a new
Python process starts the app, signs in as a curator, warms up with the export of ten stories,
notes its peak resident memory (VmHWM: unlike getrusage's maxrss, it starts afresh with
the new process instead of carrying over the builder's), downloads the whole export (every story, every status but
drafts) chunk by chunk without keeping it, and notes its peak again. The baseline is the same
process's peak before the export; the figure of record is how much the export added at 100k
against what it added at 1k. With PostgreSQL, the database is emptied and rebuilt per size.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess  # nosec B404 (the benchmark runs itself in a fresh process)
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

ALL_TIME = "scope=all&start=2000-01-01&end=2100-12-31"


def build(url: str, stories: int, people: int) -> None:
    """A company of `people` and `stories`, in bulk, on a new schema."""
    from flask_migrate import upgrade
    from insights_dashboard import seed_people, seed_stories, settle
    from sqlalchemy import text

    from storyboard import create_app
    from storyboard.clock import utcnow
    from storyboard.extensions import db
    from storyboard.stories.defaults import ensure_default_values

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if url.startswith("postgresql"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        ensure_default_values()
        rng = random.Random(20261203)  # nosec B311 (repeatable bench data)
        ids = seed_people(people, rng, utcnow())
        seed_stories(stories, rng, utcnow(), ids)
        settle(url)


def peak_kib() -> int:
    """This process's peak resident memory so far, in KiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status: this benchmark needs Linux")


def measure(url: str) -> dict:
    """In this (fresh) process: peak RSS before and after streaming the whole export."""
    from storyboard import create_app
    from storyboard.auth import sessions
    from storyboard.extensions import db
    from storyboard.models import Person

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    client = app.test_client()
    with app.app_context():
        token = sessions.start(db.session.get(Person, 1))
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = token, True
    warm = client.get("/insights/exports/stories.csv?scope=all&start=2100-01-01&end=2100-12-31")
    warm.get_data()
    before = peak_kib()
    started = time.perf_counter()
    response = client.get(f"/insights/exports/stories.csv?{ALL_TIME}")
    assert response.status_code == 200, response.status_code
    size = rows = 0
    for chunk in response.response:  # as a server would send it: chunk by chunk, none kept
        size += len(chunk)
        rows += chunk.count(b"\r\n")
    response.close()
    seconds = time.perf_counter() - started
    after = peak_kib()
    return {"rows": rows - 1, "bytes": size, "seconds": round(seconds, 2),
            "peak_kib_before": before, "peak_kib_after": after, "added_kib": after - before}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL; default: a new SQLite file per size")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: the child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return

    workdir = Path(tempfile.mkdtemp(prefix="storyboard-export-bench-"))
    os.environ["STORYBOARD_INSTANCE_PATH"] = str(workdir / "instance")
    results = {}
    for size in args.sizes:
        url = args.database_url or f"sqlite:///{workdir / f'export-{size}.db'}"
        build(url, size, args.people)
        child = subprocess.run(  # nosec B603 (this script, with a URL we built)
            [sys.executable, __file__, "--measure", url], capture_output=True, text=True, check=True,
            env=os.environ,
        )
        results[size] = json.loads(child.stdout.strip().splitlines()[-1])
        figures = results[size]
        print(f"{size:>7} stories: {figures['rows']:>7} rows, {figures['bytes'] / 1e6:6.1f} MB in "
              f"{figures['seconds']:5.1f} s; peak RSS {figures['peak_kib_before'] / 1024:6.1f} MiB before, "
              f"{figures['peak_kib_after'] / 1024:6.1f} MiB after (+{figures['added_kib'] / 1024:.1f} MiB)")
    if len(args.sizes) > 1:
        small, large = results[min(args.sizes)], results[max(args.sizes)]
        print(f"peak RSS after the export, largest/smallest: "
              f"{large['peak_kib_after'] / max(small['peak_kib_after'], 1):.2f}x "
              f"(rows {large['rows'] / max(small['rows'], 1):.0f}x)")
    database = (args.database_url or "sqlite").split(":")[0].split("+")[0]
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"export_memory-{database}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
