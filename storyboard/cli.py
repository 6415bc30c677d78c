"""Flask commands: `flask --app storyboard init-db | seed-demo | people import | digest | insights | backup | chat`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade

from storyboard.extensions import db


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema and add the default values."""
    from storyboard.stories.defaults import ensure_default_values

    upgrade()
    created = ensure_default_values()
    db.session.commit()
    click.echo(f"Database is up to date ({created} default values added).")


def register_commands(app: Flask) -> None:
    from storyboard.backup import backup_cli
    from storyboard.chat.cli import chat_cli
    from storyboard.demo import seed_demo_command
    from storyboard.digest.cli import digest_cli
    from storyboard.insights.cli import insights_cli
    from storyboard.people.cli import people_cli

    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(people_cli)
    app.cli.add_command(digest_cli)
    app.cli.add_command(insights_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(chat_cli)
