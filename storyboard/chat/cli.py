"""`flask chat deliver`: send the chat webhooks' deliveries that are due (run it from cron every
minute without Redis; with REDIS_URL it queues them for `rq worker` instead)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from storyboard.chat.delivery import deliver_due
from storyboard.clock import naive_utc

chat_cli = AppGroup("chat", help="Chat webhooks.")


@chat_cli.command("deliver")
@click.option("--now", "now_text", default=None, help="Pretend it is this UTC time (ISO 8601), for testing.")
def deliver_command(now_text: str | None) -> None:
    """Send (or, with REDIS_URL, queue) every webhook delivery that is due, retries included."""
    try:
        now = naive_utc(now_text) if now_text else None
    except ValueError:
        raise click.BadParameter("use ISO 8601, for example 2026-11-23T07:00:00+00:00") from None
    counts = deliver_due(now)
    shown = ", ".join(f"{count} {status}" for status, count in sorted(counts.items())) or "nothing due"
    click.echo(f"Chat deliveries: {shown}.")
