"""RQ jobs: with REDIS_URL set, `digest tick` enqueues a job per batch; `rq worker` sends them.

The queue only spreads the work: each job claims its own batch in the database, so a job run
twice, or a tick that enqueues more jobs than there are batches, sends nothing twice.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from redis import Redis
from rq import Queue

from storyboard.digest.issues import issue_content
from storyboard.digest.sending import Clock, batches_due, claim_batch, send_claims
from storyboard.extensions import db
from storyboard.models import DigestIssue

# By name: the job builds its own app (storyboard/worker.py), which no feature may import.
WORKER_JOB = "storyboard.worker.send_digest_batch"


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
            queue.enqueue(WORKER_JOB, issue_id, clock().isoformat() if pretend else None,
                          job_timeout=lease, result_ttl=86_400, failure_ttl=7 * 86_400)
            added += 1
    return added


def send_batch(issue_id: int, now_text: str | None = None) -> dict[str, int]:
    """Claim one batch of the issue and send it, in the app context the worker set up
    (storyboard.worker). Returns counts by delivery status."""
    clock = Clock(datetime.fromisoformat(now_text) if now_text else None)
    issue = db.session.get(DigestIssue, issue_id)
    if issue is None:
        return {}
    claims = claim_batch(issue.id, clock)
    report = send_claims(issue, claims, issue_content(issue) if claims else None, clock)
    return dict(report.statuses) | {"sessions": report.sessions}
