"""Cutting an issue once, rendering it, and the lifecycle rules that stop deliveries.

An issue is cut in one transaction: its stories (the history later selections space canon
stories by) and one pending delivery per eligible person. Two ticks at once cannot both cut
it: the issue key is unique, and the cut runs under `lock_for_writing`.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.orm import selectinload

from storyboard import signals
from storyboard.db_helpers import lock_for_writing
from storyboard.digest.candidates import (
    is_monthly_cut,
    latest_cut,
    load_candidates,
    load_history,
    next_cut,
    params_from_config,
)
from storyboard.digest.email import DigestContent, build_digest_content
from storyboard.digest.selection import (
    SECTION_ALSO_NEW,
    SECTION_CANON,
    SECTION_NEW,
    IssueSelection,
    SelectionParams,
    issue_key_for,
    select_issue,
)
from storyboard.digest.subscriptions import frequencies_for
from storyboard.extensions import db
from storyboard.models import (
    DeliveryStatus,
    DigestDelivery,
    DigestHoldback,
    DigestIntroduction,
    DigestIssue,
    DigestIssueStory,
    Person,
    Story,
    StoryStatus,
)

# Any fixed number: the advisory lock that lets one process at a time cut an issue.
CUT_LOCK_KEY = 0x5B_D16E57
OPEN = (DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value)


def stale_after() -> timedelta:
    return timedelta(hours=current_app.config["DIGEST_STALE_HOURS"])


def cut_issue(cut_at: datetime, now: datetime,
              rendered: dict[int, DigestContent] | None = None) -> tuple[DigestIssue | None, bool]:
    """The issue for `cut_at`, and whether this call cut it (with its deliveries).

    No issue when nothing qualifies (none is sent), when the cut is too old to send, or when
    another issue went out less than six days ago (the cut day was moved mid-week). The email
    rendered for a new issue is kept in `rendered` under its id, so the tick that cut it sends
    it without rendering it again.
    """
    key = issue_key_for(cut_at)
    issue = _issue_by_key(key)
    if issue is not None or now - cut_at >= stale_after() or _cut_recently(cut_at):
        return issue, False
    # Choose and render before taking the lock: on SQLite it stops every other writer.
    levers = _levers(cut_at, key)
    selection, introduction, content = _choose_and_render(cut_at, key)
    if selection.is_empty:
        return None, False
    db.session.commit()
    lock_for_writing(CUT_LOCK_KEY)
    issue = _issue_by_key(key)  # another process may have cut it meanwhile
    if issue is not None:
        db.session.commit()
        return issue, False
    if _levers(cut_at, key) != levers:  # a curator changed this issue while it was being chosen
        selection, introduction, content = _choose_and_render(cut_at, key)
        if selection.is_empty:
            db.session.commit()
            return None, False
    issue = DigestIssue(issue_key=key, cut_at=cut_at, monthly=is_monthly_cut(cut_at), introduction=introduction)
    db.session.add(issue)
    db.session.flush()
    _record_stories(issue, selection)
    issue.recipient_count = _create_deliveries(issue, now)
    signals.digest_issue_cut.send(issue)  # in this transaction: chat webhooks announce it
    db.session.commit()
    if rendered is not None:
        rendered[issue.id] = content
    return issue, True


def _choose_and_render(cut_at: datetime, key: str) -> tuple[IssueSelection, str | None, DigestContent | None]:
    """The issue's stories, its introduction, and its email rendered once (None if empty)."""
    selection = _selection_for(cut_at)
    if selection.is_empty:
        return selection, None, None
    as_of = stories_state(selection.story_ids)  # before rendering: a change during it renders again
    introduction = introduction_for(key)
    content = replace(build_digest_content(selection, stories_for(selection.story_ids), introduction),
                      stories_as_of=as_of)  # fails here, not per person
    return selection, introduction, content


def _levers(cut_at: datetime, key: str) -> tuple:
    """What curators set for the issue: its introduction, the stories held back, the pins (of
    stories recent enough to be in its window, however far it was widened: found by index)."""
    params = params_from_config()
    since = cut_at - params.window_lag - 2 * params.window
    held = db.session.scalars(select(DigestHoldback.story_id).where(DigestHoldback.issue_key == key))
    pinned = db.session.scalars(select(Story.id).where(Story.status == StoryStatus.PUBLISHED.value,
                                                       Story.published_at >= since, Story.pinned_at.is_not(None)))
    return introduction_for(key), frozenset(held), frozenset(pinned)


