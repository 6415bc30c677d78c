"""Chat integrations: outgoing webhooks and their deliveries, and incoming Slack commands
(the Slack accounts people linked, and the request signatures already seen)."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false, true

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models.base import LabelledEnum

if TYPE_CHECKING:
    from storyboard.models.people import Person

__all__ = ["ChatDelivery", "ChatDeliveryStatus", "ChatEvent", "ChatFormat", "ChatWebhook", "SlackAccount",
           "SlackRequestSeen"]


class ChatFormat(LabelledEnum):
    SLACK = "slack", "Slack (blocks with a text fallback)"
    TEAMS = "teams", "Microsoft Teams (an Adaptive Card)"
    JSON = "json", "Plain JSON (for your own receiver)"


class ChatEvent(LabelledEnum):
    STORY_PUBLISHED = "story.published", "A story is published"
    DIGEST_ISSUE = "digest.issue", "Digest day: an issue is cut"
    TEST = "test", "A test sent from this page"


class ChatDeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first try, or for a retry at next_attempt_at
    SENDING = "sending"  # claimed by a sender until lease_until
    SENT = "sent"  # the receiver answered 2xx
    FAILED = "failed"  # every allowed attempt failed
    CANCELLED = "cancelled"  # the webhook was disabled or the story unpublished before it went


class ChatWebhook(db.Model):
    """An address Storyboard posts to when something happens, signed with its own secret."""

    __tablename__ = "chat_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    url: Mapped[str] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(16), default=ChatFormat.SLACK.value)
    on_story_published: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    on_digest_issue: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Kept readable, not hashed: every request is signed with it, and admins copy it into the
    # receiver that checks the signature.
    secret: Mapped[str] = mapped_column(String(64))
    # Failures in a row (any delivery); at CHAT_DISABLE_AFTER_FAILURES the webhook is disabled.
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[Optional[str]] = mapped_column(String(300))
    last_failure_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    last_success_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    disabled_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    @property
    def events(self) -> list[ChatEvent]:
        return [event for event, on in ((ChatEvent.STORY_PUBLISHED, self.on_story_published),
                                         (ChatEvent.DIGEST_ISSUE, self.on_digest_issue)) if on]


class ChatDelivery(db.Model):
    """One event to one webhook: written with the change that caused it, sent after it commits,
    at most once per (webhook, event, key), retried with backoff until it goes or gives up."""

    __tablename__ = "chat_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event", "event_key", name="uq_chat_deliveries_event"),
        # Senders look for due rows: pending and due, or a claim whose lease ran out.
        Index("ix_chat_deliveries_due", "status", "next_attempt_at"),
        Index("ix_chat_deliveries_webhook_created", "webhook_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("chat_webhooks.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(32))
    # What the event is about: a story id or an issue key (a random one for tests).
    event_key: Mapped[str] = mapped_column(String(40))
    story_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    issue_id: Mapped[Optional[int]] = mapped_column(ForeignKey("digest_issues.id", ondelete="CASCADE"), index=True)
    # Sent as X-Storyboard-Delivery, so a receiver can recognise a retry of what it already has.
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=ChatDeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lease_until: Mapped[Optional[datetime]] = mapped_column(DateTime)
    claim_token: Mapped[Optional[str]] = mapped_column(String(32))
    response_code: Mapped[Optional[int]] = mapped_column(Integer)
    last_error: Mapped[Optional[str]] = mapped_column(String(300))
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    webhook: Mapped[ChatWebhook] = relationship()


class SlackAccount(db.Model):
    """A Slack user (in one workspace) linked by its owner to their Storyboard person."""

    __tablename__ = "slack_accounts"
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_slack_accounts_team_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    user_name: Mapped[str] = mapped_column(String(120), default="")
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    person: Mapped[Person] = relationship()


class SlackRequestSeen(db.Model):
    """A signed Slack request already acted on: the same signature again is a replay. Rows older
    than the five minutes a timestamp is accepted for are pruned (the timestamp refuses them)."""

    __tablename__ = "slack_requests_seen"

    signature: Mapped[str] = mapped_column(String(80), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
