"""A big seed loads its stories differently (PostgreSQL: COPY from a worker thread, with the
stories' secondary indexes built and their foreign keys checked after the load), and must give
the same company as a small one, with every index and foreign key as it was."""
from datetime import datetime

import pytest
from sqlalchemy import inspect, select, text

import storyboard.demo.seed as seed
from storyboard.demo import seed_demo
from storyboard.extensions import db
from storyboard.models import Story, StoryStatus
from storyboard.stories.search import matching_ids
from tests.demo.test_demo import _digest, _empty_demo_rows

ANCHOR = datetime(2026, 3, 2)
LOADED = ("stories", "story_nominees", "story_values", "story_readers", "applause", "thank_yous")


def _indexes() -> dict[str, list]:
    inspector = inspect(db.session.connection())
    return {table: sorted((index["name"], index["column_names"], bool(index["unique"]))
                          for index in inspector.get_indexes(table))
            for table in LOADED}


def _foreign_keys() -> dict[str, list]:
    inspector = inspect(db.session.connection())
    return {table: sorted((key["name"] or "", key["constrained_columns"], key["referred_table"],
                           key["referred_columns"], sorted(key["options"].items()))
                          for key in inspector.get_foreign_keys(table))
            for table in LOADED}


def test_a_big_load_gives_the_same_company_and_keeps_every_index(ctx, monkeypatch):
    indexes, foreign_keys = _indexes(), _foreign_keys()
    assert foreign_keys["story_readers"], "the premise: a reader's story and person are foreign keys"
    seed_demo(people=30, stories=60, seed=4, anchor=ANCHOR)
    small = _digest(full=True)
    _empty_demo_rows()

    # As a big seed runs: indexes set aside, and batches smaller than the seed.
    monkeypatch.setattr(seed, "BIG_LOAD", 1)
    monkeypatch.setattr(seed, "BATCH_STORIES", 7)
    seed_demo(people=30, stories=60, seed=4, anchor=ANCHOR)

    assert _digest(full=True) == small
    assert _indexes() == indexes
    assert _foreign_keys() == foreign_keys


def test_a_big_loads_stories_can_be_searched(ctx, monkeypatch):
    monkeypatch.setattr(seed, "BIG_LOAD", 1)
    seed_demo(people=30, stories=60, seed=4, anchor=ANCHOR)
    story_id, title = db.session.execute(select(Story.id, Story.title).where(
        Story.status == StoryStatus.PUBLISHED.value).order_by(Story.id).limit(1)).one()

    assert story_id in matching_ids(title, limit=5)


def _checked_foreign_keys(table: str) -> list[str]:
    """The foreign keys PostgreSQL holds on `table`, with whether each is checked (validated)."""
    return sorted(db.session.execute(text(
        "SELECT k.conname || ':' || k.convalidated FROM pg_constraint k "
        "WHERE k.contype = 'f' AND k.conrelid = CAST(:table AS regclass)"), {"table": table}).scalars())


def test_a_big_load_on_postgresql_checks_its_foreign_keys_once_after_the_load(ctx, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite checks foreign keys row by row; only PostgreSQL sets them aside")
    before = _checked_foreign_keys("story_readers")
    assert before and all(key.endswith(":true") for key in before)
    during: list[list[str]] = []

    class Watched(seed.BackgroundInserts):
        def insert(self, tables):
            during.append(_checked_foreign_keys("story_readers"))
            super().insert(tables)

    monkeypatch.setattr(seed, "BIG_LOAD", 1)
    monkeypatch.setattr(seed, "BackgroundInserts", Watched)
    seed_demo(people=30, stories=60, seed=4, anchor=ANCHOR)

    assert during and all(keys == [] for keys in during), "readers were loaded under row-by-row checks"
    assert _checked_foreign_keys("story_readers") == before  # back, and validated
