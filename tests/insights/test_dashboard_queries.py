"""The dashboard, each chart and each CSV make the same few SQL queries however big the company
grows: every figure is an aggregate, never a query per story, person or department."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import DigestDelivery, DigestIssue, DigestVisit, Person, Story, StoryStatus, Value
from tests.app.test_query_counts import statements_for
from tests.insights.dashboard_company import build_company

MAX_PAGE_QUERIES = 20
PATHS = [
    "/insights/",
    "/insights/?department=Support&location=York",
    "/insights/?start=2023-01-01&end=2025-12-31",  # per month
    *[f"/insights/charts/{name}.svg" for name in
      ("timeline", "departments", "values", "front-line", "participation", "evidence")],
    *[f"/insights/tables/{name}.csv?department=Support" for name in
      ("timeline", "departments", "values", "front-line", "participation", "queue", "digest", "evidence")],
]


def grow(make_person, make_story) -> None:
    """Many more people in more departments and places, stories in every status, issues,
    deliveries and visits."""
    now = utcnow()
    values = db.session.scalars(select(Value)).all()
    db.session.execute(insert(Person), [
        {"email": f"grown{n}@example.com", "name": f"Grown {n}", "department": f"Team {n % 7}",
         "location": f"Site {n % 3}", "active": n % 9 != 0}
        for n in range(120)
    ])
    db.session.commit()
    crowd = db.session.scalars(select(Person).where(Person.email.like("grown%"))).all()
    for n in range(40):
        status = [StoryStatus.PUBLISHED, StoryStatus.SUBMITTED, StoryStatus.REJECTED][n % 3]
        story = make_story(nominator=crowd[n], nominees=crowd[n + 1: n + 1 + n % 4 + 1], status=status,
                           values=values[: n % 4 + 1], evidence_score=n if n % 2 else None)
        story.submitted_at = now - timedelta(days=n * 7 + 1)
        if status == StoryStatus.PUBLISHED:
            story.published_at = now - timedelta(days=n * 7)
        story.co_nominators = crowd[60 + n: 62 + n]
    db.session.commit()
    for week in range(6):
        issue = DigestIssue(issue_key=f"2026-0{1 + week}-01", cut_at=now - timedelta(days=7 * week))
        db.session.add(issue)
        db.session.flush()
        db.session.execute(insert(DigestDelivery), [
            {"issue_id": issue.id, "person_id": person.id, "status": ["sent", "bounced"][person.id % 2],
             "next_attempt_at": issue.cut_at, "sent_at": issue.cut_at} for person in crowd
        ])
    delivery_ids = db.session.scalars(select(DigestDelivery.id).limit(50)).all()
    story_id = db.session.scalar(select(db.func.max(Story.id)))
    db.session.execute(insert(DigestVisit), [
        {"delivery_id": delivery_id, "story_id": story_id, "visited_at": now} for delivery_id in delivery_ids
    ])
    db.session.commit()


@pytest.fixture
def counted(ctx, client, make_person, make_story, login):
    company = build_company(make_person, make_story)
    login(db.session.get(Person, company.curator_id))
    return client


def test_every_dashboard_route_makes_the_same_few_queries_as_the_company_grows(counted, make_person, make_story):
    small = {path: statements_for(counted, path) for path in PATHS}
    grow(make_person, make_story)
    large = {path: statements_for(counted, path) for path in PATHS}
    for path in PATHS:
        assert len(large[path]) == len(small[path]), path + "\n" + "\n".join(large[path])
        assert len(small[path]) <= MAX_PAGE_QUERIES, path + "\n" + "\n".join(small[path])
