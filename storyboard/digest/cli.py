"""`flask --app storyboard digest ...` commands."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from flask.cli import AppGroup
from sqlalchemy import select

from storyboard.clock import utcnow
from storyboard.digest.candidates import load_candidates, next_cut, params_from_config
from storyboard.digest.selection import select_issue
from storyboard.extensions import db
from storyboard.models import Story

digest_cli = AppGroup("digest", help="The digest email.")


def _parse_now(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use ISO 8601, for example 2026-11-23T07:00:00+00:00") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


@digest_cli.command("preview")
@click.option("--now", "now_text", help="Pretend it is this moment (ISO 8601; naive means UTC).")
def preview_command(now_text: str | None) -> None:
    """Print what the next issue would contain."""
    now = _parse_now(now_text)
    cut = next_cut(now)
    params = params_from_config()
    # No issue has been sent yet, so there is no history of appearances to space out.
    selection = select_issue(cut, load_candidates(cut, params), [], params)
    click.echo(f"Next issue: cut at {cut:%Y-%m-%d %H:%M} UTC (key {selection.issue_key}).")
    if selection.is_empty:
        click.echo("Nothing qualifies: no issue would be sent.")
        return
    titles = dict(db.session.execute(select(Story.id, Story.title).where(Story.id.in_(selection.story_ids))).all())
    for heading, ids in (("This week", selection.new), ("Also new", selection.also_new),
                         ("From the canon", selection.canon)):
        if ids:
            click.echo(f"\n{heading}:")
            for story_id in ids:
                click.echo(f"  #{story_id} {titles[story_id]}")
