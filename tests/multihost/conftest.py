"""Two hosts against one PostgreSQL and one Redis, started once for the package: each host is
`gunicorn -c gunicorn.conf.py wsgi:app` with two workers and its own instance folder (as two
machines would have), both with the same secret key; two `rq worker` processes send the digest
through a real SMTP server on loopback.

Needs STORYBOARD_TEST_DATABASE_URL (PostgreSQL: SQLite is one machine's file) and Redis at
STORYBOARD_TEST_REDIS_URL; without them these tests are skipped, and in CI they fail.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import redis
import requests
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from rq import Queue
from sqlalchemy import select, text

from storyboard import PROJECT_ROOT, create_app
from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import Person, StoryStatus, Value
from storyboard.stories import service as story_service
from storyboard.stories.defaults import ensure_default_values
from tests.helpers import CUT, SMTPRecorder, free_port, mail_env, storyboard_env
from tests.multihost.hosts import Host

POSTGRES_URL = os.environ.get("STORYBOARD_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("STORYBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "correct horse battery staple"
LOGIN_LIMIT = 4  # failed sign-ins per address and account, on every host together
# People per digest job: the company's 14 people make two jobs, one for each RQ worker (each
# job starts the app in a fresh process, so more jobs only cost time).
BATCH_SIZE = 7
BIN = os.path.dirname(sys.executable)
RUN = uuid.uuid4().hex[:12]  # in the names this run uses in Redis, which other runs share


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI needs {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="package")
def services() -> tuple[str, str]:
    """The PostgreSQL and Redis URLs, checked to answer."""
    if not POSTGRES_URL or not POSTGRES_URL.startswith("postgresql"):
        _unavailable("PostgreSQL: set STORYBOARD_TEST_DATABASE_URL (several hosts cannot share SQLite)")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        _unavailable(f"Redis at {REDIS_URL} (STORYBOARD_TEST_REDIS_URL): {error}")
    return POSTGRES_URL, REDIS_URL


@dataclass
class Company:
    """Who and what the tests use: ids, emails and the names pages show."""

    people: dict[str, int]
    emails: dict[str, str]
    stories: dict[str, int]
    values: dict[str, int]


STORIES = {
    # key: (nominee's name, title, Markdown body, value slug)
    "title": ("Tomasz Kowalczyk", "Found the missing pallet", "He **searched** every bay until it turned up.",
              "courtesy"),
    "rename": ("Rosa Delgado", "Calmed the queue on Black Friday", "She opened a second till and talked to "
               "everyone waiting.", "courtesy"),
    "value": ("Valentina Greco", "Rebuilt the returns rota", "She redrew the rota so returns never wait a "
              "day.", "practicality"),
    "applause": ("Ahmed Karimi", "Drove the parcel to the wedding", "He drove it over on his way home.",
                 "courtesy"),
    "archive": ("Archie Whitlock", "Mended the broken till", "He fixed the till with a paper clip.", "courtesy"),
    "redact": ("Rita Oyelaran", "Phoned the customer back at midnight", "She rang **Mrs Jane Doe on 07700 "
               "900123** back after her shift to check the oven had arrived.", "courtesy"),
    "digest": ("Dana Fletcher", "Covered the night shift", "She covered two night shifts in a row.", "courtesy"),
}
ACCOUNTS = {  # key: (name, role); everyone here can sign in with PASSWORD
    "curator": ("Cora Curator", "curator"),
    "admin": ("Adam Admin", "admin"),
    "viewer": ("Vera Viewer", "staff"),
    "applauder": ("Sam Clapper", "staff"),
    "traveller": ("Tess Traveller", "staff"),
    "throttled": ("Theo Throttled", "staff"),
    "nominator": ("Nina Nominator", "staff"),
}


def _person(key: str, name: str, role: str = "staff", password: str | None = None) -> Person:
    person = Person(email=f"{key}@example.com", name=name, job_title="Advisor", department="Support",
                    location="Leeds", role=role, created_at=CUT - timedelta(days=400))
    if password:
        person.set_password(password)
    db.session.add(person)
    db.session.flush()
    return person


def _seed() -> Company:
    """A small company through the app's own code: its values, people, and published stories
    (one per change the tests make, each about its own person; one inside the digest's window)."""
    ensure_default_values()
    values = {value.slug: value for value in db.session.scalars(select(Value))}
    people = {key: _person(key, name, role, PASSWORD) for key, (name, role) in ACCOUNTS.items()}
    stories = {}
    for key, (nominee_name, title, body, slug) in STORIES.items():
        nominee = people[f"about_{key}"] = _person(f"about_{key}", nominee_name)
        draft = story_service.StoryDraft(
            title=title, body_md=body, impact_kind="customer", impact="The customer wrote in to thank them.",
            happened_on=date(2026, 11, 20), rule_in_the_way=None, nominee_ids=[nominee.id],
            value_ids=[values[slug].id],
        )
        story = story_service.save_story(None, people["nominator"], draft, submit=False)
        db.session.flush()
        story.status = StoryStatus.PUBLISHED.value
        story.submitted_at = story.published_at = CUT - timedelta(days=3) if key == "digest" else utcnow()
        stories[key] = story
    db.session.commit()
    return Company(
        people={key: person.id for key, person in people.items()},
        emails={key: person.email for key, person in people.items()},
        stories={key: story.id for key, story in stories.items()},
        values={slug: value.id for slug, value in values.items()},
    )


@pytest.fixture(scope="package")
def shared_app(services, tmp_path_factory):
    """The database, migrated and emptied (as tests/conftest.py's `app` leaves it for the next
    test); an app on it for seeding and reading rows."""
    database_url, _ = services
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORYBOARD_INSTANCE_PATH", str(tmp_path_factory.mktemp("seeding")))
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret-key"})
    with app.app_context():
        upgrade()
        tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="package")
