"""Digest fixtures: a cut in winter (London is on UTC), stories that qualify for it, and many
recipients at once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from storyboard.extensions import db
from storyboard.models import Person
from tests.helpers import CUT


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
