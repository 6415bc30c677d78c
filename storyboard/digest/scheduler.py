"""`digest scheduler`: APScheduler in its own process, for hosts without cron.

Never start it inside web workers: each worker would run its own. Two schedulers by mistake
are harmless anyway, because `tick` is safe to run at the same time from several processes.
Each tick also sends the managers' monthly emails when they are due (the first days of a
month), which is as safe to run twice: each manager's email is claimed in the database first.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from storyboard.digest.tick import tick
from storyboard.extensions import db
from storyboard.insights.managers import send_if_due

log = logging.getLogger("storyboard.digest")

# Ticks fall on whole multiples of the interval since this moment: with the default 300
# seconds, at :00, :05, :10... of every hour, so a cut at 07:00 (or 09:30) is cut on the dot.
TICK_ORIGIN = datetime(2000, 1, 1, tzinfo=UTC)


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A scheduler that ticks every DIGEST_TICK_INTERVAL_SECONDS.

    There is no cron trigger at the cut's day and time: an admin can change them at
    /admin/digest while this process runs, and a trigger built from them at start would go on
    firing at the old time. Each tick reads the schedule from the database instead (through
    `latest_cut`) and cuts the issue once its time has passed, so a change is followed from
    the next tick, without a restart, and the ticks also pick up retries and a cut missed
    while the scheduler was down. The cost is that an issue may go out up to one interval
    after its cut time when the cut is not on a tick (see TICK_ORIGIN).
    """
    interval = app.config["DIGEST_TICK_INTERVAL_SECONDS"]
    scheduler = BlockingScheduler(timezone=UTC)
    trigger = IntervalTrigger(seconds=interval, start_date=TICK_ORIGIN, timezone=UTC)
    scheduler.add_job(run_tick, trigger, args=[app], id="digest-tick", coalesce=True,
                      max_instances=1, misfire_grace_time=interval)
    return scheduler


def run_tick(app: Flask) -> None:
    """One tick in its own app context, then the managers' monthly emails if they are due; a
    failure of either is logged, does not stop the other, and the next tick tries again."""
    with app.app_context():
        try:
            report = tick()
        except Exception:
            db.session.rollback()  # so the managers' emails start from a clean session
            log.exception("Digest tick failed")
        else:
            log.info("Digest tick: issue %s, sent %s, stale %d, enqueued %d", report.issue_key,
                     dict(report.sent.statuses), report.stale, report.enqueued)
        run_manager_emails()


def run_manager_emails() -> None:
    """The managers' monthly emails, in the first days of a month (storyboard.insights.managers:
    each manager's is claimed in the database first, so ticks never send one twice)."""
    try:
        report = send_if_due()
    except Exception:
        db.session.rollback()
        log.exception("Managers' emails failed")
        return
    if report is not None and (report.sent or report.failed or report.refused):
        log.info("Managers' emails for %s: %d sent, %d failed, %d refused", report.month,
                 len(report.sent), len(report.failed), len(report.refused))
