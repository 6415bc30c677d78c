"""`flask --app storyboard digest ...` commands."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from flask.cli import AppGroup
from sqlalchemy import select

from storyboard.clock import utcnow
from storyboard.digest.candidates import load_candidates, load_history, next_cut, params_from_config
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
    selection = select_issue(cut, load_candidates(cut, params), load_history(), params)
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


@digest_cli.command("tick")
@click.option("--now", "now_text", help="Pretend it is this moment (ISO 8601; naive means UTC).")
def tick_command(now_text: str | None) -> None:
    """Cut the latest issue if due, then send (or enqueue) what is due. Safe to repeat."""
    from storyboard.digest.tick import tick

    report = tick(_parse_now(now_text) if now_text else None)
    if report.issue_key is None:
        click.echo(f"No issue for the cut at {report.cut_at:%Y-%m-%d %H:%M} UTC: nothing qualifies, or it is too late.")
    else:
        verb = "cut now" if report.created else "already cut"
        click.echo(f"Issue {report.issue_key} ({verb}).")
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(report.sent.statuses.items()))
    click.echo(f"Deliveries: {statuses or 'none due'}; SMTP sessions: {report.sent.sessions}; "
               f"given up as stale: {report.stale}; jobs enqueued: {report.enqueued}.")


@digest_cli.command("scheduler")
def scheduler_command() -> None:
    """Run ticks on the digest schedule in this process, until stopped (for hosts without cron)."""
    import logging

    from flask import current_app

    from storyboard.digest.scheduler import build_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    scheduler = build_scheduler(current_app._get_current_object())
    click.echo("Digest scheduler running; stop it with Ctrl-C.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
