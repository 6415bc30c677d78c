"""The story lifecycle over HTTP: the transition table, the audit log, and who is told."""
import pytest
from markupsafe import escape
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import AuditEntry, Notification, StoryStatus

S = StoryStatus
# The moves a curator makes, written out (tests/curation/test_queue.py holds the whole table).
CURATOR_MOVES = {
    (S.SUBMITTED, S.PUBLISHED), (S.SUBMITTED, S.REJECTED), (S.SUBMITTED, S.CHANGES_REQUESTED),
    (S.PUBLISHED, S.ARCHIVED), (S.REJECTED, S.ARCHIVED), (S.ARCHIVED, S.PUBLISHED),
}
# ...and the two that are the author's alone: a curator asking for them is told so.
AUTHOR_MOVES = {(S.DRAFT, S.SUBMITTED), (S.CHANGES_REQUESTED, S.SUBMITTED)}


@pytest.mark.parametrize("source", list(StoryStatus), ids=lambda s: s.value)
@pytest.mark.parametrize("target", list(StoryStatus), ids=lambda s: s.value)
def test_every_pair_of_statuses_over_http(client, ctx, as_role, make_story, source, target):
    story = make_story(status=source)
    as_role("curator")
    response = client.post(f"/queue/{story.id}/move", data={"to": target.value, "note": "A reason."})
    db.session.refresh(story)
    if (source, target) in CURATOR_MOVES:
        assert response.status_code == 302
        assert story.status == target
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == story.id)).one()
        assert (entry.action, entry.before, entry.after) == (
            f"story.{target.value}", {"status": source.value}, {"status": target.value}
        )
        # When the status changed: how long a story sent back has waited on its writer.
        assert story.status_changed_at is not None
        assert abs((story.status_changed_at - entry.created_at).total_seconds()) < 1
    else:
        assert response.status_code == 409
        expected = ("Only the person who wrote a story can submit it." if (source, target) in AUTHOR_MOVES
                    else f"cannot be {target.verb}")
        assert expected in response.get_data(as_text=True)
        assert story.status == source
        assert db.session.scalars(select(AuditEntry)).all() == []


@pytest.mark.parametrize("target", [S.REJECTED, S.CHANGES_REQUESTED], ids=lambda s: s.value)
def test_reject_and_changes_need_a_note(client, ctx, as_role, make_story, target):
    story = make_story(status=StoryStatus.SUBMITTED)
    as_role("curator")
    response = client.post(f"/queue/{story.id}/move", data={"to": target.value, "note": "  "})
    assert response.status_code == 400
    assert "Write a note so the nominator knows why." in response.get_data(as_text=True)


def test_unknown_status_is_400(client, ctx, as_role, make_story):
    story = make_story(status=StoryStatus.SUBMITTED)
    as_role("curator")
    assert client.post(f"/queue/{story.id}/move", data={"to": "gone"}).status_code == 400
    assert client.post("/queue/999999/move", data={"to": "published"}).status_code == 404


