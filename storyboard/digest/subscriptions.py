"""Who wants which issue, and cancelling what someone no longer wants."""
from __future__ import annotations

from sqlalchemy import select, update

from storyboard.extensions import db
from storyboard.models import DeliveryStatus, DigestDelivery, DigestIssue, Person

FREQUENCIES = ("weekly", "monthly", "never")


def frequencies_for(monthly_issue: bool) -> tuple[str, ...]:
    """Which digest_frequency settings receive an issue."""
    return ("weekly", "monthly") if monthly_issue else ("weekly",)


def set_digest_frequency(person: Person, frequency: str) -> int:
    """Change how often the person gets the digest, cancelling what they no longer want.

    The caller commits; returns how many unsent deliveries were cancelled.
    """
    person.digest_frequency = frequency
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
