"""Outgoing webhooks: what admins manage, and the deliveries events leave behind.

A delivery row is written in the transaction of the change that caused it (a story published,
an issue cut), one per active webhook that wants the event; the unique (webhook, event, key)
makes a second announcement of the same event (a story archived and restored) a no-op. After
the commit, with REDIS_URL set, an RQ job per new delivery sends it; without Redis,
`flask chat deliver` (from cron) sends what is due. A rolled-back change leaves nothing to send.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from sqlalchemy import event, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storyboard import audit
from storyboard.extensions import db
from storyboard.models import ChatDelivery, ChatDeliveryStatus, ChatEvent, ChatWebhook, Person

log = logging.getLogger(__name__)
NEW_DELIVERIES = "storyboard.chat_deliveries"  # session.info key: ids written in this transaction
EVENT_COLUMNS = {ChatEvent.STORY_PUBLISHED: ChatWebhook.on_story_published,
                 ChatEvent.DIGEST_ISSUE: ChatWebhook.on_digest_issue}
# By name: the job builds its own app (storyboard/worker.py), which no feature may import.
WORKER_JOB = "storyboard.worker.deliver_chat_message"


@dataclass(frozen=True)
class WebhookFields:
    """What the admin's form holds, validated."""

    name: str
    url: str
    format: str
    on_story_published: bool
    on_digest_issue: bool


def new_secret() -> str:
    return secrets.token_hex(32)


def create_webhook(actor: Person, fields: WebhookFields) -> ChatWebhook:
    webhook = ChatWebhook(secret=new_secret(), created_by_id=actor.id)
    _apply(webhook, fields)
    db.session.add(webhook)
    db.session.flush()
    audit.record(actor, "chat.webhook_created", "chat_webhook", webhook.id, after=_described(webhook))
    return webhook


def update_webhook(actor: Person, webhook: ChatWebhook, fields: WebhookFields) -> None:
    before = _described(webhook)
    _apply(webhook, fields)
    audit.record(actor, "chat.webhook_changed", "chat_webhook", webhook.id, before=before, after=_described(webhook))


def delete_webhook(actor: Person, webhook: ChatWebhook) -> None:
    audit.record(actor, "chat.webhook_deleted", "chat_webhook", webhook.id, before=_described(webhook))
    db.session.delete(webhook)


def enable_webhook(actor: Person, webhook: ChatWebhook) -> None:
    """Back on after it was disabled: failures counted from zero again."""
    webhook.disabled_at = None
    webhook.consecutive_failures = 0
    audit.record(actor, "chat.webhook_enabled", "chat_webhook", webhook.id)


def rotate_secret(actor: Person, webhook: ChatWebhook) -> None:
    webhook.secret = new_secret()
    audit.record(actor, "chat.webhook_secret_changed", "chat_webhook", webhook.id)


def _apply(webhook: ChatWebhook, fields: WebhookFields) -> None:
    webhook.name, webhook.url, webhook.format = fields.name, fields.url, fields.format
    webhook.on_story_published, webhook.on_digest_issue = fields.on_story_published, fields.on_digest_issue


def _described(webhook: ChatWebhook) -> dict:
    # The signing secret stays out of the audit log, which keeps entries for good: a secret
    # there would outlive its replacement. So does the address past its host: a Slack or Teams
    # webhook address is itself a credential. Its fingerprint still tells a change apart.
    return {"name": webhook.name, "url": url_summary(webhook.url), "url_fingerprint": url_fingerprint(webhook.url),
            "format": webhook.format, "events": [event_.value for event_ in webhook.events]}


def url_summary(url: str) -> str:
    """Scheme and host of a webhook address, without its path and query (the credential)."""
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return "(not a web address)"