def test_publish_emails_and_notifies_nominator_nominees_and_managers(
    client, ctx, as_role, make_story, make_person, smtp_server
):
    manager = make_person(name="Mo Manager", email="mo@example.com")
    nominee = make_person(name="Nia Nominee", email="nia@example.com", manager=manager)
    nominator = make_person(name="Ola Author", email="ola@example.com")
    story = make_story(nominator=nominator, nominees=[nominee], status=StoryStatus.SUBMITTED, title="Saved the launch")
    as_role("curator")
    assert client.post(f"/queue/{story.id}/publish").status_code == 302
    received = {m["To"]: m for m in smtp_server.messages}
    assert set(received) == {"mo@example.com", "nia@example.com", "ola@example.com"}
    assert "Saved the launch" in received["ola@example.com"]["Subject"]
    assert "keep it out of digests" in received["nia@example.com"].get_payload(decode=True).decode()
    assert "reports to you" in received["mo@example.com"]["Subject"]
    body = received["ola@example.com"].get_payload(decode=True).decode()
    assert f"https://storyboard.example.com/stories/{story.id}" in body
    kinds = {(n.person_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert kinds == {
        (nominator.id, "story_published"), (nominee.id, "about_you_published"), (manager.id, "report_recognised")
    }


@pytest.mark.parametrize(
    ("route", "kind", "words"),
    [("reject", "story_rejected", "decided not to publish"),
     ("request-changes", "changes_requested", "asked for changes")],
)
def test_reject_and_changes_email_the_nominator_with_the_note(
    client, ctx, as_role, make_story, make_person, smtp_server, route, kind, words
):
    nominator = make_person(email="author@example.com")
    story = make_story(nominator=nominator, status=StoryStatus.SUBMITTED)
    as_role("curator")
    client.post(f"/queue/{story.id}/{route}", data={"note": "Please leave the customer's name out."})
    [message] = smtp_server.messages
    assert message["To"] == "author@example.com"
    assert words in message["Subject"] and "leave the customer's name out" in message["Subject"]
    note = db.session.scalars(select(Notification)).one()
    assert (note.person_id, note.kind) == (nominator.id, kind)


def test_preferences_switch_email_and_in_app_off(client, ctx, make_story, make_person, login, as_role, smtp_server):
    nominator = make_person(email="quiet@example.com")
    login(nominator)
    form = {"story_published-in_app": "on"}  # email off for this kind; everything else off too
    assert client.post("/preferences", data=form).status_code == 302
    story = make_story(nominator=nominator, status=StoryStatus.SUBMITTED)
    as_role("curator")
    client.post(f"/queue/{story.id}/publish")
    assert "quiet@example.com" not in [m["To"] for m in smtp_server.messages]
    assert len(smtp_server.messages) == 1  # the nominee, who kept the defaults
    mine = db.session.scalars(select(Notification).where(Notification.person_id == nominator.id)).all()
    assert [n.kind for n in mine] == ["story_published"]


def test_rolled_back_change_sends_nothing(app, ctx, make_story, make_person, smtp_server):
    from storyboard.stories import lifecycle

    story = make_story(status=StoryStatus.SUBMITTED)
    lifecycle.publish(story, make_person(role="curator"))
    db.session.rollback()
    db.session.commit()
    assert smtp_server.messages == []


def test_mail_outage_does_not_break_publishing(client, app, ctx, as_role, make_story):
    from tests.helpers import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)  # nobody listens
    story = make_story(status=StoryStatus.SUBMITTED)
    as_role("curator")
    assert client.post(f"/queue/{story.id}/publish").status_code == 302
    db.session.refresh(story)
    assert story.status == StoryStatus.PUBLISHED
    assert db.session.scalars(select(Notification)).first() is not None


def test_inbox_counts_unread_and_marks_read(client, ctx, make_story, make_person, login, as_role):
    nominator = make_person()
    story = make_story(nominator=nominator, status=StoryStatus.SUBMITTED, title="Fixed the till")
    as_role("curator")
    client.post(f"/queue/{story.id}/publish")
    login(nominator)
    page = client.get("/").get_data(as_text=True)
    assert '<span class="badge">1<span class="visually-hidden"> unread</span>' in page
    assert "Your story “Fixed the till” is published." in client.get("/notifications").get_data(as_text=True)
    client.post("/notifications/read")
    assert 'class="badge"' not in client.get("/").get_data(as_text=True)


def test_nominator_resubmits_after_changes(client, ctx, make_story, make_person, login):
    nominator = make_person()
    story = make_story(nominator=nominator, status=StoryStatus.CHANGES_REQUESTED)
    login(nominator)
    assert client.post(f"/stories/{story.id}/submit").status_code == 302
    db.session.refresh(story)
    assert story.status == StoryStatus.SUBMITTED
    assert client.post(f"/stories/{story.id}/submit").status_code == 403  # no longer editable


def test_archive_and_restore_from_the_story_page(client, ctx, as_role, make_story):
    story = make_story(title="Old favourite")
    as_role("curator")
    page = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert 'name="to" value="archived"' in page
    client.post(f"/queue/{story.id}/move", data={"to": "archived"})
    assert "Old favourite" not in client.get("/").get_data(as_text=True)
    assert ">Restore</button>" in client.get(f"/stories/{story.id}").get_data(as_text=True)
    client.post(f"/queue/{story.id}/move", data={"to": "published"})
    assert "Old favourite" in client.get("/").get_data(as_text=True)


def test_two_curators_at_once_cannot_both_move_a_story(app, ctx, make_story, make_person):
    """The second curator's session still thinks the story is submitted; its reject is refused."""
    from sqlalchemy.orm import Session

    from storyboard.models import Story
    from storyboard.stories import lifecycle
    from storyboard.stories.lifecycle import TransitionRefused

    story = make_story(status=StoryStatus.SUBMITTED)
    first, second = make_person(role="curator"), make_person(role="curator")
    with Session(db.engine) as other:
        stale = other.get(Story, story.id)
        stale_curator = other.merge(second)
        lifecycle.publish(story, first)
        db.session.commit()
        with pytest.raises(TransitionRefused,
                           match=r"^Someone changed this story a moment ago\. Reload the page and try again\.$"):
            lifecycle.reject(stale, stale_curator, "Too late")
        other.rollback()
    db.session.refresh(story)
    assert story.status == StoryStatus.PUBLISHED


# A draft is its author's until they submit it.


@pytest.mark.parametrize("role", ["curator", "admin"])
def test_curators_cannot_submit_publish_or_edit_someone_elses_draft(client, ctx, as_role, make_story, role):
    story = make_story(status=StoryStatus.DRAFT, title="Half-written")
    as_role(role)
    assert client.get(f"/stories/{story.id}").status_code == 200  # HR may read it
    for url, data in (
        (f"/stories/{story.id}/submit", {}),
        (f"/queue/{story.id}/move", {"to": "submitted"}),
        (f"/queue/{story.id}/move", {"to": "published"}),
        (f"/queue/{story.id}/publish", {}),
    ):
        assert client.post(url, data=data).status_code in (403, 409), url
    assert client.get(f"/stories/{story.id}/edit").status_code == 403
    edited = client.post(f"/stories/{story.id}/edit", data={"action": "submit", "title": "Taken over"})
    assert edited.status_code == 403
    db.session.refresh(story)
    assert (story.status, story.title, story.submitted_at) == ("draft", "Half-written", None)
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_the_story_panel_offers_curators_no_submit_button_on_a_draft(client, ctx, as_role, make_story):
    story = make_story(status=StoryStatus.DRAFT)
    as_role("curator")
    page = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert 'value="submitted"' not in page and "Submit for review" not in page


def test_the_author_still_submits_their_own_draft(client, ctx, login, make_story, make_person):
    author = make_person(role="curator")  # a curator's own draft is theirs to submit
    story = make_story(nominator=author, status=StoryStatus.DRAFT)
    login(author)
    assert client.post(f"/stories/{story.id}/submit").status_code == 302
    db.session.refresh(story)
    assert story.status == "submitted"


def test_a_refused_move_comes_back_with_the_note_as_typed(client, ctx, as_role, make_story):
    story = make_story(status=StoryStatus.SUBMITTED)
    as_role("curator")
    note = "Please say which store.\n" + "More detail, please. " * 100  # over 2,000 characters
    response = client.post(f"/queue/{story.id}/move", data={"to": "changes_requested", "note": note})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<div class="error-summary" role="alert">' in page
    assert "Keep the note under 2,000 characters." in page
    assert 'maxlength="2000"' in page
    assert escape(note) in page
    db.session.refresh(story)
    assert story.status == "submitted"
