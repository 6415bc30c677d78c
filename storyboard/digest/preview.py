"""The next issue before its cut, and the curator's levers on it: pin a story in, hold one back."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import delete, select, update

from storyboard import audit
from storyboard.clock import utcnow
from storyboard.db_helpers import insert_if_absent
from storyboard.digest.candidates import (
    load_candidates,
    load_canon,
    load_history,
    next_cut,
    params_from_config,
)
from storyboard.digest.capacity import CanonCapacity, canon_capacity
from storyboard.digest.email import build_digest_content, build_digest_message, sender_domain
from storyboard.digest.issues import coming_cut, introduction_for, issue_params, stories_for
from storyboard.digest.selection import (
    SECTION_ALSO_NEW,
    SECTION_CANON,
    SECTION_NEW,
    Candidate,
    IssueSelection,
    select_issue,
    window_bounds,
)
from storyboard.extensions import db
from storyboard.models import DigestHoldback, DigestIntroduction, Person, Story
from storyboard.text import one_line

# How far ahead the canon's room is counted, for HR deciding whether to promote more.
CAPACITY_WEEKS = 12


@dataclass
class NextIssuePreview:
    """What the next cut would send, what was left out of this week's window, and why."""

    cut_at: datetime
    issue_key: str
    selection: IssueSelection
    stories: dict[int, Story]
    held_back: list[Story] = field(default_factory=list)
    left_out: list[tuple[Story, str]] = field(default_factory=list)
    capacity: CanonCapacity | None = None  # the canon's room over the coming weeks

    def section(self, name: str) -> list[Story]:
        ids = {SECTION_NEW: self.selection.new, SECTION_ALSO_NEW: self.selection.also_new,
               SECTION_CANON: self.selection.canon}[name]
        return [self.stories[story_id] for story_id in ids]


def next_issue_preview(now: datetime) -> NextIssuePreview:
    """Run the real selection for the next cut, as `digest tick` will at the cut."""
    cut_at = coming_cut(now)
    params = issue_params(cut_at)
    candidates = load_candidates(cut_at, params)
    history = load_history()
    selection = select_issue(cut_at, candidates, history, params)
    shown_before = {appearance.story_id for appearance in history if appearance.cut_at < cut_at}
    start, end = window_bounds(cut_at, params)
    chosen = set(selection.story_ids)
    # Stories published since the window closed are listed too: a pin puts them in this issue.
    in_window = [c for c in candidates if c.published_at and start <= c.published_at < cut_at]
    too_fresh = {c.story_id for c in in_window if c.published_at >= end}
    left_out = [(c, _why_left_out(c, shown_before, c.story_id in too_fresh))
                for c in in_window if c.story_id not in chosen]
    held = [c.story_id for c in candidates if c.held_back]
    cuts = coming_cuts(cut_at)
    stories = {story.id: story for story in stories_for(chosen | {c.story_id for c, _ in left_out} | set(held))}
    return NextIssuePreview(
        cut_at=cut_at,
        issue_key=selection.issue_key,
        selection=selection,
        stories=stories,
        held_back=[stories[story_id] for story_id in held],
        left_out=sorted(((stories[c.story_id], why) for c, why in left_out if why != "held back"),
                        key=lambda pair: pair[0].published_at, reverse=True),
        capacity=canon_capacity(cuts, candidates, history, params),
    )


NO_ROOM = "no room: the section is full, or its people or department are in already"
TOO_FRESH = "published in the last day: it waits for the next issue unless pinned into this one"
PINNABLE = (NO_ROOM, TOO_FRESH)


def coming_cuts(first: datetime) -> list[datetime]:
    """The next CAPACITY_WEEKS cuts from `first`, each on the configured day and time."""
    cuts = [first]
    while len(cuts) < CAPACITY_WEEKS:
        cuts.append(next_cut(cuts[-1] + timedelta(minutes=1)))
    return cuts


