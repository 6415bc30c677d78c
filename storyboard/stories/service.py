"""Writing, reading and responding to stories. Status changes live in stories.lifecycle."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import ColumnElement, Select, bindparam, exists, select, update
from sqlalchemy.orm import defer, joinedload, selectinload

from storyboard import markdown, signals
from storyboard.db_helpers import insert_if_absent
from storyboard.errors import NotFound, NotPermitted, Refused
from storyboard.extensions import db
from storyboard.models import (
    Applause,
    Person,
    Story,
    StoryReader,
    StoryStatus,
    ThankYou,
    Value,
)
from storyboard.stories import lifecycle, revisions
from storyboard.text import one_line


@dataclass
class StoryDraft:
    """What a nominator typed, already validated by the form."""

    title: str
    body_md: str
    impact_kind: str
    impact: str
    happened_on: date
    nominee_ids: list[int] = field(default_factory=list)
    value_ids: list[int] = field(default_factory=list)
    rule_in_the_way: str | None = None
    evidence_quote: str | None = None
    evidence_score: int | None = None
    evidence_score_max: int | None = None
    evidence_link: str | None = None


def save_story(story: Story | None, nominator: Person, draft: StoryDraft, submit: bool) -> Story:
    """Create or update a story from a draft, and submit it for review when asked.

    `nominator` is whoever saves: the nominator, or a curator editing; each save is a revision.
    """
    before = None
    if story is None:
        story = Story(nominator=nominator, status=StoryStatus.DRAFT.value)
        db.session.add(story)
    else:
        before = revisions.snapshot(story)
    story.title = one_line(draft.title)  # no line breaks: titles go into email subjects
    story.body_md = draft.body_md
    story.body_html = markdown.render(draft.body_md)
    story.impact_kind = draft.impact_kind
    story.impact = draft.impact.strip()
    story.rule_in_the_way = (draft.rule_in_the_way or "").strip() or None
    story.happened_on = draft.happened_on
    story.evidence_quote = (draft.evidence_quote or "").strip() or None
    story.evidence_score = draft.evidence_score
    story.evidence_score_max = draft.evidence_score_max if draft.evidence_score is not None else None
    story.evidence_link = (draft.evidence_link or "").strip() or None
    story.nominees = list(
        db.session.scalars(
            select(Person).where(Person.id.in_(draft.nominee_ids)).order_by(Person.name)
        )
    )
    story.values = list(db.session.scalars(select(Value).where(Value.id.in_(draft.value_ids))))
    story.refresh_search_text()
    revisions.record_revision(story, nominator, before=before)
    if submit:
        lifecycle.submit(story, nominator)
    return story


def can_view(person: Person, story: Story) -> bool:
    if story.status == StoryStatus.PUBLISHED:
        return True
    return person.is_curator or story.nominator_id == person.id


def can_edit(person: Person, story: Story) -> bool:
    """Nominators edit their drafts and stories sent back; curators edit the rest, but never
    a draft, which is its author's until they submit it."""
    if story.nominator_id == person.id and story.is_editable_by_nominator:
        return True
    return person.is_curator and story.status not in (StoryStatus.ARCHIVED, StoryStatus.DRAFT)


def get_story_for(person: Person, story_id: int, *, for_edit: bool = False) -> Story:
    """Load a story the person may see (404 otherwise) and, for editing, may change (403)."""
    story = db.session.get(Story, story_id)
    if story is None or not can_view(person, story):
        raise NotFound()
    if for_edit and not can_edit(person, story):
        raise NotPermitted("Only the nominator can edit a draft, and only until it is submitted.")
    return story


@dataclass(frozen=True)
class StoryPage:
    """A story with what its page shows about the reader, all read in two queries."""

    story: Story
    applauded: bool
    read_before: bool


def story_page(person: Person, story_id: int) -> StoryPage | None:
    """The story, its people, values and notes, and whether `person` applauded or read it."""
    ids = {"story_id": story_id, "person_id": person.id}
    row = db.session.execute(_story_page_statement(), ids).unique().first()
    if row is None and db.session.get(Story, story_id) is not None:
        # A story left without nominees or values (it should not happen) still opens.
        row = db.session.execute(_story_page_statement(bare=True), ids).first()
    return StoryPage(*row) if row else None


