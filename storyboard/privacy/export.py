"""Everything Storyboard holds about one person, as one JSON document (a subject access request).

Ids link the parts together; dates are ISO 8601 in UTC. Sign-in tokens are never exported (only
their hashes are stored, and those are not the person's data but keys to their account). A
story's photos come with their alt text and the picture itself (base64, as the story page shows
it): the file must hold what Storyboard keeps, not links into it.
"""
from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import (
    ApiToken,
    Applause,
    AuditEntry,
    CanonRead,
    DigestDelivery,
    DigestIssue,
    FeedToken,
    Notification,
    NotificationSetting,
    Person,
    SignIn,
    SlackAccount,
    SSOIdentity,
    Story,
    StoryReader,
    StoryRevision,
    StoryStatus,
    ThankYou,
    story_co_nominators,
    story_digest_opt_outs,
    story_nominees,
)
from storyboard.photos import storage

FORMAT_VERSION = 1


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def person_export(person: Person) -> dict[str, Any]:
    """The person's profile and every record by, to or about them."""
    return {
        "format": f"storyboard.person-export.v{FORMAT_VERSION}",
        "exported_at": _iso(utcnow()),
        "profile": _profile(person),
        "stories_nominated": _stories(Story.nominator_id == person.id, own=True),
        "stories_co_nominated": _stories(Story.id.in_(
            select(story_co_nominators.c.story_id).where(story_co_nominators.c.person_id == person.id)
        )),
        "stories_about": _stories(Story.id.in_(
            select(story_nominees.c.story_id).where(story_nominees.c.person_id == person.id)
        )),
        "revisions_edited": _revisions(person),
        "applause": [
            {"story_id": row.story_id, "at": _iso(row.created_at)}
            for row in _rows(select(Applause).where(Applause.person_id == person.id).order_by(Applause.created_at))
        ],
        "reads": [
            {"story_id": row.story_id, "first_read_at": _iso(row.first_read_at)}
            for row in _rows(select(StoryReader).where(StoryReader.person_id == person.id)
                             .order_by(StoryReader.first_read_at))
        ],
        "reading_path_marks": [
            {"story_id": row.story_id, "read_at": _iso(row.read_at)}
            for row in _rows(select(CanonRead).where(CanonRead.person_id == person.id).order_by(CanonRead.read_at))
        ],
        "thank_you_notes_written": _notes(ThankYou.author_id == person.id),
        "thank_you_notes_received": _notes(ThankYou.story_id.in_(
            select(story_nominees.c.story_id).where(story_nominees.c.person_id == person.id)
        )),
        "notifications": _notifications(person),
        "notification_settings": [
            {"kind": row.kind, "in_app": row.in_app, "email": row.email}
            for row in _rows(select(NotificationSetting).where(NotificationSetting.person_id == person.id)
                             .order_by(NotificationSetting.kind))
        ],
        "digest_deliveries": _deliveries(person),
        "digest_opt_outs": list(db.session.scalars(
            select(story_digest_opt_outs.c.story_id).where(story_digest_opt_outs.c.person_id == person.id)
            .order_by(story_digest_opt_outs.c.story_id)
        )),
        "sign_ins": [
            {"started_at": _iso(row.created_at), "last_seen_at": _iso(row.last_seen_at),
             "keep_me_signed_in": row.remember}
            for row in _rows(select(SignIn).where(SignIn.person_id == person.id).order_by(SignIn.id))
        ],
        "linked_accounts": _linked_accounts(person),
        "audit_entries": _audit(person),
    }


def _linked_accounts(person: Person) -> dict[str, Any]:
    """Storyboard's links to other systems: what they are and when used, never a token's digest."""
    return {
        "hr_system_id": person.external_id,
        "single_sign_on": [
            {"provider": row.provider, "subject": row.subject, "email": row.email,
             "linked_at": _iso(row.created_at), "last_used_at": _iso(row.last_used_at)}
            for row in _rows(select(SSOIdentity).where(SSOIdentity.person_id == person.id).order_by(SSOIdentity.id))
        ],
        "slack": [
            {"team_id": row.team_id, "user_id": row.user_id, "user_name": row.user_name,
             "linked_at": _iso(row.created_at)}
            for row in _rows(select(SlackAccount).where(SlackAccount.person_id == person.id).order_by(SlackAccount.id))
        ],
        "api_tokens": [
            {"name": row.name, "scope": row.scope, "created_at": _iso(row.created_at),
             "last_used_at": _iso(row.last_used_at), "expires_at": _iso(row.expires_at),
             "revoked_at": _iso(row.revoked_at)}
            for row in _rows(select(ApiToken).where(ApiToken.person_id == person.id).order_by(ApiToken.id))
        ],
        "feed_urls": [
            {"made_at": _iso(row.created_at), "last_used_at": _iso(row.last_used_at)}
            for row in _rows(select(FeedToken).where(FeedToken.person_id == person.id))
        ],
    }


def _rows(statement) -> list:
    return list(db.session.scalars(statement))


