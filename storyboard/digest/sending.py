"""Claiming deliveries and sending them: one SMTP connection per batch, each result recorded.

Each message is the issue's bytes, encoded once (message_template.DigestTemplate), with the
person's own parts put in, sent with smtplib as they are.

A claim marks a batch `sending` with a lease and a token, and commits before any mail goes.
Each result is committed as soon as the server answers, and only by the claim's holder (its
token still on the row). A sender that crashes after the server accepted a message but before
the commit leaves the row `sending`; once the lease runs out another sender claims it and sends
it again with the same Message-ID (an HMAC of issue and person), so mail systems and clients
see one message. That is the one duplicate the design allows, and it is the least bad one.

A long batch renews its lease as it goes, and never starts a message it could not finish
before the lease ends, so no two senders hold the same delivery. Leases compare each
process's clock: hosts that send must keep their clocks in step (NTP).
"""
from __future__ import annotations

import functools
import logging
import math
import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.engine import Connection

from storyboard.clock import utcnow
from storyboard.db_helpers import begin_immediate
from storyboard.digest.email import DigestContent, build_digest_message
from storyboard.digest.message_template import DigestTemplate
from storyboard.digest.subscriptions import frequencies_for
from storyboard.digest.transport import BOUNCE, DEFER, REFUSED, SENT, Outcome, Transport
from storyboard.extensions import db
from storyboard.models import DeliveryStatus, DigestDelivery, DigestIssue, Person
from storyboard.text import one_line

D = DigestDelivery
log = logging.getLogger("storyboard.digest")


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
            # A dead sender's claim, unless that was its last allowed attempt (see mark_stale).
            and_(D.status == DeliveryStatus.SENDING.value, D.lease_until < now,
                 D.attempts < current_app.config["DIGEST_MAX_ATTEMPTS"]),
        ),
    )


def batches_due(issue: DigestIssue, clock: Clock) -> int:
    """How many batches the issue's due deliveries fill."""
    due = db.session.scalar(select(func.count()).select_from(due_deliveries(issue.id, clock()).subquery()))
    return math.ceil(due / current_app.config["DIGEST_BATCH_SIZE"])


def message_margin() -> timedelta:
    """The longest one message can take: every SMTP step of a reconnect timing out."""
    return timedelta(seconds=8 * current_app.config["MAIL_TIMEOUT"])


def check_settings() -> None:
    """Refuse a lease too short to renew before a slow message could outlive it."""
    lease = timedelta(seconds=current_app.config["DIGEST_CLAIM_LEASE_SECONDS"])
    if lease / 2 <= message_margin():
        raise ValueError("DIGEST_CLAIM_LEASE_SECONDS must be more than 16 times MAIL_TIMEOUT.")


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
    """Send a claimed batch over one SMTP connection, recording each result as it comes.

    Whatever goes wrong, claims not yet tried are handed back before this returns or raises.
    """
    report = BatchReport()
    if not claims:
        return report
    columns = (Person.id, Person.email, Person.active, Person.digest_frequency, Person.bounce_score)
    people = {row.id: Recipient(*row) for row in db.session.execute(
        select(*columns).where(Person.id.in_([claim.person_id for claim in claims]))
    )}
    wanted = frequencies_for(issue.monthly)
    db.session.commit()  # results are written on the batch's own connection, below
    limit = current_app.config["DIGEST_BOUNCE_LIMIT"]
    lease = timedelta(seconds=current_app.config["DIGEST_CLAIM_LEASE_SECONDS"])
    transport = Transport()
    template = _template(content)
    untried = list(claims)
    try:
        with _results_connection() as results:
            while untried:
                now = clock()
                if untried[0].lease_until - now < lease / 2:
                    untried = renew(untried, now + lease, results)
                    if not untried:
                        break
                claim, person = untried[0], people.get(untried[0].person_id)
                if template is None or person is None or not person.active \
                        or person.digest_frequency not in wanted or person.bounce_score >= limit:
                    with _writing(results):
                        _finish(results, claim, DeliveryStatus.CANCELLED, now,
                                error="No longer wanted when it was due.")
                    report.statuses[DeliveryStatus.CANCELLED.value] += 1
                    untried.pop(0)
                    continue
                if claim.lease_until - now < message_margin():  # renewal failed to make room
                    break
                outcome = _deliver(transport, template, person, claim.delivery_id)
                if outcome.kind == DEFER:
                    defer(untried, clock(), outcome.error, results)
                    report.statuses["deferred"] += len(untried)
                    untried = []
                    break
                report.statuses[record(claim, outcome, person, clock(), results).value] += 1
                untried.pop(0)
    finally:
        report.sessions = transport.close()
        if untried:
            _hand_back(untried)
    return report


