"""Redaction finds the text wherever it is stored, and never rewrites the audit trail's facts.

Defect 6: redacting "published" turned {"status": "published"} into {"status": "[redacted]"}.
Defect 14: text only an old revision held was refused ("That text is not in the story").
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from storyboard.digest.issues import cut_issue
from storyboard.digest.tick import tick
from storyboard.extensions import db
from storyboard.models import (
    AuditEntry,
    DeliveryStatus,
    DigestDelivery,
    Story,
    StoryRevision,
    StoryStatus,
)
from storyboard.purge import Purge, purge_json
from storyboard.stories import lifecycle
from storyboard.stories import service as story_service
from tests.helpers import (
    mail_text,
    places_holding,
    search_index_matches,
    status_trail,
)

CARD = "4111 1111 1111 1111"  # passes the Luhn check: the queue flags it as a card number
# Monday 30 November 2026, 07:00 in London: the default digest cut.
CUT = datetime(2026, 11, 30, 7, 0)
NOW = CUT + timedelta(minutes=5)


def draft_of(story, **changes):
    fields = {
        "title": story.title, "body_md": story.body_md, "impact_kind": story.impact_kind,
        "impact": story.impact, "happened_on": story.happened_on,
        "rule_in_the_way": story.rule_in_the_way,
        "nominee_ids": [person.id for person in story.nominees],
        "value_ids": [value.id for value in story.values],
    } | changes
    return story_service.StoryDraft(**fields)


def redact(client, story_id: int, text: str):
    return client.post(f"/queue/{story_id}/redact", data={"text": text, "confirm": "y"})


def test_redacting_the_word_published_leaves_the_statuses_true(client, ctx, make_story, make_person, as_role):
    story = make_story(status=StoryStatus.SUBMITTED, body_md="We published the refund before lunch.")
    lifecycle.publish(story, make_person(role="curator"))
    db.session.commit()
    as_role("curator")
    assert redact(client, story.id, "published").status_code == 302
    db.session.refresh(story)
    assert story.body_md == "We [redacted] the refund before lunch."
    assert story.status == "published"
    assert status_trail(story.id) == [
        ("story.published", {"status": "submitted"}, {"status": "published"}),
    ]


def test_redaction_never_rewrites_an_audit_entrys_keys(client, ctx, make_story, make_person, as_role):
    story = make_story(status=StoryStatus.SUBMITTED, body_md="Type body_md into the box.")
    curator = make_person(role="curator")
    story_service.save_story(story, curator, draft_of(story, body_md="Type body_md into the box, then save."),
                             submit=False)
    db.session.commit()
    as_role("curator")
    assert redact(client, story.id, "body_md").status_code == 302
    edit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "story.edit")).one()
    assert edit.before == {"body_md": "Type [redacted] into the box."}
    assert edit.after == {"body_md": "Type [redacted] into the box, then save."}


def test_machine_values_survive_any_purge():
    entry = {"status": "published", "issue": "2026-11-30", "happened_on": "2026-11-01",
             "fields": ["title"], "title": "published 2026-11-30", "value_names": ["published"]}
    assert purge_json(entry, Purge.everything("[removed]")) == {
        "status": "published", "issue": "2026-11-30", "happened_on": "2026-11-01",
        "fields": ["title"], "title": "[removed]", "value_names": ["[removed]"],
    }


def test_text_only_an_old_revision_holds_is_redacted(client, ctx, make_story, as_role):
    # The nominator deleted the number before submitting; revision 1 still had it.
    story = make_story(status=StoryStatus.DRAFT, title="Rang back", body_md="Ring her on 07700 900123 today.")
    story_service.save_story(story, story.nominator, draft_of(story, body_md="Ring her today."), submit=True)
    db.session.commit()
    as_role("curator")
    compare = f"/stories/{story.id}/revisions/compare?a=1&b=2"
    assert "07700 900123" in client.get(compare).get_data(as_text=True)

    response = redact(client, story.id, "07700 900123")
    assert response.status_code == 302  # was 400: "That text is not in the story"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Redacted 12 characters from the history of “Rang back” (1 record)." in page
    assert "07700 900123" not in client.get(compare).get_data(as_text=True)
    assert [revision.body_md for revision in db.session.scalars(
        select(StoryRevision).order_by(StoryRevision.number)
    )] == ["Ring her on [redacted] today.", "Ring her today."]
    assert places_holding("07700 900123") == set()


def test_a_duplicate_merged_into_the_story_is_purged_too(client, ctx, make_story, make_person, as_role):
    survivor = make_story(status=StoryStatus.SUBMITTED, body_md=f"Card {CARD} was charged twice.")
    duplicate = make_story(status=StoryStatus.SUBMITTED, body_md=f"She saw {CARD} charged twice.")
    duplicate.merged_into_id, duplicate.status = survivor.id, StoryStatus.ARCHIVED.value
    db.session.commit()
    as_role("curator")
    assert redact(client, survivor.id, CARD).status_code == 302
    db.session.refresh(duplicate)
    assert duplicate.body_md == "She saw [redacted] charged twice."
    assert places_holding(CARD) == set()


def _publish_into_an_issue(client, story) -> list[str]:
    """Publish through the queue (ticking the box if flags remain), cut the week's issue, and
    return the statuses of its deliveries."""
    response = client.post(f"/queue/{story.id}/publish", data={"confirm_personal_data": "yes"})
    assert response.status_code == 302
    story.published_at = CUT - timedelta(days=3)  # inside the issue's week
    db.session.commit()
    issue, created = cut_issue(CUT, NOW)
    assert created and [row.story_id for row in issue.stories] == [story.id]
    return list(db.session.scalars(select(DigestDelivery.status)))


# Either the nominator deleted the number everywhere before resubmitting (so only revision 1,
# the note and the notification hold it, and the old code refused: "not in the story"), or
# they missed it in the title, so the issue waiting to be sent shows it too.
@pytest.mark.parametrize("left_in_title", [False, True], ids=["deleted-before-resubmitting", "left-in-title"])
def test_redacted_text_is_nowhere_afterwards_not_even_in_digests_still_to_go(
    client, ctx, make_story, make_person, as_role, smtp_server, left_in_title
):
    story = make_story(
        status=StoryStatus.DRAFT, nominees=[make_person(manager=make_person(name="Mo Manager"))],
        title=f"Refunded card {CARD} twice", body_md=f"The customer read out {CARD} on the phone.",
    )
    curator = make_person(role="curator")
    lifecycle.submit(story, story.nominator)
    lifecycle.request_changes(story, curator, f"Please take the card number {CARD} out of the story.")
    db.session.commit()
    title = story.title if left_in_title else "Refunded a card twice"
    story_service.save_story(story, story.nominator, draft_of(
        story, title=title, body_md="The customer read out their card number."), submit=True)
    db.session.commit()
    as_role("curator")
    pending = _publish_into_an_issue(client, story)
    assert pending and set(pending) == {DeliveryStatus.PENDING.value}
    assert {"story_revisions.title", "story_revisions.body_md", "audit_log.note",
            "notifications.message"} <= places_holding(CARD)
    assert ("stories.title" in places_holding(CARD)) is left_in_title
    assert search_index_matches(CARD) == ([story.id] if left_in_title else [])

    assert redact(client, story.id, CARD).status_code == 302
    smtp_server.messages.clear()  # what went before the redaction (the note's email) is gone
    report = tick(NOW)

    assert report.sent.statuses[DeliveryStatus.SENT.value] == len(pending)
    assert len(smtp_server.messages) == len(pending)
    shown_title = "Refunded card [redacted] twice" if left_in_title else "Refunded a card twice"
    for message in smtp_server.messages:
        text = mail_text(message)
        assert shown_title in text and CARD not in text
    assert places_holding(CARD) == set()
    assert search_index_matches(CARD) == []
    assert status_trail(story.id) == [
        ("story.submitted", {"status": "draft"}, {"status": "submitted"}),
        ("story.changes_requested", {"status": "submitted"}, {"status": "changes_requested"}),
        ("story.submitted", {"status": "changes_requested"}, {"status": "submitted"}),
        ("story.published", {"status": "submitted"}, {"status": "published"}),
    ]
    note = db.session.scalar(select(AuditEntry.note).where(AuditEntry.action == "story.changes_requested"))
    assert note == "Please take the card number [redacted] out of the story."
    assert db.session.get(Story, story.id).status == "published"
