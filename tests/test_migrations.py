"""Migrations: the models and the migrated schema agree, and the schema goes down and up again."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from storyboard.db_helpers import include_in_migrations
from storyboard.extensions import db


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
