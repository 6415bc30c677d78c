"""RQ jobs: with REDIS_URL set, `digest tick` enqueues a job per batch; `rq worker` sends them.

The queue only spreads the work: each job claims its own batch in the database, so a job run
twice, or a tick that enqueues more jobs than there are batches, sends nothing twice.
"""
from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Queue

from storyboard.digest.issues import issue_content
from storyboard.digest.sending import Clock, claim_batch, send_claims
from storyboard.digest.tick import batches_due
from storyboard.extensions import db
from storyboard.models import DigestIssue

_worker_app: Flask | None = None


def digest_queue() -> Queue:
    config = current_app.config
    return Queue(config["DIGEST_QUEUE"], connection=Redis.from_url(config["REDIS_URL"]))


def enqueue_batches(issues: list[DigestIssue], pretend: Clock | None = None) -> int:
    """Top the queue up to one job per due batch of the issues; returns how many were added.

    Jobs still waiting from an earlier tick count, so ticks while workers are down or slow do
    not pile jobs up. `pretend` is the tick's pretend clock (`--now`), handed on to the jobs.
    """
    clock = pretend or Clock()
    wanted = {issue.id: batches_due(issue, clock) for issue in issues}
    queue = digest_queue()
    waiting = queue.count
    lease = current_app.config["DIGEST_CLAIM_LEASE_SECONDS"]
    added = 0
    for issue_id, batches in wanted.items():
        for _ in range(batches):
            if waiting > 0:
                waiting -= 1
                continue
            queue.enqueue(send_batch, issue_id, clock().isoformat() if pretend else None,
                          job_timeout=lease, result_ttl=86_400, failure_ttl=7 * 86_400)
            added += 1
    return added


def send_batch(issue_id: int, now_text: str | None = None) -> dict[str, int]:
    """The job: claim one batch of the issue and send it. Returns counts by delivery status."""
    app = current_app._get_current_object() if has_app_context() else _app_for_worker()
    with app.app_context():
        clock = Clock(datetime.fromisoformat(now_text) if now_text else None)
        issue = db.session.get(DigestIssue, issue_id)
        if issue is None:
            return {}
        claims = claim_batch(issue.id, clock)
        report = send_claims(issue, claims, issue_content(issue) if claims else None, clock)
        return dict(report.statuses) | {"sessions": report.sessions}


def _app_for_worker() -> Flask:
    """One app per worker process, configured like the web app (instance config, STORYBOARD_*)."""
    global _worker_app
    if _worker_app is None:
        from storyboard import create_app

        _worker_app = create_app()
    return _worker_app