def _profile(person: Person) -> dict[str, Any]:
    return {
        "id": person.id, "name": person.name, "email": person.email, "job_title": person.job_title,
        "department": person.department, "location": person.location,
        "manager": {"id": person.manager.id, "name": person.manager.name} if person.manager else None,
        "reports": [{"id": report.id, "name": report.name} for report in person.reports],
        "start_date": _iso(person.start_date), "role": person.role, "active": person.active,
        "created_at": _iso(person.created_at), "last_login_at": _iso(person.last_login_at),
        "hide_from_digests": person.hide_from_digests, "digest_frequency": person.digest_frequency,
        "digest_bounces": person.bounce_score, "has_password": person.has_password,
    }


def _stories(condition, own: bool = False) -> list[dict[str, Any]]:
    """Stories as the export shows them. Of stories someone else wrote (`own` false), not their
    drafts, which are the author's until submitted, nor the rule in the way and HR's note, which
    the product keeps from the people a story is about: the file may be handed to the person."""
    statement = select(Story).where(condition)
    if not own:
        statement = statement.where(Story.status != StoryStatus.DRAFT.value)
    stories = db.session.scalars(
        statement.order_by(Story.id).options(selectinload(Story.nominees), selectinload(Story.values),
                                             selectinload(Story.photos))
    )
    return [_story(story, own) for story in stories]


def _story(story: Story, own: bool) -> dict[str, Any]:
    shown = {
        "id": story.id, "status": story.status, "title": story.title, "body_md": story.body_md,
        "impact_kind": story.impact_kind, "impact": story.impact,
        "rule_in_the_way": story.rule_in_the_way, "happened_on": _iso(story.happened_on),
        "nominator_id": story.nominator_id,
        "nominees": [{"id": person.id, "name": person.name} for person in story.nominees],
        "values": [value.name for value in story.values],
        "created_at": _iso(story.created_at), "submitted_at": _iso(story.submitted_at),
        "published_at": _iso(story.published_at), "decision_note": story.decision_note,
        "in_canon": story.in_canon, "canon_lesson": story.canon_lesson,
        "applause_count": story.applause_count, "reader_count": story.reader_count,
        "evidence_quote": story.evidence_quote, "evidence_score": story.evidence_score,
        "evidence_score_max": story.evidence_score_max, "evidence_link": story.evidence_link,
        "photos": [_photo(photo) for photo in story.photos],
    }
    if not own:
        del shown["rule_in_the_way"], shown["decision_note"]
    return shown


def _photo(photo) -> dict[str, Any]:
    data = storage.read(photo)
    return {
        "id": photo.id, "position": photo.position, "alt_text": photo.alt_text,
        "content_type": photo.content_type, "width": photo.width, "height": photo.height,
        "added_at": _iso(photo.created_at), "added_by_id": photo.uploaded_by_id,
        "data_base64": base64.b64encode(data).decode("ascii") if data is not None else None,
    }


def _revisions(person: Person) -> list[dict[str, Any]]:
    rows = _rows(select(StoryRevision).where(StoryRevision.editor_id == person.id).order_by(StoryRevision.id))
    return [
        {
            "story_id": row.story_id, "number": row.number, "saved_at": _iso(row.created_at),
            "title": row.title, "body_md": row.body_md, "impact": row.impact,
            "rule_in_the_way": row.rule_in_the_way, "values": row.value_names,
            "nominees": row.nominee_names,
        }
        for row in rows
    ]


def _notes(condition) -> list[dict[str, Any]]:
    return [
        {"id": note.id, "story_id": note.story_id, "author_id": note.author_id,
         "body_md": note.body_md, "at": _iso(note.created_at)}
        for note in _rows(select(ThankYou).where(condition).order_by(ThankYou.id))
    ]


def _notifications(person: Person) -> list[dict[str, Any]]:
    rows = _rows(select(Notification).where(Notification.person_id == person.id).order_by(Notification.id))
    return [
        {"kind": row.kind, "story_id": row.story_id, "message": row.message,
         "at": _iso(row.created_at), "read_at": _iso(row.read_at)}
        for row in rows
    ]


def _deliveries(person: Person) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(DigestDelivery, DigestIssue.issue_key).join(DigestIssue)
        .where(DigestDelivery.person_id == person.id).order_by(DigestDelivery.id)
    )
    return [
        {"issue": issue_key, "status": row.status, "attempts": row.attempts,
         "sent_at": _iso(row.sent_at), "smtp_code": row.smtp_code, "error": row.last_error,
         "created_at": _iso(row.created_at)}
        for row, issue_key in rows
    ]


def _audit(person: Person) -> list[dict[str, Any]]:
    about = (AuditEntry.entity_type == "person") & (AuditEntry.entity_id == person.id)
    rows = _rows(select(AuditEntry).where(or_(AuditEntry.actor_id == person.id, about)).order_by(AuditEntry.id))
    return [
        {
            "id": row.id, "at": _iso(row.created_at), "action": row.action,
            "by_them": row.actor_id == person.id,
            "about_them": row.entity_type == "person" and row.entity_id == person.id,
            "actor_id": row.actor_id, "entity_type": row.entity_type, "entity_id": row.entity_id,
            "before": row.before, "after": row.after, "note": row.note,
        }
        for row in rows
    ]
