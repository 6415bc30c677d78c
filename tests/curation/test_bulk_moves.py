"""Publishing and rejecting several waiting stories at once, from the queue's waiting tab."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from storyboard.clock import utcnow
from storyboard.curation import bulk
from storyboard.extensions import db
from storyboard.models import Notification, Story, StoryStatus
from storyboard.stories import lifecycle
from tests.helpers import audit_entries, csrf_token_in, sign_in_on, status_trail, text

S = StoryStatus
PHONE_STORY = "She called the customer back on 07700 900123 the same evening."


def statuses(*stories: Story) -> list[str]:
    db.session.expire_all()
    return [db.session.get(Story, story.id).status for story in stories]


def notifications_of(person, kind: str) -> list[str]:
    return list(db.session.scalars(
        select(Notification.message).where(Notification.person_id == person.id, Notification.kind == kind)))


def flashes(client) -> list[str]:
    page = text(client.get("/queue/"))
    return [re.sub(r"\s+", " ", message) for message in re.findall(r'<p class="flash flash-\w+">(.*?)</p>', page, re.S)]


@pytest.fixture
def three_waiting(ctx, make_person, make_story):
    """Three waiting stories by three nominators; the second still holds a customer's phone number."""
    nominators = [make_person(name=f"Nominator {n}") for n in "ABC"]
    stories = [
        make_story(title="Rebuilt the order", nominator=nominators[0], status=S.SUBMITTED),
        make_story(title="Called the customer back", nominator=nominators[1], status=S.SUBMITTED,
                   body_md=PHONE_STORY),
        make_story(title="Found the lost parcel", nominator=nominators[2], status=S.SUBMITTED),
    ]
    return stories, nominators


def test_bulk_publish_publishes_the_clean_ones_and_names_the_one_needing_a_confirmation(
        client, three_waiting, as_role):
    stories, nominators = three_waiting
    curator = as_role("curator")
    response = client.post("/queue/bulk", data={"action": "publish", "story": [str(s.id) for s in stories]})
    assert response.status_code == 302 and response.headers["Location"] == "/queue/"
    assert statuses(*stories) == [S.PUBLISHED, S.SUBMITTED, S.PUBLISHED]
    # Each move audited by the lifecycle, with the curator as actor; none for the story left waiting.
    published = audit_entries("story.published")
    assert sorted((entry.entity_id, entry.actor_id) for entry in published) == sorted(
        [(stories[0].id, curator.id), (stories[2].id, curator.id)])
    assert status_trail(stories[1].id) == []
    # Each nominator whose story was published is told, and only they.
    assert notifications_of(nominators[0], "story_published") == ["Your story “Rebuilt the order” is published."]
    assert notifications_of(nominators[1], "story_published") == []
    assert notifications_of(nominators[2], "story_published") == ["Your story “Found the lost parcel” is published."]
    assert flashes(client) == [
        "Published 2 of the 3 selected stories; each nominator is told.",
        "Not published, as it still has likely personal data of customers: “Called the customer back”. "
        "Open it, read what is flagged (or redact it), and publish it on its own.",
    ]


def test_bulk_reject_writes_one_audit_entry_per_story_with_the_reason_and_tells_each_nominator(
        client, three_waiting, as_role):
    stories, nominators = three_waiting
    curator = as_role("curator")
    reason = "We are collecting stories about parcels next month."
    response = client.post("/queue/bulk", data={"action": "reject", "reason": f"  {reason}\n",
                                                 "story": [str(s.id) for s in stories]})
    assert response.status_code == 302
    # Personal data does not stop a rejection.
    assert statuses(*stories) == [S.REJECTED] * 3
    entries = audit_entries("story.rejected")
    assert sorted((e.entity_id, e.actor_id, e.note, e.before, e.after) for e in entries) == sorted(
        (story.id, curator.id, reason, {"status": "submitted"}, {"status": "rejected"}) for story in stories)
    for story, nominator in zip(stories, nominators, strict=True):
        assert notifications_of(nominator, "story_rejected") == [
            f"HR decided not to publish “{story.title}”: {reason}"]
        assert db.session.get(Story, story.id).decision_note == reason
    assert flashes(client) == ["Rejected all 3 selected stories; each nominator is told."]


def test_a_story_someone_else_moved_first_is_reported_and_the_rest_move(client, three_waiting, as_role, make_person):
    stories, _ = three_waiting
    as_role("curator")
    # Another curator publishes the first story between this curator's page and their click.
    lifecycle.publish(stories[0], make_person(role="curator"))
    db.session.commit()
    client.post("/queue/bulk", data={"action": "reject", "reason": "Not this time.",
                                     "story": [str(stories[0].id), str(stories[2].id)]})
    assert statuses(*stories) == [S.PUBLISHED, S.SUBMITTED, S.REJECTED]
    assert flashes(client) == [
        "Rejected 1 of the 2 selected stories; its nominator is told.",
        "Not rejected, as it is no longer waiting (someone moved it first): “Rebuilt the order” (now published).",
    ]


def test_the_database_claim_stops_a_move_made_elsewhere_after_the_story_was_loaded(
        ctx, three_waiting, make_person):
    """The story loaded here still says "submitted"; another connection rejected it meanwhile.
    The lifecycle's conditional UPDATE finds it moved, and the report says where it is now."""
    stories, _ = three_waiting
    target = stories[0]
    assert target.status == S.SUBMITTED  # loaded, and kept in this session
    with db.engine.begin() as elsewhere:
        elsewhere.execute(update(Story).where(Story.id == target.id).values(status=S.REJECTED.value))
    result = bulk.publish_selected([target.id, stories[2].id], make_person(role="curator"))
    db.session.commit()
    assert [story.id for story in result.moved] == [stories[2].id]
    assert [(story.id, story.status) for story in result.no_longer_waiting] == [(target.id, S.REJECTED)]
    assert statuses(*stories) == [S.REJECTED, S.SUBMITTED, S.PUBLISHED]
    assert audit_entries("story.published")[0].entity_id == stories[2].id and len(audit_entries("story.published")) == 1


