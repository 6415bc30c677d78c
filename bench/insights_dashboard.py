"""The insights dashboard, its charts and CSVs at 100k stories, against baselines in the same run.

Run: .venv/bin/python bench/insights_dashboard.py [--database-url URL] [--stories N] [--people N]

The company: 2,000 people in 20 departments and 5 locations (5% have left, half the departments
classified), and 100,000 stories spread over three years to now (85% published, the rest in
every other status), each about one or two people, with one or two values, one in ten with a
co-nominator and three in ten with customer evidence, inserted in the order they were written
(ids grow with time, as they do in a real company). The digest went to everyone every week
of those three years (about 300,000 deliveries, 2% bounced) and 5% of deliveries brought a
reader back; 300 people changed their digest frequency. Everything is inserted in bulk.

Each request goes through the app in-process (Flask's test client, signed in as a curator), so
the figures are the app's own time without a network. Baselines, measured in the same run:
`SELECT count(*) FROM stories`, and `/healthz` (a page that does almost nothing). The target is
under 300 ms for the dashboard. The default database is a new SQLite file; pass a PostgreSQL
URL to measure that instead (its schema is dropped first). Results print as a table and are
saved to bench/results/insights_dashboard-<database>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEPARTMENTS = [f"Team {n:02d}" for n in range(20)]
LOCATIONS = ["Leeds", "York", "Hull", "Bristol", "Glasgow"]
YEARS = 3
CHUNK = 5_000
CHARTS = ["timeline", "departments", "values", "front-line", "participation", "evidence"]
TABLES = [*CHARTS, "queue", "digest"]


def bulk(table, rows) -> None:
    from sqlalchemy import insert

    from storyboard.extensions import db

    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start:start + CHUNK])


def seed_people(count: int, rng: random.Random, now) -> list[int]:
    from sqlalchemy import select

    from storyboard.extensions import db
    from storyboard.models import DepartmentKind, Person

    bulk(Person.__table__, [
        {"email": f"person{n}@example.com", "name": f"Person {n:05d}", "job_title": "Advisor",
         "department": DEPARTMENTS[n % len(DEPARTMENTS)], "location": LOCATIONS[n % len(LOCATIONS)],
         "role": "curator" if n == 0 else "staff", "active": n == 0 or rng.random() > 0.05,
         "hide_from_digests": False, "digest_frequency": "weekly", "bounce_score": 0, "manager_email": True,
         "created_at": now - timedelta(days=YEARS * 365 + 30)}
        for n in range(count)
    ])
    bulk(DepartmentKind.__table__, [
        {"department": name, "front_line": n % 4 == 0, "updated_at": now} for n, name in enumerate(DEPARTMENTS[:10])
    ])
    return list(db.session.scalars(select(Person.id).order_by(Person.id)))


def _story(rng: random.Random, now, people: list[int]) -> dict:
    status = rng.choices(["published", "submitted", "changes_requested", "rejected", "archived", "draft"],
                         [85, 5, 3, 3, 2, 2])[0]
    created = now - timedelta(seconds=rng.random() * YEARS * 365 * 86400)
    submitted = None if status == "draft" else created + timedelta(hours=rng.random() * 24)
    published = submitted + timedelta(hours=1 + rng.random() * 24 * 14) if status in ("published", "archived") else None
    if published and published > now:
        published = now - timedelta(minutes=1)
    evidence = rng.random() < 0.3
    return {
        "title": "Drove the parcel to the wedding", "body_md": "She **rebuilt** the order.",
        "body_html": "<p>She <strong>rebuilt</strong> the order.</p>", "impact_kind": "customer",
        "impact": "It arrived.", "happened_on": created.date(), "status": status,
        "nominator_id": rng.choice(people), "created_at": created, "updated_at": created,
        "submitted_at": submitted, "published_at": published, "status_changed_at": published or submitted,
        "applause_count": 0, "reader_count": 0, "search_text": "", "in_canon": False, "resurface": True,
        "legacy": False, "evidence_quote": "Thank you so much." if evidence and rng.random() < 0.5 else None,
        "evidence_score": rng.randint(0, 10) if evidence else None,
    }


def seed_stories(count: int, rng: random.Random, now, people: list[int]) -> None:
    from sqlalchemy import select

    from storyboard.extensions import db
    from storyboard.models import Story, Value, story_co_nominators, story_nominees, story_values

    # In creation order, as a real company's ids grow with time.
    stories = sorted((_story(rng, now, people) for _ in range(count)), key=lambda story: story["created_at"])
    bulk(Story.__table__, stories)
    value_ids = list(db.session.scalars(select(Value.id)))
    nominees, values, co_nominators = [], [], []
    for story_id in db.session.scalars(select(Story.id)):
        for person in rng.sample(people, rng.choice((1, 1, 1, 2))):
            nominees.append({"story_id": story_id, "person_id": person})
        for value in rng.sample(value_ids, rng.choice((1, 2))):
            values.append({"story_id": story_id, "value_id": value})
        if rng.random() < 0.1:
            co_nominators.append({"story_id": story_id, "person_id": rng.choice(people)})
    bulk(story_nominees, nominees)
    bulk(story_values, values)
    bulk(story_co_nominators, co_nominators)


def seed_digest(rng: random.Random, now, people: list[int]) -> None:
    from sqlalchemy import select

    from storyboard.extensions import db
    from storyboard.models import AuditEntry, DigestDelivery, DigestIssue, DigestVisit, Story

    weeks = YEARS * 52
    bulk(DigestIssue.__table__, [
        {"issue_key": (now - timedelta(weeks=week)).date().isoformat(), "cut_at": now - timedelta(weeks=week),
         "monthly": False, "created_at": now - timedelta(weeks=week), "recipient_count": len(people)}
        for week in range(weeks)
    ])
    story_ids = list(db.session.scalars(select(Story.id).where(Story.status == "published").limit(5000)))
    visits = []
    for issue_id, cut_at in db.session.execute(select(DigestIssue.id, DigestIssue.cut_at)).all():
        rows = [{"issue_id": issue_id, "person_id": person, "attempts": 1, "next_attempt_at": cut_at,
                 "status": "bounced" if rng.random() < 0.02 else "sent", "sent_at": cut_at, "created_at": cut_at}
                for person in people]
        bulk(DigestDelivery.__table__, rows)
        first = db.session.scalar(select(DigestDelivery.id).where(DigestDelivery.issue_id == issue_id)
                                  .order_by(DigestDelivery.id))
        visits.extend({"delivery_id": first + n, "story_id": rng.choice(story_ids),
                       "visited_at": cut_at + timedelta(hours=rng.random() * 72)}
                      for n in rng.sample(range(len(people)), len(people) // 20))
    bulk(DigestVisit.__table__, visits)
    bulk(AuditEntry.__table__, [
        {"created_at": now - timedelta(days=rng.random() * YEARS * 365), "actor_id": person,
         "action": "digest.frequency", "entity_type": "person", "entity_id": person,
         "before": {"digest_frequency": "weekly"}, "after": {"digest_frequency": rng.choice(["never", "monthly"])}}
        for person in rng.sample(people, min(300, len(people)))
    ])


def settle(url: str) -> None:
    from sqlalchemy import text

    from storyboard.extensions import db

    db.session.commit()
    if url.startswith("postgresql"):
        # Fresh tables: statistics first, or the planner guesses and autovacuum runs mid-way.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def median_ms(function, repeat: int) -> float:
    function()  # warm: templates compiled, connections open, pages cached
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def fetch(client, path: str) -> None:
    response = client.get(path)
    response.get_data()
    assert response.status_code == 200, f"{path}: {response.status_code}"


def measure(app, repeat: int) -> list[tuple[str, float]]:
    from sqlalchemy import text

    from storyboard.auth import sessions
    from storyboard.extensions import db
    from storyboard.models import Person

    client = app.test_client()
    with app.app_context():
        token = sessions.start(db.session.get(Person, 1))
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = token, True
    today = time.strftime("%Y-%m-%d")
    all_time = f"start={int(today[:4]) - YEARS}{today[4:]}&end={today}"

    def count_stories():
        with app.app_context():
            db.session.execute(text("SELECT count(*) FROM stories")).scalar()
            db.session.remove()

    rows = [("baseline: SELECT count(*) FROM stories", median_ms(count_stories, repeat)),
            ("baseline: /healthz", median_ms(lambda: fetch(client, "/healthz"), repeat))]
    pages = {
        "dashboard (last 12 months)": "/insights/",
        f"dashboard ({YEARS} years, per month)": f"/insights/?{all_time}",
        "dashboard (one department)": f"/insights/?department={DEPARTMENTS[3].replace(' ', '+')}",
        "dashboard (one location)": f"/insights/?location={LOCATIONS[1]}",
        **{f"chart {name}": f"/insights/charts/{name}.svg" for name in CHARTS},
        **{f"csv {name}": f"/insights/tables/{name}.csv" for name in TABLES},
    }
    for name, path in pages.items():
        rows.append((name, median_ms(lambda path=path: fetch(client, path), repeat)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL; default: a new SQLite file")
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="storyboard-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    os.environ["STORYBOARD_INSTANCE_PATH"] = str(workdir / "instance")

    from flask_migrate import upgrade
    from sqlalchemy import text

    from storyboard import create_app
    from storyboard.clock import utcnow
    from storyboard.extensions import db
    from storyboard.stories.defaults import ensure_default_values

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "LOG_LEVEL": "warning"})
    database = url.split(":")[0].split("+")[0]
    with app.app_context():
        if database == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        started, rng, now = time.perf_counter(), random.Random(13), utcnow()
        ensure_default_values()
        people = seed_people(args.people, rng, now)
        seed_stories(args.stories, rng, now, people)
        seed_digest(rng, now, people)
        settle(url)
        print(f"seeded {args.stories} stories, {args.people} people on {database} "
              f"in {time.perf_counter() - started:.0f}s", flush=True)
        db.session.remove()
    rows = measure(app, args.repeat)
    base = rows[0][1]
    print(f"{'request':44} {'median ms':>10} {'× count(*)':>11} {'× /healthz':>11}")
    for name, ms in rows:
        print(f"{name:44} {ms:10.1f} {ms / base:11.1f} {ms / rows[1][1]:11.1f}")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"insights_dashboard-{database}.json").write_text(json.dumps({
        "database": database, "stories": args.stories, "people": args.people, "repeat": args.repeat,
        "median_ms": dict(rows),
    }, indent=2))


if __name__ == "__main__":
    main()
