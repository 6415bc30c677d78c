"""Collections of canon stories that curators arrange, and the reading path new hires follow.

A collection lists canon stories in the curators' order. Only published canon stories are
shown in one: a story taken out of the canon (or archived, or merged) keeps its place, so it
comes back where it was if it returns, but readers do not see it meanwhile. One collection at
most is the onboarding path; its read marks are each person's progress.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from storyboard import audit
from storyboard.clock import utcnow
from storyboard.db_helpers import insert_if_absent
from storyboard.extensions import db
from storyboard.models import CanonCollection, CanonCollectionStory, CanonRead, Person, Story, StoryStatus
from storyboard.stories.service import card_joins

# Someone is a new hire for this long after their start date: the profile shows the path then.
NEW_HIRE_DAYS = 90


class CollectionError(ValueError):
    """A change to a collection that cannot be made; the message says why, for the curator."""


def all_collections() -> list[CanonCollection]:
    return list(db.session.scalars(select(CanonCollection).order_by(CanonCollection.position, CanonCollection.id)))


def onboarding_collection() -> CanonCollection | None:
    return db.session.scalar(select(CanonCollection).where(CanonCollection.onboarding.is_(True))
                             .order_by(CanonCollection.id).limit(1))


def shown_entries(collection: CanonCollection) -> list[CanonCollectionStory]:
    """The collection's entries readers see, in order: published canon stories only."""
    return list(db.session.scalars(
        select(CanonCollectionStory)
        .join(Story, Story.id == CanonCollectionStory.story_id)
        .where(CanonCollectionStory.collection_id == collection.id,
               Story.in_canon.is_(True), Story.status == StoryStatus.PUBLISHED.value)
        .order_by(CanonCollectionStory.position, CanonCollectionStory.story_id)
        .options(selectinload(CanonCollectionStory.story).options(*card_joins()))
    ))


def story_counts() -> dict[int, int]:
    """How many stories readers see in each collection."""
    return dict(db.session.execute(
        select(CanonCollectionStory.collection_id, func.count())
        .join(Story, Story.id == CanonCollectionStory.story_id)
        .where(Story.in_canon.is_(True), Story.status == StoryStatus.PUBLISHED.value)
        .group_by(CanonCollectionStory.collection_id)
    ).all())


def name_taken(name: str, other_than: CanonCollection | None = None) -> bool:
    found = db.session.scalar(select(CanonCollection).where(CanonCollection.name_key == name.lower()))
    return found is not None and found is not other_than


def save_collection(collection: CanonCollection | None, actor: Person, *, name: str, introduction: str,
                    onboarding: bool) -> CanonCollection:
    """Create a collection (None) or change one; making it the onboarding path takes that from
    any other. Caller commits."""
    if name_taken(name, collection):
        raise CollectionError(f"There is already a collection called “{name}”.")
    before = None if collection is None else _state(collection)
    try:
        # All in a savepoint (begin_nested flushes what is pending before it starts): the
        # unique name and the one reading path are the database's to keep when two curators
        # save at once, and the loser is told, with the session still usable for the page.
        with db.session.begin_nested():
            if collection is None:
                last = db.session.scalar(select(func.max(CanonCollection.position))) or 0
                collection = CanonCollection(position=last + 1, onboarding=False)
                db.session.add(collection)
            collection.name, collection.introduction = name, introduction
            if not onboarding:
                collection.onboarding = False
            db.session.flush()
            if onboarding and not collection.onboarding:
                db.session.execute(update(CanonCollection)
                                   .where(CanonCollection.onboarding.is_(True), CanonCollection.id != collection.id)
                                   .values(onboarding=False).execution_options(synchronize_session="fetch"))
                collection.onboarding = True
                db.session.flush()
    except IntegrityError as clash:
        raise CollectionError("Another curator saved a collection by that name, or chose another reading path, "
                              "at the same moment. Reload the page and try again.") from clash
    audit.record(actor, "collection.save", "collection", collection.id, before, _state(collection))
    return collection


def delete_collection(collection: CanonCollection, actor: Person) -> None:
    """Delete a collection (its stories stay in the canon). Caller commits."""
    audit.record(actor, "collection.delete", "collection", collection.id, _state(collection), None)
    db.session.delete(collection)


def _state(collection: CanonCollection) -> dict:
    return {"name": collection.name, "onboarding": collection.onboarding,
            "introduction": collection.introduction}


def add_story(collection: CanonCollection, story: Story, actor: Person, scenario: str | None = None) -> bool:
    """Put a canon story at the end of a collection; False when it is there already. Caller commits."""
    if not (story.in_canon and story.status == StoryStatus.PUBLISHED):
        raise CollectionError("Only published canon stories go into collections.")
    last = db.session.scalar(select(func.max(CanonCollectionStory.position))
                             .where(CanonCollectionStory.collection_id == collection.id)) or 0
    added = insert_if_absent(CanonCollectionStory.__table__, {
        "collection_id": collection.id, "story_id": story.id, "position": last + 1,
        "scenario": scenario or None, "added_at": utcnow(),
    })
    if added:
        audit.record(actor, "collection.add", "collection", collection.id, None, {"story": story.id})
    return added


def entry(collection: CanonCollection, story_id: int) -> CanonCollectionStory | None:
    return db.session.get(CanonCollectionStory, (collection.id, story_id))


def remove_story(found: CanonCollectionStory, actor: Person) -> None:
    audit.record(actor, "collection.remove", "collection", found.collection_id, {"story": found.story_id}, None)
    db.session.delete(found)


