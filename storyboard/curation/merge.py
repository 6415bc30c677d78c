"""Merging two nominations of the same moment into one story."""
from __future__ import annotations

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.exc import OperationalError

from storyboard import audit
from storyboard.clock import utcnow
from storyboard.curation.service import CurationRefused
from storyboard.extensions import db
from storyboard.models import Applause, Person, Story, StoryReader, StoryStatus, ThankYou

# Not drafts: a draft is its author's until they submit it, so HR cannot fold it away or into.
MERGEABLE = frozenset({StoryStatus.SUBMITTED, StoryStatus.PUBLISHED, StoryStatus.CHANGES_REQUESTED})


def merge(duplicate: Story, survivor: Story, actor: Person) -> None:
    """Fold `duplicate` into `survivor`: people, values, credit, applause, readers and notes move
    over, and the duplicate is archived with a pointer to the survivor. The caller commits."""
    if duplicate.id == survivor.id:
        raise CurationRefused("A story cannot be merged into itself.")
    for story in (duplicate, survivor):
        if story.status not in MERGEABLE:
            raise CurationRefused(f"A {StoryStatus(story.status).label} story cannot be merged.")
    before = {"status": duplicate.status, "survivor_nominees": [p.id for p in survivor.nominees]}
    _claim(duplicate, survivor)

    survivor.nominees = _union(survivor.nominees, duplicate.nominees)
    survivor.values = _union(survivor.values, duplicate.values)
    credited = [duplicate.nominator, *duplicate.co_nominators]
    survivor.co_nominators = [
        person for person in _union(survivor.co_nominators, credited) if person.id != survivor.nominator_id
    ]
    _move_unique_rows(Applause, duplicate.id, survivor.id)
    _move_unique_rows(StoryReader, duplicate.id, survivor.id)
    db.session.execute(update(ThankYou).where(ThankYou.story_id == duplicate.id).values(story_id=survivor.id))
    survivor.applause_count = _count(Applause, survivor.id)
    survivor.reader_count = _count(StoryReader, survivor.id)
    duplicate.applause_count = duplicate.reader_count = 0
    survivor.refresh_search_text()

    duplicate.status = StoryStatus.ARCHIVED.value
    duplicate.status_changed_at = utcnow()
    duplicate.merged_into_id = survivor.id
    duplicate.pinned_at = None
    duplicate.in_canon = False
    audit.record(
        actor, "story.merge", "story", duplicate.id, before,
        {"status": duplicate.status, "merged_into": survivor.id,
         "survivor_nominees": [p.id for p in survivor.nominees]},
    )


def _claim(duplicate: Story, survivor: Story) -> None:
    """Take both stories as they were seen, before copying anything: of two curators merging
    at once, the first wins and the other is refused (409), with nothing copied twice.

    Each claim is a conditional UPDATE (it row-locks on PostgreSQL; the loser's re-checked
    WHERE then matches nothing), taken in id order so that A-into-B and B-into-A at once wait
    for each other instead of deadlocking. On SQLite the loser's write fails on the lock.
    """
    changed = CurationRefused(
        "Someone merged or changed one of these stories a moment ago. Reload the page and try again."
    )
    for story in sorted((duplicate, survivor), key=lambda story: story.id):
        claim = (
            update(Story)
            .where(Story.id == story.id, Story.status == story.status, Story.merged_into_id.is_(None))
            .values(updated_at=Story.updated_at)
            .execution_options(synchronize_session=False)
        )
        try:
            claimed = db.session.execute(claim).rowcount
        except OperationalError as error:  # SQLite: another merge holds the write lock
            raise changed from error
        if claimed != 1:
            raise changed


def _union(first: list, second: list) -> list:
    """Items of both lists, first ones first, each once."""
    merged = list(first)
    for item in second:
        if all(item.id != kept.id for kept in merged):
            merged.append(item)
    return merged


def _move_unique_rows(model, from_story: int, to_story: int) -> None:
    """Move people's rows to the survivor, once per person: one applause, one read each."""
    table = model.__table__
    already = select(table.c.person_id).where(table.c.story_id == to_story)
    columns = [column.name for column in table.columns]
    moved = select(*[
        literal(to_story).label(name) if name == "story_id" else table.c[name] for name in columns
    ]).where(table.c.story_id == from_story, table.c.person_id.not_in(already))
    db.session.execute(insert(table).from_select(columns, moved))
    db.session.execute(delete(table).where(table.c.story_id == from_story))


def _count(model, story_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.story_id == story_id)) or 0