def issue_params(cut_at: datetime) -> SelectionParams:
    """The selection's settings for the issue cut at `cut_at`: its window reaches back to where
    the last issue's ended when a cut was skipped or the schedule moved the day later (up to two
    windows), so that no story published in between misses every issue."""
    params = params_from_config()
    last = db.session.scalar(select(func.max(DigestIssue.cut_at)).where(DigestIssue.cut_at < cut_at))
    if last is not None and params.window < cut_at - last <= 2 * params.window:
        return replace(params, window=cut_at - last)
    return params


def coming_cut(now: datetime) -> datetime:
    """The cut of the next issue that will really be made, which curators' changes to "the
    coming issue" are keyed by: the latest cut if a tick would still make it (a schedule moved
    earlier on the day of the cut, say), else the next one that is not refused for following
    another issue within six days."""
    cut = latest_cut(now)
    if (now - cut < stale_after() and _issue_by_key(issue_key_for(cut)) is None and not _cut_recently(cut)
            and not _selection_for(cut).is_empty):
        return cut
    cut = next_cut(now + timedelta(minutes=1)) if cut == now else next_cut(now)
    for _ in range(3):  # a move refuses one cut at most; the bound keeps it finite
        if not _cut_recently(cut):
            return cut
        cut = next_cut(cut + timedelta(minutes=1))
    return cut


def _selection_for(cut_at: datetime) -> IssueSelection:
    params = issue_params(cut_at)
    return select_issue(cut_at, load_candidates(cut_at, params), load_history(), params)


def _cut_recently(cut_at: datetime) -> bool:
    """Whether another issue was cut within six days either side: moving the cut day earlier
    in the week makes the latest cut fall before an issue already sent."""
    return db.session.scalar(
        select(func.count()).select_from(DigestIssue)
        .where(DigestIssue.cut_at > cut_at - timedelta(days=6), DigestIssue.cut_at < cut_at + timedelta(days=6),
               DigestIssue.cut_at != cut_at)
    ) > 0


def introduction_for(issue_key: str) -> str | None:
    """What a curator wrote to open the issue with this key, if anything."""
    return db.session.scalar(select(DigestIntroduction.body_md).where(DigestIntroduction.issue_key == issue_key))


def _issue_by_key(key: str) -> DigestIssue | None:
    return db.session.scalar(select(DigestIssue).where(DigestIssue.issue_key == key))


def _record_stories(issue: DigestIssue, selection: IssueSelection) -> None:
    sections = (
        [(story_id, SECTION_NEW) for story_id in selection.new]
        + [(story_id, SECTION_CANON) for story_id in selection.canon]
        + [(story_id, SECTION_ALSO_NEW) for story_id in selection.also_new]
    )
    for position, (story_id, section) in enumerate(sections):
        issue.stories.append(DigestIssueStory(story_id=story_id, section=section, position=position))
    # A pin is "for the next digest": once a pinned story has been in one, the pin is used up.
    db.session.execute(
        update(Story).where(Story.id.in_(selection.story_ids))
        # Using up a pin changes nothing the email shows: leave updated_at (see still_current).
        .values(pinned_at=None, updated_at=Story.updated_at)
        .execution_options(synchronize_session=False)
    )


def _create_deliveries(issue: DigestIssue, now: datetime) -> int:
    """One pending delivery per person who wants this issue, in a single INSERT ... SELECT."""
    recipients = select(
        literal(issue.id), Person.id, literal(DeliveryStatus.PENDING.value), literal(0),
        literal(issue.cut_at, DigestDelivery.next_attempt_at.type),
        literal(now, DigestDelivery.created_at.type),
    ).where(
        Person.active.is_(True),
        Person.digest_frequency.in_(frequencies_for(issue.monthly)),
        Person.bounce_score < current_app.config["DIGEST_BOUNCE_LIMIT"],
    )
    columns = ["issue_id", "person_id", "status", "attempts", "next_attempt_at", "created_at"]
    db.session.execute(insert(DigestDelivery).from_select(columns, recipients))
    return db.session.scalar(
        select(func.count()).select_from(DigestDelivery).where(DigestDelivery.issue_id == issue.id)
    )


