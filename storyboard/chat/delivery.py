"""Sending one delivery: claim it, build its message, sign it, post it, record what happened.

A delivery is claimed in the database before it is posted (a conditional UPDATE with a lease),
so two workers, or a job and `flask chat deliver`, never post it twice at once; a sender that
dies mid-post leaves a lease that runs out, and the delivery is picked up again.

Each request is signed: `X-Storyboard-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<body>" with the webhook's secret>`, with `X-Storyboard-Event` and `X-Storyboard-Delivery`
(the same id on every retry, so a receiver can drop what it already has).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from urllib.parse import urlsplit

import requests
from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from storyboard import audit
from storyboard.chat import addresses, payloads, transport
from storyboard.chat.webhooks import cancel_pending, enqueue, retry_delay, waiting_jobs
from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import ChatDelivery, ChatDeliveryStatus, ChatEvent, ChatWebhook
from storyboard.text import shorten

log = logging.getLogger(__name__)
D = ChatDeliveryStatus
USER_AGENT = "Storyboard-Webhooks/1"
ERROR_MAX = 300


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _due(now: datetime):
    return or_(
        and_(ChatDelivery.status == D.PENDING.value, ChatDelivery.next_attempt_at <= now),
        and_(ChatDelivery.status == D.SENDING.value, ChatDelivery.lease_until < now),
    )


def due_count(now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(ChatDelivery).where(_due(now))) or 0


def claim(delivery_id: int | None, now: datetime) -> tuple[int, str] | None:
    """Claim the delivery (or, with None, the first one due) if it is due; (id, token) or None."""
    lease = timedelta(seconds=int(current_app.config["CHAT_WEBHOOK_TIMEOUT_SECONDS"]) * 3 + 30)
    for _ in range(5):  # with None, another sender may take the first due one between look and claim
        target = delivery_id if delivery_id is not None else db.session.scalar(
            select(ChatDelivery.id).where(_due(now)).order_by(ChatDelivery.next_attempt_at, ChatDelivery.id).limit(1))
        if target is None:
            return None
        token = secrets.token_hex(16)
        claimed = db.session.execute(
            update(ChatDelivery).where(ChatDelivery.id == target, _due(now))
            .values(status=D.SENDING.value, lease_until=now + lease, claim_token=token)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if claimed == 1:
            return target, token
        if delivery_id is not None:
            return None
    return None


@dataclass
class Outcome:
    ok: bool
    code: int | None = None
    error: str | None = None


def post(webhook: ChatWebhook, event_: str, delivery_uuid: str, body: bytes) -> Outcome:
    """Post the signed body; any 2xx is delivered. Redirects are not followed: a webhook that
    moved is an error the admin should see (and fix), not a hop to wherever it points. The
    receiver's answer is never read or kept: only its status code (a webhook pointed at an
    internal service must not become a way to read it)."""
    timeout = float(current_app.config["CHAT_WEBHOOK_TIMEOUT_SECONDS"])
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Storyboard-Event": event_,
        "X-Storyboard-Delivery": delivery_uuid,
        "X-Storyboard-Signature": signature_header(webhook.secret, body, int(time.time())),
    }
    try:
        parts = urlsplit(webhook.url)
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        code = transport.post(webhook.url, parts.hostname or "", port, body, headers, timeout,
                              deadline=timeout * 2)  # well inside the lease (3 x timeout + 30 s)
    except addresses.Refused as refused:
        return Outcome(False, None, shorten(f"Not sent: {refused}", ERROR_MAX))
    except (requests.Timeout, transport.DeadlinePassed):
        return Outcome(False, None, f"No answer within {timeout:g} seconds")
    except requests.ConnectionError as error:
        return Outcome(False, None, shorten(f"Could not connect: {_reason(error)}", ERROR_MAX))
    except requests.RequestException as error:
        return Outcome(False, None, shorten(f"The request failed: {_reason(error)}", ERROR_MAX))
    except (OSError, UnicodeError, ValueError) as error:  # the name does not resolve, or no address at all
        return Outcome(False, None, shorten(f"Could not connect: {error}", ERROR_MAX))
    if 200 <= code < 300:
        return Outcome(True, code)
    return Outcome(False, code, f"The receiver answered {code}{_phrase(code)}")


def _phrase(code: int) -> str:
    # The standard phrase, not the receiver's own: what it says is not shown anywhere.
    try:
        return f" ({HTTPStatus(code).phrase})"
    except ValueError:
        return ""


def _reason(error: Exception) -> str:
    # requests nests urllib3's reason inside its own text; its last part says what happened.
    return str(error).rsplit(": ", 1)[-1].strip(" ')\"") or type(error).__name__


def body_for(delivery: ChatDelivery) -> bytes | None:
    message = payloads.message_for(delivery.event, delivery.story_id, delivery.issue_id, delivery.webhook.name)
    if message is None:
        return None
    content = payloads.payload(message, delivery.webhook.format, delivery.uuid)
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def send(delivery_id: int | None = None, now: datetime | None = None) -> str | None:
    """Claim and send one delivery (or the first due); its new status, or None if none was due."""
    now = now or utcnow()
    claimed = claim(delivery_id, now)
    if claimed is None:
        return None
    delivery = db.session.get(ChatDelivery, claimed[0])
    webhook = delivery.webhook
    if webhook.disabled_at is not None and delivery.event != ChatEvent.TEST:  # an admin may test it first
        return _finish(delivery, claimed[1], D.CANCELLED, error="The webhook is disabled.")
    body = body_for(delivery)
    if body is None:
        return _finish(delivery, claimed[1], D.CANCELLED, error="Nothing to announce any more (not published).")
    db.session.commit()  # no transaction held open during the post
    outcome = post(webhook, delivery.event, delivery.uuid, body)
    return record(delivery, claimed[1], outcome, utcnow() if now is None else now)


def _finish(delivery: ChatDelivery, token: str, status: ChatDeliveryStatus, error: str | None) -> str:
    db.session.execute(
        update(ChatDelivery).where(ChatDelivery.id == delivery.id, ChatDelivery.claim_token == token)
        .values(status=status.value, last_error=error, lease_until=None, claim_token=None)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return status.value


def record(delivery: ChatDelivery, token: str, outcome: Outcome, now: datetime) -> str | None:
    """Store the post's result, if the claim is still ours, and the webhook's health with it."""
    config = current_app.config
    attempts = delivery.attempts + 1
    is_test = delivery.event == ChatEvent.TEST
    if outcome.ok:
        status, values = D.SENT, {"sent_at": now, "last_error": None}
    elif is_test or attempts >= config["CHAT_MAX_ATTEMPTS"]:
        status, values = D.FAILED, {"last_error": outcome.error}
    else:
        status, values = D.PENDING, {"last_error": outcome.error, "next_attempt_at": now + retry_delay(attempts)}
    kept = db.session.execute(
        update(ChatDelivery).where(ChatDelivery.id == delivery.id, ChatDelivery.claim_token == token)
        .values(status=status.value, attempts=attempts, response_code=outcome.code, lease_until=None,
                claim_token=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if kept != 1:  # our lease ran out and another sender took over: its result stands
        db.session.rollback()
        return None
    # A test from the admin page says how it went there, and never disables the webhook.
    if not is_test and _count(delivery.webhook_id, outcome, now):
        status = D.CANCELLED  # this one too: nothing more goes to a disabled webhook
    db.session.commit()
    return status.value


def _count(webhook_id: int, outcome: Outcome, now: datetime) -> bool:
    """Keep the webhook's run of failures; True if this failure disabled it."""
    if outcome.ok:
        db.session.execute(update(ChatWebhook).where(ChatWebhook.id == webhook_id)
                           .values(consecutive_failures=0, last_success_at=now)
                           .execution_options(synchronize_session=False))
        return False
    db.session.execute(update(ChatWebhook).where(ChatWebhook.id == webhook_id).values(
        consecutive_failures=ChatWebhook.consecutive_failures + 1, last_error=outcome.error, last_failure_at=now,
    ).execution_options(synchronize_session=False))
    limit = current_app.config["CHAT_DISABLE_AFTER_FAILURES"]
    disabled = db.session.execute(
        update(ChatWebhook).where(ChatWebhook.id == webhook_id, ChatWebhook.disabled_at.is_(None),
                                  ChatWebhook.consecutive_failures >= limit)
        .values(disabled_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if disabled:
        cancel_pending(webhook_id, f"Cancelled: the webhook was disabled after {limit} failures in a row.")
        audit.record(None, "chat.webhook_disabled", "chat_webhook", webhook_id,
                     note=f"{limit} failed posts in a row; last: {outcome.error}")
        log.warning("Chat webhook %s disabled after %d failures in a row: %s", webhook_id, limit, outcome.error)
    return bool(disabled)


def deliver_due(now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """`flask chat deliver`: with REDIS_URL, top the queue up to one job per due delivery (jobs
    still waiting count); without, send each due delivery here. Returns counts."""
    now = now or utcnow()
    if current_app.config.get("REDIS_URL"):
        wanted = min(due_count(now), limit)
        return {"enqueued": enqueue([None] * max(wanted - waiting_jobs(), 0))}
    counts: dict[str, int] = {}
    for _ in range(limit):
        status = send(None, now)
        if status is None:
            break
        counts[status] = counts.get(status, 0) + 1
    return counts
