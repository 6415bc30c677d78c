"""What the pure selection needs, read from the database, and when the next issue is cut."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from storyboard.digest.selection import (
    Appearance,
    Candidate,
    SelectionParams,
    issue_key_for,
    wilson_lower_bound,
)
from storyboard.extensions import db
from storyboard.models import DigestHoldback, DigestIssue, DigestIssueStory, Person, Story, StoryStatus, Value
from storyboard.settings import setting

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def params_from_config() -> SelectionParams:
    """Selection parameters from the DIGEST_* settings."""
    config = current_app.config
    return SelectionParams(
        new_count=config["DIGEST_NEW_COUNT"],
        also_new_max=config["DIGEST_ALSO_NEW_MAX"],
        window=timedelta(days=config["DIGEST_WINDOW_DAYS"]),
        window_lag=timedelta(hours=config["DIGEST_WINDOW_LAG_HOURS"]),
        canon_count=config["DIGEST_CANON_COUNT"],
        # A maximum below the count (a count raised, the maximum left) means no growing.
        canon_max=max(config["DIGEST_CANON_MAX"], config["DIGEST_CANON_COUNT"]),
        canon_min_age=timedelta(days=config["DIGEST_CANON_MIN_AGE_DAYS"]),
        ladder_weeks=tuple(config["DIGEST_LADDER_WEEKS"]),
        ladder_cap_weeks=config["DIGEST_LADDER_CAP_WEEKS"],
        anniversary_days=config["DIGEST_ANNIVERSARY_DAYS"],
        max_per_honoree=config["DIGEST_MAX_PER_HONOREE"],
        max_per_department=config["DIGEST_MAX_PER_DEPARTMENT"],
    )


def _schedule() -> tuple[ZoneInfo, int, time]:
    # Read on every call (once per request): an admin can change them at /admin/digest.
    zone = ZoneInfo(setting("DIGEST_TIMEZONE"))
    day = WEEKDAYS.index(setting("DIGEST_CUT_DAY").lower())
    return zone, day, time.fromisoformat(setting("DIGEST_CUT_TIME"))


def _as_utc(local: datetime) -> datetime:
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def next_cut(now_utc: datetime) -> datetime:
    """The first cut at or after `now_utc` (naive UTC), on the configured day, time and zone."""
    zone, weekday, at = _schedule()
    local_now = now_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    day = local_now.date() + timedelta(days=(weekday - local_now.weekday()) % 7)
    cut = datetime.combine(day, at, tzinfo=zone)
    # Compared in UTC: aware times in one zone compare by wall clock, wrong across a change.
    if _as_utc(cut) < now_utc:
        cut = datetime.combine(day + timedelta(days=7), at, tzinfo=zone)
    return _as_utc(cut)


def latest_cut(now_utc: datetime) -> datetime:
    """The last cut at or before `now_utc` (naive UTC): the issue `digest tick` sends."""
    zone, weekday, at = _schedule()
    local_now = now_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    day = local_now.date() - timedelta(days=(local_now.weekday() - weekday) % 7)
    cut = datetime.combine(day, at, tzinfo=zone)
    if _as_utc(cut) > now_utc:
        # Stepping back by local days keeps 07:00 at 07:00 across a clock change.
        cut = datetime.combine(day - timedelta(days=7), at, tzinfo=zone)
    return _as_utc(cut)


def is_monthly_cut(cut_utc: datetime) -> bool:
    """True for the first cut of a month in local time: the issue monthly readers get."""
    zone, _, _ = _schedule()
    return cut_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).day <= 7


def load_history() -> list[Appearance]:
    """Every story shown in an issue so far, with the issue's cut, the section, and the
    departments and values it featured (the departments as they are now)."""
    rows = db.session.execute(
        select(DigestIssueStory.story_id, DigestIssue.cut_at, DigestIssueStory.section)
        .join(DigestIssue, DigestIssue.id == DigestIssueStory.issue_id)
    ).all()
    stories = db.session.scalars(
        select(Story).where(Story.id.in_(select(DigestIssueStory.story_id)))
        .options(load_only(Story.id), selectinload(Story.nominees).load_only(Person.department),
                 selectinload(Story.values).load_only(Value.slug))
    )
    featured = {
        story.id: (tuple(sorted({person.department for person in story.nominees})),
                   tuple(sorted(value.slug for value in story.values)))
        for story in stories
    }
    return [Appearance(story_id, cut_at, section, *featured.get(story_id, ((), ())))
            for story_id, cut_at, section in rows]


def load_candidates(cut_at: datetime, params: SelectionParams) -> list[Candidate]:
    """Published stories that could be this week's (by date) or come back from the canon."""
    window_start = cut_at - params.window_lag - params.window
    held_back = set(db.session.scalars(
        select(DigestHoldback.story_id).where(DigestHoldback.issue_key == issue_key_for(cut_at))
    ))
    stories = db.session.scalars(
        select(Story)
        .where(
            Story.status == StoryStatus.PUBLISHED.value,
            or_(Story.in_canon, Story.published_at >= window_start),
        )
        .options(selectinload(Story.nominees), selectinload(Story.digest_opt_outs), selectinload(Story.values))
    )
    return [_candidate(story, story.id in held_back, cut_at) for story in stories]


