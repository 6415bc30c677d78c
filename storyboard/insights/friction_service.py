"""What HR changes on the friction report: filing a story's friction under an item, and each
item's title, owner, status and note. Every change is audited; the caller commits.

Saving an item as changed sends `signals.friction_changed`; notifications decide who hears.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from storyboard import audit, signals
from storyboard.clock import utcnow
from storyboard.db_helpers import insert_if_absent, parse_id
from storyboard.errors import InvalidRequest, NotFound, Refused
from storyboard.extensions import db
from storyboard.models import (
    FrictionItem,
    FrictionLink,
    FrictionNotice,
    FrictionStatus,
    Person,
    Story,
    StoryStatus,
)
from storyboard.stories.nominees import search_people
from storyboard.text import shorten

ENTITY = "friction_item"
SUGGESTED_TITLE_MAX = 60  # a prefilled title is a start HR edits, not the whole text again
MOST_FILED_AT_ONCE = 100  # a report page lists 25; more than this is not a person ticking boxes
OWNERS_LISTED = 5  # how many matching people a "which one?" message names
FIRST_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")


class OwnerRefused(InvalidRequest):
    """The owner typed names nobody active, or several people: 400, shown on the owner field."""


def suggested_title(rule_in_the_way: str) -> str:
    """A short title to start from: the friction's first sentence, cut at a word."""
    first = FIRST_SENTENCE_END.split(rule_in_the_way.strip(), maxsplit=1)[0].rstrip(".")
    return shorten(first, SUGGESTED_TITLE_MAX)


def story_with_friction(story_id: int) -> Story:
    """A published story whose "rule in the way" is filled in; 404 for any other."""
    return stories_with_friction([story_id])[0]


def stories_with_friction(story_ids: list[int]) -> list[Story]:
    """Published stories whose "rule in the way" is filled in, in one query; 404 if any is not."""
    found = list(db.session.scalars(select(Story).where(Story.id.in_(story_ids)).order_by(Story.id)))
    if len(found) != len(set(story_ids)) or not all(
        story.status == StoryStatus.PUBLISHED.value and (story.rule_in_the_way or "").strip() for story in found
    ):
        raise NotFound("No published story with a rule or process in the way has that number.")
    return found


def chosen_story_ids(sent: list[str]) -> list[int]:
    """The frictions ticked on the report (story numbers), each once; a clear 400 otherwise."""
    ids = [parse_id(text) for text in sent]
    if not ids:
        raise InvalidRequest("Tick the frictions to add, then choose the item to add them to.")
    if None in ids:
        raise InvalidRequest("One of the ticked frictions is not on the report any more: reload the page.")
    if len(set(ids)) > MOST_FILED_AT_ONCE:
        raise InvalidRequest(f"Add at most {MOST_FILED_AT_ONCE} frictions at a time.")
    return sorted(set(ids))


def item_named(text: str) -> FrictionItem:
    """The item whose number was sent; a clear 400 when none was chosen or it is gone."""
    item_id = parse_id(text)
    item = db.session.get(FrictionItem, item_id) if item_id else None
    if item is None:
        raise InvalidRequest("Choose the item to add them to." if not text else
                             "That item no longer exists: reload the page and choose another.")
    return item


def create_item(story: Story, actor: Person, title: str) -> FrictionItem:
    """A new open item titled `title`, with the story's friction filed under it."""
    item = FrictionItem(title=title, status=FrictionStatus.OPEN.value, note="")
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "friction.create", ENTITY, item.id, after=_snapshot(item), note=f"From story {story.id}")
    file_story(story, item, actor)
    return item


def file_story(story: Story, item: FrictionItem, actor: Person) -> None:
    """File the story's friction under `item`. A friction sits under one item at most: the
    database keeps it so when two curators file the same story at once."""
    if not insert_if_absent(FrictionLink.__table__, {"story_id": story.id, "item_id": item.id, "filed_at": utcnow()}):
        current = db.session.scalar(
            select(FrictionItem.title).join(FrictionLink).where(FrictionLink.story_id == story.id)
        )
        raise Refused(f"The friction of “{story.title}” is already filed under “{current}”. "
                      "Take it out there first.")
    audit.record(actor, "friction.file", ENTITY, item.id, after={"story_id": story.id})


