"""Redaction: the marked text leaves the story and every record kept about it.

The central test scans every column of every table in `db.metadata` (tests/helpers.py),
so a table added later is searched too without touching this file.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql

from storyboard.curation import service as curation
from storyboard.db_helpers import dialect_name
from storyboard.extensions import db
from storyboard.models import (
    AuditEntry,
    Notification,
    StoryRevision,
    StoryStatus,
    ThankYou,
)
from storyboard.stories import lifecycle
from storyboard.stories import service as story_service
from tests.helpers import places_holding, rows_holding, search_index_matches

SECRET = "zanzibar.quux@example.org"


def draft_of(story, **changes):
    fields = {
        "title": story.title, "body_md": story.body_md, "impact_kind": story.impact_kind,
        "impact": story.impact, "happened_on": story.happened_on,
        "rule_in_the_way": story.rule_in_the_way,
        "nominee_ids": [person.id for person in story.nominees],
        "value_ids": [value.id for value in story.values],
    } | changes
    return story_service.StoryDraft(**fields)


@pytest.fixture
def story_full_of_secret(ctx, make_story, make_person):
    """A story whose life put SECRET in revisions, the audit log, notifications and notes."""
    nominee = make_person()
    nominee.manager = make_person()
    story = make_story(
        status=StoryStatus.DRAFT, nominees=[nominee],
        title=f"Calmed {SECRET} down",
        body_md=f"The customer (**{SECRET}**) had lost a parcel.",
        impact=f"{SECRET} wrote to thank us.",
        rule_in_the_way=f"We may not phone {SECRET} back.",
    )
    curator = make_person(role="curator")
    lifecycle.submit(story, story.nominator)
    story_service.save_story(  # a curator edit: audited with the body before and after
        story, curator, draft_of(story, body_md=story.body_md + f"\n\nShe emailed {SECRET} twice."),
        submit=False,
    )
    lifecycle.request_changes(story, curator, f"Please take {SECRET} out.")
    db.session.commit()
    story_service.save_story(story, story.nominator, draft_of(story), submit=True)
    lifecycle.publish(story, curator, personal_data_confirmed=True)  # it holds the planted details
    curation.set_canon(story, curator, True, f"Answer {SECRET} like a friend.")
    story_service.add_thank_you(story, make_person(), f"Well done with {SECRET}!")
    db.session.commit()
    return story


def test_after_a_redaction_no_table_holds_the_text(client, story_full_of_secret, as_role):
    story = story_full_of_secret
    before = places_holding(SECRET)
    # The story's life really did spread the text everywhere this test means to check.
    assert {
        "stories.title", "stories.body_md", "stories.body_html", "stories.impact",
        "stories.rule_in_the_way", "stories.search_text", "stories.canon_lesson",
        "story_revisions.title", "story_revisions.body_md", "story_revisions.impact",
        "story_revisions.rule_in_the_way", "audit_log.before", "audit_log.after", "audit_log.note",
        "notifications.message", "thank_yous.body_md", "thank_yous.body_html",
    } <= before
    assert search_index_matches(SECRET) == [story.id]
    other_records = rows_holding(SECRET) - 1  # the story's own row aside

    curator = as_role("curator")
    response = client.post(f"/queue/{story.id}/redact", data={"text": SECRET, "confirm": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/stories/{story.id}"  # published: back to the story

    assert places_holding(SECRET) == set()
    assert search_index_matches(SECRET) == []
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "story.redact")
    ).one()
    assert (entry.actor_id, entry.entity_type, entry.entity_id) == (curator.id, "story", story.id)
    assert entry.after == {
        "fields": ["title", "body_md", "impact", "rule_in_the_way", "canon_lesson"],
        "length": len(SECRET),
        "occurrences": 6,
        "records": other_records,  # 3 revisions, 3 audit entries, the notifications, 1 note
    }
    assert other_records >= 11


def test_redacted_text_becomes_a_marker_everywhere(client, story_full_of_secret, as_role):
    story = story_full_of_secret
    as_role("curator")
    client.post(f"/queue/{story.id}/redact", data={"text": SECRET, "confirm": "y"})
    db.session.expire_all()
    assert story.title == "Calmed [redacted] down"
    assert story.body_html.startswith("<p>The customer (<strong>[redacted]</strong>) had lost")
    assert "[redacted]" in story.search_text
    assert {revision.impact for revision in db.session.scalars(select(StoryRevision))} == {
        "[redacted] wrote to thank us."
    }
    note = db.session.scalars(select(ThankYou)).one()
    assert note.body_html == "<p>Well done with [redacted]!</p>"
    messages = [n.message for n in db.session.scalars(select(Notification))]
    assert any("[redacted]" in message for message in messages)
    page = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert "Calmed [redacted] down" in page and SECRET not in page


def test_the_search_index_is_rebuilt_on_sqlite(client, ctx, make_story, as_role):
    # The text is in the impact, which search_text leaves out, so the triggers never touch it.
    story = make_story(status=StoryStatus.PUBLISHED, impact=f"Mail {SECRET} now.")
    if dialect_name() != "sqlite":
        pytest.skip("PostgreSQL's tsvector is a generated column; nothing to rebuild")
    # An index that drifted from its content (a write that bypassed the triggers) keeps words
    # the story no longer has; the triggers only remove what search_text held, a rebuild all.
    db.session.execute(
        sql("INSERT INTO story_fts(rowid, search_text) VALUES (:id, :text)"),
        {"id": story.id, "text": f"stale copy {SECRET}"},
    )
    db.session.commit()
    assert search_index_matches(SECRET) == [story.id]
    as_role("curator")
    assert client.post(f"/queue/{story.id}/redact", data={"text": SECRET, "confirm": "y"}).status_code == 302
    assert search_index_matches(SECRET) == []


def test_names_in_revisions_are_purged_too(client, ctx, make_story, make_person, as_role):
    # A nominee's name is the person's, kept in the directory; the story's records lose it.
    nominee = make_person(name="Quentin Zanzibar")
    story = make_story(status=StoryStatus.SUBMITTED, nominees=[nominee], body_md="Ask Zanzibar.")
    as_role("curator")
    assert client.post(f"/queue/{story.id}/redact", data={"text": "Zanzibar", "confirm": "y"}).status_code == 302
    [revision] = db.session.scalars(select(StoryRevision)).all()
    assert (revision.body_md, revision.nominee_names) == ("Ask [redacted].", ["Quentin [redacted]"])
    assert places_holding("Zanzibar") == {"people.name", "stories.search_text"}


def test_a_queued_story_goes_back_to_the_queue(client, ctx, make_story, as_role):
    story = make_story(status=StoryStatus.SUBMITTED, body_md="Ring her on 07700 900123 today.")
    as_role("admin")
    response = client.post(f"/queue/{story.id}/redact", data={"text": "07700 900123", "confirm": "y"})
    assert response.headers["Location"] == f"/queue/#story-{story.id}"
    page = client.get("/queue/").get_data(as_text=True)
    assert "Redacted 12 characters (once)" in page
    assert "07700 900123" not in page and "Ring her on [redacted] today." in page


def test_every_occurrence_in_the_story_is_redacted(ctx, client, make_story, as_role):
    story = make_story(status=StoryStatus.SUBMITTED, body_md="#12345678 then #12345678 again")
    as_role("curator")
    response = client.post(f"/queue/{story.id}/redact", data={"text": "#12345678", "confirm": "y"},
                           follow_redirects=True)
    assert "(2 times)" in response.get_data(as_text=True)
    db.session.refresh(story)
    assert story.body_md == "[redacted] then [redacted] again"


def test_a_redaction_that_lengthens_a_full_title_still_fits(ctx, client, make_story, as_role):
    story = make_story(status=StoryStatus.SUBMITTED, title="ab1" + "x" * 197)
    as_role("curator")
    assert client.post(f"/queue/{story.id}/redact", data={"text": "ab1", "confirm": "y"}).status_code == 302
    db.session.refresh(story)
    assert story.title == ("[redacted]" + "x" * 197)[:200]


BAD_REDACTIONS = [
    ({"text": "nowhere in it", "confirm": "y"}, "That text is not in the story or its history; nothing was redacted."),
    ({"text": "  a ", "confirm": "y"}, "Choose at least 3 characters to redact."),
    ({"text": "redacted", "confirm": "y"}, "That text is already redacted."),
    ({"text": "", "confirm": "y"}, "Say which text to redact."),
    ({"confirm": "y"}, "Say which text to redact."),
    ({"text": "x" * 2001, "confirm": "y"}, "Redact at most 2,000 characters at a time."),
    ({"text": "A plain story"}, "Tick the box to confirm: a redaction cannot be undone."),
]


@pytest.mark.parametrize("data, message", BAD_REDACTIONS)
def test_a_bad_redaction_is_a_400_that_changes_nothing(ctx, client, make_story, as_role, data, message):
    story = make_story(status=StoryStatus.SUBMITTED, body_md="A plain story. [redacted] once.")
    as_role("curator")
    counts = (db.session.scalar(select(func.count()).select_from(AuditEntry)), story.body_md)
    response = client.post(f"/queue/{story.id}/redact", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert (db.session.scalar(select(func.count()).select_from(AuditEntry)), story.body_md) == counts


@pytest.mark.parametrize("role", ["staff", "nominator"])
def test_only_curators_redact(ctx, client, make_story, login, make_person, role):
    story = make_story(status=StoryStatus.SUBMITTED, body_md="Call 07700 900123.")
    login(story.nominator if role == "nominator" else make_person(role=role))
    response = client.post(f"/queue/{story.id}/redact", data={"text": "07700 900123", "confirm": "y"})
    assert response.status_code == 403
    db.session.refresh(story)
    assert story.body_md == "Call 07700 900123."


def test_anonymous_people_are_sent_to_sign_in(ctx, client, make_story):
    story = make_story(status=StoryStatus.SUBMITTED, body_md="Call 07700 900123.")
    response = client.post(f"/queue/{story.id}/redact", data={"text": "07700 900123", "confirm": "y"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_missing_story_is_404(ctx, client, as_role):
    as_role("curator")
    assert client.post("/queue/999999/redact", data={"text": "07700 900123", "confirm": "y"}).status_code == 404


def test_another_storys_records_are_left_alone(client, ctx, make_story, as_role):
    # The purge follows the story: it does not rewrite other stories that happen to share text.
    story = make_story(status=StoryStatus.SUBMITTED, body_md=f"Mail {SECRET}.")
    other = make_story(status=StoryStatus.SUBMITTED, body_md=f"Also {SECRET}.")
    as_role("curator")
    client.post(f"/queue/{story.id}/redact", data={"text": SECRET, "confirm": "y"})
    db.session.expire_all()
    assert other.body_md == f"Also {SECRET}." and story.body_md == "Mail [redacted]."
    assert places_holding(SECRET) == {
        "stories.body_md", "stories.body_html", "stories.search_text", "story_revisions.body_md"
    }


def test_the_scanner_finds_text_in_json_and_in_any_table(ctx, make_person):
    # The scanner itself must not miss what it is there to find.
    person = make_person(job_title=f"Handles {SECRET}")
    db.session.add(AuditEntry(
        actor_id=person.id, action="x", entity_type="person", entity_id=person.id,
        before={"nested": [{"deep": f"é {SECRET}"}]}, after={SECRET: 1},
    ))
    db.session.commit()
    assert places_holding(SECRET) == {"people.job_title", "audit_log.before", "audit_log.after"}


@pytest.mark.parametrize(
    "move, on_mine, in_notification",
    [
        ("reject", "Why: Not with the customer number [redacted] in it.",
         "HR decided not to publish “Kept the shop open”: Not with the customer number [redacted] in it."),
        ("request_changes", "HR asked: Not with the customer number [redacted] in it.",
         "HR asked for changes to “Kept the shop open”: Not with the customer number [redacted] in it."),
    ],
)
def test_the_decision_note_the_nominator_reads_is_redacted(
    client, ctx, make_story, make_person, login, move, on_mine, in_notification
):
    # Curators quote what they want taken out: then the note is the only place left holding it.
    story = make_story(status=StoryStatus.SUBMITTED, title="Kept the shop open", body_md="She stayed late.")
    curator = make_person(role="curator")
    getattr(lifecycle, move)(story, curator, "Not with the customer number 07700 900123 in it.")
    db.session.commit()

    login(curator)
    assert client.post(f"/queue/{story.id}/redact", data={"text": "07700 900123", "confirm": "y"}).status_code == 302

    login(story.nominator)
    mine = client.get("/mine").get_data(as_text=True)
    assert on_mine in mine
    inbox = client.get("/notifications").get_data(as_text=True)
    assert in_notification in inbox
    page = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert "<p>Not with the customer number [redacted] in it.</p>" in page
    assert all("07700 900123" not in shown for shown in (mine, inbox, page))
    assert places_holding("07700 900123") == set()
