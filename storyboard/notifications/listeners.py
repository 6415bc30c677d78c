"""Who is told when a story moves or is thanked, or a rule people ran into has changed:
notifications listen to the features' signals."""
from __future__ import annotations

from sqlalchemy import func, select, union_all

from storyboard import signals
from storyboard.db_helpers import insert_if_absent
from storyboard.extensions import db
from storyboard.models import (
    FrictionItem,
    FrictionLink,
    FrictionNotice,
    NotificationKind,
    Person,
    Story,
    StoryStatus,
    story_co_nominators,
    story_nominees,
)
from storyboard.notifications.service import notify

S = StoryStatus


def tell_about_move(story: Story, *, actor: Person, before: StoryStatus, after: StoryStatus,
                    note: str | None) -> None:
    """The nominator hears of every decision; the people a story is about, and their managers,
    hear when it is first published."""
    title = f"“{story.title}”"
    if after == S.PUBLISHED and before == S.SUBMITTED:
        notify(story.nominator, NotificationKind.STORY_PUBLISHED, f"Your story {title} is published.", story)
        for nominee in story.nominees:
            notify(
                nominee, NotificationKind.ABOUT_YOU_PUBLISHED,
                f"{story.nominator.name} told a story about you: {title}. "
                "You can keep it out of digests from the story page.",
                story,
            )
            manager = nominee.manager
            if manager is not None and manager not in story.nominees:
                notify(
                    manager, NotificationKind.REPORT_RECOGNISED,
                    f"{nominee.name}, who reports to you, was recognised in {title}.", story,
                )
    elif after == S.CHANGES_REQUESTED:
        notify(
            story.nominator, NotificationKind.CHANGES_REQUESTED,
            f"HR asked for changes to {title}: {note}", story,
        )
    elif after == S.REJECTED:
        notify(
            story.nominator, NotificationKind.STORY_REJECTED,
            f"HR decided not to publish {title}: {note}", story,
        )


def tell_about_thanks(story: Story, *, author: Person) -> None:
    """The people a story is about, and the people who wrote it (its nominator and any credited
    after a merge), hear of a thank-you note, each once, unless they wrote it. What they read
    says who thanked whom: a nominee thanking the writer reads differently from a colleague's
    note on the story. Leavers are not told (notify skips inactive people)."""
    title = f"“{story.title}”"
    nominee_ids = {nominee.id for nominee in story.nominees}
    if author.id in nominee_ids:
        to_writers = f"{author.name} thanked you for your story about them, {title}."
    else:
        to_writers = f"{author.name} left a thank-you note on your story {title}."
    told = {author.id}
    for nominee in story.nominees:
        if nominee.id not in told:
            told.add(nominee.id)
            notify(nominee, NotificationKind.THANK_YOU, f"{author.name} thanked you on {title}.", story)
    for writer in [story.nominator, *story.co_nominators]:
        if writer.id not in told:
            told.add(writer.id)
            notify(writer, NotificationKind.THANK_YOU, to_writers, story)


def tell_about_friction_change(item: FrictionItem, *, actor: Person) -> None:
    """The people behind the item's published stories hear that it changed, each once per item:
    the notice row is the memory, so saving it changed again only reaches people filed since."""
    rule = item.title[:1].upper() + item.title[1:]  # it opens the sentence: "The refund rule you ran into..."
    message = f"{rule} you ran into has changed" + (f": {item.note}" if item.note else ".")
    for person, story in people_behind(item):
        if insert_if_absent(FrictionNotice.__table__, {"item_id": item.id, "person_id": person.id}):
            notify(person, NotificationKind.FRICTION_CHANGED, message, story)


def people_behind(item: FrictionItem) -> list[tuple[Person, Story]]:
    """Active nominators, co-nominators and nominees of the item's published stories, each with
    the first such story (the one their notification links to), in id order. Leavers get no
    notice row, so they are still told should they come back and the item change again."""
    filed = select(FrictionLink.story_id).join(Story, Story.id == FrictionLink.story_id).where(
        FrictionLink.item_id == item.id, Story.status == StoryStatus.PUBLISHED.value
    )
    involved = union_all(
        select(Story.nominator_id.label("person_id"), Story.id.label("story_id")).where(Story.id.in_(filed)),
        select(story_co_nominators.c.person_id, story_co_nominators.c.story_id)
        .where(story_co_nominators.c.story_id.in_(filed)),
        select(story_nominees.c.person_id, story_nominees.c.story_id).where(story_nominees.c.story_id.in_(filed)),
    ).subquery()
    first = (
        select(involved.c.person_id, func.min(involved.c.story_id).label("story_id"))
        .group_by(involved.c.person_id).subquery()
    )
    statement = (
        select(Person, Story)
        .join(first, first.c.person_id == Person.id)
        .join(Story, Story.id == first.c.story_id)
        .where(Person.active)
        .order_by(Person.id)
    )
    return [(person, story) for person, story in db.session.execute(statement)]


def connect() -> None:
    """Listen from now on. Connecting again (every app the tests build) changes nothing."""
    signals.story_moved.connect(tell_about_move)
    signals.story_thanked.connect(tell_about_thanks)
    signals.friction_changed.connect(tell_about_friction_change)
