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


def enqueue_batches(issue: DigestIssue, now: datetime | None = None) -> int:
    """Enqueue one job per batch of the issue's due deliveries; returns how many."""
    count = batches_due(issue, Clock(now))
    lease = current_app.config["DIGEST_CLAIM_LEASE_SECONDS"]
    queue = digest_queue()
    for _ in range(count):
        queue.enqueue(send_batch, issue.id, now.isoformat() if now else None,
                      job_timeout=lease, result_ttl=86_400, failure_ttl=7 * 86_400)
    return count


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
