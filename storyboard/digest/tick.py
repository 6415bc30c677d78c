"""`digest tick`: cut the latest issue if it is due, give up stale deliveries, send what is due.

Safe to run any number of times and from several processes at once: the issue key and the
(issue, person) pair are unique, and deliveries are claimed before they are sent. With
REDIS_URL set, batches go to RQ workers instead of being sent by the tick itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from storyboard.digest.candidates import latest_cut
from storyboard.digest.email import DigestContent
from storyboard.digest.issues import cut_issue, issue_content, mark_stale, open_issues, still_current
from storyboard.digest.sending import (
    BatchReport,
    Clock,
    check_settings,
    claim_batch,
    send_claims,
)
from storyboard.models import DigestIssue


@dataclass
class TickReport:
    cut_at: datetime
    issue_key: str | None = None  # the latest cut's issue, if there is one
    created: bool = False
    stale: int = 0
    enqueued: int = 0  # RQ jobs, with REDIS_URL set
    sent: BatchReport = field(default_factory=BatchReport)


def tick(now: datetime | None = None) -> TickReport:
    """One pass: cut, expire, then send (or enqueue) every open issue's due deliveries."""
    check_settings()
    clock = Clock(now)
    cut_at = latest_cut(clock())
    report = TickReport(cut_at=cut_at)
    rendered: dict[int, DigestContent] = {}
    issue, report.created = cut_issue(cut_at, clock(), rendered)
    report.issue_key = issue.issue_key if issue is not None else None
    report.stale = mark_stale(clock())
    issues = open_issues(clock())
    if current_app.config.get("REDIS_URL"):
        from storyboard.digest.jobs import enqueue_batches

        report.enqueued = enqueue_batches(issues, clock if now is not None else None)
    else:
        for open_issue in issues:
            report.sent.add(send_issue(open_issue, clock, rendered.get(open_issue.id)))
    return report


def send_issue(issue: DigestIssue, clock: Clock, content: DigestContent | None = None) -> BatchReport:
    """Claim and send batches of one issue until none is due. The email is rendered once (or
    comes as `content`, rendered when the issue was cut) and again only when one of its
    stories changes meanwhile: a curator's redaction reaches the very next batch."""
    report = BatchReport()
    while claims := claim_batch(issue.id, clock):
        if not still_current(content, issue):
            content = issue_content(issue)
        report.add(send_claims(issue, claims, content, clock))
    return report