def unfile_story(story: Story, actor: Person) -> FrictionItem:
    """Take the story's friction out of the item it is filed under; returns that item."""
    link = db.session.get(FrictionLink, story.id)
    if link is None:
        raise Refused("This story's friction is not filed under any item (someone may have just taken it out).")
    item = link.item
    removed = db.session.execute(delete(FrictionLink).where(FrictionLink.story_id == story.id)).rowcount
    if removed != 1:  # another curator took it out between our read and our delete
        raise Refused("This story's friction is not filed under any item (someone may have just taken it out).")
    db.session.expunge(link)  # deleted in SQL above: the session must not try to delete it again
    audit.record(actor, "friction.unfile", ENTITY, item.id, before={"story_id": story.id})
    return item


@dataclass(frozen=True)
class ItemChanges:
    title: str
    owner: str  # a name or email as typed; blank for no owner
    status: FrictionStatus
    note: str


def update_item(item: FrictionItem, actor: Person, changes: ItemChanges) -> int | None:
    """Save HR's edit. Saved as changed, the item's people who have not been told yet are told:
    returns how many were, or None when the item was not saved as changed."""
    before = _snapshot(item)
    owner = item.owner if _names_current_owner(item, changes.owner) else resolve_owner(changes.owner)
    if changes.status == FrictionStatus.CHANGED and item.status != FrictionStatus.CHANGED.value:
        item.changed_at = utcnow()
    item.title, item.owner, item.status, item.note = changes.title, owner, changes.status.value, changes.note
    db.session.flush()
    audit.record(actor, "friction.update", ENTITY, item.id, before=before, after=_snapshot(item))
    if changes.status != FrictionStatus.CHANGED:
        return None
    told_before = people_told(item)
    signals.friction_changed.send(item, actor=actor)
    return people_told(item) - told_before


def people_told(item: FrictionItem) -> int:
    """How many people have been told this item changed."""
    statement = select(func.count()).select_from(FrictionNotice).where(FrictionNotice.item_id == item.id)
    return db.session.scalar(statement) or 0


def _names_current_owner(item: FrictionItem, typed: str) -> bool:
    """Whether the form kept the owner it showed (their email): an owner who has since left
    stays until HR names someone else, rather than blocking every other edit of the item."""
    return item.owner is not None and typed.strip().lower() == item.owner.email.lower()


def resolve_owner(typed: str) -> Person | None:
    """The one active person `typed` names: their email, their full name, or else a part of
    either. Nobody for a blank; OwnerRefused when nobody or several people match."""
    text = typed.strip()
    if not text:
        return None
    lowered = text.lower()
    matches = list(db.session.scalars(
        select(Person).where(Person.active, func.lower(Person.email) == lowered).limit(1)
    ))
    if not matches:
        matches = list(db.session.scalars(
            select(Person).where(Person.active, func.lower(Person.name) == lowered)
            .order_by(Person.name, Person.id).limit(OWNERS_LISTED + 1)
        ))
    if not matches:
        matches = search_people(text, OWNERS_LISTED + 1)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise OwnerRefused(f"Nobody active is called “{shorten(text, 60)}” or has that email address. "
                           "Check the spelling, or type their email address.")
    listed = ", ".join(f"{person.name} ({person.email})" for person in matches[:OWNERS_LISTED])
    many = f"More than {OWNERS_LISTED}" if len(matches) > OWNERS_LISTED else str(len(matches))
    raise OwnerRefused(f"{many} people match “{shorten(text, 60)}”: {listed}. "
                       "Type the email address of the one you mean.")


def _snapshot(item: FrictionItem) -> dict:
    return {"title": item.title, "owner_id": item.owner_id, "status": item.status, "note": item.note}
