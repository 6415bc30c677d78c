"""Sending the digest to 10,000 people through a real SMTP server, against a plain smtplib loop.

Run: .venv/bin/python bench/digest_send.py [--recipients N] [--rounds R] [--database URL]

aiosmtpd runs in its own process (it accepts and discards). Each round, in the same run:
- baseline: the bytes `tick` sends, built beforehand (not timed) by the same DigestTemplate, one
  per person with a `via` token as long as a delivery's, sent with plain `smtp.sendmail(sender,
  [to], raw)` over one connection: the floor for pushing these bytes through this server. The
  digest sends bytes with the same call, so the comparison is like for like (no flattening of an
  EmailMessage on either side);
- digest: `tick` end to end, on a fresh issue: cut the issue, create 10,000 deliveries, claim
  batches, build each message, send over one connection per batch, record each result.
The ratio digest / baseline (seconds) is what the exactly-once bookkeeping costs; its inverse,
the digest's sending rate as a share of plain smtplib's, is the figure issue 16 sets (>= 0.70).
Results print as a table and are saved to bench/results/digest_send.json. The default database is a new SQLite
file; pass a PostgreSQL URL to measure that instead (its tables are dropped first).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import smtplib
import socket
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CUT = datetime(2026, 11, 30, 7, 0)
NOW = CUT + timedelta(minutes=5)


def serve_smtp(port: int, ready, counter) -> None:
    """A real SMTP server that accepts every message and counts it."""
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(recipients: int) -> None:
    """A company of `recipients` people with a week of stories and a canon."""
    from sqlalchemy import insert

    from storyboard.extensions import db
    from storyboard.models import Person, Story, StoryStatus, story_nominees, story_values
    from storyboard.stories.defaults import ensure_default_values

    ensure_default_values()
    db.session.execute(insert(Person), [
        {"email": f"person{n}@example.com", "name": f"Person {n:05d}", "job_title": "Advisor",
         "department": f"Team {n % 12}", "location": "Leeds", "role": "staff", "active": True,
         "hide_from_digests": False, "digest_frequency": "weekly", "bounce_score": 0,
         "created_at": CUT - timedelta(days=500)}
        for n in range(1, recipients + 1)
    ])
    body = ("Sam noticed the parcel was going to miss the wedding, **rang the depot**, and drove it "
            "over after the shift. The customer wrote in to say thank you.\n\n") * 8
    from storyboard import markdown

    html = markdown.render(body)
    stories = []
    for n in range(12):
        canon = n >= 8
        stories.append({
            "title": f"Story {n}: drove the parcel to the wedding", "body_md": body, "body_html": html,
            "impact_kind": "customer", "impact": "The wedding went ahead.",
            "happened_on": (CUT - timedelta(days=900 if canon else 5)).date(),
            "status": StoryStatus.PUBLISHED.value, "nominator_id": 1,
            "published_at": CUT - timedelta(days=400 if canon else 2 + n * 0.3),
            "created_at": CUT - timedelta(days=400), "updated_at": CUT - timedelta(days=2),
            "applause_count": 5 + n, "reader_count": 40, "search_text": "", "in_canon": canon,
            "canonized_at": CUT - timedelta(days=300) if canon else None,
            "canon_lesson": "Own the customer's problem." if canon else None, "resurface": True, "legacy": False,
        })
    db.session.execute(insert(Story), stories)
    story_ids = [row[0] for row in db.session.execute(db.select(Story.id))]
    db.session.execute(insert(story_nominees), [{"story_id": sid, "person_id": sid + 10} for sid in story_ids])
    value_id = db.session.execute(db.text("SELECT id FROM \"values\" LIMIT 1")).scalar()
    db.session.execute(insert(story_values), [{"story_id": sid, "value_id": value_id} for sid in story_ids])
    db.session.commit()


def prepared_messages() -> tuple[str, list[tuple[str, bytes]]]:
    """The envelope sender, and each person's address and the bytes `tick` would send them,
    built up front for the baseline (not timed)."""
    from sqlalchemy import select

    from storyboard.digest.candidates import load_candidates, load_history, params_from_config
    from storyboard.digest.email import build_digest_content
    from storyboard.digest.issues import stories_for
    from storyboard.digest.message_template import DigestTemplate
    from storyboard.digest.selection import select_issue
    from storyboard.extensions import db
    from storyboard.models import Person

    params = params_from_config()
    selection = select_issue(CUT, load_candidates(CUT, params), load_history(), params)
    template = DigestTemplate(build_digest_content(selection, stories_for(selection.story_ids)))
    people = db.session.scalars(select(Person).order_by(Person.id))
    # The person's id stands in for their delivery's: a token of the same length.
    return template.sender, [(person.email, template.render(person, person.id)) for person in people]


def baseline(port: int, sender: str, messages: list[tuple[str, bytes]]) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for to, raw in messages:
            smtp.sendmail(sender, [to], raw)
    return time.perf_counter() - start


def digest_round() -> tuple[float, dict]:
    from sqlalchemy import delete

    from storyboard.digest.tick import tick
    from storyboard.extensions import db
    from storyboard.models import DigestIssue

    db.session.execute(delete(DigestIssue))  # deliveries and the issue's stories cascade
    db.session.commit()
    start = time.perf_counter()
    report = tick(NOW)
    elapsed = time.perf_counter() - start
    return elapsed, {"statuses": dict(report.sent.statuses), "sessions": report.sent.sessions}


def create_database_if_missing(url: str) -> None:
    """`make bench` may have skipped PostgreSQL in pages.py, which creates the database."""
    import psycopg
    from sqlalchemy.engine import make_url

    parts = make_url(url)
    with psycopg.connect(host=parts.host, port=parts.port, user=parts.username, password=parts.password,
                         dbname="postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parts.database,)).fetchone():
            admin.execute(f'CREATE DATABASE "{parts.database}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", help="SQLAlchemy URL; default: a new SQLite file")
    parser.add_argument("--synchronous-results", action="store_true",
                        help="DIGEST_RESULT_SYNCHRONOUS_COMMIT on: each result's commit waits for the disk")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="storyboard-bench-"))
    url = args.database or f"sqlite:///{workdir / 'bench.db'}"
    os.environ["STORYBOARD_INSTANCE_PATH"] = str(workdir / "instance")
    port = free_port()
    ready, counter = multiprocessing.Event(), multiprocessing.Value("q", 0)
    server = multiprocessing.Process(target=serve_smtp, args=(port, ready, counter), daemon=True)
    server.start()
    ready.wait(30)

    from flask_migrate import upgrade
    from sqlalchemy import text

    from storyboard import create_app
    from storyboard.extensions import db

    if url.startswith("postgresql"):
        create_database_if_missing(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "MAIL_SERVER": "127.0.0.1",
                      "MAIL_PORT": port, "EXTERNAL_URL": "https://storyboard.example.com",
                      "DIGEST_RESULT_SYNCHRONOUS_COMMIT": args.synchronous_results})
    with app.app_context():
        if url.startswith("postgresql"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        seed(args.recipients)
        sender, messages = prepared_messages()
        size = statistics.mean(len(raw) for _, raw in messages[:50])
        baselines, digests, details = [], [], []
        for _ in range(args.rounds):
            baselines.append(baseline(port, sender, messages))
            elapsed, detail = digest_round()
            digests.append(elapsed)
            details.append(detail)
        db.session.remove()
    expected = args.rounds * 2 * args.recipients
    received = counter.value
    server.terminate()

    base, dig = statistics.median(baselines), statistics.median(digests)
    rows = [
        ("smtplib sendmail, prepared bytes, one connection", base),
        ("digest tick (cut, claim, build, send, record)", dig),
    ]
    print(f"{args.recipients} recipients, {args.rounds} rounds, {size / 1024:.1f} KiB per message, "
          f"{url.split(':')[0]}{', synchronous results' if args.synchronous_results else ''}")
    print(f"{'run':48} {'median s':>9} {'msg/s':>8} {'ratio':>6}")
    for name, seconds in rows:
        print(f"{name:48} {seconds:9.2f} {args.recipients / seconds:8.0f} {seconds / base:6.2f}")
    print(f"digest rate / smtplib rate: {base / dig:.2f}")
    print(f"server received {received} of {expected} messages; digest rounds: {details[-1]}")
    results = {
        "recipients": args.recipients, "rounds": args.rounds, "database": url.split(":")[0],
        "synchronous_results": args.synchronous_results,
        "message_bytes": round(size), "baseline_seconds": baselines, "digest_seconds": digests,
        "ratio": dig / base, "rate_ratio": base / dig, "received": received, "expected": expected,
        "last_round": details[-1],
        "measured_at": datetime.now().isoformat(timespec="seconds"),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    name = "digest_send.json" if not url.startswith("postgresql") else "digest_send_postgresql.json"
    (out / name).write_text(json.dumps(results, indent=2))
    if received != expected:
        sys.exit("The server did not receive every message.")


if __name__ == "__main__":
    main()