def url_fingerprint(url: str) -> str:
    return "sha256:" + hashlib.sha256(url.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Status:
    kind: str  # healthy, failing, disabled
    label: str
    detail: str


def status_of(webhook: ChatWebhook, next_retry: datetime | None) -> Status:
    """What the admin page says about a webhook: healthy, failing (how often, the last error,
    when it tries again) or disabled (since when, why)."""
    if webhook.disabled_at is not None:
        return Status("disabled", "Disabled", f"After {webhook.consecutive_failures} failed posts in a row. "
                                              f"Last error: {webhook.last_error or 'none recorded'}.")
    if webhook.consecutive_failures:
        retry = f" Next try {next_retry:%Y-%m-%d %H:%M} UTC." if next_retry else ""
        return Status("failing", f"Failing ({webhook.consecutive_failures} in a row)",
                      f"Last error: {webhook.last_error}.{retry}")
    if webhook.last_success_at is not None:
        return Status("healthy", "Healthy", f"Last delivered {webhook.last_success_at:%Y-%m-%d %H:%M} UTC.")
    return Status("healthy", "Healthy", "Nothing sent yet.")


def next_retries() -> dict[int, datetime]:
    """Each webhook's next pending delivery time."""
    rows = db.session.execute(
        select(ChatDelivery.webhook_id, func.min(ChatDelivery.next_attempt_at))
        .where(ChatDelivery.status == ChatDeliveryStatus.PENDING.value).group_by(ChatDelivery.webhook_id)
    )
    return dict(rows.all())


def recent_deliveries(webhook: ChatWebhook, limit: int = 20) -> list[ChatDelivery]:
    return list(db.session.scalars(
        select(ChatDelivery).where(ChatDelivery.webhook_id == webhook.id)
        .order_by(ChatDelivery.created_at.desc(), ChatDelivery.id.desc()).limit(limit)
    ))


# Events.


def queue_event(event_: ChatEvent, key: str, *, story_id: int | None = None, issue_id: int | None = None) -> list[int]:
    """One pending delivery per active webhook that wants the event, unless it already has one
    for this key; the ids are sent once the transaction commits."""
    webhook_ids = db.session.scalars(select(ChatWebhook.id).where(
        ChatWebhook.disabled_at.is_(None), EVENT_COLUMNS[event_].is_(True)))
    added = [delivery_id for webhook_id in webhook_ids
             if (delivery_id := _insert_delivery(webhook_id, event_, key, story_id, issue_id)) is not None]
    db.session().info.setdefault(NEW_DELIVERIES, []).extend(added)
    return added


def _insert_delivery(webhook_id: int, event_: ChatEvent, key: str, story_id: int | None,
                     issue_id: int | None) -> int | None:
    """Insert unless (webhook, event, key) exists: concurrent announcements cannot both insert."""
    module = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(ChatDelivery).values(
        webhook_id=webhook_id, event=event_.value, event_key=key, story_id=story_id, issue_id=issue_id,
        uuid=str(uuid.uuid4()),
    ).on_conflict_do_nothing().returning(ChatDelivery.id)
    return db.session.execute(statement).scalar()


def cancel_pending(webhook_id: int, reason: str) -> int:
    return db.session.execute(
        update(ChatDelivery)
        .where(ChatDelivery.webhook_id == webhook_id, ChatDelivery.status == ChatDeliveryStatus.PENDING.value)
        .values(status=ChatDeliveryStatus.CANCELLED.value, last_error=reason)
        .execution_options(synchronize_session=False)
    ).rowcount


def retry_delay(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed try a delivery is tried again: doubling from
    CHAT_RETRY_BASE_SECONDS, capped at CHAT_RETRY_MAX_SECONDS."""
    config = current_app.config
    seconds = config["CHAT_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["CHAT_RETRY_MAX_SECONDS"]))


def enqueue(delivery_ids: list[int | None]) -> int:
    """An RQ job per delivery (None: the job sends whichever delivery is due first)."""
    from redis import Redis
    from rq import Queue

    config = current_app.config
    queue = Queue(config["CHAT_QUEUE"], connection=Redis.from_url(config["REDIS_URL"]))
    timeout = int(config["CHAT_WEBHOOK_TIMEOUT_SECONDS"]) * 3 + 30
    for delivery_id in delivery_ids:
        queue.enqueue(WORKER_JOB, delivery_id, job_timeout=timeout, result_ttl=86_400, failure_ttl=7 * 86_400)
    return len(delivery_ids)


def waiting_jobs() -> int:
    from redis import Redis
    from rq import Queue

    config = current_app.config
    return Queue(config["CHAT_QUEUE"], connection=Redis.from_url(config["REDIS_URL"])).count


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    added = session.info.pop(NEW_DELIVERIES, None)
    if not added or not has_app_context() or not current_app.config.get("REDIS_URL"):
        return  # without Redis, `flask chat deliver` sends them
    try:
        enqueue(added)
    except Exception:  # noqa: BLE001 - Redis down: the change is committed; `chat deliver` catches up
        log.exception("Could not queue %d chat deliveries", len(added))


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(NEW_DELIVERIES, None)