@contextmanager
def _results_connection() -> Iterator[Connection]:
    """One connection for the whole batch's results, kept rather than taken from the pool and
    reset for each message. Each result is still its own transaction, committed at once.

    On PostgreSQL its commits do not wait for the disk (synchronous_commit off, unless
    DIGEST_RESULT_SYNCHRONOUS_COMMIT): that wait was most of what recording a result cost. A
    commit is then seen by every other session at once and kept when the sender dies, so a
    killed sender resends no more than before (module docstring). Only a crash of the database
    server itself can lose the last fraction of a second of results (3 x wal_writer_delay at
    most, in order, never half a transaction); those rows are still `sending` when it comes
    back, and go again after their lease with the same Message-ID: the one duplicate the
    design allows. (Autocommit would save the BEGIN and COMMIT round trips too, but a result
    sent just before the sender dies would then still be committed, which is the tested
    crash's premise turned round: a result counts only once its sender says COMMIT.)"""
    with db.engine.connect() as connection:
        relaxed = (connection.dialect.name == "postgresql"
                   and not current_app.config["DIGEST_RESULT_SYNCHRONOUS_COMMIT"])
        if relaxed:
            connection.exec_driver_sql("SET synchronous_commit TO OFF")
            connection.commit()
        try:
            yield connection
        finally:
            if relaxed:  # back in the pool, it waits for the disk like every other connection
                _restore_synchronous_commit(connection)


def _restore_synchronous_commit(connection: Connection) -> None:
    try:
        connection.rollback()
        connection.exec_driver_sql("RESET synchronous_commit")
        connection.commit()
    except Exception:  # a connection that cannot say RESET is not one to reuse
        connection.invalidate()


@contextmanager
def _writing(connection: Connection | None) -> Iterator[Connection]:
    """A transaction on the batch's connection, or on a connection of its own."""
    if connection is not None:
        with connection.begin():
            yield connection
    else:
        with db.engine.begin() as own:
            yield own


# The last issue encoded, kept for the next batch: a tick sends all of an issue's batches with
# one rendering, and encoding it again for each batch of 250 was a tenth of a millisecond a message.
_last_template: list[tuple[DigestContent, tuple, DigestTemplate]] = []


def _template(content: DigestContent | None) -> DigestTemplate | None:
    """The issue encoded once; None sends nothing (every claim is cancelled)."""
    if content is None:
        return None
    config = current_app.config
    settings = (config["EXTERNAL_URL"], config["MAIL_DEFAULT_SENDER"], config["COMPANY_NAME"])
    if _last_template and _last_template[0][0] is content and _last_template[0][1] == settings:
        return _last_template[0][2]
    template = DigestTemplate(content)
    _last_template[:] = [(content, settings, template)]
    return template


def _deliver(transport: Transport, template: DigestTemplate, person: Recipient, delivery_id: int) -> Outcome:
    try:
        # An internationalised address goes through the email package, and smtplib then
        # negotiates SMTPUTF8; every other message is the issue's bytes with the person's parts.
        message = (template.render(person, delivery_id) if person.email.isascii()
                   else build_digest_message(template.content, person, delivery_id))
    except Exception as error:  # one bad address or value must not stop the batch
        log.exception("Could not build the digest for person %s", person.id)
        return Outcome(REFUSED, error=f"Could not build the message: {error}")
    return transport.deliver(message, template.sender, person.email)


