"""Pins, the canon and the resurface and legacy flags as curation.service changes them: which
stories may be changed, what is kept, and every field of the audit entries they write."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from storyboard.clock import utcnow
from storyboard.curation import service
from storyboard.curation.service import CurationRefused
from storyboard.extensions import db
from storyboard.models import AuditEntry, StoryStatus

S = StoryStatus
LONG_AGO = datetime(2024, 5, 1, 8, 0)


def audit_rows() -> list[tuple]:
    """Every audit entry, oldest first: who, what, on which record, before, after, the note."""
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [(e.actor_id, e.action, e.entity_type, e.entity_id, e.before, e.after, e.note) for e in entries]


# Pins


def test_pinning_and_unpinning_from_the_story_page_are_audited(client, ctx, as_role, make_story):
    make_story(title="Another published story")  # left as it is
    story = make_story(title="Pin me")
    curator = as_role("curator")
    started = utcnow()
    assert client.post(f"/queue/{story.id}/pin", data={"pinned": "yes"}).status_code == 302
    db.session.refresh(story)
    assert started <= story.pinned_at <= utcnow()
    assert "Unpin from the next digest" in client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert client.post(f"/queue/{story.id}/pin", data={"pinned": "no"}).status_code == 302
    db.session.refresh(story)
    assert story.pinned_at is None
    assert audit_rows() == [
        (curator.id, "story.pin", "story", story.id, {"pinned": False}, {"pinned": True}, None),
        (curator.id, "story.pin", "story", story.id, {"pinned": True}, {"pinned": False}, None),
    ]


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.REJECTED, S.ARCHIVED], ids=lambda s: s.value)
def test_only_a_published_story_can_be_pinned(client, ctx, as_role, make_story, status):
    story = make_story(status=status)
    as_role("curator")
    response = client.post(f"/queue/{story.id}/pin", data={"pinned": "yes"})
    assert response.status_code == 409
    assert "Only a published story can be pinned for the digest." in response.get_data(as_text=True)
    db.session.refresh(story)
    assert story.pinned_at is None and audit_rows() == []


def test_a_pinned_story_archived_since_can_still_be_unpinned(ctx, make_story, make_person):
    story = make_story(status=S.ARCHIVED, pinned_at=LONG_AGO)
    curator = make_person(role="curator")
    service.set_pinned(story, curator, False)
    assert story.pinned_at is None
    assert audit_rows() == [(curator.id, "story.pin", "story", story.id, {"pinned": True}, {"pinned": False}, None)]


# The canon


@pytest.mark.parametrize(("typed", "kept"), [
    ("Own it until it's fixed.", "Own it until it's fixed."),
    ("  Own it\nuntil it's\r\nfixed.  ", "Own it until it's fixed."),  # one line, as the digest shows it
    ("x" * 200, "x" * 200),
])
def test_a_lesson_is_kept_on_one_line(ctx, make_story, make_person, typed, kept):
    story = make_story()
    service.set_canon(story, make_person(role="curator"), True, typed)
    assert (story.in_canon, story.canon_lesson) == (True, kept)


@pytest.mark.parametrize(("typed", "message"), [
    (None, "Say in one line what to learn from the story."),
    (" \n\t ", "Say in one line what to learn from the story."),
    ("x" * 201, "Keep what to learn under 200 characters."),
    ("  " + "x" * 199 + "\n y", "Keep what to learn under 200 characters."),  # 201 once on one line
])
def test_a_lesson_is_needed_and_short(ctx, make_story, make_person, typed, message):
    story = make_story()
    with pytest.raises(CurationRefused, match=f"^{message}$"):
        service.set_canon(story, make_person(role="curator"), True, typed)
    assert (story.in_canon, story.canon_lesson, story.canonized_at) == (False, None, None)
    assert audit_rows() == []


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.REJECTED, S.ARCHIVED],
                         ids=lambda s: s.value)
def test_only_a_published_story_joins_the_canon(ctx, make_story, make_person, status):
    story = make_story(status=status)
    with pytest.raises(CurationRefused, match=r"^Only a published story can be added to the canon\.$"):
        service.set_canon(story, make_person(role="curator"), True, "Own it.")
    assert story.in_canon is False and audit_rows() == []


def test_promoting_a_story_again_keeps_when_it_first_joined_the_canon(ctx, make_story, make_person):
    story = make_story()
    ana, ben = make_person(role="curator"), make_person(role="admin")
    started = utcnow()
    service.set_canon(story, ana, True, "Own it.")
    assert started <= story.canonized_at <= utcnow()
    story.canonized_at = LONG_AGO  # as if promoted long ago: the digest's ladder counts from then
    service.set_canon(story, ben, False)
    assert (story.in_canon, story.canon_lesson, story.canonized_at) == (False, "Own it.", LONG_AGO)
    service.set_canon(story, ana, True, "Own it until it's fixed.")
    assert (story.in_canon, story.canon_lesson, story.canonized_at) == (True, "Own it until it's fixed.", LONG_AGO)
    db.session.commit()
    assert audit_rows() == [
        (ana.id, "story.canon", "story", story.id,
         {"in_canon": False, "lesson": None}, {"in_canon": True, "lesson": "Own it."}, None),
        (ben.id, "story.canon", "story", story.id,
         {"in_canon": True, "lesson": "Own it."}, {"in_canon": False, "lesson": "Own it."}, None),
        (ana.id, "story.canon", "story", story.id,
         {"in_canon": False, "lesson": "Own it."}, {"in_canon": True, "lesson": "Own it until it's fixed."}, None),
    ]


def test_an_archived_story_can_be_taken_out_of_the_canon(ctx, make_story, make_person):
    story = make_story(status=S.ARCHIVED, in_canon=True, canon_lesson="Own it.", canonized_at=LONG_AGO)
    service.set_canon(story, make_person(role="curator"), False)
    assert (story.in_canon, story.canon_lesson, story.canonized_at) == (False, "Own it.", LONG_AGO)


# Resurface and legacy


@pytest.mark.parametrize(("flag", "default"), [("resurface", True), ("legacy", False)])
def test_each_flag_switches_both_ways_with_an_audit_entry(client, ctx, as_role, make_story, flag, default):
    story = make_story()
    curator = as_role("curator")
    assert getattr(story, flag) is default
    for value in (not default, default):
        form = {"flag": flag, "value": "yes" if value else "no"}
        assert client.post(f"/queue/{story.id}/flags", data=form).status_code == 302
        db.session.refresh(story)
        assert getattr(story, flag) is value
    assert audit_rows() == [
        (curator.id, f"story.{flag}", "story", story.id, {flag: default}, {flag: not default}, None),
        (curator.id, f"story.{flag}", "story", story.id, {flag: not default}, {flag: default}, None),
    ]
    other = "legacy" if flag == "resurface" else "resurface"
    assert getattr(story, other) is (other == "resurface")  # the other flag is untouched


@pytest.mark.parametrize("flag", ["in_canon", "status", "Resurface", ""])
def test_no_other_field_can_be_switched_as_a_flag(ctx, make_story, make_person, flag):
    story = make_story()
    with pytest.raises(ValueError, match=f"^{flag}$"):
        service.set_flag(story, make_person(role="curator"), flag, True)
    assert (story.status, story.in_canon, story.resurface, story.legacy) == ("published", False, True, False)
    assert audit_rows() == []


@pytest.mark.parametrize(("action", "form", "message"), [
    ("flags", {"flag": "in_canon", "value": "yes"}, "Choose resurface or legacy."),
    ("flags", {"value": "yes"}, "Choose resurface or legacy."),
    ("move", {"to": "deleted"}, "Choose a status to move the story to."),
    ("move", {}, "Choose a status to move the story to."),
])
def test_a_panel_form_naming_nothing_it_offers_is_a_400_saying_what_to_choose(
        client, ctx, as_role, make_story, action, form, message):
    story = make_story()
    as_role("curator")
    response = client.post(f"/queue/{story.id}/{action}", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(story)
    assert (story.status, story.in_canon, story.resurface, story.legacy) == ("published", False, True, False)
    assert audit_rows() == []
