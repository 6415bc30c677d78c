"""Claiming deliveries and sending them: one SMTP connection per batch, each result recorded.

A claim marks a batch `sending` with a lease and a token, and commits before any mail goes.
Each result is committed as soon as the server answers, and only by the claim's holder (its
token still on the row). A sender that crashes after the server accepted a message but before
the commit leaves the row `sending`; once the lease runs out another sender claims it and sends
it again with the same Message-ID (an HMAC of issue and person), so mail systems and clients
see one message. That is the one duplicate the design allows, and it is the least bad one.
"""
from __future__ import annotations

import random
import secrets
import smtplib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Connection

from storyboard import mail
from storyboard.clock import utcnow
from storyboard.db_helpers import begin_immediate
from storyboard.digest.email import DigestContent, build_digest_message, one_line
from storyboard.digest.subscriptions import frequencies_for
from storyboard.extensions import db
from storyboard.models import DeliveryStatus, DigestDelivery, DigestIssue, Person

D = DigestDelivery
SENT, TEMPORARY, PERMANENT = "sent", "temporary", "permanent"


class Clock:
    """Now, or a pretend now (`--now`) that still moves on, so leases stay honest in long runs."""

    def __init__(self, now: datetime | None = None) -> None:
        self._offset = (now - utcnow()) if now is not None else timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self._offset


@dataclass(frozen=True, order=True)
class Claim:
    delivery_id: int
    person_id: int
    attempts: int  # counting this one
    token: str
    lease_until: datetime


@dataclass(frozen=True)
class Outcome:
    kind: str  # SENT, TEMPORARY or PERMANENT
    code: int | None = None
    error: str | None = None


@dataclass
class BatchReport:
    """What one batch did: results by delivery status, and SMTP sessions opened."""

    statuses: Counter = field(default_factory=Counter)
    sessions: int = 0

    def add(self, other: BatchReport) -> None:
        self.statuses.update(other.statuses)
        self.sessions += other.sessions