def record(claim: Claim, outcome: Outcome, person: Recipient, now: datetime,
           connection: Connection | None = None) -> DeliveryStatus:
    """Write one delivery's result and commit; a bounce raises the person's bounce score."""
    if outcome.kind == SENT:
        status = DeliveryStatus.SENT
    elif outcome.kind == BOUNCE:
        status = DeliveryStatus.BOUNCED
    elif claim.attempts >= current_app.config["DIGEST_MAX_ATTEMPTS"]:
        status = DeliveryStatus.FAILED
    else:
        status = DeliveryStatus.PENDING
    retry_at = now + retry_delay(claim.attempts) if status == DeliveryStatus.PENDING else None
    with _writing(connection) as writer:
        ours = _finish(writer, claim, status, now, code=outcome.code, error=outcome.error, retry_at=retry_at)
        if ours and status == DeliveryStatus.BOUNCED:
            _set_bounce_score(writer, person.id, Person.bounce_score + 1)
        elif ours and status == DeliveryStatus.SENT and person.bounce_score:
            _set_bounce_score(writer, person.id, 0)  # a mailbox that accepts mail again starts afresh
    return status


def renew(claims: list[Claim], lease_until: datetime, connection: Connection | None = None) -> list[Claim]:
    """Extend the lease of the batch's untried claims; returns those still ours."""
    with _writing(connection) as writer:
        kept = set(writer.scalars(
            update(D)
            .where(D.id.in_([claim.delivery_id for claim in claims]), D.claim_token == claims[0].token,
                   D.status == DeliveryStatus.SENDING.value)
            .values(lease_until=lease_until)
            .returning(D.id)
        ))
    return [replace(claim, lease_until=lease_until) for claim in claims if claim.delivery_id in kept]


def release(claims: list[Claim]) -> None:
    """Hand unsent claims back, due at once, without counting the attempt."""
    defer(claims, None, None)


def defer(claims: list[Claim], until: datetime | None, error: str | None,
          connection: Connection | None = None) -> None:
    """Hand claims back without counting the attempt: due at once, or after a pause when the
    server is down (`until` is now; the pause is the first retry's)."""
    # Bandit B105 checked: a claim token is cleared here, no password is set.
    values = {"status": DeliveryStatus.PENDING.value, "attempts": D.attempts - 1,
              "lease_until": None, "claim_token": None}  # nosec B105
    if until is not None:
        values |= {"next_attempt_at": until + retry_delay(1), "last_error": one_line(error or "")[:300]}
    with _writing(connection) as writer:
        for claim in claims:
            writer.execute(_claimed(claim).values(**values))


def _hand_back(claims: list[Claim]) -> None:
    try:
        release(claims)
    except Exception:  # the database itself may be what failed; the leases cover it then
        log.exception("Could not hand back %d digest claims; they return when their lease ends", len(claims))


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
    statement = _finish_statement(status == DeliveryStatus.SENT, retry_at is not None)
    parameters = {"row_id": claim.delivery_id, "row_token": claim.token, "new_status": status.value,
                  "new_code": code, "new_error": one_line(error)[:300] if error else None,
                  "new_sent_at": now, "new_retry_at": retry_at}
    return connection.execute(statement, parameters).rowcount > 0


@functools.cache
def _finish_statement(sent: bool, retry: bool):
    """The UPDATE that records a result, built once: building and caching a new statement for
    every message cost SQLAlchemy more than the database took to run it."""
    values = {"status": bindparam("new_status"), "lease_until": None, "claim_token": None,  # nosec B105
              "smtp_code": bindparam("new_code", type_=D.smtp_code.type),
              "last_error": bindparam("new_error", type_=D.last_error.type)}
    if sent:
        values["sent_at"] = bindparam("new_sent_at", type_=D.sent_at.type)
    if retry:
        values["next_attempt_at"] = bindparam("new_retry_at", type_=D.next_attempt_at.type)
    return (
        update(D)
        .where(D.id == bindparam("row_id"), D.claim_token == bindparam("row_token"),
               D.status == DeliveryStatus.SENDING.value)
        .values(**values)
    )


def _set_bounce_score(connection: Connection, person_id: int, value) -> None:
    connection.execute(update(Person).where(Person.id == person_id).values(bounce_score=value))
