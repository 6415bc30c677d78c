"""Personal feed tokens: made, replaced and revoked by their owner, and checked by the feeds.

A token is 32 random bytes (secrets), URL-safe, with a prefix that says what it is (so a
secret scanner or a colleague who finds one in a paste knows what leaked). Only its SHA-256
digest is stored: the token is shown once, when it is made, in the feed URLs.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update

from storyboard import audit
from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import FeedToken, Person

PREFIX = "sbf_"
# Longer than any token we make; a longer path segment is not looked up (nor hashed).
MAX_TOKEN_LENGTH = 64
# "Last used" is written at most this often: a feed reader polling every minute would
# otherwise write a row on every fetch.
LAST_USED_PRECISION = timedelta(minutes=5)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_of(person: Person) -> FeedToken | None:
    return db.session.scalar(select(FeedToken).where(FeedToken.person_id == person.id))


def issue(person: Person) -> str:
    """Make `person` a new token, replacing any they had (whose URLs stop working), and return
    it: the only time it exists outside the reader's URLs. The caller commits."""
    token = PREFIX + secrets.token_urlsafe(32)
    existing = token_of(person)
    action = "feed_token.rotate" if existing is not None else "feed_token.create"
    if existing is None:
        db.session.add(FeedToken(person_id=person.id, digest=digest_of(token)))
    else:
        existing.digest, existing.created_at, existing.last_used_at = digest_of(token), utcnow(), None
    # The security trail, not the token: nothing recorded opens a feed.
    audit.record(person, action, "person", person.id)
    return token


def revoke(person: Person) -> bool:
    """Delete `person`'s token; True if they had one. The caller commits."""
    removed = db.session.execute(delete(FeedToken).where(FeedToken.person_id == person.id)).rowcount
    if removed:
        audit.record(person, "feed_token.revoke", "person", person.id)
    return bool(removed)


def forget_leavers(actor: Person | None, person_ids: list[int], **_) -> None:
    """People who leave (deactivated, imported as gone, or by SCIM) lose their token for good:
    should they come back, they make new URLs rather than find the old ones working again."""
    db.session.execute(delete(FeedToken).where(FeedToken.person_id.in_(person_ids)))


def holder(token: str) -> Person | None:
    """The active person whose token this is, noting when it was used; None for any other
    string (unknown, replaced, revoked, or its owner deactivated). The caller commits."""
    if not token.startswith(PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = db.session.execute(
        select(FeedToken, Person).join(Person, Person.id == FeedToken.person_id)
        .where(FeedToken.digest == digest_of(token), Person.active)
    ).first()
    if row is None:
        return None
    found, person = row
    now = utcnow()
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_PRECISION:
        # An UPDATE, not an ORM change: the feed reads nothing back from the row.
        db.session.execute(update(FeedToken).where(FeedToken.id == found.id).values(last_used_at=now))
    return person
