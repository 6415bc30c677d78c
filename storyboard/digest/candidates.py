"""What the pure selection needs, read from the database, and when the next issue is cut."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from storyboard.digest.selection import Candidate, SelectionParams, wilson_lower_bound
from storyboard.extensions import db
from storyboard.models import Story, StoryStatus

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
        canon_min_age=timedelta(days=config["DIGEST_CANON_MIN_AGE_DAYS"]),
        ladder_weeks=tuple(config["DIGEST_LADDER_WEEKS"]),
        ladder_cap_weeks=config["DIGEST_LADDER_CAP_WEEKS"],
        anniversary_days=config["DIGEST_ANNIVERSARY_DAYS"],
        max_per_honoree=config["DIGEST_MAX_PER_HONOREE"],
        max_per_department=config["DIGEST_MAX_PER_DEPARTMENT"],
    )


def next_cut(now_utc: datetime) -> datetime:
    """The first cut at or after `now_utc` (naive UTC), on the configured day, time and zone."""
    config = current_app.config
    zone = ZoneInfo(config["DIGEST_TIMEZONE"])
    weekday = WEEKDAYS.index(config["DIGEST_CUT_DAY"].lower())
    at = time.fromisoformat(config["DIGEST_CUT_TIME"])
    local_now = now_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    day = local_now.date() + timedelta(days=(weekday - local_now.weekday()) % 7)
    cut = datetime.combine(day, at, tzinfo=zone)
    if cut < local_now:
        cut = datetime.combine(day + timedelta(days=7), at, tzinfo=zone)
    return cut.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def load_candidates(cut_at: datetime, params: SelectionParams) -> list[Candidate]:
    """Published stories that could be this week's (by date) or come back from the canon."""
    window_start = cut_at - params.window_lag - params.window
    stories = db.session.scalars(
        select(Story)
        .where(
            Story.status == StoryStatus.PUBLISHED.value,
            or_(Story.in_canon, Story.published_at >= window_start),
        )
        .options(selectinload(Story.nominees), selectinload(Story.digest_opt_outs))
    )
    return [_candidate(story) for story in stories]


def _candidate(story: Story) -> Candidate:
    nominees = story.nominees
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
        pinned=story.pinned_at is not None,
        status=story.status,
        honoree_ids=tuple(person.id for person in nominees),
        honoree_departments=tuple(person.department for person in nominees),
        any_honoree_left=any(not person.active for person in nominees),
        opted_out=bool(story.digest_opt_outs) or any(person.hide_from_digests for person in nominees),
        lifetime_score=wilson_lower_bound(min(story.applause_count, story.reader_count), story.reader_count),
    )
