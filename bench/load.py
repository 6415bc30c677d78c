"""100 signed-in people at once for 60 s, each on their own account, against gunicorn on PostgreSQL.

Run: .venv/bin/python bench/load.py [--clients 100] [--seconds 60] [--stories 10000] [--think-ms 0]

It seeds a demo company on PostgreSQL (`seed-demo`, one person per ten stories; the database
of BENCH_POSTGRES_URL is dropped and created again), gives `--clients` of its people a password
(the app's own Person.set_password, in a setup step), and starts `gunicorn -c gunicorn.conf.py
wsgi:app` with its default worker count. Each client signs in through the real form as its own
person, then, until the time is up, picks an action at random with these weights: the feed,
a story, an applause toggle (applaud, or take it back if already given), a search and saving a
nominate draft. Every answer must be the expected one (200, or the redirect after a POST):
anything else, or a failed connection, is an error, and 0 errors are expected.

Clients are threads with their own requests.Session (requests is already a dependency of the
app; gunicorn's sync workers close each connection anyway, so an async client would add a
dependency without changing what the server sees). Locust would do the same with a web UI,
gevent and a dozen packages we do not need. The threads share two cores with the server, so
the latency includes some client time; figures on this shared machine are noisy.
Results print and are saved to bench/results/load-<time>.json and load-latest.json.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import requests
from pages import CSRF_FIELD, RESULTS, prepare, run, serve, stop  # beside this script

PASSWORD = "bench-load-password"  # nosec B105: a throwaway database's test accounts
MIX = {"feed": 40, "story": 30, "applause": 10, "search": 10, "nominate draft": 10}
SEARCHES = ("refund", "customer", "late", "team", "parcel", "thank", "shift", "order")
SETUP = """
import json, sys
from sqlalchemy import select
from storyboard import create_app
from storyboard.extensions import db
from storyboard.models import Person, Story, Value
app = create_app()
with app.app_context():
    people = db.session.scalars(select(Person).where(Person.active).order_by(Person.id).limit(int(sys.argv[1]))).all()
    people[0].set_password(sys.argv[2])
    for person in people[1:]:
        person.password_hash = people[0].password_hash  # one slow hash is enough
    db.session.commit()
    published = select(Story.id).where(Story.status == 'published').order_by(Story.id.desc()).limit(300)
    print(json.dumps({
        "emails": [person.email for person in people], "ids": [person.id for person in people],
        "stories": db.session.scalars(published).all(),
        "value": db.session.scalar(select(Value.id).order_by(Value.position)),
    }))
