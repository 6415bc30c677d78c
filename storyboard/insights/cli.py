"""`flask --app storyboard insights ...` commands."""
from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from storyboard.clock import naive_utc

insights_cli = AppGroup("insights", help="Insights for HR and managers.")


def _moment(value: str | None) -> datetime | None:
    """A --now value as naive UTC (naive input means UTC), or None for the real now."""
    if not value:
        return None
    try:
        return naive_utc(value)
    except ValueError:
        raise click.BadParameter("use ISO 8601, for example 2026-12-01T08:00:00+00:00") from None


@insights_cli.command("manager-emails")
@click.option("--now", "now_text", help="Pretend it is this moment (ISO 8601; naive means UTC).")
def manager_emails_command(now_text: str | None) -> None:
    """Send last month's email to every manager due one. Safe to repeat: each manager gets
    one per month. The digest scheduler sends them by itself in the first days of a month;
    with cron instead, run this daily (or on the first of the month)."""
    from storyboard.insights.managers import send_manager_emails

    report = send_manager_emails(_moment(now_text))
    click.echo(f"Managers' emails for {report.month}: {len(report.sent)} sent, "
               f"{report.already_sent} already sent, {len(report.failed)} failed, {len(report.refused)} refused.")
    for address in report.failed:
        click.echo(f"  Failed (will be tried again next run): {address}")
    for address in report.refused:
        click.echo(f"  Refused by the mail server (not tried again this month): {address}")
    if report.failed or report.refused:
        raise click.exceptions.Exit(1)
