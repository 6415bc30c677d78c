"""`flask --app storyboard digest ...` commands."""
from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from storyboard.clock import naive_utc, utcnow

digest_cli = AppGroup("digest", help="The digest email.")


def _parse_now(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        return naive_utc(value)
    except ValueError:
        raise click.BadParameter("use ISO 8601, for example 2026-11-23T07:00:00+00:00") from None


@digest_cli.command("preview")
@click.option("--now", "now_text", help="Pretend it is this moment (ISO 8601; naive means UTC).")
def preview_command(now_text: str | None) -> None:
    """Print what the next issue would contain."""
    from storyboard.digest.preview import next_issue_preview

    preview = next_issue_preview(_parse_now(now_text))
    click.echo(f"Next issue: cut at {preview.cut_at:%Y-%m-%d %H:%M} UTC (key {preview.issue_key}).")
    if preview.selection.is_empty:
        click.echo("Nothing qualifies: no issue would be sent.")
        return
    for heading, name in (("This week", "new"), ("Also new", "also_new"), ("From the canon", "canon")):
        if stories := preview.section(name):
            click.echo(f"\n{heading}:")
            for story in stories:
                click.echo(f"  #{story.id} {story.title}")


@digest_cli.command("tick")
@click.option("--now", "now_text", help="Pretend it is this moment (ISO 8601; naive means UTC).")
def tick_command(now_text: str | None) -> None:
    """Cut the latest issue if due, then send (or enqueue) what is due. Safe to repeat."""
    from storyboard.digest.tick import tick

    try:
        report = tick(_parse_now(now_text) if now_text else None)
    except ValueError as error:  # settings that cannot work
        raise click.ClickException(str(error)) from None
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
    import signal

    from flask import current_app

    from storyboard.digest.scheduler import build_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    scheduler = build_scheduler(current_app._get_current_object())

    def stop(signum, frame) -> None:
        # A tick already running finishes; its claims are safe either way.
        scheduler.shutdown(wait=False)

    # Handled explicitly: a process started in the background may inherit SIGINT ignored, and
    # systemd stops services with SIGTERM.
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, stop)
    click.echo("Digest scheduler running; stop it with Ctrl-C.")
    scheduler.start()
    click.echo("Digest scheduler stopped.")
