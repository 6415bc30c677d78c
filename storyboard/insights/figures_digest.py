"""The digest's reach over the range: deliveries, bounces, unsubscribes and readers who came
from a digest link. Each is one aggregate query; people are narrowed by their own department
and location (a delivery's, visit's or unsubscribe's person).

A delivery belongs to the range by its issue's cut: a bounce has no `sent_at`, and counting
both by the cut keeps "sent" and "bounced" about the same issues.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, case, distinct, exists, func, select

from storyboard.extensions import db
from storyboard.insights.filters import InsightFilters
from storyboard.models import AuditEntry, DeliveryStatus, DigestDelivery, DigestIssue, DigestVisit, Person

# Written by storyboard.digest.subscriptions.set_digest_frequency whenever someone's digest
# frequency changes: the only record of when someone unsubscribed.
FREQUENCY_ACTION = "digest.frequency"
UNSUBSCRIBED = "never"


@dataclass(frozen=True)
class DigestReach:
    sent: int
    bounced: int
    unsubscribed: int
    readers: int  # distinct people who followed a link in their digest
    visits: int  # stories opened from a digest link (one per delivery and story)


def _people_in_scope(statement: Select, person_id, scope: InsightFilters) -> Select:
    """Narrow to people in the chosen department and location (joined only when chosen)."""
    condition = scope.person_clause()
    if condition is None:
        return statement
    return statement.join(Person, Person.id == person_id).where(condition)


def digest_reach(scope: InsightFilters) -> DigestReach:
    sent, bounced = DeliveryStatus.SENT.value, DeliveryStatus.BOUNCED.value
    deliveries = _people_in_scope(
        select(
            func.count(case((DigestDelivery.status == sent, 1))),
            func.count(case((DigestDelivery.status == bounced, 1))),
        )
        .select_from(DigestDelivery)
        .join(DigestIssue, DigestIssue.id == DigestDelivery.issue_id)
        .where(DigestIssue.cut_at >= scope.start_at, DigestIssue.cut_at < scope.end_at,
               DigestDelivery.status.in_([sent, bounced])),
        DigestDelivery.person_id, scope,
    )
    sent_count, bounced_count = db.session.execute(deliveries).one()
    unsubscribes = _people_in_scope(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == FREQUENCY_ACTION, AuditEntry.entity_type == "person",
               AuditEntry.created_at >= scope.start_at, AuditEntry.created_at < scope.end_at,
               AuditEntry.after["digest_frequency"].as_string() == UNSUBSCRIBED),
        AuditEntry.entity_id, scope,
    )
    # The reader is looked up per visit (by the deliveries' primary key): a join let PostgreSQL
    # hash every delivery ever sent to find a few thousand.
    reader = select(DigestDelivery.person_id).where(DigestDelivery.id == DigestVisit.delivery_id)
    visits = select(func.count(), func.count(distinct(reader.scalar_subquery()))).where(
        DigestVisit.visited_at >= scope.start_at, DigestVisit.visited_at < scope.end_at
    )
    condition = scope.person_clause()
    if condition is not None:
        visits = visits.where(exists(reader.join(Person, Person.id == DigestDelivery.person_id).where(condition)))
    visit_count, readers = db.session.execute(visits).one()
    return DigestReach(sent_count, bounced_count, db.session.scalar(unsubscribes), readers, visit_count)
