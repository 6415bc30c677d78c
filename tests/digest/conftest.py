"""Digest fixtures: a cut in winter (London is on UTC), stories that qualify for it, and many
recipients at once."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from storyboard.extensions import db
from storyboard.models import DeliveryStatus, DigestDelivery, DigestIssue, Person

# Monday 30 November 2026, 07:00 in London (GMT), the default cut.
CUT = datetime(2026, 11, 30, 7, 0)
NOW = CUT + timedelta(minutes=5)


@pytest.fixture
def fresh_story(make_story):
    """A published story inside the window of CUT (published `days_before` days before it)."""

    def make(days_before: float = 3, **fields):
        return make_story(published_at=CUT - timedelta(days=days_before), **fields)

    return make


@pytest.fixture
def many_people(app):
    """Insert `count` active people in one statement; returns their ids."""

    def make(count: int, prefix: str = "reader", **overrides) -> list[int]:
        start = db.session.scalar(select(func.coalesce(func.max(Person.id), 0))) + 1
        rows = [
            {"email": f"{prefix}{start + n}@example.com", "name": f"Reader {start + n:05d}",
             "job_title": "Advisor", "department": "Support", "location": "Leeds", "role": "staff",
             "active": True, "hide_from_digests": False, "digest_frequency": "weekly",
             "bounce_score": 0, "created_at": CUT - timedelta(days=400)} | overrides
            for n in range(count)
        ]
        db.session.execute(insert(Person), rows)
        db.session.commit()
        return list(db.session.scalars(select(Person.id).where(Person.email.like(f"{prefix}%"))))

    return make


def deliveries_by_status() -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(select(DigestDelivery.status, func.count()).group_by(DigestDelivery.status))
    return dict(rows.all())


def delivery_for(email: str) -> DigestDelivery:
    db.session.expire_all()
    return db.session.scalar(select(DigestDelivery).join(Person).where(Person.email == email))


def issue_count() -> int:
    return db.session.scalar(select(func.count()).select_from(DigestIssue))


def recipients(messages) -> list[str]:
    return [message["To"] for message in messages]


def active_people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person).where(Person.active.is_(True)))


SENT = DeliveryStatus.SENT.value


def storyboard_env(database_url: str, tmp_path) -> dict[str, str]:
    """The environment of a separate Storyboard process on the test database."""
    return os.environ | {
        "STORYBOARD_SQLALCHEMY_DATABASE_URI": database_url,
        "STORYBOARD_SECRET_KEY": "test-secret-key",
        "STORYBOARD_EXTERNAL_URL": "https://storyboard.example.com",
        "STORYBOARD_INSTANCE_PATH": str(tmp_path / "instance"),
    }


def flask_command(database_url: str, tmp_path, *args: str, extra_env: dict | None = None,
                  **popen) -> subprocess.Popen:
    """`flask --app storyboard ...` in a separate process, on the test database."""
    env = storyboard_env(database_url, tmp_path) | (extra_env or {})
    flask = [sys.executable, "-m", "flask", "--app", "storyboard", *args]
    return subprocess.Popen(flask, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def mail_env(smtp_server, **settings) -> dict[str, str]:
    env = {"STORYBOARD_MAIL_SERVER": smtp_server.host, "STORYBOARD_MAIL_PORT": str(smtp_server.port)}
    return env | {f"STORYBOARD_{name}": str(value) for name, value in settings.items()}
