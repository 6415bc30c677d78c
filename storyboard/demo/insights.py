"""What HR's insights pages have to show on a fresh demo: a year of it, all true to the data.

After the stories and the year of digests: which departments face customers; the customer's
voice on some published stories; the rules that got in the way filed under items HR is working
on (one changed, its people told); readers who came from digest links; a few bounces; and a
few people who unsubscribed during the year (their later deliveries never existed).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, delete, func, select, update

from storyboard.demo.bulk import CHUNK_SIZE, insert_rows
from storyboard.extensions import db
from storyboard.models import (
    AuditEntry,
    DeliveryStatus,
    DepartmentKind,
    DigestDelivery,
    DigestIssue,
    DigestIssueStory,
    DigestVisit,
    FrictionItem,
    FrictionLink,
    FrictionNotice,
    FrictionStatus,
    Notification,
    NotificationKind,
    Person,
    Story,
    StoryStatus,
    story_co_nominators,
    story_nominees,
)

FRONT_LINE = ("Customer Support", "Stores", "Delivery")
BACKSTAGE = ("Warehouse", "Billing", "IT", "Facilities", "HR", "Finance", "Leadership")
EVIDENCE_SHARE = 0.3  # of published stories a customer felt
VISIT_SHARE = 0.12  # of sent deliveries whose reader followed a link
BOUNCE_SHARE = 0.004
UNSUBSCRIBERS = 9

QUOTES = (
    "I have never had service like it. Please tell your manager.",
    "She stayed on the phone until it was sorted, and she didn't have to.",
    "You turned the worst week of my year into a good story to tell.",
    "Thank you for treating my mum like your own.",
    "He drove it round himself. Who does that?",
    "I was ready to cancel everything. Now I'm telling my friends about you.",
    "Quick, kind and honest. That's why I keep coming back.",
    "They fixed a problem I didn't even know I had.",
    "Your colleague listened, which is more than the last three companies did.",
    "Five stars is not enough.",
)

# (the rule's first words, the item's title, the department whose head owns it, status, note)
ITEMS = (
    ("Refunds over £100 need a manager's approval", "The £100 refund approval", "Customer Support",
     FrictionStatus.CHANGED, "Team leaders and shift leads can now approve refunds up to £250 on their own."),
    ("Returns are only accepted within 30 days", "The 30-day returns window", "Stores",
     FrictionStatus.BEING_CHANGED, "Trialling 60 days for faulty items in the northern stores from January."),
    ("Calls are meant to stay under eight minutes", "The eight-minute call target", "Customer Support",
     FrictionStatus.BEING_CHANGED, "Replacing the average with a first-contact resolution target."),
    ("Same-day re-delivery isn't offered outside the city zone", "Same-day re-delivery only in the city",
     "Delivery", FrictionStatus.OPEN, ""),
    ("Hardware swaps are supposed to go through a ticket", "The five-day hardware queue", "IT",
     FrictionStatus.OPEN, ""),
    ("Pickers aren't supposed to leave their zone", "Pickers stay in their zone during a wave", "Warehouse",
     FrictionStatus.OPEN, ""),
    ("Gift cards expire after twelve months", "Gift cards expire after twelve months", "Billing",
     FrictionStatus.KEPT, "Kept: the expiry is set by our card provider's contract until 2028. Staff may "
     "still replace an expired card as a goodwill gesture."),
    ("Account changes need a security check", "Security checks for account changes", "Customer Support",
     FrictionStatus.KEPT, "Kept on purpose: it protects customers from fraud. The script now explains why."),
)


@dataclass
class InsightsSummary:
    evidence: int = 0
    friction_items: int = 0
    filed: int = 0
    told: int = 0
    visits: int = 0
    bounces: int = 0
    unsubscribed: int = 0


def add_insights_history(rng: random.Random, anchor: datetime) -> InsightsSummary:
    """Everything the insights pages count, on top of the seeded stories and digests."""
    summary = InsightsSummary()
    _classify_departments(anchor)
    summary.evidence = _customer_voices(rng)
    summary.friction_items, summary.filed, summary.told = _friction_items(rng, anchor)
    summary.visits = _digest_visits(rng)
    summary.bounces = _bounces(rng)
    summary.unsubscribed = _unsubscribers(rng, anchor)
    return summary


def _classify_departments(anchor: datetime) -> None:
    present = set(db.session.scalars(select(Person.department).where(Person.department != "").distinct()))
    known = set(db.session.scalars(select(DepartmentKind.department)))
    rows = [{"department": name, "front_line": name in FRONT_LINE, "updated_at": anchor - timedelta(days=300)}
            for name in sorted(present - known) if name in FRONT_LINE + BACKSTAGE]
    insert_rows(DepartmentKind.__table__, rows)


def _customer_voices(rng: random.Random) -> int:
    felt = db.session.scalars(
        select(Story.id).where(Story.status == StoryStatus.PUBLISHED.value, Story.impact_kind == "customer",
                               Story.evidence_quote.is_(None)).order_by(Story.id)
    ).all()
    chosen = [story_id for story_id in felt if rng.random() < EVIDENCE_SHARE]
    voices = []
    for story_id in chosen:
        out_of = rng.choice((5, 10))
        score = rng.choice((5, 5, 4)) if out_of == 5 else rng.choice((10, 10, 9, 8))
        link = f"https://reviews.example.com/northwind/{story_id}" if rng.random() < 0.25 else None
        voices.append({
            "story_id": story_id, "quote": rng.choice(QUOTES) if rng.random() < 0.8 else None,
            "score": score if rng.random() < 0.7 else None, "out_of": out_of, "link": link,
        })
    stories = Story.__table__
    # One executemany, not an UPDATE per story: a million-story seed gives a customer's voice
    # to over a hundred thousand of them.
    voiced = update(stories).where(stories.c.id == bindparam("story_id")).values(
        evidence_quote=bindparam("quote"), evidence_score=bindparam("score"),
        evidence_score_max=bindparam("out_of"), evidence_link=bindparam("link"),
        updated_at=stories.c.updated_at,  # as written: the customer's voice came with the story
    )
    for start in range(0, len(voices), CHUNK_SIZE):
        db.session.execute(voiced, voices[start:start + CHUNK_SIZE])
    # A scale means nothing without a score (only the rows with a scale: rewriting every story
    # would recompute PostgreSQL's search vector for all of them).
    db.session.execute(update(Story).where(Story.evidence_score.is_(None), Story.evidence_score_max.is_not(None))
                       .values(evidence_score_max=None, updated_at=Story.updated_at))
    return len(chosen)


def _friction_items(rng: random.Random, anchor: datetime) -> tuple[int, int, int]:
    heads = dict(db.session.execute(
        select(Person.department, Person.id).where(Person.active, Person.job_title.like("Head of%"))
        .order_by(Person.id)
    ).all())
    items = filed = told = 0
    for start, title, department, status, note in ITEMS:
        stories = db.session.execute(
            select(Story.id, Story.published_at).where(
                Story.status == StoryStatus.PUBLISHED.value, Story.rule_in_the_way.like(f"{start}%"),
                ~select(FrictionLink.story_id).where(FrictionLink.story_id == Story.id).exists())
        ).all()
        if not stories:
            continue
        first = min(published for _, published in stories)
        item = FrictionItem(
            title=title, status=status.value, owner_id=heads.get(department), note=note,
            created_at=first + timedelta(days=2), updated_at=first + timedelta(days=2),
            changed_at=anchor - timedelta(days=rng.randint(10, 40)) if status == FrictionStatus.CHANGED else None,
        )
        db.session.add(item)
        db.session.flush()
        insert_rows(FrictionLink.__table__, [
            {"story_id": story_id, "item_id": item.id, "filed_at": published + timedelta(days=1)}
            for story_id, published in stories])
        items, filed = items + 1, filed + len(stories)
        if status == FrictionStatus.CHANGED:
            told += _tell(item, [story_id for story_id, _ in stories])
    return items, filed, told


def _tell(item: FrictionItem, story_ids: list[int]) -> int:
    """Tell the people behind the item's stories, once each, as the friction report does: the
    same words, linking the first of their stories."""
    first: dict[int, int] = {}
    for table, column in ((story_nominees, story_nominees.c.person_id),
                          (story_co_nominators, story_co_nominators.c.person_id)):
        for person_id, story_id in db.session.execute(select(column, table.c.story_id)
                                                      .where(table.c.story_id.in_(story_ids))):
            first[person_id] = min(story_id, first.get(person_id, story_id))
    for person_id, story_id in db.session.execute(select(Story.nominator_id, Story.id).where(Story.id.in_(story_ids))):
        first[person_id] = min(story_id, first.get(person_id, story_id))
    active = sorted(db.session.scalars(select(Person.id).where(Person.id.in_(first), Person.active)))
    insert_rows(FrictionNotice.__table__, [
        {"item_id": item.id, "person_id": person_id, "created_at": item.changed_at} for person_id in active])
    message = f"{item.title} you ran into has changed: {item.note}"
    insert_rows(Notification.__table__, [
        {"person_id": person_id, "kind": NotificationKind.FRICTION_CHANGED.value, "message": message,
         "story_id": first[person_id], "created_at": item.changed_at} for person_id in active])
    return len(active)


def _digest_visits(rng: random.Random) -> int:
    stories_of: dict[int, list[int]] = {}
    for issue_id, story_id in db.session.execute(
            select(DigestIssueStory.issue_id, DigestIssueStory.story_id).order_by(
                DigestIssueStory.issue_id, DigestIssueStory.position)):
        stories_of.setdefault(issue_id, []).append(story_id)
    visits = 0
    for issue_id in _issue_ids():  # (a second seed adds to deliveries without visits)
        rows = []
        for delivery_id, sent_at in db.session.execute(
                select(DigestDelivery.id, DigestDelivery.sent_at).where(_unvisited(issue_id))
                # Not by id: deliveries take ids in whatever order the database inserted them.
                .order_by(DigestDelivery.person_id)):
            if rng.random() >= VISIT_SHARE or not stories_of.get(issue_id):
                continue
            shown = stories_of[issue_id]
            for story_id in rng.sample(shown, min(len(shown), rng.choice((1, 1, 1, 2, 3)))):
                rows.append({"delivery_id": delivery_id, "story_id": story_id,
                             "visited_at": sent_at + timedelta(minutes=rng.randint(3, 60 * 48))})
        insert_rows(DigestVisit.__table__, rows)
        visits += len(rows)
    return visits


def _bounces(rng: random.Random) -> int:
    bounces = 0
    for issue_id in _issue_ids():
        sent = db.session.scalars(
            select(DigestDelivery.id).where(_unvisited(issue_id)).order_by(DigestDelivery.person_id)
        ).all()
        bounced = [delivery_id for delivery_id in sent if rng.random() < BOUNCE_SHARE]
        if bounced:
            db.session.execute(update(DigestDelivery).where(DigestDelivery.id.in_(bounced)).values(
                status=DeliveryStatus.BOUNCED.value, smtp_code=550, sent_at=None,
                last_error="550 5.1.1 The email account does not exist."))
        bounces += len(bounced)
    return bounces


def _issue_ids() -> list[int]:
    """Issues one at a time, so a big company's deliveries (millions) are never all in memory."""
    return list(db.session.scalars(select(DigestIssue.id).order_by(DigestIssue.id)))


