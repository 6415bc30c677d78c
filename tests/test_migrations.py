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
