"""The writer's own ways out before HR decides: withdrawing a story waiting for review (it becomes
a draft again and leaves the queue) and deleting a draft (after a confirmation page), with who may
do it, from which status, what the database holds after, and CSRF. Every expectation is written
out here; tests/security/routes.py has the same routes for every persona and status."""
from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from storyboard.extensions import db
from storyboard.models import (
    AuditEntry,
    Notification,
    Story,
    StoryRevision,
    StoryStatus,
    story_nominees,
    story_values,
)
from storyboard.stories import lifecycle, revisions
from storyboard.stories.lifecycle import TransitionRefused
from tests.helpers import csrf_token_in, sign_in_on, text

S = StoryStatus
CSRF_MESSAGE = "Your form expired or was sent from elsewhere. Reload the page and try again."


def count(table_or_model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(table_or_model).where(*where))


def audit_of(story_id: int) -> list[tuple]:
    db.session.expire_all()
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == "story", AuditEntry.entity_id == story_id).order_by(AuditEntry.id))
    return [(e.actor_id, e.action, e.before, e.after, e.note) for e in entries]


@pytest.fixture
def cast(ctx, make_person):
    """The writer, a nominee, a colleague with no link to the story, and a curator."""
    return {
        "writer": make_person(name="Wren Writer", email="wren@example.com"),
        "nominee": make_person(name="Nell Nominee", email="nell@example.com"),
        "other": make_person(name="Otto Other"),
        "curator": make_person(name="Cy Curator", role="curator", email="cy@example.com"),
    }


def story_by(cast, make_story, status, **fields) -> Story:
    return make_story(nominator=cast["writer"], nominees=[cast["nominee"]], status=status,
                      title=fields.pop("title", "Kept the shop open"), **fields)


# Who may withdraw and delete, from which status: the answers written out. Nobody but the writer
# may see an unpublished story (404 for the nominee and the colleague); the curator sees it but
# is not its writer (403); the writer is refused every other status with a reason (409).
WITHDRAW = {
    (S.SUBMITTED, "writer"): 302, (S.SUBMITTED, "nominee"): 404, (S.SUBMITTED, "other"): 404,
    (S.SUBMITTED, "curator"): 403,
    (S.DRAFT, "writer"): 409, (S.CHANGES_REQUESTED, "writer"): 409, (S.PUBLISHED, "writer"): 409,
    (S.REJECTED, "writer"): 409, (S.ARCHIVED, "writer"): 409,
    (S.PUBLISHED, "nominee"): 403, (S.PUBLISHED, "other"): 403, (S.PUBLISHED, "curator"): 403,
}
DELETE = {
    (S.DRAFT, "writer"): 302, (S.DRAFT, "nominee"): 404, (S.DRAFT, "other"): 404, (S.DRAFT, "curator"): 403,
    (S.SUBMITTED, "writer"): 409, (S.CHANGES_REQUESTED, "writer"): 409, (S.PUBLISHED, "writer"): 409,
    (S.REJECTED, "writer"): 409, (S.ARCHIVED, "writer"): 409,
    (S.PUBLISHED, "nominee"): 403, (S.PUBLISHED, "other"): 403, (S.PUBLISHED, "curator"): 403,
}
REFUSALS = {
    ("withdraw", 403): "Only the person who wrote a story can withdraw it.",
    ("withdraw", 409): "Only a story waiting for review can be withdrawn; this one is {label}.",
    ("delete", 403): "Only the person who wrote a draft can delete it.",
    ("delete", 409): "Only drafts can be deleted; this story is {label}.",
}


@pytest.mark.parametrize(("status", "who"), list(WITHDRAW), ids=lambda v: getattr(v, "value", v))
def test_who_may_withdraw_from_which_status(client, cast, make_story, status, who):
    story = story_by(cast, make_story, status)
    sign_in_on(client, cast[who])
    response = client.post(f"/stories/{story.id}/withdraw")
    expected = WITHDRAW[(status, who)]
    assert response.status_code == expected
    db.session.refresh(story)
    if expected == 302:
        assert response.headers["Location"] == f"/stories/{story.id}"
        assert story.status == "draft"
        return
    assert story.status == status.value
    assert audit_of(story.id) == []
    if (message := REFUSALS.get(("withdraw", expected))) is not None:
        assert str(escape(message.format(label=status.label))) in text(response)


@pytest.mark.parametrize(("status", "who"), list(DELETE), ids=lambda v: getattr(v, "value", v))
def test_who_may_delete_from_which_status(client, cast, make_story, status, who):
    story = story_by(cast, make_story, status)
    story_id = story.id
    sign_in_on(client, cast[who])
    response = client.post(f"/stories/{story_id}/delete", data={"confirm": "yes"})
    expected = DELETE[(status, who)]
    assert response.status_code == expected
    if expected == 302:
        assert response.headers["Location"] == "/mine"
        assert count(Story, Story.id == story_id) == 0
        return
    assert count(Story, Story.id == story_id, Story.status == status.value) == 1
    assert audit_of(story_id) == []
    if status == S.SUBMITTED and who == "writer":
        assert "This story is waiting for review. Withdraw it first; then you can delete the draft." in text(response)
    elif (message := REFUSALS.get(("delete", expected))) is not None:
        assert str(escape(message.format(label=status.label))) in text(response)


