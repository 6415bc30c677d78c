"""The digest as sent: one frozen issue per cut, its stories, and one delivery per recipient."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models.base import belongs_to

if TYPE_CHECKING:
    from storyboard.models.people import Person
    from storyboard.models.stories import Story


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first try, or for a retry at next_attempt_at
    SENDING = "sending"  # claimed by a sender until lease_until
    SENT = "sent"
    BOUNCED = "bounced"  # the server answered 5xx
    FAILED = "failed"  # temporary failures on every allowed attempt
    STALE = "stale"  # still unsent long after the cut; too late to matter
    CANCELLED = "cancelled"  # the person unsubscribed or left before it went


class DigestIssue(db.Model):
    """One issue, the same for everyone, frozen when it is cut."""

    __tablename__ = "digest_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The cut's date; unique, so two ticks at once cannot both create the week's issue.
    issue_key: Mapped[str] = mapped_column(String(10), unique=True)
    cut_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    # The first issue of its month (local time): the one monthly readers get.
    monthly: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    # The curator's note at the top, copied in at the cut (Markdown, rendered sanitised).
    introduction: Mapped[Optional[str]] = mapped_column(Text)

    stories: Mapped[list[DigestIssueStory]] = relationship(
        back_populates="issue", order_by="DigestIssueStory.position", cascade="all, delete-orphan"
    )


class DigestIssueStory(db.Model):
    """A story in an issue: the history the selection spaces canon stories out by."""

    __tablename__ = "digest_issue_stories"

    issue_id: Mapped[int] = belongs_to("digest_issues")
    story_id: Mapped[int] = belongs_to("stories", index=True)
    section: Mapped[str] = mapped_column(String(16))  # new, also_new or canon
    position: Mapped[int] = mapped_column(Integer)  # order within the whole issue

    issue: Mapped[DigestIssue] = relationship(back_populates="stories")
    story: Mapped[Story] = relationship()


class DigestDelivery(db.Model):
    """One issue to one person: claimed, sent and recorded exactly once."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (
        UniqueConstraint("issue_id", "person_id", name="uq_digest_deliveries_issue_person"),
        # Claiming reads due rows of one issue in id order.
        Index("ix_digest_deliveries_claim", "issue_id", "status", "next_attempt_at", "id"),
        Index("ix_digest_deliveries_person_status", "person_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("digest_issues.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    # While a sender holds the claim: until when, and its token (a late sender whose lease ran
    # out cannot overwrite the result of the one that took over).
    lease_until: Mapped[Optional[datetime]] = mapped_column(DateTime)
    claim_token: Mapped[Optional[str]] = mapped_column(String(32))
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    smtp_code: Mapped[Optional[int]] = mapped_column(Integer)
    last_error: Mapped[Optional[str]] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    issue: Mapped[DigestIssue] = relationship()
    person: Mapped[Person] = relationship()


class DigestHoldback(db.Model):
    """A curator swapped a story out of one coming issue; the next in line takes its place."""

    __tablename__ = "digest_holdbacks"

    issue_key: Mapped[str] = mapped_column(String(10), primary_key=True)
    story_id: Mapped[int] = belongs_to("stories")
    held_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DigestIntroduction(db.Model):
    """What a curator wrote to open a coming issue; copied into the issue when it is cut."""

    __tablename__ = "digest_introductions"

    issue_key: Mapped[str] = mapped_column(String(10), primary_key=True)
    body_md: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class DigestVisit(db.Model):
    """A reader came to a story from a link in their digest. The link carries a signed
    reference to their delivery (no tracking pixel), so a visit counts once per delivery and
    story, whoever forwards the email."""

    __tablename__ = "digest_visits"

    delivery_id: Mapped[int] = belongs_to("digest_deliveries")
    story_id: Mapped[int] = belongs_to("stories", index=True)
    visited_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
