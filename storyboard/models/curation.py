"""What curation records: an audit log, story revisions and notifications."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models.base import LabelledEnum, belongs_to

if TYPE_CHECKING:
    from storyboard.models.people import Person


class AuditEntry(db.Model):
    """Who did what to which record, when, with the values before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("people.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)  # e.g. "story.publish"
    entity_type: Mapped[str] = mapped_column(String(20))  # "story", "value", "person"
    entity_id: Mapped[int] = mapped_column(Integer)
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    note: Mapped[Optional[str]] = mapped_column(Text)

    actor: Mapped[Optional[Person]] = relationship()


class StoryRevision(db.Model):
    """A story's editable content as saved by one person at one time."""

    __tablename__ = "story_revisions"
    __table_args__ = (UniqueConstraint("story_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... per story
    editor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text)
    impact: Mapped[str] = mapped_column(Text, default="")
    rule_in_the_way: Mapped[Optional[str]] = mapped_column(Text)
    value_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    nominee_names: Mapped[list[str]] = mapped_column(JSON, default=list)

    editor: Mapped[Optional[Person]] = relationship()


class NotificationKind(LabelledEnum):
    # To the nominator, to nominees, to nominees' managers, then to the nominator again.
    STORY_PUBLISHED = "story_published", "A story you wrote is published"
    ABOUT_YOU_PUBLISHED = "about_you_published", "A story about you is published"
    REPORT_RECOGNISED = "report_recognised", "Someone who reports to you is recognised"
    CHANGES_REQUESTED = "changes_requested", "HR asks for changes to your story"
    STORY_REJECTED = "story_rejected", "HR decides not to publish your story"
    THANK_YOU = "thank_you", "Someone thanks you on a story"
    # To the people behind the stories filed under a rule or process HR has had changed.
    FRICTION_CHANGED = "friction_changed", "A rule you ran into has changed"


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_person_unread", "person_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    story_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    # Text, not VARCHAR: a message quotes a title, names and a curator's note of up to 2,000
    # characters, and PostgreSQL refuses what does not fit rather than cutting it.
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(DateTime)

    @classmethod
    def unread_count_of(cls, person_id) -> Select:
        """How many of a person's notifications are unread. `person_id` may be a number or a
        column: the sign-in loader counts in the same query as it loads the person."""
        return (
            select(func.count()).select_from(cls)
            .where(cls.person_id == person_id, cls.read_at.is_(None))
        )


class NotificationSetting(db.Model):
    """A person's choice for one kind of notification; no row means both channels on."""

    __tablename__ = "notification_settings"

    person_id: Mapped[int] = belongs_to("people")
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)