def _candidate(story: Story, held_back: bool, cut_at: datetime | None = None) -> Candidate:
    return candidate_from(story, story.nominees, [value.slug for value in story.values],
                          bool(story.digest_opt_outs), held_back, cut_at)


def candidate_from(story, nominees, value_slugs, opted_out: bool, held_back: bool,
                   cut_at: datetime | None = None) -> Candidate:
    """A story as the selection sees it. `story` has a Story's columns; `nominees` have a
    person's id, department, active and hide_from_digests (rows will do, as the demo's history
    reads them in bulk). `cut_at`: a pin counts for the first cut after it only, so a pin made
    for the coming issue cannot bring back a cut that passed with nothing to send."""
    return Candidate(
        story_id=story.id,
        published_at=story.published_at,
        happened_on=story.happened_on,
        applause=story.applause_count,
        readers=story.reader_count,
        in_canon=story.in_canon,
        canonized_at=story.canonized_at,
        resurface=story.resurface,
        legacy=story.legacy,
        pinned=story.pinned_at is not None and (cut_at is None or story.pinned_at < cut_at),
        status=story.status,
        honoree_ids=tuple(person.id for person in nominees),
        honoree_departments=tuple(person.department for person in nominees),
        any_honoree_left=any(not person.active for person in nominees),
        opted_out=opted_out or any(person.hide_from_digests for person in nominees),
        lifetime_score=wilson_lower_bound(min(story.applause_count, story.reader_count), story.reader_count),
        held_back=held_back,
        values=tuple(sorted(value_slugs)),
    )


def load_canon() -> tuple[list[Candidate], list[Appearance]]:
    """The published canon stories and their appearances so far, in two queries: what the
    canon's room needs (a canon-only run of the selection has no use for other stories, nor
    for the departments and values of earlier issues, which only rank this week's stories)."""
    stories = db.session.scalars(
        select(Story)
        .where(Story.status == StoryStatus.PUBLISHED.value, Story.in_canon.is_(True))
        # Inner joins, as in card_joins: every story has nominees and values, and an outer join
        # makes SQLite read the whole association tables.
        .options(joinedload(Story.nominees, innerjoin=True), joinedload(Story.values, innerjoin=True),
                 joinedload(Story.digest_opt_outs))
    ).unique()
    candidates = [_candidate(story, held_back=False) for story in stories]
    rows = db.session.execute(
        select(DigestIssueStory.story_id, DigestIssue.cut_at, DigestIssueStory.section)
        .join(DigestIssue, DigestIssue.id == DigestIssueStory.issue_id)
        .join(Story, Story.id == DigestIssueStory.story_id)
        .where(Story.in_canon.is_(True))
    ).all()
    return candidates, [Appearance(story_id, cut_at, section) for story_id, cut_at, section in rows]