# Withdrawing: back to a draft, out of the queue, audited, nobody told; editable and resubmittable.


def test_a_withdrawn_story_is_a_draft_again_and_leaves_the_queue(client, cast, make_story, smtp_server):
    story = story_by(cast, make_story, S.SUBMITTED, title="Kept the shop open")
    waiting = story_by(cast, make_story, S.SUBMITTED, title="Found the parcel")
    sign_in_on(client, cast["curator"])
    queue = text(client.get("/queue/"))
    assert "(2 waiting)" in queue and "Kept the shop open" in queue
    sign_in_on(client, cast["writer"])
    response = client.post(f"/stories/{story.id}/withdraw")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Your story is withdrawn from review and is a draft again." in page
    assert "Status: draft" in page
    assert f'action="/stories/{story.id}/delete"' in page  # a draft now: the writer may delete it
    db.session.refresh(story)
    assert (story.status, story.submitted_at) == ("draft", None)
    assert audit_of(story.id) == [
        (cast["writer"].id, "story.withdrawn", {"status": "submitted"}, {"status": "draft"}, None)]
    # Curators are told of no move they cannot act on, as for submissions: no notification, no email.
    assert count(Notification) == 0 and smtp_server.messages == []
    sign_in_on(client, cast["curator"])
    queue = text(client.get("/queue/"))
    assert "(1 waiting)" in queue and "Kept the shop open" not in queue and "Found the parcel" in queue
    db.session.refresh(waiting)
    assert waiting.status == "submitted"


def test_the_writer_edits_a_withdrawn_story_and_submits_it_again(client, cast, make_story):
    story = story_by(cast, make_story, S.SUBMITTED)
    sign_in_on(client, cast["writer"])
    assert client.post(f"/stories/{story.id}/withdraw").status_code == 302
    assert client.get(f"/stories/{story.id}/edit").status_code == 200
    assert client.post(f"/stories/{story.id}/submit").status_code == 302
    db.session.refresh(story)
    assert story.status == "submitted" and story.submitted_at is not None
    assert [row[1] for row in audit_of(story.id)] == ["story.withdrawn", "story.submitted"]


def test_withdrawing_a_story_hr_decided_on_a_moment_ago_is_refused(ctx, cast, make_story):
    """The writer's page still says "waiting"; a curator published it meanwhile."""
    from sqlalchemy.orm import Session

    story = story_by(cast, make_story, S.SUBMITTED)
    with Session(db.engine) as other:
        stale, writer = other.get(Story, story.id), other.get(type(cast["writer"]), cast["writer"].id)
        lifecycle.publish(story, cast["curator"])
        db.session.commit()
        with pytest.raises(TransitionRefused, match=r"^Someone changed this story a moment ago\."):
            lifecycle.withdraw(stale, writer)
        other.rollback()
    db.session.refresh(story)
    assert story.status == "published"


# Deleting: a confirmation page first, then the story and everything hanging off it go.


def test_deleting_asks_first_and_changes_nothing_until_confirmed(client, cast, make_story):
    story = story_by(cast, make_story, S.DRAFT, title="Half-told tale")
    sign_in_on(client, cast["writer"])
    response = client.post(f"/stories/{story.id}/delete")
    assert response.status_code == 200
    page = text(response)
    assert "Delete your draft “Half-told tale”?" in page
    assert "its 1 saved version go for good" in page
    assert '<input type="hidden" name="confirm" value="yes">' in page
    assert f'<a class="button" href="/stories/{story.id}">Keep it</a>' in page
    assert client.post(f"/stories/{story.id}/delete", data={"confirm": "no"}).status_code == 200
    assert count(Story, Story.id == story.id) == 1 and audit_of(story.id) == []