def canon_room(now: datetime) -> CanonCapacity:
    """The canon's room over the coming cuts, for HR deciding whether to promote more."""
    candidates, history = load_canon()
    # From the next cut on the schedule: finding the issue that will really come next costs a
    # selection, and the room over twelve weeks does not turn on it.
    return canon_capacity(coming_cuts(next_cut(now)), candidates, history, params_from_config())


def _why_left_out(candidate: Candidate, shown_before: set[int], too_fresh: bool) -> str:
    if candidate.held_back:
        return "held back"
    if candidate.story_id in shown_before:
        return "in an earlier issue"
    if candidate.opted_out:
        return "kept out of digests by someone it is about"
    if candidate.any_honoree_left and not candidate.legacy:
        return "someone it is about has left"
    return TOO_FRESH if too_fresh and not candidate.pinned else NO_ROOM


def hold_back(story: Story, actor: Person, issue_key: str) -> None:
    """Swap a story out of one coming issue; the next in line takes its place. Caller commits."""
    if insert_if_absent(DigestHoldback.__table__,
                        {"issue_key": issue_key, "story_id": story.id, "held_by_id": actor.id}):
        audit.record(actor, "digest.hold_back", "story", story.id, None, {"issue": issue_key})


def put_back(story: Story, actor: Person, issue_key: str) -> None:
    """Let a held-back story into the coming issue again. Caller commits."""
    removed = db.session.execute(
        delete(DigestHoldback).where(DigestHoldback.issue_key == issue_key, DigestHoldback.story_id == story.id)
    ).rowcount
    if removed:
        audit.record(actor, "digest.put_back", "story", story.id, {"issue": issue_key}, None)


def save_introduction(issue_key: str, body_md: str, actor: Person) -> None:
    """Keep (or, when empty, drop) the introduction of a coming issue. Caller commits."""
    found = db.session.get(DigestIntroduction, issue_key)
    before = {"issue": issue_key, "introduction": found.body_md} if found else None
    keyed = DigestIntroduction.issue_key == issue_key
    if not body_md:
        db.session.execute(delete(DigestIntroduction).where(keyed))
    # In statements, not a loaded row: two curators saving at once must not both insert it.
    elif not insert_if_absent(DigestIntroduction.__table__, {"issue_key": issue_key, "body_md": body_md,
                                                              "written_by_id": actor.id, "updated_at": utcnow()}):
        db.session.execute(update(DigestIntroduction).where(keyed)
                           .values(body_md=body_md, written_by_id=actor.id, updated_at=utcnow()))
    # The issue's date as its number (20261207): issues are cut later, so they have no id yet.
    audit.record(actor, "digest.introduction", "issue", int(issue_key.replace("-", "")), before,
                 {"issue": issue_key, "introduction": body_md} if body_md else None)


def test_message(preview: NextIssuePreview, person: Person) -> EmailMessage:
    """The coming issue as it would be sent now, to one curator, marked as a test: its subject
    says so, and its unsubscribe link is the curator's own."""
    content = build_digest_content(preview.selection, list(preview.stories.values()),
                                   introduction_for(preview.issue_key))
    content = replace(content, subject=one_line(f"[Test] {content.subject}"))
    message = build_digest_message(content, person)
    # Its own Message-ID: mail clients drop a second message with one they have seen, and the
    # real issue's is made from the issue and the person, as this one's would be.
    message.replace_header("Message-ID", make_msgid(domain=sender_domain()))
    return message


def carry_over(old_key: str, new_key: str) -> None:
    """When the schedule moves the coming issue to another date, what curators set for it
    (its introduction, the stories held back) moves with it, unless set for that date already.
    Caller commits."""
    if old_key == new_key:
        return
    introduction = db.session.get(DigestIntroduction, old_key)
    if introduction is not None and db.session.get(DigestIntroduction, new_key) is None:
        introduction.issue_key = new_key
    already = select(DigestHoldback.story_id).where(DigestHoldback.issue_key == new_key)
    db.session.execute(
        update(DigestHoldback)
        .where(DigestHoldback.issue_key == old_key, DigestHoldback.story_id.not_in(already))
        .values(issue_key=new_key).execution_options(synchronize_session=False)
    )
