"""/canon: every published canon story with its lesson, filters, and how often each was retold."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import DigestIssue, DigestIssueStory, StoryStatus, Value
from tests.helpers import text


def titles(response) -> list[str]:
    return re.findall(r'<h2 class="card-title"><a href="/stories/\d+">([^<]+)</a></h2>', text(response))


def value(slug: str) -> Value:
    return db.session.scalar(select(Value).where(Value.slug == slug))


@pytest.fixture
def canon(ctx, make_person, make_story):
    """Three canon stories promoted on different days, and stories that must stay out."""
    ana = make_person(name="Ana Stores", department="Stores")
    ben = make_person(name="Ben Billing", department="Billing")
    courtesy, ownership = value("courtesy"), value("responsibility")
    stories = {
        "refund": make_story(title="The refund that crossed two teams", nominees=[ana, ben], values=[ownership],
                             in_canon=True, canon_lesson="Own it until it is fixed.",
                             canonized_at=datetime(2026, 3, 1, 9, 0)),
        "umbrella": make_story(title="An umbrella in the rain", nominees=[ana], values=[courtesy],
                               in_canon=True, canon_lesson="Small kindness is remembered.",
                               canonized_at=datetime(2026, 6, 1, 9, 0)),
        "invoice": make_story(title="The invoice at midnight", nominees=[ben], values=[ownership, courtesy],
                              in_canon=True, canon_lesson="Finish what you start.",
                              canonized_at=datetime(2026, 9, 1, 9, 0)),
    }
    make_story(title="A good story, not canon", nominees=[ana], values=[courtesy])
    make_story(title="An archived canon story", nominees=[ana], values=[courtesy], status=StoryStatus.ARCHIVED,
               in_canon=True, canon_lesson="Gone.", canonized_at=datetime(2026, 10, 1, 9, 0))
    return stories


def test_everyone_sees_the_canon_newest_promotion_first_with_lessons(client, canon, as_role):
    as_role("staff")
    response = client.get("/canon/")
    assert response.status_code == 200
    assert titles(response) == ["The invoice at midnight", "An umbrella in the rain",
                                "The refund that crossed two teams"]
    page = text(response)
    for lesson in ("Own it until it is fixed.", "Small kindness is remembered.", "Finish what you start."):
        assert lesson in page
    assert "in the canon since <time datetime=\"2026-03-01\">1 March 2026</time>" in page
    assert page.count("not retold in the digest yet") == 3
    assert 'href="/canon/"' in page  # in the navigation, for everyone


@pytest.mark.parametrize("query, expected", [
    ({"value": "courtesy"}, ["The invoice at midnight", "An umbrella in the rain"]),
    ({"value": "responsibility"}, ["The invoice at midnight", "The refund that crossed two teams"]),
    ({"department": "Stores"}, ["An umbrella in the rain", "The refund that crossed two teams"]),
    ({"department": "Billing", "value": "courtesy"}, ["The invoice at midnight"]),
    ({"value": "empathy"}, []),  # a value no canon story shows
    ({"department": "Nowhere"}, []),  # a department from an old link
    ({"value": "", "department": ""}, ["The invoice at midnight", "An umbrella in the rain",
                                       "The refund that crossed two teams"]),
])
def test_the_canon_filters_by_value_and_department(client, canon, as_role, query, expected):
    as_role("staff")
    response = client.get("/canon/", query_string=query)
    assert response.status_code == 200
    assert titles(response) == expected
    if not expected:
        assert "No canon story matches these filters." in text(response)


def test_an_unknown_value_is_a_400_that_keeps_the_filters(client, canon, as_role):
    as_role("staff")
    response = client.get("/canon/", query_string={"value": "no-such-value", "department": "Stores"})
    assert response.status_code == 400
    page = text(response)
    assert "Choose a value from the list." in page
    assert titles(response) == []
    assert '<option selected value="Stores">Stores</option>' in page


def test_the_canon_says_how_often_each_story_was_retold(client, canon, as_role):
    def issue(key: str, section: str, story) -> None:
        held = db.session.scalar(select(DigestIssue).where(DigestIssue.issue_key == key))
        if held is None:
            held = DigestIssue(issue_key=key, cut_at=datetime.fromisoformat(key).replace(hour=7))
            db.session.add(held)
            db.session.flush()
        db.session.add(DigestIssueStory(issue_id=held.id, story_id=story.id, section=section, position=1))
        db.session.commit()

    issue("2026-03-02", "new", canon["refund"])  # its first telling is not a retelling
    issue("2026-06-15", "canon", canon["refund"])
    issue("2026-11-30", "canon", canon["refund"])
    issue("2026-11-30", "canon", canon["umbrella"])
    as_role("staff")
    page = text(client.get("/canon/"))
    assert ('retold 2 times, last in the <a href="/digest/issues/2026-11-30">digest of 30 November 2026</a>'
            in page)
    assert 'retold 1 time, last in the <a href="/digest/issues/2026-11-30">' in page
    story_page = text(client.get(f"/stories/{canon['refund'].id}"))
    assert "Own it until it is fixed." in story_page
    assert ('Retold 2 times in the digest, last in the <a href="/digest/issues/2026-11-30">digest of '
            '30 November 2026</a>.') in story_page
    assert "Not retold in the digest yet." in text(client.get(f"/stories/{canon['invoice'].id}"))


def test_a_story_out_of_the_canon_shows_no_lesson(client, ctx, as_role, make_story):
    story = make_story(canon_lesson="An old lesson.", in_canon=False)
    as_role("staff")
    page = text(client.get(f"/stories/{story.id}"))
    assert "An old lesson." not in page and "In the canon" not in page


def test_an_empty_canon_says_how_stories_get_there(client, ctx, as_role):
    as_role("staff")
    page = text(client.get("/canon/"))
    assert "No story is in the canon yet." in page


@pytest.mark.parametrize(("department", "status"), [("d" * 120, 200), ("d" * 121, 400), ("é" * 120, 200)])
def test_the_longest_department_filter_is_answered_and_a_longer_one_refused(client, canon, as_role,
                                                                           department, status):
    as_role("staff")
    response = client.get("/canon/", query_string={"department": department})
    assert response.status_code == status
    if status == 400:
        assert "A department has at most 120 characters." in text(response)
    else:
        assert "No canon story matches these filters." in text(response)
