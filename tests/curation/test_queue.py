"""The review queue and the one state machine behind it."""
import pytest

from storyboard.extensions import db
from storyboard.models import StoryStatus
from storyboard.stories import lifecycle
from storyboard.stories.lifecycle import ALLOWED_TRANSITIONS, TransitionRefused


def test_queue_lists_submitted_oldest_first(client, ctx, as_role, make_story):
    from datetime import timedelta

    from storyboard.clock import utcnow

    make_story(title="Newer one", status=StoryStatus.SUBMITTED)
    older = make_story(title="Older one", status=StoryStatus.SUBMITTED)
    older.submitted_at = utcnow() - timedelta(days=5)
    db.session.commit()
    make_story(title="Already out", status=StoryStatus.PUBLISHED)
    as_role("curator")
    text = client.get("/queue/").get_data(as_text=True)
    assert text.index("Older one") < text.index("Newer one")
    assert "Already out" not in text
    assert "(2 waiting)" in text


def test_publish_puts_the_story_in_the_feed(client, ctx, as_role, make_story):
    story = make_story(title="Waiting for HR", status=StoryStatus.SUBMITTED)
    as_role("curator")
    assert client.post(f"/queue/{story.id}/publish").status_code == 302
    db.session.refresh(story)
    assert story.status == StoryStatus.PUBLISHED and story.published_at is not None
    assert "Waiting for HR" in client.get("/").get_data(as_text=True)


def test_reject_needs_a_reason_the_nominator_then_sees(client, ctx, as_role, make_story, make_person, login):
    nominator = make_person()
    story = make_story(nominator=nominator, status=StoryStatus.SUBMITTED)
    as_role("curator")
    empty = client.post(f"/queue/{story.id}/reject", data={"note": "  "})
    assert empty.status_code == 400
    assert "Write a note so the nominator knows why." in empty.get_data(as_text=True)
    assert client.post(f"/queue/{story.id}/reject", data={"note": "It names the customer."}).status_code == 302
    db.session.refresh(story)
    assert (story.status, story.decision_note) == (StoryStatus.REJECTED, "It names the customer.")
    login(nominator)
    assert "It names the customer." in client.get(f"/stories/{story.id}").get_data(as_text=True)


def test_request_changes_lets_the_nominator_edit_and_resubmit(client, ctx, as_role, make_story, make_person, login):
    nominator = make_person()
    story = make_story(nominator=nominator, status=StoryStatus.SUBMITTED)
    as_role("curator")
    client.post(f"/queue/{story.id}/request-changes", data={"note": "Add what the customer said."})
    db.session.refresh(story)
    assert story.status == StoryStatus.CHANGES_REQUESTED
    login(nominator)
    assert client.get(f"/stories/{story.id}/edit").status_code == 200


def test_a_reason_that_fails_validation_is_kept(client, ctx, as_role, make_story):
    story = make_story(status=StoryStatus.SUBMITTED)
    as_role("curator")
    response = client.post(f"/queue/{story.id}/reject", data={"note": "x" * 2001})
    assert response.status_code == 400
    assert "Keep the note under 2,000 characters." in response.get_data(as_text=True)
    assert "x" * 2001 in response.get_data(as_text=True)


def test_publishing_twice_is_a_409_with_a_message(client, ctx, as_role, make_story):
    story = make_story(status=StoryStatus.PUBLISHED)
    as_role("curator")
    response = client.post(f"/queue/{story.id}/publish")
    assert response.status_code == 409
    assert "A published story cannot be published." in response.get_data(as_text=True)


S = StoryStatus

# The lifecycle from the issue, written out by hand so that a change to the table in
# stories.lifecycle cannot also change what the tests expect.
LIFECYCLE = frozenset({
    (S.DRAFT, S.SUBMITTED),
    (S.SUBMITTED, S.PUBLISHED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.CHANGES_REQUESTED),
    (S.CHANGES_REQUESTED, S.SUBMITTED),
    (S.PUBLISHED, S.ARCHIVED),
    (S.REJECTED, S.ARCHIVED),
    (S.ARCHIVED, S.PUBLISHED),
})


def test_the_table_is_the_lifecycle_from_the_issue():
    table = {(source, target) for source, targets in ALLOWED_TRANSITIONS.items() for target in targets}
    assert table == LIFECYCLE


@pytest.mark.parametrize("source", list(StoryStatus))
@pytest.mark.parametrize("target", list(StoryStatus))
def test_every_transition_follows_the_table(ctx, make_story, make_person, source, target):
    story = make_story(status=source)
    # Stories are submitted by their authors; every other move is a curator's.
    actor = story.nominator if target == StoryStatus.SUBMITTED else make_person(role="curator")
    if (source, target) in LIFECYCLE:
        lifecycle.transition(story, target, actor, note="why")
        assert story.status == target
    else:
        with pytest.raises(TransitionRefused):
            lifecycle.transition(story, target, actor)
        assert story.status == source


def test_queue_is_for_curators_only(client, ctx, as_role, make_story):
    story = make_story(status=StoryStatus.SUBMITTED)
    as_role("staff")
    assert client.get("/queue/").status_code == 403
    assert client.post(f"/queue/{story.id}/publish").status_code == 403
    db.session.refresh(story)
    assert story.status == StoryStatus.SUBMITTED
