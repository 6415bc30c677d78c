"""Seeding a demo company: people first, then stories with their responses, batch by batch;
then the canon, a year of past digest issues, the canon's collections and new hires' reading."""
from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, true

from storyboard.clock import utcnow
from storyboard.demo.accounts import STAFF_EMAIL, demo_people
from storyboard.demo.bulk import (
    BackgroundInserts,
    analyze,
    foreign_keys_set_aside,
    indexes_set_aside,
    insert_rows,
    next_id,
    reset_sequences,
)
from storyboard.demo.canon import promote_canon
from storyboard.demo.collections import build_collections, start_new_hires_reading
from storyboard.demo.company import Company, build_people
from storyboard.demo.history import record_past_issues
from storyboard.demo.insights import InsightsSummary, add_insights_history
from storyboard.demo.stories import Batch, StoryWriter
from storyboard.extensions import db
from storyboard.models import (
    Applause,
    CanonCollection,
    DigestIssue,
    FrictionItem,
    Person,
    Story,
    StoryReader,
    ThankYou,
    Value,
    story_nominees,
    story_values,
)
from storyboard.stories.defaults import ensure_default_values

# Stories per batch (and per transaction on SQLite): small enough to keep memory flat, large
# enough to keep inserts fast.
BATCH_STORIES = 1000
# From this many stories, PostgreSQL builds the loaded tables' secondary indexes after the load.
BIG_LOAD = 20000


@dataclass
class SeedSummary:
    """How many rows of each kind a run added."""

    people: int = 0
    stories: int = 0
    readers: int = 0
    applause: int = 0
    thanks: int = 0
    canon: int = 0
    issues: int = 0
    deliveries: int = 0
    collections: int = 0
    insights: InsightsSummary = field(default_factory=InsightsSummary)

    def add(self, batch: Batch) -> None:
        self.stories += len(batch.stories)
        self.readers += len(batch.readers)
        self.applause += len(batch.applause)
        self.thanks += len(batch.thanks)


def demo_anchor() -> datetime:
    """Today at midnight UTC (naive, like stored timestamps), so runs on one day agree."""
    return utcnow().replace(hour=0, minute=0, second=0, microsecond=0)


def seed_demo(
    people: int = 200,
    stories: int = 600,
    seed: int = 1,
    anchor: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> SeedSummary:
    """Add people, any missing demo sign-ins, stories, the canon, a year of past digest issues,
    collections and new hires' reading; one seed and anchor, one result."""
    anchor = anchor or demo_anchor()
    ensure_default_values()
    db.session.flush()
    value_ids = _value_ids()
    rng = random.Random(seed)  # nosec B311 (repeatable demo data, not a secret)
    first_person_id = next_id(Person.__table__)
    new_people = build_people(rng, people, first_person_id, anchor)
    accounts, new_accounts = demo_people(new_people, first_person_id + len(new_people), anchor)
    insert_rows(Person.__table__, [person.row() for person in new_people + new_accounts])
    db.session.commit()
    summary = SeedSummary(people=len(new_people) + len(new_accounts))

    staff = next(person for person in accounts if person.email == STAFF_EMAIL)
    company = Company(new_people + accounts, staff_account=staff)
    writer = StoryWriter(
        rng, anchor, company, value_ids, next_id(Story.__table__), next_id(ThankYou.__table__)
    )
    loaded = [Story.__table__, story_nominees, story_values, StoryReader.__table__, Applause.__table__,
              ThankYou.__table__]
    # Only into empty tables: on a company already in use, dropping its indexes would lock every
    # page that reads stories for the whole load, and rebuild indexes over its existing rows.
    set_aside = stories >= BIG_LOAD and db.session.scalar(select(Story.id).limit(1)) is None
    with (indexes_set_aside(loaded) if set_aside else nullcontext(),
          foreign_keys_set_aside(loaded) if set_aside else nullcontext()):
        inserts = BackgroundInserts()
        try:
            for batch in writer.batches(stories, BATCH_STORIES):
                inserts.insert(batch.tables())
                summary.add(batch)
                if progress is not None:
                    progress(len(batch.stories))
        finally:
            inserts.close()
    db.session.commit()
    summary.canon = promote_canon(rng, anchor, writer.situations, count=max(1, stories // 60))
    db.session.commit()
    history = record_past_issues(anchor)
    summary.issues, summary.deliveries = history.issues, history.deliveries
    db.session.commit()
    summary.collections = build_collections(anchor, writer.situations)
    start_new_hires_reading(anchor)
    db.session.commit()
    summary.insights = add_insights_history(rng, anchor)
    db.session.commit()
    reset_sequences([Person.__table__, Story.__table__, ThankYou.__table__, DigestIssue.__table__,
                     CanonCollection.__table__, FrictionItem.__table__])
    analyze()
    db.session.commit()
    return summary


def _value_ids() -> dict[str, int]:
    """Active values' ids by slug, in display order (all values if every one is retired)."""
    for condition in (Value.active, true()):
        rows = db.session.execute(
            select(Value.slug, Value.id).where(condition).order_by(Value.position, Value.id)
        ).all()
        if rows:
            return dict(rows)
    raise ValueError("There are no values to tag stories with.")
