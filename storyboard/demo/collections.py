"""The demo's canon collections, and new hires part of the way along the onboarding path.

"Start here" is the onboarding path: a few canon stories, each opening with a scenario HR
wrote for it (the situation the story was told from carries one). "When the rules got in the
way" holds the canon stories with a rule in the way, "Backstage heroes" those about colleagues
who do not serve customers directly. Only published canon stories go into collections, and a
collection already there (seeding again) is left as it is.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from storyboard.canon.collections import NEW_HIRE_DAYS
from storyboard.demo.bulk import insert_rows, next_id
from storyboard.demo.canon import is_backstage, nominee_departments
from storyboard.demo.phrases import Situation
from storyboard.extensions import db
from storyboard.models import CanonCollection, CanonCollectionStory, CanonRead, ImpactKind, Person, Story, StoryStatus

START_HERE = "Start here"
START_HERE_SIZE = 6
START_HERE_INTRODUCTION = (
    "New here? These stories are the quickest way to see how we look after customers and each other. "
    "Each one opens with a situation: decide what *you* would do, then read what a colleague actually did."
)
RULES = "When the rules got in the way"
RULES_INTRODUCTION = (
    "Rules protect customers and colleagues, until the day one stands between a customer and the right "
    "thing. These colleagues noticed, did the right thing openly, and told us which rule to look at again."
)
BACKSTAGE = "Backstage heroes"
BACKSTAGE_INTRODUCTION = (
    "Not every great service story happens on the shop floor or the phone. These colleagues work in the "
    "warehouse, billing, IT, facilities and HR, and someone's day went better because of them."
)
# The new hire furthest along has read this many of the path's stories (fewer on a short path).
READ_BY_NEW_HIRE = 2


@dataclass(frozen=True)
class Shelf:
    name: str
    introduction: str
    onboarding: bool
    entries: list[tuple[int, str | None]]  # story ids in order, with their scenarios


def build_collections(anchor: datetime, situations: Mapping[int, Situation]) -> int:
    """Create the demo's collections from the published canon; returns how many were created."""
    canon = db.session.execute(
        select(Story.id, Story.canonized_at, Story.rule_in_the_way, Story.impact_kind)
        .where(Story.in_canon.is_(True), Story.status == StoryStatus.PUBLISHED.value)
        .order_by(Story.canonized_at, Story.id)
    ).all()
    canonized = {row.id: row.canonized_at for row in canon}
    departments = nominee_departments(Story.in_canon.is_(True))
    shelves = [
        Shelf(START_HERE, START_HERE_INTRODUCTION, True, _start_here(canon, situations)),
        Shelf(RULES, RULES_INTRODUCTION, False, [(row.id, None) for row in canon if row.rule_in_the_way]),
        Shelf(BACKSTAGE, BACKSTAGE_INTRODUCTION, False,
              [(row.id, None) for row in canon if is_backstage(departments.get(row.id, set()))]),
    ]
    taken = set(db.session.scalars(select(CanonCollection.name_key)))
    has_path = db.session.scalar(select(CanonCollection.id).where(CanonCollection.onboarding.is_(True)).limit(1))
    position = (db.session.scalar(select(func.max(CanonCollection.position))) + 1) if taken else 0
    collection_id = next_id(CanonCollection.__table__)
    created = 0
    for shelf in shelves:
        if shelf.name.lower() in taken or not shelf.entries:
            continue
        # Each story joined its collection a few days after it was promoted.
        added = [min(canonized[story_id] + timedelta(days=3 + number), anchor - timedelta(hours=1))
                 for number, (story_id, _) in enumerate(shelf.entries)]
        insert_rows(CanonCollection.__table__, [{
            "id": collection_id, "name": shelf.name, "name_key": shelf.name.lower(), "introduction": shelf.introduction,
            "position": position,
            "onboarding": shelf.onboarding and has_path is None, "created_at": min(added), "updated_at": max(added),
        }])
        insert_rows(CanonCollectionStory.__table__, [
            {"collection_id": collection_id, "story_id": story_id, "position": number, "scenario": scenario,
             "added_at": at}
            for number, ((story_id, scenario), at) in enumerate(zip(shelf.entries, added, strict=True), start=1)
        ])
        collection_id, position, created = collection_id + 1, position + 1, created + 1
    return created


def _start_here(canon, situations: Mapping[int, Situation]) -> list[tuple[int, str | None]]:
    """Up to START_HERE_SIZE canon stories with a scenario: customers' stories first, then the
    team's, each kind oldest promotion first."""
    told = [row for row in canon if row.id in situations]
    customers = [row for row in told if row.impact_kind == ImpactKind.CUSTOMER.value]
    team = [row for row in told if row.impact_kind != ImpactKind.CUSTOMER.value]
    # About two thirds customers' stories, if there are enough of both kinds.
    wanted_team = min(len(team), max(START_HERE_SIZE // 3, START_HERE_SIZE - len(customers)))
    chosen = customers[:START_HERE_SIZE - wanted_team] + team[:wanted_team]
    return [(row.id, situations[row.id].scenario) for row in chosen]


def start_new_hires_reading(anchor: datetime) -> int:
    """The earliest of the new hires has marked the path's first stories read, not all of them;
    returns how many marks were added."""
    path = db.session.scalar(select(CanonCollection).where(CanonCollection.name == START_HERE,
                                                           CanonCollection.onboarding.is_(True)))
    today = anchor.date()
    hire = db.session.scalar(
        select(Person).where(Person.active.is_(True), Person.start_date > today - timedelta(days=NEW_HIRE_DAYS),
                             Person.start_date <= today)
        .order_by(Person.start_date, Person.id).limit(1)
    )
    if path is None or hire is None:
        return 0
    story_ids = [entry.story_id for entry in path.entries]
    reads = min(READ_BY_NEW_HIRE, len(story_ids) - 1)
    already = set(db.session.scalars(select(CanonRead.story_id).where(CanonRead.person_id == hire.id)))
    started = datetime.combine(hire.start_date, time(10))
    rows = [{"person_id": hire.id, "story_id": story_id,
             "read_at": min(started + timedelta(days=2 + 3 * number), anchor - timedelta(hours=1))}
            for number, story_id in enumerate(story_ids[:reads]) if story_id not in already]
    insert_rows(CanonRead.__table__, rows)
    return len(rows)
