"""A curator's decision on a page opened before the story moved is refused: its writer may
withdraw a story waiting for review, change it and send it again, and it is "submitted" again, so
the status alone would let a Publish pressed on the old page publish words HR never read.

Every decision form carries `seen` (seen-<id> in the bulk form): when the story's status last
changed, as the page showed it. The writer here moves within the same second as the curator's
page load, as a quick writer (or a script) may."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import Notification, Story, StoryStatus
from storyboard.stories import lifecycle
from tests.helpers import audit_entries, input_values, sign_in_on, text
from tests.stories.test_nominate import good_form

S = StoryStatus
OLD_BODY = "She rebuilt the order by hand."
NEW_BODY = "She rebuilt the order by hand, and gave the customer a free upgrade worth 500 euros."
CHANGED = ("This story changed after you opened it: it was taken back and sent for review again. "
           "Read it again before you decide.")


@pytest.fixture
def cast(ctx, make_person):
    return {
        "writer": make_person(name="Wren Writer", email="wren@example.com"),
        "nominee": make_person(name="Nell Nominee", email="nell@example.com"),
        "curator": make_person(name="Cy Curator", role="curator", email="cy@example.com"),
    }


@pytest.fixture
def story(cast, make_story) -> Story:
    """Waiting for review, sent by its writer through the lifecycle as the nomination form does."""
    story = make_story(nominator=cast["writer"], nominees=[cast["nominee"]], status=S.DRAFT,
                       title="Kept the shop open", body_md=OLD_BODY)
    lifecycle.submit(story, cast["writer"])
    db.session.commit()
    return story


def seen_on(page: str, name: str = "seen") -> str:
    values = set(input_values(page, name))
    assert len(values) == 1 and values != {None}, f"no single {name} value on the page: {values}"
    return values.pop()


def taken_back_changed_and_sent_again(client, cast, story) -> None:
    """The writer withdraws the story, rewrites its body and submits it again; then the curator
    is back at their desk (signed in on the same client)."""
    sign_in_on(client, cast["writer"])
    assert client.post(f"/stories/{story.id}/withdraw").status_code == 302
    edited = client.post(f"/stories/{story.id}/edit", data=good_form(
        cast["nominee"], title="Kept the shop open", body_md=NEW_BODY, action="submit"))
    assert edited.status_code == 302
    sign_in_on(client, cast["curator"])


def now(story: Story) -> Story:
    db.session.expire_all()
    return db.session.get(Story, story.id)


def message_in(page: str) -> str:
    return re.sub(r"\s+", " ", page)


def test_publishing_from_the_queue_opened_before_the_writer_sent_it_again_is_refused(client, cast, story):
    sign_in_on(client, cast["curator"])
    seen = seen_on(text(client.get("/queue/")))
    taken_back_changed_and_sent_again(client, cast, story)

    response = client.post(f"/queue/{story.id}/publish", data={"seen": seen})
    assert response.status_code == 409
    assert CHANGED in message_in(text(response))
    assert (now(story).status, now(story).body_md, now(story).published_at) == ("submitted", NEW_BODY, None)
    assert audit_entries("story.published") == []
    assert db.session.scalars(select(Notification)).all() == []

    # Read again: the queue shows the new words, and its Publish works.
    page = text(client.get("/queue/"))
    assert "free upgrade worth 500 euros" in page
    response = client.post(f"/queue/{story.id}/publish", data={"seen": seen_on(page)})
    assert response.status_code == 302
    assert (now(story).status, now(story).body_md) == ("published", NEW_BODY)


@pytest.mark.parametrize("button, moved_to", [("reject", "rejected"), ("request-changes", "changes_requested")])
def test_rejecting_or_asking_for_changes_from_an_old_queue_is_refused_and_keeps_the_note(
        client, cast, story, button, moved_to):
    sign_in_on(client, cast["curator"])
    seen = seen_on(text(client.get("/queue/")))
    taken_back_changed_and_sent_again(client, cast, story)

    note = "Please name the customer's town."
    response = client.post(f"/queue/{story.id}/{button}", data={"seen": seen, "note": note})
    assert response.status_code == 409
    page = text(response)
    # The queue again: the message beside the story's note box, the note as typed, the new words.
    assert CHANGED in message_in(page)
    assert f'<textarea id="note-{story.id}" name="note" rows="2" aria-invalid="true"' in page
    assert f">{note.replace(chr(39), '&#39;')}</textarea>" in page
    assert "free upgrade worth 500 euros" in page
    assert (now(story).status, now(story).decision_note) == ("submitted", None)

    response = client.post(f"/queue/{story.id}/{button}", data={"seen": seen_on(page), "note": note})
    assert response.status_code == 302
    assert (now(story).status, now(story).decision_note) == (moved_to, note)


def test_the_story_pages_move_panel_opened_before_the_writer_sent_it_again_is_refused(client, cast, story):
    sign_in_on(client, cast["curator"])
    seen = seen_on(text(client.get(f"/stories/{story.id}")))
    taken_back_changed_and_sent_again(client, cast, story)

    response = client.post(f"/queue/{story.id}/move", data={"to": "published", "seen": seen})
    assert response.status_code == 409
    page = text(response)
    assert CHANGED in message_in(page)
    assert "free upgrade worth 500 euros" in page  # the story page again, as it is now
    assert now(story).status == "submitted"
    assert audit_entries("story.published") == []

    response = client.post(f"/queue/{story.id}/move", data={"to": "published", "seen": seen_on(page)})
    assert response.status_code == 302
    assert now(story).status == "published"


def test_a_bulk_publish_leaves_out_a_story_sent_again_since_the_page_was_opened(client, cast, story, make_story):
    other = make_story(nominator=cast["nominee"], nominees=[cast["writer"]], status=S.DRAFT, title="Found the parcel")
    lifecycle.submit(other, cast["nominee"])
    db.session.commit()
    sign_in_on(client, cast["curator"])
    page = text(client.get("/queue/"))
    seen = {item.id: seen_on(page, f"seen-{item.id}") for item in (story, other)}
    taken_back_changed_and_sent_again(client, cast, story)

    response = client.post("/queue/bulk", data={
        "action": "publish", "story": [str(story.id), str(other.id)],
        f"seen-{story.id}": seen[story.id], f"seen-{other.id}": seen[other.id]})
    assert response.status_code == 302
    assert (now(story).status, now(other).status) == ("submitted", "published")
    flashed = message_in(text(client.get("/queue/")))
    assert "Published 1 of the 2 selected stories; its nominator is told." in flashed
    assert ("Not published, as it changed after you opened the page (taken back and sent for review again): "
            "“Kept the shop open”. Read it again before you decide.") in flashed

    page = text(client.get("/queue/"))
    response = client.post("/queue/bulk", data={
        "action": "publish", "story": [str(story.id)], f"seen-{story.id}": seen_on(page, f"seen-{story.id}")})
    assert response.status_code == 302
    assert now(story).status == "published"


def test_a_decision_without_seen_is_made_as_before(client, cast, story):
    """Scripts and pages opened before forms carried `seen`: the status check alone, as before."""
    taken_back_changed_and_sent_again(client, cast, story)
    assert client.post(f"/queue/{story.id}/publish").status_code == 302
    assert now(story).status == "published"
