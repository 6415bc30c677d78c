"""Fixtures: an app on a migrated database (SQLite, and PostgreSQL when configured), a client,
a CLI runner, builders for people and stories, sign-in, and a real SMTP server on loopback."""
from __future__ import annotations

import itertools
import os
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from storyboard import create_app
from storyboard.clock import utcnow
from storyboard.extensions import db, limiter
from storyboard.models import Person, Story, StoryStatus, Value
from storyboard.stories import service as story_service
from storyboard.stories.defaults import ensure_default_values
from tests.helpers import SMTPRecorder, free_port, sign_in_on

POSTGRES_URL = os.environ.get("STORYBOARD_TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def _reset_postgres_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory) -> str:
    """A database migrated to the newest schema, once per test session and database kind."""
    if request.param == "postgresql":
        url = POSTGRES_URL
        _reset_postgres_schema(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'storyboard.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _empty_all_tables() -> None:
    tables = [table.name for table in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        quoted = ", ".join(f'"{name}"' for name in tables)
        db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    else:
        for name in reversed(tables):
            db.session.execute(text(f'DELETE FROM "{name}"'))
    db.session.commit()


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("STORYBOARD_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,  # tests/security/ checks CSRF with it on
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "EXTERNAL_URL": "https://storyboard.example.com",
    })
    with app.app_context():
        _empty_all_tables()
        ensure_default_values()
        db.session.commit()
        limiter.reset()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An app context for tests that use models and services directly."""
    with app.app_context():
        yield


_sequence = itertools.count(1)


@pytest.fixture
def make_person(app):
    """Build a person; any column can be overridden. Call inside an app context."""

    def make(**overrides) -> Person:
        number = next(_sequence)
        password = overrides.pop("password", None)
        values = {
            "email": f"person{number}@example.com",
            "name": f"Person {number:04d}",
            "job_title": "Advisor",
            "department": "Support",
            "location": "Leeds",
            "role": "staff",
        } | overrides
        person = Person(**values)
        if password:
            person.set_password(password)
        db.session.add(person)
        db.session.commit()
        return person

    return make


@pytest.fixture
def make_story(app, make_person):
    """Build a story through the real service, then put it in the status asked for."""

    def make(nominator=None, nominees=None, status=StoryStatus.PUBLISHED, values=None, **fields) -> Story:
        nominator = nominator or make_person()
        nominees = nominees or [make_person()]
        values = values or [db.session.scalars(db.select(Value).order_by(Value.position)).first()]
        draft = story_service.StoryDraft(
            title=fields.pop("title", "Stayed late to fix a customer's order"),
            body_md=fields.pop("body_md", "She **rebuilt** the order by hand."),
            impact_kind=fields.pop("impact_kind", "customer"),
            impact=fields.pop("impact", "The customer got the parcel before the wedding."),
            happened_on=fields.pop("happened_on", date.today() - timedelta(days=3)),
            rule_in_the_way=fields.pop("rule_in_the_way", None),
            nominee_ids=[person.id for person in nominees],
            value_ids=[value.id for value in values],
        )
        story = story_service.save_story(None, nominator, draft, submit=False)
        db.session.flush()
        now = utcnow()
        if status != StoryStatus.DRAFT:
            story.submitted_at = now
        if status == StoryStatus.PUBLISHED:
            story.published_at = fields.pop("published_at", now)
        story.status = StoryStatus(status).value
        for name, value in fields.items():
            setattr(story, name, value)
        db.session.commit()
        return story

    return make


@pytest.fixture
def login(app, client):
    """Sign a person in on the test client (the sign-in form itself is tested separately)."""

    def sign_in(person: Person) -> Person:
        return sign_in_on(client, person)

    return sign_in


@pytest.fixture
def world(ctx, make_person, make_story, login):
    """A small company with a curator signed in (tests/pages.py), for the main pages."""
    from tests.pages import make_world

    return make_world(make_person, make_story, login)


@pytest.fixture
def as_role(app, make_person, login):
    """Sign in as a new person with the given role: staff, curator or admin."""

    def sign_in(role: str = "staff", **overrides) -> Person:
        return login(make_person(role=role, **overrides))

    return sign_in


REDIS_URL = os.environ.get("STORYBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url():
    """The test Redis; its absence skips a test, except in CI where it fails it."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis at {REDIS_URL}: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    return REDIS_URL


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on loopback, with the app configured to send through it."""
    recorder = SMTPRecorder(port=free_port())
    controller = Controller(recorder, hostname=recorder.host, port=recorder.port)
    controller.start()
    app.config.update(MAIL_SERVER=recorder.host, MAIL_PORT=recorder.port)
    yield recorder
    controller.stop()


# CSRF, with protection switched on as in production.


@pytest.fixture
def csrf_app(app, database_url):
    """Like conftest's `app` but with CSRF protection on. It shares the database, which the `app`
    fixture has just emptied and seeded, so the builder fixtures work inside `csrf_ctx`."""
    app_with_csrf = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": True,
        "OUTBOX_DIR": app.config["OUTBOX_DIR"],  # one outbox: tests read what either app sent
        "EXTERNAL_URL": "https://storyboard.example.com",
    })
    yield app_with_csrf
    with app_with_csrf.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def csrf_ctx(csrf_app):
    with csrf_app.app_context():
        yield


@pytest.fixture
def csrf_client(csrf_app):
    return csrf_app.test_client()
