"""Every query the main pages and the digest make can use an index: no full scans of big tables.

The queries are the real ones, captured with their parameters while each page is served, then
explained by the database: PostgreSQL with sequential scans priced out (so a Seq Scan left in
the plan means no index could serve), SQLite by EXPLAIN QUERY PLAN (a bare SCAN is a full scan).
"""
from __future__ import annotations

import re

import pytest
from flask import g
from sqlalchemy import event, text

from storyboard.digest.preview import next_issue_preview
from storyboard.digest.tick import tick
from storyboard.extensions import db
from tests.pages import PAGES, grow

# Tables that grow with the company; the small ones (values, digest issues) may be scanned.
BIG_TABLES = {
    "stories", "people", "story_nominees", "story_values", "story_readers", "applause",
    "thank_yous", "notifications", "digest_deliveries", "story_revisions", "audit_log",
}


def captured(action) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH", "UPDATE")) and not executemany:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def full_scans(statement: str, parameters) -> list[str]:
    """The big tables the plan reads whole."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
        tables = re.findall(r"Seq Scan on (\w+)", plan)
    else:
        plan = "\n".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
        # Aliases (story_nominees_1) name their table; SCAN ... USING INDEX walks an index.
        tables = [re.sub(r"_\d+$", "", name) for name in re.findall(r"\bSCAN (\w+)(?! USING)", plan)]
    db.session.rollback()
    return [table for table in tables if table in BIG_TABLES]


def assert_indexed(statements) -> None:
    problems = [f"{tables}: {sql[:200]}" for sql, params in statements if (tables := full_scans(sql, params))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", PAGES)
def test_every_query_of_a_page_uses_an_index(app, client, world, make_person, make_story, page):
    story_id = grow(world, make_person, make_story)
    path = PAGES[page](world, story_id)

    def request():
        g.pop("_login_user", None)
        assert client.get(path).status_code == 200

    assert_indexed(captured(request))


def test_the_digest_cut_and_send_use_indexes(app, client, world, make_person, make_story, smtp_server):
    from tests.helpers import NOW

    grow(world, make_person, make_story)
    statements = captured(lambda: next_issue_preview(NOW)) + captured(lambda: tick(NOW))
    assert statements
    assert_indexed(statements)


def test_postgresql_keeps_each_storys_search_vector_in_its_row(app, ctx):
    """A common word's search tests the vector of every published story it walks past: kept out
    of line with the long Markdown and HTML (PostgreSQL's default), each test read about five
    pages from the TOAST table, and "refund" took 24 ms at 100k stories instead of 9-11."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite searches an FTS5 table of its own")
    storage = db.session.execute(text(
        "SELECT attstorage FROM pg_attribute WHERE attrelid = 'stories'::regclass AND attname = 'search_vector'"
    )).scalar_one()
    assert storage == "m"  # MAIN: compressed, in the row, out of line only as a last resort


def test_search_results_are_read_by_their_ids_not_by_walking_the_published_stories(app, client, world, make_person,
                                                                                   make_story):
    """Search loads its page of cards by id. Tested against the (status, published_at) index in
    date order, SQLite walked every published story to find those ids: 12 ms at 100k stories."""
    from storyboard.stories.cards import cards_in_order

    grow(world, make_person, make_story)
    story_ids = db.session.scalars(text("SELECT id FROM stories WHERE status = 'published' LIMIT 3")).all()
    statements = captured(lambda: cards_in_order(story_ids))
    assert len(story_ids) == 3
    first = statements[0]
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {first[0]}", first[1]))
    else:
        plan = "\n".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {first[0]}", first[1]))
    db.session.rollback()
    assert "FROM stories" in first[0]
    assert "ix_stories_status_published" not in plan
