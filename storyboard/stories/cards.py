"""Story cards read as plain rows: what a card shows, without building ORM objects.

The feed, a value's page and search show twenty cards a request, nearly always drawn from the
card cache (storyboard.fragments). Loading twenty Story objects with their nominees and values
through the ORM cost about half of such a page, although a card needs only the columns its
cache key is made of. These pages read exactly those, as rows, in three queries.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, select

from storyboard.extensions import db
from storyboard.models import Person, Story, Value, story_nominees, story_values
from storyboard.stories.service import is_published


@dataclass(frozen=True, slots=True)
class CardPerson:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class CardValue:
    id: int
    slug: str
    name: str


@dataclass(slots=True)
class CardStory:
    """A published story as its card shows it (templates/_partials/story_card.html)."""

    id: int
    title: str
    impact_kind: str
    published_at: datetime | None
    pinned_at: datetime | None
    applause_count: int
    reader_count: int
    body_html: str
    nominees: tuple[CardPerson, ...] = ()
    values: tuple[CardValue, ...] = ()


CARD_COLUMNS = (Story.id, Story.title, Story.impact_kind, Story.published_at, Story.pinned_at,
                Story.applause_count, Story.reader_count, Story.body_html)


# Built once: the cards' nominees and values are read on every card page, and building these
# statements anew each time cost more than running them. The ids bind as an expanding IN list.
NOMINEES_OF = (
    select(story_nominees.c.story_id, Person.id, Person.name)
    .join(Person, Person.id == story_nominees.c.person_id)
    .where(story_nominees.c.story_id.in_(bindparam("ids", expanding=True)))
    # The same order as Story.nominees and Story.values, with the id to settle equal names.
    .order_by(Person.name, Person.id)
)
VALUES_OF = (
    select(story_values.c.story_id, Value.id, Value.slug, Value.name)
    .join(Value, Value.id == story_values.c.value_id)
    .where(story_values.c.story_id.in_(bindparam("ids", expanding=True)))
    .order_by(Value.position, Value.id)
)


PUBLISHED_CARDS = select(*CARD_COLUMNS).where(is_published()).order_by(Story.published_at.desc(), Story.id.desc())


def published_cards() -> Select:
    """Published stories' card columns, newest first, for load_cards (a statement is immutable:
    callers' .where() and .limit() make new ones)."""
    return PUBLISHED_CARDS


def load_cards(statement: Select) -> list[CardStory]:
    """The cards of the rows `statement` selects (CARD_COLUMNS), in its order."""
    connection = _connection()
    return with_people_and_values(connection, connection.execute(statement).all())


def cards_in_order(story_ids: Sequence[int]) -> list[CardStory]:
    """The cards of these published stories, in the order given; ids no longer published are left out."""
    if not story_ids:
        return []
    # The ids pick the rows: tested for status one by one, not by walking every published story
    # in date order (see is_published), and in no order, as the caller's order is applied below.
    chosen = select(*CARD_COLUMNS).where(is_published(few=True), Story.id.in_(story_ids))
    by_id = {card.id: card for card in load_cards(chosen)}
    return [by_id[story_id] for story_id in story_ids if story_id in by_id]


def _connection():
    """The session's connection, for plain rows without the ORM's handling of results; what the
    session holds unwritten is flushed first, as session.execute would."""
    db.session.flush()
    return db.session.connection()


def with_people_and_values(connection, rows: Iterable[Sequence]) -> list[CardStory]:
    cards = [CardStory(*row) for row in rows]
    if not cards:
        return cards
    ids = [card.id for card in cards]
    nominees: dict[int, list[CardPerson]] = defaultdict(list)
    for story_id, person_id, name in connection.execute(NOMINEES_OF, {"ids": ids}):
        nominees[story_id].append(CardPerson(person_id, name))
    values: dict[int, list[CardValue]] = defaultdict(list)
    for story_id, value_id, slug, name in connection.execute(VALUES_OF, {"ids": ids}):
        values[story_id].append(CardValue(value_id, slug, name))
    for card in cards:
        card.nominees = tuple(nominees[card.id])
        card.values = tuple(values[card.id])
    return cards