@cache
def _story_page_statement(bare: bool = False) -> Select:
    """Built once: every story page asks it, and building it anew cost a fifth of the page."""
    applauded = exists().where(Applause.story_id == Story.id, Applause.person_id == bindparam("person_id"))
    read_before = exists().where(StoryReader.story_id == Story.id, StoryReader.person_id == bindparam("person_id"))
    statement = select(Story, applauded, read_before).where(Story.id == bindparam("story_id"))
    if bare:
        return statement
    return statement.options(
        joinedload(Story.nominator, innerjoin=True), *card_joins(), joinedload(Story.photos),
        selectinload(Story.thanks).joinedload(ThankYou.author, innerjoin=True),
    )


def published_stories(joined: bool = False, few: bool = False) -> Select[tuple[Story]]:
    """Published stories, newest first, with what a story card shows loaded in bulk.

    `joined` loads the cards' people and values in the same query, for pages that list two
    sets of stories, where two extra queries per set would add up. `few`: see is_published.
    Pages that show one list of cards read them as rows instead (storyboard.stories.cards).
    """
    if joined:
        people, values = card_joins()
    else:
        people, values = selectinload(Story.nominees), selectinload(Story.values)
    return (
        select(Story)
        .where(is_published(few))
        .order_by(Story.published_at.desc(), Story.id.desc())
        .options(
            # A card shows the excerpt, not the Markdown or the search text: leave them behind.
            defer(Story.body_md), defer(Story.search_text), defer(Story.impact),
            people.load_only(Person.id, Person.name), values,
        )
    )


def is_published(few: bool = False) -> ColumnElement[bool]:
    """The test for a published story.

    `few` says the caller's own filter picks a handful of stories (one person's): the status is
    then checked on those rows instead of walking the index of every published story in date
    order, which SQLite does to avoid a sort and which costs 12 ms at 100k stories.
    """
    # `status || ''` is the same test, but no index serves it.
    status = (Story.status + "") if few else Story.status
    return status == StoryStatus.PUBLISHED.value


def card_joins():
    """Joined loads of a story's nominees and values, as plain inner joins.

    An outer join here nests (story_nominees JOIN people) inside it, which SQLite answers by
    reading the whole association table; every story has nominees and values, so inner joins
    lose nothing and use the indexes.
    """
    return joinedload(Story.nominees, innerjoin=True), joinedload(Story.values, innerjoin=True)


def record_reader(story: Story, person: Person) -> None:
    """Count a person once among a published story's readers."""
    if story.status != StoryStatus.PUBLISHED:
        return
    if insert_if_absent(StoryReader.__table__, {"story_id": story.id, "person_id": person.id}):
        db.session.execute(
            update(Story).where(Story.id == story.id)
            .values(reader_count=Story.reader_count + 1, updated_at=Story.updated_at)
        )


def has_applauded(story: Story, person: Person) -> bool:
    return db.session.get(Applause, (story.id, person.id)) is not None


def applaud(story: Story, person: Person) -> bool:
    """Add the person's applause to a published story, once; True if this call added it.

    Not a toggle: fifty quick clicks end at one applause, never at zero.
    """
    if story.status != StoryStatus.PUBLISHED:
        raise Refused("Only published stories can be applauded.")
    if not insert_if_absent(Applause.__table__, {"story_id": story.id, "person_id": person.id}):
        return False
    _count_applause(story, +1)
    return True


def take_back_applause(story: Story, person: Person) -> bool:
    """Remove the person's applause, if they gave it; True if this call removed it."""
    removed = db.session.execute(
        Applause.__table__.delete().where(Applause.story_id == story.id, Applause.person_id == person.id)
    ).rowcount
    if removed:
        _count_applause(story, -removed)
    return bool(removed)


def _count_applause(story: Story, delta: int) -> None:
    # In the database, so two people applauding at once both count; "last changed" stays.
    db.session.execute(
        update(Story).where(Story.id == story.id)
        .values(applause_count=Story.applause_count + delta, updated_at=Story.updated_at)
    )


def add_thank_you(story: Story, author: Person, body_md: str) -> ThankYou:
    if story.status != StoryStatus.PUBLISHED:
        raise Refused("Thank-you notes can only be added to published stories.")
    note = ThankYou(
        story=story, author=author, body_md=body_md, body_html=markdown.render(body_md)
    )
    db.session.add(note)
    signals.story_thanked.send(story, author=author)
    return note


def active_values() -> list[Value]:
    return list(db.session.scalars(select(Value).where(Value.active).order_by(Value.position)))
