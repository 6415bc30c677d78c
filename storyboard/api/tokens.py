"""Personal access tokens: made, listed, revoked, and turned back into their owner.

A token is `sb_pat_` and 43 random URL-safe characters, shown once when it is made. The
database keeps its SHA-256 (a leaked copy of the table signs nobody in) and its first
characters, so people can tell their tokens apart on the tokens page.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from storyboard import audit
from storyboard.clock import utcnow
from storyboard.errors import NotFound, Refused
from storyboard.extensions import db
from storyboard.models import ApiToken, Person
from storyboard.models.api import TOKEN_SCOPES

log = logging.getLogger(__name__)
PREFIX = "sb_pat_"
VISIBLE = len(PREFIX) + 6  # "sb_pat_Xy3kQ9": enough to tell a handful of tokens apart
MAX_TOKEN_LENGTH = 100  # ours are 50 characters; a longer header is not worth hashing


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(person: Person, name: str, scope: str, expires_at: datetime | None) -> tuple[ApiToken, str]:
    """A new token for `person` and its secret, which is never available again. The caller commits."""
    if scope not in TOKEN_SCOPES:
        raise Refused("Choose read or write.")
    if live_count(person) >= current_app.config["API_TOKEN_MAX_PER_PERSON"]:
        raise Refused("You have as many tokens as you may hold. Revoke one you no longer use first.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(person_id=person.id, name=name, scope=scope, token_hash=digest(secret),
                     prefix=secret[:VISIBLE], expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    audit.record(person, "api_token.create", "api_token", token.id, after={"name": name, "scope": scope})
    return token, secret


def live_count(person: Person) -> int:
    return db.session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.person_id == person.id, ApiToken.revoked_at.is_(None))) or 0


def tokens_of(person: Person) -> list[ApiToken]:
    """The person's tokens, newest first, revoked ones included (they say when)."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.person_id == person.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke(person: Person, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens (someone else's is not found). The caller commits."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.person_id != person.id:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(person, "api_token.revoke", "api_token", token.id, before={"name": token.name})
    return token


def authenticate(header: str | None) -> tuple[ApiToken | None, str]:
    """The live token an `Authorization: Bearer ...` header carries, or None and why not."""
    scheme, _, secret = (header or "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return None, "Send a personal access token: Authorization: Bearer sb_pat_..."
    if len(secret) > MAX_TOKEN_LENGTH or not secret.startswith(PREFIX):
        return None, "That token is not valid."
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == digest(secret)).options(joinedload(ApiToken.person)))
    now = utcnow()
    if token is None:
        return None, "That token is not valid."
    if token.revoked_at is not None:
        return None, "That token was revoked."
    if token.expires_at is not None and now >= token.expires_at:
        return None, "That token has expired."
    if not token.person.active:
        return None, "That token's owner is no longer active."
    _touch(token, now)
    return token, ""


def _touch(token: ApiToken, now: datetime) -> None:
    """Record when a token was last used, at most once a minute, in its own short transaction
    (as sign-ins do, storyboard/auth/sessions.py): a read-only request writes nothing else, and
    a busy client does not turn every request into a write."""
    every = timedelta(seconds=current_app.config["API_TOKEN_LAST_USED_SECONDS"])
    if token.last_used_at is not None and now - token.last_used_at < every:
        return
    try:
        with db.engine.begin() as connection:
            connection.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    except OperationalError:
        log.info("API token %s not touched: the database is busy", token.id)
    # What the row now says, without making the request's own session write it again.
    set_committed_value(token, "last_used_at", now)
