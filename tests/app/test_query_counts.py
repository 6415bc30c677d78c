"""Each page makes the same few SQL queries however many stories, people and notes there are."""
from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import event

from storyboard.extensions import db
from tests.pages import PAGES, grow

MAX_QUERIES = 6
# The canon page shows curators (the world's viewer is one) the canon's room: the stored digest
# schedule, the canon stories and their appearances, three queries whatever their number.
ALLOWANCE = {"canon": 3}


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
        response.get_data()  # a streamed download (a CSV) runs its queries while it is read
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return seen


@pytest.mark.parametrize("page", PAGES)
def test_a_page_makes_the_same_few_queries_whatever_the_data(app, client, world, make_person, make_story, page):
    small = statements_for(client, PAGES[page](world, world.story_id))
    busy_story = grow(world, make_person, make_story)
    large = statements_for(client, PAGES[page](world, busy_story))
    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= MAX_QUERIES + ALLOWANCE.get(page, 0), "\n".join(small)


def test_opening_a_story_again_writes_nothing(app, client, world):
    statements_for(client, f"/stories/{world.story_id}")
    again = statements_for(client, f"/stories/{world.story_id}")
    assert not [sql for sql in again if not sql.lstrip().upper().startswith("SELECT")]
    assert len(again) <= 3
