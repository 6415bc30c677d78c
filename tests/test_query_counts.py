"""Each page makes the same few SQL queries however many stories, people and notes there are."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import g
from sqlalchemy import event, insert, select

from storyboard.extensions import db
from storyboard.models import Applause, Notification, Person, StoryStatus, ThankYou, Value

MAX_QUERIES = 6


@dataclass
class World:
    """Ids, not objects: each counted request starts with an empty session."""

    viewer_id: int
    hero_id: int  # the profile we look at
    story_id: int  # the story we open (a first read)
    value_slug: str


def statements_for(client, path: str) -> list[str]:
    """The SQL one request runs, with nothing cached from earlier requests."""
    g.pop("_login_user", None)
    db.session.expunge_all()
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return seen


@pytest.fixture
def world(ctx, make_person, make_story, login) -> World:
    viewer = login(make_person(role="curator"))
    hero = make_person(name="Hero Person")
    value = db.session.scalars(select(Value).order_by(Value.position)).first()
    make_story(title="A lighthouse rescue", nominees=[hero], values=[value])
    make_story(nominator=hero, title="Hero tells a lighthouse story")
    make_story(status=StoryStatus.SUBMITTED)
    story = make_story(title="The story we open")
    return World(viewer.id, hero.id, story.id, value.slug)


def grow(world: World, make_person, make_story) -> int:
    """Many more stories with more nominees, values, notes, applause and notifications."""
    hero, viewer = db.session.get(Person, world.hero_id), db.session.get(Person, world.viewer_id)
    values = db.session.scalars(select(Value)).all()
    crowd = [make_person() for _ in range(6)]
    for n in range(30):
        nominees = [hero, *crowd[n % 3: n % 3 + 3]]
        make_story(title=f"Lighthouse story {n}", nominees=nominees, values=values[:3])
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
}


@pytest.mark.parametrize("page", PAGES)
def test_a_page_makes_the_same_few_queries_whatever_the_data(app, client, world, make_person, make_story, page):
    small = statements_for(client, PAGES[page](world, world.story_id))
    busy_story = grow(world, make_person, make_story)
    large = statements_for(client, PAGES[page](world, busy_story))
    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= MAX_QUERIES, "\n".join(small)


def test_opening_a_story_again_writes_nothing(app, client, world):
    statements_for(client, f"/stories/{world.story_id}")
    again = statements_for(client, f"/stories/{world.story_id}")
    assert not [sql for sql in again if not sql.lstrip().upper().startswith("SELECT")]
    assert len(again) <= 3
