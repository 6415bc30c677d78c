"""`digest scheduler`: APScheduler in its own process, for hosts without cron.

Never start it inside web workers: each worker would run its own. Two schedulers by mistake
are harmless anyway, because `tick` is safe to run at the same time from several processes.
"""
from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from storyboard.digest.tick import tick

log = logging.getLogger("storyboard.digest")


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A scheduler that ticks at the cut itself and every DIGEST_TICK_INTERVAL_SECONDS."""
    config = app.config
    zone = config["DIGEST_TIMEZONE"]
    hour, minute = (int(part) for part in config["DIGEST_CUT_TIME"].split(":")[:2])
    trigger = OrTrigger([
        CronTrigger(day_of_week=config["DIGEST_CUT_DAY"].lower()[:3], hour=hour, minute=minute, timezone=zone),
        # The interval picks up retries, and a cut missed while the scheduler was down.
        IntervalTrigger(seconds=config["DIGEST_TICK_INTERVAL_SECONDS"], timezone=zone),
    ])
    scheduler = BlockingScheduler(timezone=zone)
    scheduler.add_job(run_tick, trigger, args=[app], id="digest-tick", coalesce=True,
                      max_instances=1, misfire_grace_time=config["DIGEST_TICK_INTERVAL_SECONDS"])
    return scheduler


def run_tick(app: Flask) -> None:
    """One tick in its own app context; a failure is logged and the next tick tries again."""
    with app.app_context():
        try:
            report = tick()
        except Exception:
            log.exception("Digest tick failed")
            return
        log.info("Digest tick: issue %s, sent %s, stale %d, enqueued %d", report.issue_key,
                 dict(report.sent.statuses), report.stale, report.enqueued)
