"""Migrations: the models and the migrated schema agree, and the schema goes down and up again."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from storyboard import PROJECT_ROOT
from storyboard.db_helpers import include_in_migrations
from storyboard.extensions import db
from storyboard.models import Person


def schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_in_migrations, "compare_type": True}
        )
        return compare_metadata(context, db.metadata)


def test_models_match_the_migrated_schema(app, ctx):
    assert schema_differences() == []


def test_downgrade_to_empty_and_upgrade_again(app, ctx):
    db.session.remove()
    downgrade(revision="base")
    upgrade()
    assert schema_differences() == []


def test_upgrade_from_the_previous_revision_keeps_data_and_search(app, ctx, make_story, client, as_role):
    from sqlalchemy import text

    story = make_story(title="Kept through the upgrade")
    story_id = story.id
    db.session.remove()
    downgrade(revision="0001")
    upgrade()
    row = db.session.execute(
        text("SELECT title, resurface, in_canon, legacy FROM stories WHERE id = :id"), {"id": story_id}
    ).one()
    assert (row.title, bool(row.resurface), bool(row.in_canon), bool(row.legacy)) == (
        "Kept through the upgrade", True, False, False,
    )
    db.session.execute(text("UPDATE stories SET search_text = 'renamed lighthouse' WHERE id = :id"), {"id": story_id})
    db.session.commit()
    as_role("staff")
    assert "Kept through the upgrade" in client.get("/search?q=lighthouse").get_data(as_text=True)


REVISIONS = sorted(path.name[:4] for path in (PROJECT_ROOT / "migrations" / "versions").glob("0*.py"))


def test_the_revisions_are_the_ones_this_test_walks():
    assert REVISIONS[:4] == ["0001", "0002", "0003", "0004"]


@pytest.mark.parametrize("revision", REVISIONS[:-1])
def test_upgrade_from_each_previous_revision_keeps_people_and_stories(app, ctx, make_story, make_person, revision):
    """Data written at every earlier revision survives the upgrade to the newest one."""
    from sqlalchemy import text

    reader = make_person(email="kept@example.com", name="Kept Reader")
    story = make_story(title=f"Written at {revision}", nominees=[reader])
    story_id, reader_id = story.id, reader.id
    db.session.remove()
    downgrade(revision=revision)
    upgrade()
    assert schema_differences() == []
    row = db.session.execute(text(
        "SELECT stories.title, people.email, people.digest_frequency, people.bounce_score FROM stories "
        "JOIN story_nominees ON story_nominees.story_id = stories.id "
        "JOIN people ON people.id = story_nominees.person_id WHERE stories.id = :id"
    ), {"id": story_id}).one()
    assert tuple(row) == (f"Written at {revision}", "kept@example.com", "weekly", 0)
    assert db.session.get(Person, reader_id).name == "Kept Reader"