def set_scenario(found: CanonCollectionStory, actor: Person, scenario: str) -> None:
    before = {"story": found.story_id, "scenario": found.scenario}
    found.scenario = scenario or None
    audit.record(actor, "collection.scenario", "collection", found.collection_id, before,
                 {"story": found.story_id, "scenario": found.scenario})


def move_story(found: CanonCollectionStory, actor: Person, step: int) -> bool:
    """Swap an entry with its neighbour among those readers see (step -1 up, +1 down); False
    at either end. Every entry, hidden ones too, is renumbered 1..n in its new order, so that
    equal positions cannot stall a move and a hidden entry keeps its place between the others."""
    shown = shown_entries(found.collection)
    index = next((i for i, entry in enumerate(shown) if entry.story_id == found.story_id), None)
    if index is None or not 0 <= index + step < len(shown):
        return False
    everything = sorted(found.collection.entries, key=lambda entry: (entry.position, entry.story_id))
    here, there = everything.index(shown[index]), everything.index(shown[index + step])
    everything[here], everything[there] = everything[there], everything[here]
    _renumber(everything)
    audit.record(actor, "collection.move", "collection", found.collection_id, None,
                 {"story": found.story_id, "to": index + step + 1})
    return True


def move_collection(collection: CanonCollection, actor: Person, step: int) -> bool:
    """Swap a collection with its neighbour in the list of collections; False at either end."""
    collections = all_collections()
    index = collections.index(collection)
    if not 0 <= index + step < len(collections):
        return False
    collections[index], collections[index + step] = collections[index + step], collections[index]
    _renumber(collections)
    audit.record(actor, "collection.move", "collection", collection.id, None, {"to": index + step + 1})
    return True


def _renumber(rows) -> None:
    for position, row in enumerate(rows, start=1):
        row.position = position


def canon_stories_outside(collection: CanonCollection) -> list[Story]:
    """Published canon stories not yet in the collection, for the curator's "add" list."""
    inside = select(CanonCollectionStory.story_id).where(CanonCollectionStory.collection_id == collection.id)
    return list(db.session.scalars(
        select(Story).where(Story.in_canon.is_(True), Story.status == StoryStatus.PUBLISHED.value,
                            Story.id.not_in(inside))
        .order_by(Story.title, Story.id)
    ))


# Read marks and progress.


def read_story_ids(person: Person, story_ids) -> set[int]:
    ids = list(story_ids)
    if not ids:
        return set()
    return set(db.session.scalars(
        select(CanonRead.story_id).where(CanonRead.person_id == person.id, CanonRead.story_id.in_(ids))
    ))


def mark_read(person: Person, story: Story, read: bool = True) -> None:
    """Keep (or take back) a read mark; marking twice keeps the first time. Caller commits."""
    if read:
        insert_if_absent(CanonRead.__table__, {"person_id": person.id, "story_id": story.id, "read_at": utcnow()})
    else:
        db.session.execute(delete(CanonRead).where(CanonRead.person_id == person.id, CanonRead.story_id == story.id))


def is_new_hire(person: Person, today: date | None = None) -> bool:
    """Starting soon or in their first NEW_HIRE_DAYS days: HR often invites people before their
    first day. Only a known start date counts: everyone is "created" the day Storyboard is
    installed, which says nothing about when they joined."""
    today = today or utcnow().date()
    return person.start_date is not None and today - timedelta(days=NEW_HIRE_DAYS) < person.start_date


@dataclass(frozen=True)
class PathProgress:
    collection: CanonCollection
    read: int
    total: int

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.read >= self.total


def path_progress(person: Person) -> PathProgress | None:
    """How far a person is along the onboarding path; None when there is no path. Two queries,
    whatever the path's length: the feed and the profile show it to every new hire."""
    collection = onboarding_collection()
    if collection is None:
        return None
    total, read = db.session.execute(
        select(func.count(), func.count(CanonRead.story_id))
        .select_from(CanonCollectionStory)
        .join(Story, Story.id == CanonCollectionStory.story_id)
        .outerjoin(CanonRead, and_(CanonRead.story_id == CanonCollectionStory.story_id,
                                   CanonRead.person_id == person.id))
        .where(CanonCollectionStory.collection_id == collection.id,
               Story.in_canon.is_(True), Story.status == StoryStatus.PUBLISHED.value)
    ).one()
    return PathProgress(collection, read, total)


@dataclass(frozen=True)
class NewHireProgress:
    person: Person
    read: int


def new_hire_progress(collection: CanonCollection) -> tuple[list[NewHireProgress], int]:
    """Every active new hire (those about to start too) with how many of the path's stories
    they read (fewest first), and how many stories the path has."""
    ids = [found.story_id for found in shown_entries(collection)]
    today = utcnow().date()
    hires = list(db.session.scalars(
        select(Person).where(Person.active.is_(True), Person.start_date > today - timedelta(days=NEW_HIRE_DAYS))
        .order_by(Person.start_date.desc(), Person.name)
    ))
    counts = dict(db.session.execute(
        select(CanonRead.person_id, func.count())
        .where(CanonRead.person_id.in_([p.id for p in hires]), CanonRead.story_id.in_(ids))
        .group_by(CanonRead.person_id)
    ).all()) if hires and ids else {}
    rows = [NewHireProgress(person, counts.get(person.id, 0)) for person in hires]
    return sorted(rows, key=lambda row: row.read), len(ids)
