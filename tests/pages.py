"""A small company to serve the main pages from, and a way to make it much bigger."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from storyboard.extensions import db
from storyboard.models import Applause, Notification, Person, StoryStatus, ThankYou, Value


@dataclass
class World:
    """Ids, not objects: each counted request starts with an empty session."""

    viewer_id: int
    hero_id: int  # the profile we look at
    story_id: int  # the story we open (a first read)
    value_slug: str
    cursor: str  # a page link's cursor, to load a later page of the feed and the queue


def make_world(make_person, make_story, login) -> World:
    viewer = login(make_person(role="curator"))
    hero = make_person(name="Hero Person")
    value = db.session.scalars(select(Value).order_by(Value.position)).first()
    make_story(title="A lighthouse rescue", nominees=[hero], values=[value],
               in_canon=True, canon_lesson="Keep the light on.", canonized_at=datetime(2026, 1, 5, 9, 0))
    make_story(nominator=hero, title="Hero tells a lighthouse story")
    make_story(status=StoryStatus.SUBMITTED)
    story = make_story(title="The story we open")
    cursor = f"{story.published_at.isoformat()}_{story.id + 1}"
    return World(viewer.id, hero.id, story.id, value.slug, cursor)


def grow(world: World, make_person, make_story) -> int:
    """Many more stories with more nominees, values, notes, applause and notifications."""
    hero, viewer = db.session.get(Person, world.hero_id), db.session.get(Person, world.viewer_id)
    values = db.session.scalars(select(Value)).all()
    crowd = [make_person() for _ in range(6)]
    for n in range(30):
        nominees = [hero, *crowd[n % 3: n % 3 + 3]]
        make_story(title=f"Lighthouse story {n}", nominees=nominees, values=values[:3],
                   in_canon=True, canon_lesson=f"Lesson {n}", canonized_at=datetime(2026, 2, 1 + n % 28, 9, 0))
        make_story(nominator=hero, title=f"Told by the hero {n}", nominees=crowd[:2], values=values[:2])
        make_story(status=StoryStatus.SUBMITTED, nominees=crowd[:3], values=values[:3])
    story = make_story(title="The busy story we open", nominees=crowd, values=values[:3])
    db.session.execute(insert(ThankYou), [
        {"story_id": story.id, "author_id": person.id, "body_md": "Thanks!", "body_html": "<p>Thanks!</p>"}
        for person in crowd
    ])
    db.session.execute(insert(Applause), [{"story_id": story.id, "person_id": person.id} for person in crowd])
    db.session.execute(insert(Notification), [
        {"person_id": viewer.id, "kind": "thank_you", "message": f"Note {n}"} for n in range(12)
    ])
    db.session.commit()
    return story.id


PAGES = {
    "feed": lambda world, story_id: "/",
    "story": lambda world, story_id: f"/stories/{story_id}",
    "profile": lambda world, story_id: f"/people/{world.hero_id}",
    "value": lambda world, story_id: f"/values/{world.value_slug}",
    "search": lambda world, story_id: "/search?q=lighthouse",
    "queue": lambda world, story_id: "/queue/",
    "feed, a later page": lambda world, story_id: f"/?after={world.cursor}",
    "queue, a later page": lambda world, story_id: f"/queue/?before={world.cursor}",
    "canon": lambda world, story_id: "/canon/",
}
