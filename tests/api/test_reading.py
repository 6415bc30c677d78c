"""Reading through the API sees exactly what the web shows the token's owner: stories by the
story page's rules (and the review queue's, for curators), the directory, values, the canon and
digest issues."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from storyboard.clock import utcnow
from storyboard.curation import queue
from storyboard.extensions import db
from storyboard.models import (
    CanonCollection,
    CanonCollectionStory,
    DigestIssue,
    DigestIssueStory,
    StoryStatus,
    Value,
)
from storyboard.settings import set_setting
from tests.api.conftest import bearer

S = StoryStatus


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


@pytest.fixture
def cast(ctx, make_person, make_story, make_token):
    """Sam (staff) and Cora (curator) with tokens, and a story in every status by Wes."""
    sam, cora, wes = make_person(name="Sam Staff"), make_person(name="Cora Curator", role="curator"), make_person()
    stories = {status: make_story(nominator=wes, status=status, title=f"A {status.value} story") for status in S}
    old_draft = make_story(nominator=wes, status=S.DRAFT, title="An old draft")
    old_draft.updated_at = utcnow() - timedelta(days=queue.OLD_DRAFT_DAYS + 1)
    own_draft = make_story(nominator=sam, status=S.DRAFT, title="Sam's own draft")
    db.session.commit()
    return {"sam": make_token(sam)[1], "cora": make_token(cora)[1], "stories": stories,
            "old_draft": old_draft.id, "own_draft": own_draft.id, "sam_id": sam.id}


def test_a_staff_token_cannot_read_another_persons_draft(client, cast):
    draft = cast["stories"][S.DRAFT].id
    response = client.get(f"/api/v1/stories/{draft}", headers=bearer(cast["sam"]))
    assert response.status_code == 404
    assert response.get_json() == {"error": {"status": 404, "message": "There is nothing at this address."}}
    # Nor anything else unpublished of someone else's; their own draft, and published stories, yes.
    for status in (S.SUBMITTED, S.CHANGES_REQUESTED, S.REJECTED, S.ARCHIVED):
        story_id = cast["stories"][status].id
        assert client.get(f"/api/v1/stories/{story_id}", headers=bearer(cast["sam"])).status_code == 404
    own = client.get(f"/api/v1/stories/{cast['own_draft']}", headers=bearer(cast["sam"]))
    assert own.status_code == 200 and own.get_json()["status"] == "draft"
    assert own.get_json()["title"] == "Sam's own draft"
    assert client.get(f"/api/v1/stories/{cast['stories'][S.PUBLISHED].id}",
                      headers=bearer(cast["sam"])).status_code == 200


def test_a_staff_token_lists_published_stories_and_its_own(client, cast):
    listed = ids(client.get("/api/v1/stories", headers=bearer(cast["sam"])))
    assert listed == [cast["own_draft"], cast["stories"][S.PUBLISHED].id]  # newest first


def test_a_curator_token_lists_what_the_review_queue_shows(client, ctx, cast):
    stories = cast["stories"]
    queue_statuses = (S.SUBMITTED, S.CHANGES_REQUESTED, S.REJECTED, S.ARCHIVED, S.PUBLISHED)
    expected = sorted((stories[status].id for status in queue_statuses), reverse=True)
    assert ids(client.get("/api/v1/stories", headers=bearer(cast["cora"]))) == expected
    # Old drafts are listed only when an admin lets their titles show, as on the queue's tab;
    # a fresh draft never is.
    set_setting(queue.DRAFT_TITLES_KEY, "yes")
    db.session.commit()
    with_old = ids(client.get("/api/v1/stories", headers=bearer(cast["cora"])))
    assert with_old == sorted(expected + [cast["old_draft"]], reverse=True)
    assert stories[S.DRAFT].id not in with_old
    # One story by id follows the story page: curators may open any of them.
    draft = client.get(f"/api/v1/stories/{stories[S.DRAFT].id}", headers=bearer(cast["cora"]))
    assert draft.status_code == 200


def test_a_story_carries_what_its_page_shows(client, ctx, make_person, make_story, make_token):
    nina = make_person(name="Nina Nominee")
    story = make_story(nominees=[nina], title="Found the parcel", body_md="She **ran**.",
                       rule_in_the_way="Refunds wait for finance.")
    _, secret = make_token(make_person())
    body = client.get(f"/api/v1/stories/{story.id}", headers=bearer(secret)).get_json()
    assert body["title"] == "Found the parcel" and body["body_markdown"] == "She **ran**."
    assert body["body_html"] == "<p>She <strong>ran</strong>.</p>"
    assert body["nominees"] == [{"id": nina.id, "name": "Nina Nominee"}]
    assert body["url"] == f"https://storyboard.example.com/stories/{story.id}"
    assert body["rule_in_the_way"] is None  # a colleague's token: as on the page, not theirs to read
    assert body["published_at"].endswith("Z") and body["status"] == "published"


def test_the_rule_in_the_way_reaches_only_those_who_can_act_on_it(client, ctx, make_person, make_story, make_token):
    manager = make_person(name="Mona Manager")
    nina = make_person(name="Nina Nominee", manager=manager)
    writer, colleague, curator = make_person(name="Will Writer"), make_person(), make_person(role="curator")
    story = make_story(nominator=writer, nominees=[nina], rule_in_the_way="Refunds wait for finance.")
    expected = {writer: "Refunds wait for finance.", manager: "Refunds wait for finance.",
                curator: "Refunds wait for finance.", nina: None, colleague: None}
    for person, rule in expected.items():
        _, secret = make_token(person)
        one = client.get(f"/api/v1/stories/{story.id}", headers=bearer(secret)).get_json()
        listed = client.get("/api/v1/stories", headers=bearer(secret)).get_json()["items"]
        assert one["rule_in_the_way"] == rule, person.name
        assert [item["rule_in_the_way"] for item in listed if item["id"] == story.id] == [rule], person.name


def test_people_are_the_directory(client, ctx, make_person, make_token):
    boss = make_person(name="Bea Boss", department="Sales")
    make_person(name="Al Able", manager_id=boss.id, department="Sales")
    make_person(name="Zed Gone", active=False)
    _, secret = make_token(make_person(name="Mo Me", department="Support"))
    everyone = client.get("/api/v1/people", headers=bearer(secret)).get_json()["items"]
    assert [person["name"] for person in everyone] == ["Al Able", "Bea Boss", "Mo Me"]
    assert everyone[0]["manager"] == {"id": boss.id, "name": "Bea Boss"}
    sales = client.get("/api/v1/people", query_string={"department": "Sales", "q": "bea"}, headers=bearer(secret))
    assert [person["name"] for person in sales.get_json()["items"]] == ["Bea Boss"]
    assert client.get(f"/api/v1/people/{boss.id}", headers=bearer(secret)).get_json()["department"] == "Sales"
    assert client.get("/api/v1/people/2147483647", headers=bearer(secret)).status_code == 404


def test_values_canon_and_digest_issues(client, ctx, make_person, make_story, make_token):
    _, secret = make_token(make_person())
    values = client.get("/api/v1/values", headers=bearer(secret)).get_json()["items"]
    active = db.session.scalars(db.select(Value).where(Value.active).order_by(Value.position)).all()
    assert [value["slug"] for value in values] == [value.slug for value in active]

    classic = make_story(in_canon=True, canon_lesson="Ask first.", canonized_at=datetime(2026, 1, 5, 9))
    make_story(in_canon=True, status=S.ARCHIVED, canon_lesson="Gone.")  # left out, as in the library
    shelf = CanonCollection(name="Start here", name_key="start here", onboarding=True, position=1)
    db.session.add(shelf)
    db.session.flush()
    db.session.add(CanonCollectionStory(collection_id=shelf.id, story_id=classic.id, position=1))
    issue = DigestIssue(issue_key="2026-11-30", cut_at=datetime(2026, 11, 30, 7), introduction="Hello.")
    db.session.add(issue)
    db.session.flush()
    db.session.add(DigestIssueStory(issue_id=issue.id, story_id=classic.id, section="canon", position=1))
    db.session.commit()

    canon = client.get("/api/v1/canon/stories", headers=bearer(secret)).get_json()["items"]
    assert [(item["id"], item["canon_lesson"], item["retold"]) for item in canon] == [(classic.id, "Ask first.", 1)]
    shelves = client.get("/api/v1/canon/collections", headers=bearer(secret)).get_json()["items"]
    assert shelves == [{"id": shelf.id, "name": "Start here", "introduction": "", "onboarding": True,
                        "story_ids": [classic.id]}]
    issues = client.get("/api/v1/digest/issues", headers=bearer(secret)).get_json()
    assert issues == {"items": [{"issue_key": "2026-11-30", "cut_at": "2026-11-30T07:00:00Z", "monthly": False}],
                      "next": None}
    one = client.get("/api/v1/digest/issues/2026-11-30", headers=bearer(secret)).get_json()
    assert [story["id"] for story in one["canon"]] == [classic.id] and one["new"] == []
    assert one["introduction"] == "Hello."
    assert client.get("/api/v1/digest/issues/2026-11-3", headers=bearer(secret)).status_code == 404