def claim_batch(issue_id: int, clock: Clock, size: int | None = None) -> list[Claim]:
    """Claim up to `size` due deliveries of one issue for this sender, and commit the claim.

    Due: pending and past next_attempt_at, or claimed by a sender whose lease ran out.
    PostgreSQL skips rows another sender is claiming (FOR UPDATE SKIP LOCKED); SQLite claims
    inside BEGIN IMMEDIATE, one claimer at a time.
    """
    config = current_app.config
    size = size or config["DIGEST_BATCH_SIZE"]
    db.session.commit()  # a claim must start its own transaction
    begin_immediate()
    now = clock()
    lease_until = now + timedelta(seconds=config["DIGEST_CLAIM_LEASE_SECONDS"])
    token = secrets.token_hex(16)
    due = due_deliveries(issue_id, now).order_by(D.id).limit(size).with_for_update(skip_locked=True)
    rows = db.session.execute(
        update(D)
        .where(D.id.in_(due.scalar_subquery()))
        .values(status=DeliveryStatus.SENDING.value, attempts=D.attempts + 1,
                lease_until=lease_until, claim_token=token)
        .returning(D.id, D.person_id, D.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(Claim(row.id, row.person_id, row.attempts, token, lease_until) for row in rows)


def due_deliveries(issue_id: int, now: datetime):
    """Ids of the issue's deliveries a sender may claim at `now`."""
    return select(D.id).where(
        D.issue_id == issue_id,
        or_(
            and_(D.status == DeliveryStatus.PENDING.value, D.next_attempt_at <= now),
            and_(D.status == DeliveryStatus.SENDING.value, D.lease_until < now),
        ),
    )


@dataclass(frozen=True)
class Recipient:
    """What sending reads of a person, as plain values: commits then have no ORM objects to
    expire, which at one commit per message was most of the cost of recording results."""

    id: int
    email: str
    active: bool
    digest_frequency: str
    bounce_score: int


def send_claims(issue: DigestIssue, claims: list[Claim], content: DigestContent | None,
                clock: Clock) -> BatchReport:
    """Send a claimed batch over one SMTP connection, recording each result as it comes."""
    report = BatchReport()
    if not claims:
        return report
    columns = (Person.id, Person.email, Person.active, Person.digest_frequency, Person.bounce_score)
    people = {row.id: Recipient(*row) for row in db.session.execute(
        select(*columns).where(Person.id.in_([claim.person_id for claim in claims]))
    )}
    wanted = frequencies_for(issue.monthly)
    db.session.commit()  # results are written on their own connections, one commit each
    limit = current_app.config["DIGEST_BOUNCE_LIMIT"]
    # Stop before the lease runs out with a slow server: leave time for one more timeout.
    margin = timedelta(seconds=2 * current_app.config["MAIL_TIMEOUT"])
    transport = _Transport()
    try:
        for index, claim in enumerate(claims):
            person = people.get(claim.person_id)
            if content is None or person is None or not person.active \
                    or person.digest_frequency not in wanted or person.bounce_score >= limit:
                with db.engine.begin() as connection:
                    _finish(connection, claim, DeliveryStatus.CANCELLED, clock(),
                            error="No longer wanted when it was due.")
                report.statuses[DeliveryStatus.CANCELLED.value] += 1
                continue
            if clock() + margin > claim.lease_until:
                release(claims[index:])
                break
            outcome = transport.deliver(build_digest_message(content, person))
            status = record(claim, outcome, person, clock())
            report.statuses[status.value] += 1
    finally:
        report.sessions = transport.close()
    return report


def record(claim: Claim, outcome: Outcome, person: Recipient, now: datetime) -> DeliveryStatus:
    """Write one delivery's result and commit; a bounce raises the person's bounce score."""
    if outcome.kind == SENT:
        status = DeliveryStatus.SENT
    elif outcome.kind == PERMANENT:
        status = DeliveryStatus.BOUNCED
    elif claim.attempts >= current_app.config["DIGEST_MAX_ATTEMPTS"]:
        status = DeliveryStatus.FAILED
    else:
        status = DeliveryStatus.PENDING
    retry_at = now + retry_delay(claim.attempts) if status == DeliveryStatus.PENDING else None
    with db.engine.begin() as connection:
        ours = _finish(connection, claim, status, now, code=outcome.code, error=outcome.error,
                       retry_at=retry_at)
        if ours and status == DeliveryStatus.BOUNCED:
            _set_bounce_score(connection, person.id, Person.bounce_score + 1)
        elif ours and status == DeliveryStatus.SENT and person.bounce_score:
            _set_bounce_score(connection, person.id, 0)  # a mailbox that accepts mail again starts afresh
    return status


def release(claims: list[Claim]) -> None:
    """Hand unsent claims back, due at once, without counting the attempt."""
    with db.engine.begin() as connection:
        for claim in claims:
            connection.execute(
                _claimed(claim).values(status=DeliveryStatus.PENDING.value, attempts=D.attempts - 1,
                                       lease_until=None, claim_token=None)
            )


def retry_delay(attempts: int, rng: Callable[[float, float], float] = random.uniform) -> timedelta:
    """Exponential backoff with equal jitter: half the doubled delay, plus up to as much again."""
    config = current_app.config
    ceiling = min(config["DIGEST_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0),
                  config["DIGEST_RETRY_MAX_SECONDS"])
    return timedelta(seconds=ceiling / 2 + rng(0, ceiling / 2))


def _claimed(claim: Claim):
    """An UPDATE of the claim's row that does nothing if another sender has taken it over."""
    return update(D).where(D.id == claim.delivery_id, D.claim_token == claim.token,
                           D.status == DeliveryStatus.SENDING.value)


def _finish(connection: Connection, claim: Claim, status: DeliveryStatus, now: datetime, *,
            code: int | None = None, error: str | None = None, retry_at: datetime | None = None) -> bool:
    """Write the result if the claim is still ours; True if it was."""
    values = {"status": status.value, "lease_until": None, "claim_token": None, "smtp_code": code,
              "last_error": one_line(error)[:300] if error else None}
    if status == DeliveryStatus.SENT:
        values["sent_at"] = now
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    return connection.execute(_claimed(claim).values(**values)).rowcount > 0


def _set_bounce_score(connection: Connection, person_id: int, value) -> None:
    connection.execute(update(Person).where(Person.id == person_id).values(bounce_score=value))


class _Transport:
    """One SMTP connection for the batch, opened on first use and again only if it drops."""

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None
        self._sessions = 0
        self._unreachable: str | None = None
        self._outbox = None if current_app.config.get("MAIL_SERVER") else Path(current_app.config["OUTBOX_DIR"])

    def deliver(self, message: EmailMessage) -> Outcome:
        if self._outbox is not None:
            mail.write_to_outbox([message], self._outbox)
            return Outcome(SENT)
        if self._unreachable:  # do not wait out a timeout per message on a dead server
            return Outcome(TEMPORARY, error=self._unreachable)
        try:
            if self._smtp is None:
                self._smtp = mail.connect()
                self._sessions += 1
        except (smtplib.SMTPException, OSError) as error:
            self._unreachable = f"Could not reach the mail server: {error}"
            return Outcome(TEMPORARY, error=self._unreachable)
        try:
            self._smtp.send_message(message)
            return Outcome(SENT, 250)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            return self._answer(code, reply)
        except smtplib.SMTPResponseException as error:
            return self._answer(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPException, OSError) as error:
            # A timeout or a dropped connection: the message may or may not have arrived, and
            # a retry reuses its Message-ID.
            self._drop()
            return Outcome(TEMPORARY, error=f"{type(error).__name__}: {error}")

    def _answer(self, code: int, reply) -> Outcome:
        if self._smtp is not None and self._smtp.sock is None:  # smtplib closes on 421
            self._smtp = None
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        kind = PERMANENT if 500 <= code < 600 else SENT if 200 <= code < 300 else TEMPORARY
        return Outcome(kind, code, f"{code} {text}")

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            except OSError:
                pass
        self._smtp = None

    def close(self) -> int:
        """Say QUIT if the connection still stands; returns the sessions opened."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._drop()
        self._smtp = None
        return self._sessions