"""


def csrf_token(page: str) -> str:
    return re.search(CSRF_FIELD, page).group(1)


class Client:
    """One signed-in person: their session, their applause so far, and what they measured."""

    def __init__(self, base: str, email: str, person_id: int, world: dict) -> None:
        self.base, self.email, self.person_id, self.world = base, email, person_id, world
        self.http = requests.Session()
        self.applauded: set[int] = set()
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []

    def sign_in(self) -> None:
        token = csrf_token(self.http.get(f"{self.base}/auth/login", timeout=60).text)
        answer = self.http.post(f"{self.base}/auth/login", timeout=60, allow_redirects=False,
                                data={"email": self.email, "password": PASSWORD, "csrf_token": token})
        if answer.status_code != 302:
            raise SystemExit(f"{self.email} could not sign in: {answer.status_code}")
        self.token = csrf_token(self.http.get(f"{self.base}/nominate", timeout=60).text)

    def request(self, action: str, rng: random.Random) -> tuple[str, str, dict | None, int]:
        """(method, path, form, expected status) for one action."""
        if action in ("feed", "floor"):
            return "GET", "/", None, 200
        if action == "search":
            return "GET", f"/search?q={rng.choice(SEARCHES)}", None, 200
        story = rng.choice(self.world["stories"])
        if action == "story":
            return "GET", f"/stories/{story}", None, 200
        if action == "applause":
            taking_back = story in self.applauded
            self.applauded ^= {story}
            path = f"/stories/{story}/applause" + ("/remove" if taking_back else "")
            return "POST", path, {"csrf_token": self.token}, 302
        nominee = rng.choice([i for i in self.world["ids"][:20] if i != self.person_id])
        return "POST", "/nominate", {
            "csrf_token": self.token, "nominees": nominee, "values": self.world["value"],
            "title": "Stayed late to rebuild an order", "impact_kind": "customer",
            "body_md": "She **rebuilt** the order by hand and drove it over.",
            "impact": "The parcel arrived before the wedding.", "happened_on": date.today().isoformat(),
            "action": "draft",
        }, 302

    def drive(self, mix: dict[str, int], start: threading.Barrier, deadline: list[float], think: float,
              seed: int) -> None:
        rng = random.Random(seed)
        actions, weights = list(mix), list(mix.values())
        start.wait()
        while time.perf_counter() < deadline[0]:
            action = rng.choices(actions, weights)[0]
            method, path, form, expected = self.request(action, rng)
            began = time.perf_counter()
            try:
                answer = self.http.request(method, self.base + path, data=form, timeout=60, allow_redirects=False)
                status = answer.status_code
            except requests.RequestException as error:
                status = type(error).__name__
            self.timings[action].append(time.perf_counter() - began)
            if status != expected:
                self.errors[action] += 1
                if len(self.error_samples) < 3:
                    self.error_samples.append(f"{method} {path}: {status}")
            if think:
                time.sleep(rng.uniform(0, 2 * think))


def percentiles(seconds: list[float]) -> dict[str, float]:
    if len(seconds) < 2:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {"p50_ms": cuts[49] * 1000, "p95_ms": cuts[94] * 1000, "p99_ms": cuts[98] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--floor-seconds", type=int, default=15, help="the same clients against bench/floor.py")
    parser.add_argument("--stories", type=int, default=10_000, help="seeded stories (one person per ten)")
    parser.add_argument("--think-ms", type=float, default=0, help="mean pause between a client's requests")
    args = parser.parse_args()
    # seed-demo makes one person per ten stories, and a few of them have left the company.
    args.stories = max(args.stories, args.clients * 20)
    workdir = Path(tempfile.mkdtemp(prefix="storyboard-load-"))
    try:
        env = prepare("postgresql", args.stories, workdir)
        world = json.loads(run([sys.executable, "-c", SETUP, str(args.clients), PASSWORD], env))
        if len(world["emails"]) < args.clients:
            raise SystemExit(f"only {len(world['emails'])} people to sign in as")
        process, base = serve("wsgi:app", env, workers=None)
        try:
            clients = signed_in(base, world)
            mix = run_clients(clients, MIX, args.seconds, args.think_ms)
            feed = clients[0].http.get(base + "/", timeout=60).content
        finally:
            stop(process)
        (workdir / "feed.html").write_bytes(feed)
        process, base = serve("bench.floor:app", env | {"BENCH_FLOOR_BODY": str(workdir / "feed.html")}, workers=None)
        try:
            for client in clients:  # the same session cookies, checked by the floor against the same rows
                client.base = base
            floor = run_clients(clients, {"floor": 1}, args.floor_seconds, args.think_ms)
        finally:
            stop(process)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result = {"measured_at": datetime.now().strftime("%Y%m%d-%H%M%S"), "clients": len(clients),
              "stories": args.stories, "think_ms": args.think_ms, "database": "postgresql",
              "workers": "gunicorn.conf.py default (cores + 1)"} | mix
    result["floor"] = floor
    result["ratio_to_floor"] = mix["throughput_rps"] / floor["throughput_rps"]
    report(result)


def signed_in(base: str, world: dict) -> list[Client]:
    people = zip(world["emails"], world["ids"], strict=True)
    clients = [Client(base, email, person_id, world) for email, person_id in people]
    started = time.perf_counter()
    threads = [threading.Thread(target=client.sign_in) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"{len(clients)} clients signed in, each as their own person, in {time.perf_counter() - started:.1f}s",
          flush=True)
    return clients


def run_clients(clients: list[Client], mix: dict[str, int], seconds: int, think_ms: float) -> dict:
    """Every client runs the mix until the time is up; what they measured, added up."""
    for client in clients:
        client.timings.clear()
        client.errors.clear()
        client.error_samples.clear()
    start, deadline = threading.Barrier(len(clients) + 1), [0.0]
    threads = [threading.Thread(target=client.drive, args=(mix, start, deadline, think_ms / 1000, n))
               for n, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    timings, errors = defaultdict(list), defaultdict(int)
    for client in clients:
        for action, taken in client.timings.items():
            timings[action] += taken
        for action, count in client.errors.items():
            errors[action] += count
    everything = [taken for times in timings.values() for taken in times]
    return {
        "seconds": elapsed, "requests": len(everything), "throughput_rps": len(everything) / elapsed,
        "errors": sum(errors.values()),
        "error_samples": [sample for client in clients for sample in client.error_samples][:10],
        "overall": percentiles(everything),
        "actions": {action: {"count": len(timings[action]), "errors": errors[action]} | percentiles(timings[action])
                    for action in mix},
    }


def report(result: dict) -> None:
    print(f"\n{result['clients']} clients, {result['seconds']:.0f}s, {result['stories']} stories on PostgreSQL, "
          f"think {result['think_ms']:.0f} ms (figures from a shared 2-core machine are noisy)")
    print(f"{'action':16} {'count':>7} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    floor = result["floor"]
    rows = [*result["actions"].items(),
            ("all", result["overall"] | {"count": result["requests"], "errors": result["errors"]}),
            ("floor (GET /)", floor["overall"] | {"count": floor["requests"], "errors": floor["errors"]})]
    for action, row in rows:
        print(f"{action:16} {row['count']:7} {row['errors']:6} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} "
              f"{row['p99_ms']:8.1f}")
    print(f"throughput {result['throughput_rps']:.1f} req/s, {result['ratio_to_floor']:.2f} x the floor's "
          f"{floor['throughput_rps']:.1f} req/s with the same clients; errors {result['errors']} (0 expected)")
    for sample in result["error_samples"] + floor["error_samples"]:
        print(f"  error: {sample}")
    RESULTS.mkdir(exist_ok=True)
    for name in (f"load-{result['measured_at']}.json", "load-latest.json"):
        (RESULTS / name).write_text(json.dumps(result, indent=2))
    print(f"Saved bench/results/load-{result['measured_at']}.json")
    if result["errors"] or floor["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