def test_deleting_a_draft_removes_it_and_everything_hanging_off_it(client, cast, make_story, make_person):
    """A story HR asked changes to, resubmitted, then withdrawn: revisions by two people, HR's
    notification, nominees, values and audit entries with its words. On PostgreSQL the foreign
    keys hold (a row left pointing at the story would fail the delete)."""
    kept = story_by(cast, make_story, S.DRAFT, title="Another draft")
    story = story_by(cast, make_story, S.SUBMITTED, title="Secret recipe saved",
                     body_md="She called Mrs Hobbs at home.")
    curator, writer = cast["curator"], cast["writer"]
    story.title = "Secret recipe saved (tidied)"
    revisions.record_revision(story, curator)  # a curator's edit: audited with the old and new words
    lifecycle.request_changes(story, curator, "Leave Mrs Hobbs out.")
    lifecycle.submit(story, writer)
    lifecycle.withdraw(story, writer)
    db.session.commit()
    story_id = story.id
    assert count(StoryRevision, StoryRevision.story_id == story_id) == 2
    assert count(Notification, Notification.story_id == story_id) == 1

    sign_in_on(client, writer)
    response = client.post(f"/stories/{story_id}/delete", data={"confirm": "yes"})
    assert response.status_code == 302 and response.headers["Location"] == "/mine"
    mine = text(client.get("/mine"))
    assert "Your draft “Secret recipe saved (tidied)” is deleted." in mine
    assert "Another draft" in mine
    assert count(Story, Story.id == story_id) == 0
    assert count(StoryRevision, StoryRevision.story_id == story_id) == 0
    assert count(Notification, Notification.story_id == story_id) == 0
    assert count(story_nominees, story_nominees.c.story_id == story_id) == 0
    assert count(story_values, story_values.c.story_id == story_id) == 0
    assert client.get(f"/stories/{story_id}").status_code == 404
    # The log keeps who did what and when, and the deletion; none of the story's words.
    assert audit_of(story_id) == [
        (curator.id, "story.edit", {"title": "[removed]"}, {"title": "[removed]"}, None),
        (curator.id, "story.changes_requested", {"status": "submitted"}, {"status": "changes_requested"}, "[removed]"),
        (writer.id, "story.submitted", {"status": "changes_requested"}, {"status": "submitted"}, None),
        (writer.id, "story.withdrawn", {"status": "submitted"}, {"status": "draft"}, None),
        (writer.id, "story.deleted", {"status": "draft"}, None, None),
    ]
    db.session.refresh(kept)
    assert kept.status == "draft" and count(StoryRevision, StoryRevision.story_id == kept.id) == 1


def test_a_story_hr_merged_another_into_cannot_be_deleted(client, cast, make_story):
    """Merged while it waited for review, then withdrawn: it holds another nomination's credit."""
    story = story_by(cast, make_story, S.SUBMITTED, title="Flood at the Leeds store")
    duplicate = make_story(status=S.SUBMITTED, title="Leeds flood")
    sign_in_on(client, cast["curator"])
    assert client.post(f"/queue/{duplicate.id}/merge", data={"into": f"#{story.id}"}).status_code == 302
    sign_in_on(client, cast["writer"])
    assert client.post(f"/stories/{story.id}/withdraw").status_code == 302
    response = client.post(f"/stories/{story.id}/delete", data={"confirm": "yes"})
    assert response.status_code == 409
    assert "HR merged another nomination into this story" in text(response)
    assert count(Story, Story.id.in_([story.id, duplicate.id])) == 2


# The buttons: on the story page and on My stories, only where they apply.


@pytest.mark.parametrize(("status", "button"), [
    (S.DRAFT, "Delete draft"), (S.SUBMITTED, "Withdraw from review"), (S.CHANGES_REQUESTED, None),
    (S.PUBLISHED, None), (S.REJECTED, None),
], ids=lambda v: getattr(v, "value", v))
def test_the_writer_sees_the_button_that_applies(client, cast, make_story, status, button):
    story = story_by(cast, make_story, status)
    sign_in_on(client, cast["writer"])
    for path in (f"/stories/{story.id}", "/mine"):
        page = text(client.get(path))
        offered = [label for label in ("Delete draft", "Withdraw from review") if label in page]
        assert offered == ([button] if button else []), path


def test_a_curator_reading_a_draft_or_a_waiting_story_gets_neither_button(client, cast, make_story):
    draft, waiting = story_by(cast, make_story, S.DRAFT), story_by(cast, make_story, S.SUBMITTED)
    sign_in_on(client, cast["curator"])
    for story in (draft, waiting):
        page = text(client.get(f"/stories/{story.id}"))
        assert "Delete draft" not in page and "Withdraw from review" not in page


# CSRF, with protection on as in production.


def test_withdraw_and_delete_need_the_pages_token(csrf_client, csrf_ctx, make_person, make_story):
    writer = make_person(name="Wren Writer")
    waiting = make_story(nominator=writer, status=S.SUBMITTED)
    draft = make_story(nominator=writer, status=S.DRAFT, title="Half-told tale")
    sign_in_on(csrf_client, writer)
    for path, data in ((f"/stories/{waiting.id}/withdraw", {}), (f"/stories/{draft.id}/delete", {"confirm": "yes"})):
        for token in (None, "forged"):
            response = csrf_client.post(path, data=data | ({"csrf_token": token} if token else {}))
            assert response.status_code == 400 and CSRF_MESSAGE in text(response), (path, token)
    db.session.expire_all()
    assert (waiting.status, draft.status) == ("submitted", "draft")

    token = csrf_token_in(text(csrf_client.get(f"/stories/{waiting.id}")))
    assert csrf_client.post(f"/stories/{waiting.id}/withdraw", data={"csrf_token": token}).status_code == 302
    confirm = csrf_client.post(f"/stories/{draft.id}/delete",
                               data={"csrf_token": csrf_token_in(text(csrf_client.get(f"/stories/{draft.id}")))})
    assert confirm.status_code == 200
    deleted = csrf_client.post(f"/stories/{draft.id}/delete",
                               data={"csrf_token": csrf_token_in(text(confirm)), "confirm": "yes"})
    assert deleted.status_code == 302
    db.session.expire_all()
    assert db.session.get(Story, waiting.id).status == "draft"
    assert db.session.get(Story, draft.id) is None