def test_a_tick_left_on_an_archived_story_does_not_restore_it(client, ctx, as_role, make_story):
    archived = make_story(title="Old news", status=S.ARCHIVED, published_at=utcnow() - timedelta(days=30))
    waiting = make_story(title="Fresh news", status=S.SUBMITTED)
    as_role("curator")
    client.post("/queue/bulk", data={"action": "publish", "story": [str(archived.id), str(waiting.id)]})
    assert statuses(archived, waiting) == [S.ARCHIVED, S.PUBLISHED]
    assert "“Old news” (now archived)" in flashes(client)[1]


def test_a_story_number_that_is_not_there_is_counted_not_an_error(client, ctx, as_role, make_story):
    waiting = make_story(title="Still here", status=S.SUBMITTED)
    as_role("curator")
    response = client.post("/queue/bulk", data={"action": "publish", "story": [str(waiting.id), "999999"]})
    assert response.status_code == 302
    assert flashes(client) == ["Published 1 of the 2 selected stories; its nominator is told.",
                               "1 selected story no longer exists."]


@pytest.mark.parametrize("data, message", [
    ({"action": "publish"}, "Tick the stories to publish or reject first."),
    ({"action": "reject", "reason": "No."}, "Tick the stories to publish or reject first."),
    ({"action": "reject", "reason": "   ", "story": "FIRST"}, "Write a reason so each nominator knows why."),
    ({"action": "reject", "reason": "x" * 2001, "story": "FIRST"}, "Keep the reason under 2,000 characters."),
    ({"action": "shred", "story": "FIRST"}, "Choose Publish selected or Reject selected."),
    ({"story": "FIRST"}, "Choose Publish selected or Reject selected."),
    ({"action": "publish", "story": ["FIRST", "banana"]},
     "One of the ticked stories is not valid. Reload the page and try again."),
    ({"action": "publish", "story": ["FIRST", "99999999999"]},
     "One of the ticked stories is not valid. Reload the page and try again."),
])
def test_a_bulk_move_that_cannot_be_done_is_a_400_with_a_message_and_moves_nothing(
        client, three_waiting, as_role, data, message):
    stories, _ = three_waiting
    as_role("curator")
    first = str(stories[0].id)
    sent = {name: ([first if part == "FIRST" else part for part in value] if isinstance(value, list)
                   else (first if value == "FIRST" else value)) for name, value in data.items()}
    response = client.post("/queue/bulk?department=Support", data=sent)
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert statuses(*stories) == [S.SUBMITTED] * 3
    assert audit_entries() == []
    # The waiting tab again, as it was: what was typed and ticked kept, the filters in every form.
    if data.get("reason", "").strip():
        assert f">{data['reason']}</textarea>" in page
    if "story" in data and "banana" not in data["story"] and "99999999999" not in data["story"]:
        assert re.search(rf'<input type="checkbox" name="story" value="{first}" id="select-{first}" '
                         r'form="bulk-form" checked>', page)
    assert 'action="/queue/bulk?department=Support#bulk"' in page


def test_at_most_one_page_of_stories_moves_at_once(app, client, ctx, as_role, make_story):
    app.config["QUEUE_PAGE_SIZE"] = 2
    stories = [make_story(status=S.SUBMITTED) for _ in range(3)]
    as_role("curator")
    response = client.post("/queue/bulk", data={"action": "publish", "story": [str(s.id) for s in stories]})
    assert response.status_code == 400 and "Choose at most 2 stories at a time." in text(response)
    assert statuses(*stories) == [S.SUBMITTED] * 3


def test_after_a_bulk_move_the_curator_is_back_on_the_same_page_and_filters(client, three_waiting, as_role):
    stories, _ = three_waiting
    as_role("curator")
    cursor = f"{stories[0].submitted_at.isoformat()}_{stories[0].id}"
    response = client.post(f"/queue/bulk?department=Support&value=courtesy&age=3&after={cursor}",
                           data={"action": "publish", "story": str(stories[2].id)})
    assert response.headers["Location"] == f"/queue/?department=Support&value=courtesy&age=3&after={cursor}"


def test_the_waiting_tab_offers_a_box_per_story_in_one_bulk_form(client, three_waiting, as_role):
    stories, _ = three_waiting
    as_role("curator")
    page = text(client.get("/queue/?department=Support"))
    boxes = re.findall(r'<input type="checkbox" name="story" value="(\d+)" id="select-\d+" form="bulk-form">', page)
    assert boxes == [str(story.id) for story in stories]
    assert '<form method="post" id="bulk-form" action="/queue/bulk?department=Support#bulk">' in page
    assert 'name="action" value="publish"' in page and 'name="action" value="reject"' in page


def test_bulk_moves_need_the_pages_csrf_token(csrf_client, csrf_ctx, make_person, make_story):
    story = make_story(status=S.SUBMITTED)
    sign_in_on(csrf_client, make_person(role="curator"))
    data = {"action": "reject", "reason": "Not now.", "story": str(story.id)}
    refused = csrf_client.post("/queue/bulk", data=data)
    assert refused.status_code == 400 and "Your form expired" in text(refused)
    assert statuses(story) == [S.SUBMITTED] and audit_entries() == []
    token = csrf_token_in(text(csrf_client.get("/queue/")))
    assert csrf_client.post("/queue/bulk", data=data | {"csrf_token": token}).status_code == 302
    assert statuses(story) == [S.REJECTED]
