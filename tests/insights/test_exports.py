"""CSV exports: the right stories and people for the filters, formulas neutralised, streamed."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import Person, StoryStatus, Value
from tests.app.test_query_counts import statements_for

RANGE = "start=2026-01-01&end=2026-11-30"


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:], newline="")))


def value(slug: str) -> Value:
    return db.session.scalar(select(Value).where(Value.slug == slug))


@pytest.fixture
def company(ctx, make_person, make_story, as_role):
    """Four people in two departments and three places, a leaver, and stories in every status."""
    people = {
        "ana": make_person(name="Ana Archer", email="ana@example.com", department="Warehouse", location="Leeds"),
        "ben": make_person(name="Ben Brook", email="ben@example.com", department="Warehouse", location="York"),
        "cy": make_person(name="Cy Cole", email="cy@example.com", department="Stores", location="Leeds",
                          start_date=date(2025, 2, 1)),
        "dee": make_person(name="Dee Dale", email="dee@example.com", department="Stores", location="Hull",
                           active=False),
    }
    people["cy"].manager_id = people["ben"].id
    db.session.commit()
    stories = {
        "formula": make_story(
            title="=SUM(A1:A2)", nominator=people["ben"], nominees=[people["ana"], people["cy"]],
            values=[value("courtesy")], submitted_at=datetime(2026, 3, 9, 9), published_at=datetime(2026, 3, 10, 12),
            rule_in_the_way="-refunds need two signatures", evidence_quote="+44 call me back any time",
            evidence_score=9, evidence_score_max=10, evidence_link="https://reviews.example.com/1"),
        "old": make_story(title="Last year's rescue", nominees=[people["ben"]], nominator=people["ana"],
                          submitted_at=datetime(2025, 5, 30, 9), published_at=datetime(2025, 6, 1, 9)),
        "waiting": make_story(title="Still waiting", nominees=[people["cy"]], nominator=people["ana"],
                              status=StoryStatus.SUBMITTED, submitted_at=datetime(2026, 4, 1, 9)),
        "draft": make_story(title="A private draft", nominees=[people["ana"]], nominator=people["cy"],
                            status=StoryStatus.DRAFT),
        "rejected": make_story(title="@mention in a title", nominees=[people["ben"]], nominator=people["cy"],
                               status=StoryStatus.REJECTED, submitted_at=datetime(2026, 2, 1, 9)),
        "leaver": make_story(title="About a leaver", nominees=[people["dee"]], nominator=people["cy"],
                             submitted_at=datetime(2026, 5, 1, 9), published_at=datetime(2026, 5, 2, 9)),
    }
    as_role("curator", name="Hana HR", email="hana@example.com", department="HR", location="London")
    return people, stories


def test_published_stories_with_every_column_and_formulas_neutralised(client, company):
    _, stories = company
    rows = rows_of(client.get(f"/insights/exports/stories.csv?{RANGE}"))
    assert [row["title"] for row in rows] == ["'=SUM(A1:A2)", "About a leaver"]
    first = rows[0]
    assert first == first | {
        "id": str(stories["formula"].id),
        "status": "published",
        "link": f"https://storyboard.example.com/stories/{stories['formula'].id}",
        "submitted_at_utc": "2026-03-09 09:00:00",
        "published_at_utc": "2026-03-10 12:00:00",
        "nominator": "Ben Brook",
        "nominator_email": "ben@example.com",
        "co_nominators": "",
        "nominees": "Ana Archer; Cy Cole",
        "nominee_emails": "ana@example.com; cy@example.com",
        "departments": "Stores; Warehouse",
        "locations": "Leeds",
        "values": "Courtesy",
        "rule_in_the_way": "'-refunds need two signatures",
        "customer_quote": "'+44 call me back any time",
        "customer_score": "9",
        "customer_score_out_of": "10",
        "customer_review_link": "https://reviews.example.com/1",
        "in_canon": "no",
    }


def test_every_submitted_story_whatever_its_status_but_never_a_draft(client, company):
    rows = rows_of(client.get(f"/insights/exports/stories.csv?scope=all&{RANGE}"))
    assert sorted(row["title"] for row in rows) == sorted(
        ["'=SUM(A1:A2)", "Still waiting", "'@mention in a title", "About a leaver"])
    assert {row["title"]: row["status"] for row in rows}["Still waiting"] == "submitted"


def test_department_and_location_filters_go_by_the_nominees(client, company):
    warehouse = rows_of(client.get(f"/insights/exports/stories.csv?scope=all&department=Warehouse&{RANGE}"))
    assert sorted(row["title"] for row in warehouse) == sorted(["'=SUM(A1:A2)", "'@mention in a title"])
    york = rows_of(client.get(f"/insights/exports/stories.csv?scope=all&location=York&{RANGE}"))
    assert [row["title"] for row in york] == ["'@mention in a title"]
    nothing = rows_of(client.get(f"/insights/exports/stories.csv?department=Nowhere&{RANGE}"))
    assert nothing == []


def test_recognition_per_person_counts_each_active_person(client, company):
    rows = rows_of(client.get(f"/insights/exports/people.csv?{RANGE}"))
    table = {row["name"]: (row["stories_about_them_in_range"], row["stories_about_them_ever"],
                           row["last_recognised_on"], row["stories_they_nominated_in_range"], row["manager"])
             for row in rows}
    # Dee has left: never listed. Hana (the curator) has no story at all.
    assert table == {
        "Ana Archer": ("1", "1", "2026-03-10", "1", ""),     # nominated "Still waiting"
        "Ben Brook": ("0", "1", "2025-06-01", "1", ""),      # nominated the formula story
        "Cy Cole": ("1", "1", "2026-03-10", "2", "Ben Brook"),  # the rejected one and the leaver's
        "Hana HR": ("0", "0", "", "0", ""),
    }
    assert [row["name"] for row in rows] == ["Ana Archer", "Ben Brook", "Cy Cole", "Hana HR"]
    stores = rows_of(client.get(f"/insights/exports/people.csv?department=Stores&{RANGE}"))
    assert [row["name"] for row in stores] == ["Cy Cole"]


def test_exports_stream_and_pages_link_them_with_the_filters(client, company):
    response = client.get(f"/insights/exports/stories.csv?{RANGE}&department=Stores")
    assert response.is_streamed
    # Read to the end (a stream left open keeps its transaction). The leaver's story is still
    # about Stores.
    assert [row["title"] for row in rows_of(response)] == ["'=SUM(A1:A2)", "About a leaver"]
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="stories-published-2026-01-01-to-2026-11-30.csv"')
    page = client.get(f"/insights/exports?{RANGE}&department=Stores").get_data(as_text=True)
    assert "/insights/exports/stories.csv?scope=published&amp;start=2026-01-01&amp;end=2026-11-30" \
           "&amp;department=Stores" in page
    assert "/insights/exports/people.csv?start=2026-01-01&amp;end=2026-11-30&amp;department=Stores" in page


def test_bad_filters_are_a_400_with_a_message_on_the_page(client, company):
    response = client.get("/insights/exports?start=2026-13-01")
    assert response.status_code == 400
    assert "is not a date: use the form 2026-03-31." in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/insights/exports", "/insights/exports/stories.csv", "/insights/exports/people.csv"])
def test_staff_may_not_export(client, ctx, as_role, path):
    as_role("staff")
    assert client.get(path).status_code == 403


def test_the_export_reads_a_few_queries_per_thousand_stories(client, company, make_story, make_person):
    ids = {name: person.id for name, person in company[0].items()}
    small = statements_for(client, f"/insights/exports/stories.csv?scope=all&{RANGE}")
    ana, ben, cy = (db.session.get(Person, ids[name]) for name in ("ana", "ben", "cy"))
    for number in range(40):
        make_story(title=f"More {number}", nominees=[ana, ben], nominator=cy,
                   submitted_at=datetime(2026, 6, 1, 9), published_at=datetime(2026, 6, 2, 9))
    large = statements_for(client, f"/insights/exports/stories.csv?scope=all&{RANGE}")
    assert len(large) == len(small)
