"""A year of past digest issues, chosen by the real selection week by week, as if the digest
had been running: the archive has history, canon stories show how often they were retold, and
the next issue's canon section follows on from what was already shown.

Each issue is recorded as `digest.issues.cut_issue` records one (its stories in the order
new, canon, also new), with its deliveries already sent: nothing is left for `digest tick` to
send, and no email goes out while seeding. An issue key already present is skipped.

The canon is loaded once and each week's new stories once, without their words (loading every
story published since a year-old window, 52 times over or even once, is what would make a big
seed slow), and the history is kept in memory after one load_history(); each week's selection
sees what cut_issue's would.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, insert, literal, select, update

from storyboard.demo.bulk import insert_rows, next_id
from storyboard.demo.week_candidates import load_week_candidates
from storyboard.digest.candidates import is_monthly_cut, latest_cut, load_history, params_from_config
from storyboard.digest.selection import (
    SECTION_ALSO_NEW,
    SECTION_CANON,
    SECTION_NEW,
    Appearance,
    Candidate,
    SelectionParams,
    issue_key_for,
    select_issue,
    window_bounds,
)
from storyboard.digest.subscriptions import frequencies_for
from storyboard.extensions import db
from storyboard.models import (
    DeliveryStatus,
    DigestDelivery,
    DigestHoldback,
    DigestIssue,
    DigestIssueStory,
    Person,
    Story,
)

WEEKS = 52
# How long after the cut the demo's deliveries went out.
SENT_AFTER = timedelta(minutes=4)
# What the curators wrote at the top of a few issues: by the issue's number, from the oldest.
INTRODUCTIONS = {
    0: "Welcome to the weekly digest: the best new stories every Monday, and a classic from the canon "
       "now and then, so the stories worth learning from come round again.",
    13: "A quarter in, and the canon is starting to come back round. If a story here made you think of "
        "a colleague, **nominate them**: it takes five minutes.",
    26: "Half a year of stories. Thank you to everyone who took the time to write one.",
    39: "Peak season is coming. The classics in this issue are the ones we reread every year before it.",
}


@dataclass
class History:
    """What a run recorded."""

    issues: int = 0
    deliveries: int = 0
    canon_showings: int = 0
    keys: list[str] = field(default_factory=list)


def past_cuts(anchor: datetime, weeks: int = WEEKS) -> list[datetime]:
    """The last `weeks` cuts at or before `anchor`, oldest first, stepping back one cut at a
    time (so the local cut time holds across clock changes)."""
    cuts = [latest_cut(anchor)]
    while len(cuts) < weeks:
        cuts.append(latest_cut(cuts[-1] - timedelta(seconds=1)))
    return cuts[::-1]


def record_past_issues(anchor: datetime, weeks: int = WEEKS) -> History:
    """Cut and record an issue for each past cut that has none, oldest first; the caller commits."""
    params = params_from_config()
    taken = set(db.session.scalars(select(DigestIssue.issue_key)))
    cuts = [cut for cut in past_cuts(anchor, weeks) if issue_key_for(cut) not in taken]
    history = History()
    if not cuts:
        return history
    weekly = _WeeklyCandidates(cuts[0], params)
    shown = load_history()
    issue_id = next_id(DigestIssue.__table__)
    for cut in cuts:
        candidates = weekly.at(cut)
        selection = select_issue(cut, candidates, shown, params)
        if selection.is_empty:
            continue
        key = issue_key_for(cut)
        insert_rows(DigestIssue.__table__, [{
            "id": issue_id, "issue_key": key, "cut_at": cut, "monthly": is_monthly_cut(cut), "created_at": cut,
            "recipient_count": 0, "introduction": INTRODUCTIONS.get(history.issues),
        }])
        sections = ([(story_id, SECTION_NEW) for story_id in selection.new]
                    + [(story_id, SECTION_CANON) for story_id in selection.canon]
                    + [(story_id, SECTION_ALSO_NEW) for story_id in selection.also_new])
        insert_rows(DigestIssueStory.__table__, [
            {"issue_id": issue_id, "story_id": story_id, "section": section, "position": position}
            for position, (story_id, section) in enumerate(sections)
        ])
        # What load_history would now read back for this issue.
        by_id = {candidate.story_id: candidate for candidate in candidates}
        shown += [Appearance(story_id, cut, section, tuple(sorted(set(by_id[story_id].honoree_departments))),
                             by_id[story_id].values) for story_id, section in sections]
        history.deliveries += _send(issue_id, cut)
        history.issues += 1
        history.canon_showings += len(selection.canon)
        history.keys.append(key)
        issue_id += 1
    return history


class _WeeklyCandidates:
    """Each week's candidates, as that week's load_candidates would give those select_issue can
    choose: the canon (loaded once) and the stories published in the week's window (loaded week
    by week, as plain rows, so a million-story company's year is never all in memory), marked
    held back as that week's load_candidates would."""

    def __init__(self, first_cut: datetime, params: SelectionParams):
        self.params = params
        self.first_cut = first_cut  # as load_candidates for the first cut, which once loaded them all
        self.canon = load_week_candidates(Story.in_canon.is_(True), cut_at=first_cut)
        self.held_back: dict[str, set[int]] = {}
        for key, story_id in db.session.execute(select(DigestHoldback.issue_key, DigestHoldback.story_id)):
            self.held_back.setdefault(key, set()).add(story_id)

    def at(self, cut: datetime) -> list[Candidate]:
        start, end = window_bounds(cut, self.params)
        held = self.held_back.get(issue_key_for(cut), set())
        week = [replace(candidate, held_back=candidate.story_id in held) for candidate in self.canon]
        return week + load_week_candidates(Story.in_canon.is_(False), Story.published_at >= start,
                                           Story.published_at < end, held_back=held, cut_at=self.first_cut)


def _send(issue_id: int, cut: datetime) -> int:
    """One sent delivery per person who wanted the issue and had joined by its cut, in a single
    INSERT ... SELECT; returns how many, also stored as the issue's recipient count."""
    sent_at = cut + SENT_AFTER
    recipients = select(
        literal(issue_id), Person.id, literal(DeliveryStatus.SENT.value), literal(1),
        literal(cut, DigestDelivery.next_attempt_at.type), literal(sent_at, DigestDelivery.sent_at.type),
        literal(250), literal(cut, DigestDelivery.created_at.type),
    ).where(
        Person.active.is_(True),
        Person.created_at <= cut,
        Person.digest_frequency.in_(frequencies_for(is_monthly_cut(cut))),
        Person.bounce_score < current_app.config["DIGEST_BOUNCE_LIMIT"],
    )
    columns = ["issue_id", "person_id", "status", "attempts", "next_attempt_at", "sent_at", "smtp_code", "created_at"]
    db.session.execute(insert(DigestDelivery).from_select(columns, recipients))
    count = db.session.scalar(
        select(func.count()).select_from(DigestDelivery).where(DigestDelivery.issue_id == issue_id)
    )
    db.session.execute(update(DigestIssue).where(DigestIssue.id == issue_id).values(recipient_count=count))
    return count
