"""Notifications: an in-app entry and an email, each switchable per kind in preferences.

Emails wait on the database session and go out only when the change that caused them commits,
so a rolled-back change never emails anyone.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from storyboard import mail
from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import Notification, NotificationKind, NotificationSetting, Person, Story
from storyboard.urls import external_url

log = logging.getLogger(__name__)
PENDING_MAIL = "storyboard.pending_mail"


def settings_for(person: Person) -> dict[str, NotificationSetting]:
    """The person's stored choices by kind; kinds without a row have both channels on."""
    rows = db.session.scalars(select(NotificationSetting).where(NotificationSetting.person_id == person.id))
    return {row.kind: row for row in rows}


def notify(person: Person, kind: NotificationKind, message: str, story: Story | None = None) -> None:
    """Tell a person something, in the app and by email, as their preferences allow."""
    if not person.active:
        return
    setting = db.session.get(NotificationSetting, (person.id, kind.value))
    if setting is None or setting.in_app:
        db.session.add(Notification(
            person_id=person.id, kind=kind.value, story_id=story.id if story else None, message=message
        ))
    if setting is None or setting.email:
        link = external_url("stories.show", story_id=story.id) if story else external_url("stories.feed")
        _pending().append(mail.build_from_templates(
            person.email, message, "notification",
            person=person, message=message, link=link,
            preferences=external_url("preferences.edit"), kind=kind,
        ))


def unread_count(person: Person) -> int:
    return db.session.scalar(Notification.unread_count_of(person.id)) or 0


def mark_all_read(person: Person) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.person_id == person.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    person.unread_notifications = 0  # the count the sign-in loader read is out of date now
    return result.rowcount


def save_settings(person: Person, choices: dict[str, tuple[bool, bool]]) -> None:
    """Store (in_app, email) for each kind."""
    existing = settings_for(person)
    for kind, (in_app, email) in choices.items():
        row = existing.get(kind) or NotificationSetting(person_id=person.id, kind=kind)
        row.in_app, row.email = in_app, email
        db.session.add(row)


def _pending() -> list[EmailMessage]:
    return db.session().info.setdefault(PENDING_MAIL, [])


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    messages = session.info.pop(PENDING_MAIL, None)
    if not messages:
        return
    try:
        mail.send(messages)
    except (OSError, smtplib.SMTPException):
        # The change is committed and the in-app notifications exist; a mail outage must
        # not turn the curator's action into an error page.
        log.exception("Could not send %d notification emails", len(messages))


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING_MAIL, None)
