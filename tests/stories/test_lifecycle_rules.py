"""The lifecycle as curators and nominators meet it: several stories at once, notes, publish
dates, the audit log, personal data and who is told. Every expectation is written out here,
never read from curation.service's own tables."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from storyboard import pii, signals
from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import AuditEntry, Notification, StoryStatus
from storyboard.stories import lifecycle
from storyboard.stories.lifecycle import NoteRefused, TransitionRefused

S = StoryStatus
LONG_AGO = datetime(2025, 3, 14, 9, 30)


def audit_rows() -> list[tuple]:
    """Every audit entry, oldest first: who, what, on which record, before, after, the note."""
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [(e.actor_id, e.action, e.entity_type, e.entity_id, e.before, e.after, e.note) for e in entries]


def statuses(*stories) -> tuple[str, ...]:
    for story in stories:
        db.session.refresh(story)
    return tuple(story.status for story in stories)


# Two stories in the same status: a claim that forgot which story it moves would move both.


def test_publishing_one_of_two_waiting_stories_leaves_the_other_waiting(client, ctx, as_role, make_story):
    first = make_story(status=S.SUBMITTED, title="Fixed the till")
    second = make_story(status=S.SUBMITTED, title="Found the parcel")
    as_role("curator")
    assert client.post(f"/queue/{first.id}/publish").status_code == 302
    assert statuses(first, second) == ("published", "submitted")
    assert "Published “Fixed the till”." in client.get("/queue/").get_data(as_text=True)
    queue = client.get("/queue/").get_data(as_text=True)
    assert "(1 waiting)" in queue and "Found the parcel" in queue and "Fixed the till" not in queue
    moved = client.post(f"/queue/{second.id}/move", data={"to": "changes_requested", "note": "Which store?"})
    assert moved.status_code == 302
    assert statuses(first, second) == ("published", "changes_requested")


def test_archiving_one_of_two_published_stories_keeps_the_other_in_the_feed(client, ctx, as_role, make_story):
    kept = make_story(title="Still in the feed")
    gone = make_story(title="Taken down")
    as_role("curator")
    assert client.post(f"/queue/{gone.id}/move", data={"to": "archived"}).status_code == 302
    assert statuses(kept, gone) == ("published", "archived")
    feed = client.get("/").get_data(as_text=True)
    assert "Still in the feed" in feed and "Taken down" not in feed


# Publish dates: set once, on first publishing; restoring brings a story back as it was.


def test_restoring_an_archived_story_keeps_its_original_publish_date(client, ctx, as_role, make_story):
    story = make_story(title="Old favourite", published_at=LONG_AGO)
    as_role("curator")
    assert client.post(f"/queue/{story.id}/move", data={"to": "archived"}).status_code == 302
    assert client.post(f"/queue/{story.id}/move", data={"to": "published"}).status_code == 302
    db.session.refresh(story)
    assert (story.status, story.published_at) == ("published", LONG_AGO)


def test_first_publishing_dates_the_story_now(client, ctx, as_role, make_story):
    story = make_story(status=S.SUBMITTED)
    assert story.published_at is None
    as_role("curator")
    started = utcnow()
    assert client.post(f"/queue/{story.id}/publish").status_code == 302
    db.session.refresh(story)
    assert started <= story.published_at <= utcnow()


def test_resubmitting_clears_hrs_note_and_dates_the_new_submission(client, ctx, login, make_story):
    story = make_story(status=S.CHANGES_REQUESTED, decision_note="Say which store.", submitted_at=LONG_AGO)
    login(story.nominator)
    started = utcnow()
    assert client.post(f"/stories/{story.id}/submit").status_code == 302
    db.session.refresh(story)
    assert (story.status, story.decision_note) == ("submitted", None)
    assert started <= story.submitted_at <= utcnow()


# Which moves need a note to the nominator, written out: turning a story down or asking for
# changes tells the nominator why; publishing, archiving, restoring and submitting do not.
NEEDS_A_NOTE = {
    (S.SUBMITTED, S.REJECTED): True,
    (S.SUBMITTED, S.CHANGES_REQUESTED): True,
    (S.SUBMITTED, S.PUBLISHED): False,
    (S.PUBLISHED, S.ARCHIVED): False,
    (S.REJECTED, S.ARCHIVED): False,
    (S.ARCHIVED, S.PUBLISHED): False,
    (S.DRAFT, S.SUBMITTED): False,
    (S.CHANGES_REQUESTED, S.SUBMITTED): False,
}


@pytest.mark.parametrize(("source", "target"), list(NEEDS_A_NOTE), ids=lambda s: s.value)
@pytest.mark.parametrize("blank", [None, "", " \n "], ids=["none", "empty", "spaces"])
def test_which_moves_need_a_note(ctx, make_story, make_person, source, target, blank):
    story = make_story(status=source)
    actor = story.nominator if target == S.SUBMITTED else make_person(role="curator")
    if NEEDS_A_NOTE[(source, target)]:
        with pytest.raises(NoteRefused, match=r"^Write a note so the nominator knows why\.$"):
            lifecycle.transition(story, target, actor, note=blank)
        assert story.status == source and audit_rows() == []
    else:
        lifecycle.transition(story, target, actor, note=blank)
        assert story.status == target


@pytest.mark.parametrize(("length", "status"), [(2000, 302), (2001, 400)])
def test_a_note_may_be_up_to_2000_characters(client, ctx, as_role, make_story, length, status):
    story = make_story(status=S.SUBMITTED)
    as_role("curator")
    note = "Please say which store. " * 100
    note = note[:length - 1] + "!"
    response = client.post(f"/queue/{story.id}/move", data={"to": "changes_requested", "note": note})
    assert response.status_code == status
    db.session.refresh(story)
    if status == 302:
        assert (story.status, story.decision_note) == ("changes_requested", note)
    else:
        assert "Keep the note under 2,000 characters." in response.get_data(as_text=True)
        assert (story.status, story.decision_note) == ("submitted", None)


# The audit log: every field of every entry.


def test_every_move_is_audited_with_who_what_which_story_and_why(ctx, make_story, make_person):
    other = make_story(status=S.SUBMITTED)  # moved in between, so an entry naming the wrong story shows
    story = make_story(status=S.DRAFT)
    author = story.nominator
    ana, ben = make_person(role="curator"), make_person(role="admin")
    lifecycle.submit(story, author)
    lifecycle.request_changes(story, ana, "Say which store.")
    assert story.decision_note == "Say which store."
    lifecycle.publish(other, ben)
    lifecycle.submit(story, author)
    assert story.decision_note is None
    lifecycle.reject(story, ben, "It names the customer.")
    lifecycle.transition(story, S.ARCHIVED, ana)
    lifecycle.transition(other, S.ARCHIVED, ana, note="Out of date.")
    lifecycle.transition(other, S.PUBLISHED, ben)
    db.session.commit()
    assert story.decision_note == "It names the customer."  # archiving keeps why it was turned down
    assert audit_rows() == [
        (author.id, "story.submitted", "story", story.id, {"status": "draft"}, {"status": "submitted"}, None),
        (ana.id, "story.changes_requested", "story", story.id,
         {"status": "submitted"}, {"status": "changes_requested"}, "Say which store."),
        (ben.id, "story.published", "story", other.id, {"status": "submitted"}, {"status": "published"}, None),
        (author.id, "story.submitted", "story", story.id,
         {"status": "changes_requested"}, {"status": "submitted"}, None),
        (ben.id, "story.rejected", "story", story.id,
         {"status": "submitted"}, {"status": "rejected"}, "It names the customer."),
        (ana.id, "story.archived", "story", story.id, {"status": "rejected"}, {"status": "archived"}, None),
        (ana.id, "story.archived", "story", other.id,
         {"status": "published"}, {"status": "archived"}, "Out of date."),
        (ben.id, "story.published", "story", other.id, {"status": "archived"}, {"status": "published"}, None),
    ]


def test_a_refused_move_says_why_and_writes_nothing(ctx, make_story, make_person):
    story = make_story(status=S.REJECTED)
    with pytest.raises(TransitionRefused, match=r"^A rejected story cannot be published\.$"):
        lifecycle.publish(story, make_person(role="curator"))
    with pytest.raises(TransitionRefused, match=r"^Only the person who wrote a story can submit it\.$"):
        lifecycle.submit(make_story(status=S.CHANGES_REQUESTED), make_person(role="curator"))
    assert audit_rows() == [] and db.session.scalars(select(Notification)).all() == []


# Personal data: publishing asks for the curator's confirmation; other moves do not.

FLAGGED = "Ring her on 07700 900123 today."


def test_publishing_a_story_with_personal_data_needs_the_curators_confirmation(ctx, make_story, make_person):
    story = make_story(status=S.SUBMITTED, body_md=FLAGGED)
    curator = make_person(role="curator")
    with pytest.raises(pii.NeedsConfirmation, match="1 likely personal detail"):
        lifecycle.publish(story, curator)
    assert story.status == "submitted" and audit_rows() == []
    lifecycle.publish(story, curator, personal_data_confirmed=True)
    assert story.status == "published"


def test_restoring_a_story_with_personal_data_asks_too(ctx, make_story, make_person):
    story = make_story(status=S.ARCHIVED, body_md=FLAGGED)
    curator = make_person(role="curator")
    with pytest.raises(pii.NeedsConfirmation, match="1 likely personal detail"):
        lifecycle.transition(story, S.PUBLISHED, curator)
    lifecycle.transition(story, S.PUBLISHED, curator, personal_data_confirmed=True)
    assert story.status == "published"


def test_only_publishing_asks_about_personal_data(ctx, make_story, make_person):
    curator = make_person(role="curator")
    lifecycle.reject(make_story(status=S.SUBMITTED, body_md=FLAGGED), curator, "It names the customer.")
    lifecycle.request_changes(make_story(status=S.SUBMITTED, body_md=FLAGGED), curator, "Take the number out.")
    lifecycle.transition(make_story(body_md=FLAGGED), S.ARCHIVED, curator)
    assert [row[1] for row in audit_rows()] == ["story.rejected", "story.changes_requested", "story.archived"]


# Who is told: the nominator, each nominee, and each nominee's manager, once.


def test_who_is_told_when_a_story_is_published(ctx, make_story, make_person, smtp_server):
    boss = make_person(name="Bea Boss", email="bea@example.com")
    gone = make_person(name="Gil Gone", email="gil@example.com", active=False)
    lead = make_person(name="Lee Lead", email="lee@example.com", manager=boss)
    ada = make_person(name="Ada Agent", email="ada@example.com", manager=lead)  # her manager is a nominee too
    ned = make_person(name="Ned North", email="ned@example.com", manager=gone)  # his manager has left
    lou = make_person(name="Lou Left", email="lou@example.com")  # leaves before the story is out
    ola = make_person(name="Ola Author", email="ola@example.com")
    story = make_story(nominator=ola, nominees=[lead, ada, ned, lou], status=S.SUBMITTED, title="Saved the launch")
    lou.active = False
    db.session.commit()
    lifecycle.publish(story, make_person(role="curator", email="hr@example.com"))
    db.session.commit()
    about_you = ("Ola Author told a story about you: “Saved the launch”. "
                 "You can keep it out of digests from the story page.")
    told = {(n.person_id, n.kind, n.story_id, n.message) for n in db.session.scalars(select(Notification))}
    assert told == {
        (ola.id, "story_published", story.id, "Your story “Saved the launch” is published."),
        (lead.id, "about_you_published", story.id, about_you),
        (ada.id, "about_you_published", story.id, about_you),
        (ned.id, "about_you_published", story.id, about_you),
        (boss.id, "report_recognised", story.id, "Lee Lead, who reports to you, was recognised in “Saved the launch”."),
    }
    emailed = sorted(message["To"] for message in smtp_server.messages)
    assert emailed == ["ada@example.com", "bea@example.com", "lee@example.com", "ned@example.com", "ola@example.com"]


# For every other move: the one notification the nominator gets, or nobody told at all.
TOLD_ON_OTHER_MOVES = [
    (S.SUBMITTED, S.REJECTED, "It names the customer.",
     ("story_rejected", "HR decided not to publish “Fixed the till”: It names the customer.")),
    (S.SUBMITTED, S.CHANGES_REQUESTED, "Say which store.",
     ("changes_requested", "HR asked for changes to “Fixed the till”: Say which store.")),
    (S.PUBLISHED, S.ARCHIVED, None, None),
    (S.REJECTED, S.ARCHIVED, None, None),
    (S.ARCHIVED, S.PUBLISHED, None, None),  # restoring is not news to anyone
    (S.DRAFT, S.SUBMITTED, None, None),
    (S.CHANGES_REQUESTED, S.SUBMITTED, None, None),
]


@pytest.mark.parametrize(("source", "target", "note", "told"), TOLD_ON_OTHER_MOVES,
                         ids=lambda value: value.value if isinstance(value, S) else "")
def test_who_is_told_on_every_other_move(ctx, make_story, make_person, smtp_server, source, target, note, told):
    nominee = make_person(manager=make_person())
    story = make_story(status=source, nominees=[nominee], title="Fixed the till")
    actor = story.nominator if target == S.SUBMITTED else make_person(role="curator")
    lifecycle.transition(story, target, actor, note=note)
    db.session.commit()
    notified = [(n.person_id, n.kind, n.story_id, n.message) for n in db.session.scalars(select(Notification))]
    assert notified == ([(story.nominator_id, told[0], story.id, told[1])] if told else [])
    assert [message["To"] for message in smtp_server.messages] == ([story.nominator.email] if told else [])


# The curator panel's buttons for each status, as a curator reads them.
PANEL_BUTTONS = {
    S.DRAFT: [],
    S.SUBMITTED: [("changes_requested", "Ask for changes"), ("published", "Publish"), ("rejected", "Reject")],
    S.CHANGES_REQUESTED: [],
    S.PUBLISHED: [("archived", "Archive")],
    S.REJECTED: [("archived", "Archive")],
    S.ARCHIVED: [("published", "Restore")],
}


@pytest.mark.parametrize("status", list(PANEL_BUTTONS), ids=lambda s: s.value)
def test_the_story_panel_offers_each_status_its_moves(client, ctx, as_role, make_story, status):
    story = make_story(status=status)
    as_role("curator")
    page = client.get(f"/stories/{story.id}").get_data(as_text=True)
    buttons = re.findall(r'<button type="submit" name="to" value="(\w+)" class="button">([^<]*)</button>', page)
    assert buttons == PANEL_BUTTONS[status]


def test_every_move_is_announced_with_who_made_it_and_why(ctx, make_story, make_person):
    """What listeners (notifications today) hear: the story, who moved it, from where to where,
    and the note."""
    heard = []

    def listener(story, **details):
        heard.append((story.id, details))

    signals.story_moved.connect(listener)
    try:
        story = make_story(status=StoryStatus.SUBMITTED)
        curator = make_person(role="curator")
        lifecycle.reject(story, curator, "Not this one")
    finally:
        signals.story_moved.disconnect(listener)
    assert heard == [(story.id, {"actor": curator, "before": StoryStatus.SUBMITTED,
                                 "after": StoryStatus.REJECTED, "note": "Not this one"})]
