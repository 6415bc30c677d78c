"""Who wants which issue, cancelling what someone no longer wants, and the signed link with
which anyone leaves the digest without signing in."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from storyboard.audit import record
from storyboard.db_helpers import MAX_ID
from storyboard.extensions import db
from storyboard.models import DeliveryStatus, DigestDelivery, DigestIssue, Person
from storyboard.urls import external_url

FREQUENCIES = ("weekly", "monthly", "never")


def frequencies_for(monthly_issue: bool) -> tuple[str, ...]:
    """Which digest_frequency settings receive an issue."""
    return ("weekly", "monthly") if monthly_issue else ("weekly",)


def set_digest_frequency(person: Person, frequency: str, actor: Person | None = None) -> int:
    """Change how often the person gets the digest, cancelling what they no longer want.

    A change is audited (by `actor`, the person themselves unless said otherwise): the log is
    the only record of when someone unsubscribed, which the insights dashboard counts.
    The caller commits; returns how many unsent deliveries were cancelled.
    """
    before = person.digest_frequency
    person.digest_frequency = frequency
    # Not for someone who has left (an erasure closes their digest too): that is no reader
    # unsubscribing, and they did not do it themselves.
    if frequency != before and person.active:
        record(actor if actor is not None else person, "digest.frequency", "person", person.id,
               before={"digest_frequency": before}, after={"digest_frequency": frequency})
    return cancel_pending_for(person)


def cancel_pending_for(person: Person) -> int:
    """Cancel the person's unsent deliveries their digest frequency no longer asks for.

    The caller commits. Deliveries already claimed by a sender are past recall.
    """
    if person.active and person.digest_frequency == "weekly":
        return 0
    statement = update(DigestDelivery).where(
        DigestDelivery.person_id == person.id,
        DigestDelivery.status == DeliveryStatus.PENDING.value,
    )
    if person.active and person.digest_frequency == "monthly":
        statement = statement.where(
            DigestDelivery.issue_id.in_(select(DigestIssue.id).where(DigestIssue.monthly.is_(False)))
        )
    result = db.session.execute(
        statement.values(status=DeliveryStatus.CANCELLED.value, last_error="No longer wanted when it was due.")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


UNSUBSCRIBE_SALT = "storyboard.digest-unsubscribe"


def _serializer() -> URLSafeSerializer:
    # No expiry: a link in a digest from last year must still work.
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(person) -> str:
    """The signed token in a person's unsubscribe link; its payload is the person's id."""
    return _serializer().dumps(person.id)


def unsubscribe_url(person) -> str:
    """The absolute https (EXTERNAL_URL) link for List-Unsubscribe and the email's footer."""
    return external_url("digest.unsubscribe", token=unsubscribe_token(person))


def person_for_unsubscribe_token(token: str) -> Person | None:
    """The person a valid token names, or None when it is tampered with or names nobody."""
    try:
        person_id = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(person_id, int) or isinstance(person_id, bool) or not 0 < person_id <= MAX_ID:
        return None
    return db.session.get(Person, person_id)