def smtp_sink():
    """A real SMTP server on loopback for the RQ workers' digest."""
    recorder = SMTPRecorder(port=free_port())
    controller = Controller(recorder, hostname=recorder.host, port=recorder.port)
    controller.start()
    yield recorder
    controller.stop()


@pytest.fixture(scope="package")
def cluster_env(services, smtp_sink, tmp_path_factory) -> dict[str, str]:
    """Settings every host and worker shares, with names of its own in Redis for this run."""
    database_url, redis_url = services
    return storyboard_env(database_url, tmp_path_factory.mktemp("unused")) | mail_env(smtp_sink) | {
        "STORYBOARD_REDIS_URL": redis_url,
        "STORYBOARD_RATELIMIT_KEY_PREFIX": f"storyboard-test-{RUN}",
        "STORYBOARD_CACHE_KEY_PREFIX": f"storyboard-test-{RUN}:",
        "STORYBOARD_DIGEST_QUEUE": f"storyboard-test-digest-{RUN}",
        "STORYBOARD_DIGEST_BATCH_SIZE": str(BATCH_SIZE),
        # Per hour, not minute: the counts are fixed windows, and a minute's edge falling inside
        # the test would start the count again.
        "STORYBOARD_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per hour",
        "STORYBOARD_LOG_LEVEL": "warning",
        "STORYBOARD_MAX_REQUESTS": "0",  # no worker recycled mid-test: each host keeps its two
    }


def _start_host(name: str, env: dict[str, str], folder) -> Host:
    port = free_port()
    env = env | {"STORYBOARD_INSTANCE_PATH": str(folder / "instance"), "STORYBOARD_BIND": f"127.0.0.1:{port}",
                 "STORYBOARD_WORKERS": "2"}
    log = folder / "gunicorn.log"
    with open(log, "w") as output:  # a file, not a pipe nobody reads: the access log fills a pipe
        process = subprocess.Popen([os.path.join(BIN, "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                                   cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    return Host(name=name, port=port, process=process, log=log, env=env)


def _wait_until_serving(host: Host) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and host.process.poll() is None:
        try:
            if requests.get(host.base + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    host.process.kill()
    raise AssertionError(f"host {host.name} did not start:\n{host.log.read_text()}")


def _wait_for_exit(process: subprocess.Popen) -> None:
    """Wait for a process sent SIGTERM. An `rq worker` whose warm shutdown hangs (now and then
    an rq 3.0 worker logs its warm shutdown and never exits) stops at a second SIGTERM, its
    cold shutdown; gunicorn, already stopping, ignores it."""
    for again in (True, False):
        try:
            process.wait(10)
            return
        except subprocess.TimeoutExpired:
            if again:
                process.send_signal(signal.SIGTERM)
    process.kill()
    process.wait()


@dataclass
class Cluster:
    hosts: tuple[Host, Host]
    rq_logs: list


def _start_rq_worker(env: dict[str, str], folder) -> subprocess.Popen:
    with open(folder / "rq.log", "w") as output:
        return subprocess.Popen(
            [os.path.join(BIN, "rq"), "worker", "--url", env["STORYBOARD_REDIS_URL"], env["STORYBOARD_DIGEST_QUEUE"]],
            cwd=PROJECT_ROOT, env=env | {"STORYBOARD_INSTANCE_PATH": str(folder / "instance")},
            stdout=output, stderr=subprocess.STDOUT,
        )


def _forget_the_run(env: dict[str, str]) -> None:
    """This run's jobs, sign-in counts and cached cards out of the shared Redis."""
    connection = redis.Redis.from_url(env["STORYBOARD_REDIS_URL"])
    queue = Queue(env["STORYBOARD_DIGEST_QUEUE"], connection=connection)
    for registry in (queue.finished_job_registry, queue.failed_job_registry):
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
    queue.delete(delete_jobs=True)
    for key in connection.scan_iter(f"*{RUN}*"):
        connection.delete(key)


@pytest.fixture(scope="package")
def cluster(shared_app, cluster_env, tmp_path_factory):
    """Hosts A and B (two workers each) and two RQ workers on the digest's queue, as four
    machines would run them. They start while the company is seeded: each takes seconds to
    import the app."""
    hosts = tuple(_start_host(name, cluster_env, tmp_path_factory.mktemp(f"host-{name}")) for name in "AB")
    rq_folders = [tmp_path_factory.mktemp(f"rq-{number}") for number in (1, 2)]
    workers = [_start_rq_worker(cluster_env, folder) for folder in rq_folders]
    try:
        yield Cluster(hosts=hosts, rq_logs=[folder / "rq.log" for folder in rq_folders])
    finally:
        for process in [host.process for host in hosts] + workers:
            # gunicorn and rq stop gracefully on it, as under systemd; all at once, as each
            # takes a moment.
            process.send_signal(signal.SIGTERM)
        for process in [host.process for host in hosts] + workers:
            _wait_for_exit(process)
        _forget_the_run(cluster_env)


@pytest.fixture(scope="package")
def company(cluster, shared_app) -> Company:
    with shared_app.app_context():
        return _seed()


@pytest.fixture(scope="package")
def hosts(cluster, company) -> tuple[Host, Host]:
    """Hosts A and B, serving the seeded company."""
    for host in cluster.hosts:
        _wait_until_serving(host)
    return cluster.hosts


@pytest.fixture(scope="package")
def rq_workers(cluster, company) -> list:
    """The two RQ workers' logs (they run from the start, waiting for jobs)."""
    return cluster.rq_logs
