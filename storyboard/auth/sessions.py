"""Sign-ins kept on the server: a session ends when its row is deleted, whatever the cookie says.

Why rows rather than a per-person generation number: signing out on one browser should not
sign the person out everywhere else, a stolen cookie must die with the session it came from,
and idle time is per browser. The cookie (and the "keep me signed in" cookie) carry a random
token; the database keeps only its SHA-256. Each sign-in has an idle timeout and an absolute
lifetime; "keep me signed in" uses the longer pair.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import Connection, Select, bindparam, delete, select, update
from sqlalchemy.exc import OperationalError

from storyboard.clock import utcnow
from storyboard.db_helpers import SQLITE_BUSY_TIMEOUT_MS
from storyboard.extensions import db
from storyboard.models import Notification, Person, SignIn

log = logging.getLogger(__name__)
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 64  # token_urlsafe(32) is 43 characters; anything much longer is not ours
TOUCH_LOCK_WAIT_MS = 100


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _limits(remember: bool) -> tuple[timedelta, timedelta]:
    """(idle timeout, absolute lifetime) for a sign-in."""
    config = current_app.config
    if remember:
        return (timedelta(seconds=config["REMEMBERED_SESSION_IDLE_TIMEOUT"]),
                timedelta(seconds=config["REMEMBER_COOKIE_DURATION"]))
    return (timedelta(seconds=config["SESSION_IDLE_TIMEOUT"]),
            timedelta(seconds=config["SESSION_LIFETIME"]))


def is_expired(sign_in: SignIn, now: datetime) -> bool:
    """Idle too long, or older than its absolute lifetime."""
    idle, lifetime = _limits(sign_in.remember)
    return now - sign_in.last_seen_at > idle or now - sign_in.created_at > lifetime


def start(person: Person, remember: bool = False) -> str:
    """Record a new sign-in for `person` and return its token (also set on `person` for
    Flask-Login). The caller commits. Expired sign-ins of the person are cleared on the way."""
    now = utcnow()
    _forget_expired(person, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(SignIn(person_id=person.id, token_hash=_digest(token), remember=remember,
                          created_at=now, last_seen_at=now))
    person.session_token = token
    return token


def end(token: str | None) -> None:
    """End one sign-in (signing out). The caller commits."""
    if token:
        db.session.execute(delete(SignIn).where(SignIn.token_hash == _digest(token)))


def end_all(person: Person, keep: str | None = None) -> None:
    """End every sign-in of `person`, except the one with token `keep`. The caller commits.

    Used when a password changes, someone is deactivated or reactivated, or erased."""
    statement = delete(SignIn).where(SignIn.person_id == person.id)
    if keep:
        statement = statement.where(SignIn.token_hash != _digest(keep))
    db.session.execute(statement)


def load_person(token: str) -> Person | None:
    """Flask-Login's loader: the active person whose live sign-in has this token, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = db.session.execute(_signed_in(), {"token_hash": _digest(token)}).first()
    if row is None:
        return None
    person, sign_in, person.unread_notifications = row
    now = utcnow()
    if not person.active or is_expired(sign_in, now):
        return None
    _touch(sign_in, now)
    person.session_token = token
    return person


@cache
def _signed_in() -> Select:
    """The person, their sign-in and their unread count, in one query, built once: every page
    asks it, and building the statement anew cost more than the database took to answer it."""
    unread = Notification.unread_count_of(Person.id).scalar_subquery()
    return (
        select(Person, SignIn, unread)
        .join(SignIn, SignIn.person_id == Person.id)
        .where(SignIn.token_hash == bindparam("token_hash"))
    )


def _touch(sign_in: SignIn, now: datetime) -> None:
    """Move the idle clock on, at most once a minute, outside the request's own transaction.

    A separate short transaction, so a page that writes nothing still keeps its session alive
    and the request's work is neither committed early nor expired from the session. Best
    effort: while another writer holds the lock (a digest claim, an import, a restore), the
    page is served anyway and the clock moves on at the next request.
    """
    if now - sign_in.last_seen_at < timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"]):
        return
    try:
        with db.engine.begin() as connection:
            with _short_lock_wait(connection):
                connection.execute(update(SignIn).where(SignIn.id == sign_in.id).values(last_seen_at=now))
    except OperationalError:
        log.info("Sign-in %s not touched: the database is busy", sign_in.id)


@contextmanager
def _short_lock_wait(connection: Connection):
    """Wait at most TOUCH_LOCK_WAIT_MS for locks on this connection, then the usual time again."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={TOUCH_LOCK_WAIT_MS}")
    else:
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {TOUCH_LOCK_WAIT_MS}")
    try:
        yield
    finally:
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def _forget_expired(person: Person, now: datetime) -> None:
    """Delete the person's sign-ins that can no longer be used, so the table does not grow."""
    rows = db.session.scalars(select(SignIn).where(SignIn.person_id == person.id))
    expired = [sign_in.id for sign_in in rows if is_expired(sign_in, now)]
    if expired:
        db.session.execute(delete(SignIn).where(SignIn.id.in_(expired)))