def stories_for(story_ids) -> list[Story]:
    """Stories with what the email and archive show of them, loaded in bulk."""
    return list(db.session.scalars(
        select(Story).where(Story.id.in_(list(story_ids)))
        .options(selectinload(Story.nominees), selectinload(Story.values))
    ))


def issue_selection(issue: DigestIssue, published_only: bool = True) -> tuple[IssueSelection, list[Story]]:
    """The issue's frozen choice, leaving out stories no longer published (archived since, say)."""
    stories = {story.id: story for story in stories_for(row.story_id for row in issue.stories)}
    sections: dict[str, list[int]] = {SECTION_NEW: [], SECTION_ALSO_NEW: [], SECTION_CANON: []}
    for row in issue.stories:
        story = stories.get(row.story_id)
        if story is not None and (story.status == StoryStatus.PUBLISHED or not published_only):
            sections[row.section].append(row.story_id)
    selection = IssueSelection(
        issue_key=issue.issue_key,
        new=tuple(sections[SECTION_NEW]),
        also_new=tuple(sections[SECTION_ALSO_NEW]),
        canon=tuple(sections[SECTION_CANON]),
    )
    return selection, [stories[story_id] for story_id in selection.story_ids]


def issue_content(issue: DigestIssue) -> DigestContent | None:
    """The email for an issue as its stories are now; None if no story is left."""
    as_of = stories_state(row.story_id for row in issue.stories)
    selection, stories = issue_selection(issue)
    if selection.is_empty:
        return None
    return replace(build_digest_content(selection, stories, issue.introduction), stories_as_of=as_of)


def stories_state(story_ids) -> tuple[int, datetime | None]:
    """How many of these stories still exist, and when any of them last changed (an edit, a
    redaction, a move to another status): a story erased since lowers the count."""
    count, changed_at = db.session.execute(
        select(func.count(), func.max(Story.updated_at)).where(Story.id.in_(list(story_ids)))
    ).one()
    return count, changed_at


def still_current(content: DigestContent | None, issue: DigestIssue) -> bool:
    """Whether `content` still shows the issue's stories as they are: none has changed or gone
    since it was rendered, so nothing since redacted, unpublished or erased would go out."""
    if content is None or content.stories_as_of is None:
        return False
    # The ids the issue was rendered from, as loaded then: an erased story is still named here.
    return stories_state(row.story_id for row in issue.stories) == content.stories_as_of


def open_issues(now: datetime) -> list[DigestIssue]:
    """Issues recent enough that their deliveries may still go out."""
    return list(db.session.scalars(
        select(DigestIssue).where(DigestIssue.cut_at > now - stale_after()).order_by(DigestIssue.cut_at)
    ))


def mark_stale(now: datetime) -> int:
    """Give up what will never go: deliveries still unsent DIGEST_STALE_HOURS after their cut,
    and claims whose sender died on their last allowed attempt. Returns how many."""
    old_issues = select(DigestIssue.id).where(DigestIssue.cut_at <= now - stale_after())
    dead_claim = (DigestDelivery.status == DeliveryStatus.SENDING.value) & (DigestDelivery.lease_until < now)
    stale = db.session.execute(
        update(DigestDelivery)
        .where(DigestDelivery.issue_id.in_(old_issues),
               (DigestDelivery.status == DeliveryStatus.PENDING.value) | dead_claim)
        .values(status=DeliveryStatus.STALE.value, lease_until=None, claim_token=None,
                last_error="Still unsent long after the cut.")
        .execution_options(synchronize_session=False)
    ).rowcount
    recent_issues = select(DigestIssue.id).where(DigestIssue.cut_at > now - stale_after())
    exhausted = db.session.execute(
        update(DigestDelivery)
        .where(DigestDelivery.issue_id.in_(recent_issues), dead_claim,
               DigestDelivery.attempts >= current_app.config["DIGEST_MAX_ATTEMPTS"])
        .values(status=DeliveryStatus.FAILED.value, lease_until=None, claim_token=None,
                last_error="The sender stopped during the last allowed attempt.")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return stale + exhausted


def delivery_counts(issue: DigestIssue) -> dict[str, int]:
    """Deliveries of an issue by status, every status listed."""
    rows = dict(db.session.execute(
        select(DigestDelivery.status, func.count()).where(DigestDelivery.issue_id == issue.id)
        .group_by(DigestDelivery.status)
    ).all())
    return {status.value: rows.get(status.value, 0) for status in DeliveryStatus}