def _unvisited(issue_id: int) -> ColumnElement[bool]:
    """The issue's sent deliveries no visit came from yet. NOT EXISTS, not NOT IN: PostgreSQL
    cannot hash a NOT IN over a million visits, and would rescan them for every delivery."""
    visited = select(DigestVisit.delivery_id).where(DigestVisit.delivery_id == DigestDelivery.id)
    return and_(DigestDelivery.issue_id == issue_id, DigestDelivery.status == DeliveryStatus.SENT.value,
                ~visited.exists())


def _unsubscribers(rng: random.Random, anchor: datetime) -> int:
    """A few people left the digest during the year: the log says when; no later issue reached them."""
    candidates = db.session.scalars(
        select(Person.id).where(Person.active, Person.digest_frequency == "weekly", Person.role == "staff",
                                Person.password_hash.is_(None)).order_by(Person.id)
    ).all()
    chosen = rng.sample(candidates, min(UNSUBSCRIBERS, len(candidates)))
    for person_id in chosen:
        when = anchor - timedelta(days=rng.randint(7, 350), hours=rng.randint(0, 10))
        db.session.execute(update(Person).where(Person.id == person_id).values(digest_frequency="never"))
        db.session.add(AuditEntry(
            created_at=when, actor_id=person_id, action="digest.frequency", entity_type="person",
            entity_id=person_id, before={"digest_frequency": "weekly"}, after={"digest_frequency": "never"}))
        later = select(DigestIssue.id).where(DigestIssue.cut_at > when)
        db.session.execute(delete(DigestVisit).where(DigestVisit.delivery_id.in_(
            select(DigestDelivery.id).where(DigestDelivery.person_id == person_id,
                                            DigestDelivery.issue_id.in_(later)))))
        db.session.execute(delete(DigestDelivery).where(
            DigestDelivery.person_id == person_id, DigestDelivery.issue_id.in_(later)))
    counts = (select(func.count()).select_from(DigestDelivery)
              .where(DigestDelivery.issue_id == DigestIssue.id).scalar_subquery())
    db.session.execute(update(DigestIssue).values(recipient_count=counts))
    return len(chosen)
