"""What the review queue shows: its tabs (waiting, changes requested, old drafts, rejected and
archived stories), each filtered the same way from the URL, their counts, and whether the old
drafts tab may show titles."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Request
from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, select
from sqlalchemy.orm import joinedload, selectinload

from storyboard import audit
from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import Person, Story, StoryStatus, Value, story_nominees, story_values
from storyboard.settings import set_setting, setting
from storyboard.stories.service import card_joins

S = StoryStatus
AGE_CHOICES = {0: "Any time", 3: "3+ days", 7: "A week+", 14: "2 weeks+", 30: "A month+"}
# A draft nobody has touched for longer than this is stale: HR may want to nudge its writer.
OLD_DRAFT_DAYS = 14
DRAFT_TITLES_KEY = "QUEUE_SHOW_DRAFT_TITLES"
DRAFT_TITLES_ACTION = "settings.queue_draft_titles"


@dataclass(frozen=True)
class Tab:
    """One tab of the queue: the stories in one status, ordered by when they got there."""

    endpoint: str  # in the curation blueprint
    label: str
    status: StoryStatus
    age_label: str  # what the age filter measures, on this tab
    oldest_first: bool

    @property
    def moment(self) -> ColumnElement:
        """When each story got where this tab shows it: the order, the pages and the age filter."""
        if self.status == S.SUBMITTED:
            return Story.submitted_at
        if self.status == S.DRAFT:
            return Story.updated_at
        # Set on every move since migration 0007; a story put in its status some other way
        # (an import, the demo seed) falls back on its last change rather than vanishing.
        return func.coalesce(Story.status_changed_at, Story.updated_at)

    def since(self, story: Story) -> datetime:
        """`moment` of one loaded story."""
        if self.status == S.SUBMITTED:
            return story.submitted_at
        if self.status == S.DRAFT:
            return story.updated_at
        return story.status_changed_at or story.updated_at

    def days(self, story: Story) -> int:
        return max((utcnow() - self.since(story)).days, 0)


WAITING = Tab("curation.queue", "Waiting", S.SUBMITTED, "Waiting", oldest_first=True)
CHANGES_REQUESTED = Tab("curation.changes_requested", "Changes requested", S.CHANGES_REQUESTED,
                        "Waiting on the writer", oldest_first=True)
OLD_DRAFTS = Tab("curation.old_drafts", "Old drafts", S.DRAFT, "Untouched", oldest_first=True)
REJECTED = Tab("curation.rejected", "Rejected", S.REJECTED, "Rejected", oldest_first=False)
ARCHIVED = Tab("curation.archived", "Archived", S.ARCHIVED, "Archived", oldest_first=False)
TABS = (WAITING, CHANGES_REQUESTED, OLD_DRAFTS, REJECTED, ARCHIVED)
TAB_BY_ENDPOINT = {tab.endpoint: tab for tab in TABS}


@dataclass
class QueueFilters:
    department: str = ""
    value: str = ""
    min_age_days: int = 0

    @classmethod
    def from_request(cls, request: Request) -> QueueFilters:
        """Filters from the query string; anything unrecognised means "no filter"."""
        age = request.args.get("age", 0, type=int) or 0
        return cls(
            department=request.args.get("department", "").strip()[:120],
            value=request.args.get("value", "").strip()[:80],
            min_age_days=age if age in AGE_CHOICES else 0,
        )

    @property
    def active(self) -> bool:
        return bool(self.department or self.value or self.min_age_days)

    def args(self) -> dict[str, str | int]:
        """The filters as query arguments, for links to another tab or page that keep them."""
        wanted = {"department": self.department, "value": self.value, "age": self.min_age_days}
        return {name: given for name, given in wanted.items() if given}

    def apply(self, statement: Select, moment: ColumnElement) -> Select:
        """`statement` narrowed to stories about someone in the department, showing the value,
        and in their place for at least the age (measured on `moment`)."""
        if self.department:
            statement = statement.where(Story.id.in_(
                select(story_nominees.c.story_id).join(Person, Person.id == story_nominees.c.person_id)
                .where(Person.department == self.department)
            ))
        if self.value:
            statement = statement.where(Story.id.in_(
                select(story_values.c.story_id).join(Value, Value.id == story_values.c.value_id)
                .where(Value.slug == self.value)
            ))
        if self.min_age_days:
            statement = statement.where(moment <= utcnow() - timedelta(days=self.min_age_days))
        return statement


def _in_tab(tab: Tab) -> list[ColumnElement]:
    clauses = [Story.status == tab.status.value]
    if tab.status == S.DRAFT:
        clauses.append(Story.updated_at < utcnow() - timedelta(days=OLD_DRAFT_DAYS))
    return clauses


def waiting_stories(filters: QueueFilters) -> Select[tuple[Story]]:
    statement = (
        select(Story)
        .where(*_in_tab(WAITING))
        .order_by(Story.submitted_at, Story.id)
        # One query for the stories and everything their cards show.
        # Photos too: their descriptions are checked for personal data (storyboard/pii.py).
        .options(*card_joins(), joinedload(Story.nominator, innerjoin=True), selectinload(Story.photos))
    )
    return filters.apply(statement, WAITING.moment)


def tab_stories(tab: Tab, filters: QueueFilters) -> Select[tuple[Story]]:
    """The stories a tab other than Waiting lists: their rows show the writer and the people
    the story is about, not the story itself."""
    order = tab.moment.asc() if tab.oldest_first else tab.moment.desc()
    statement = (
        select(Story)
        .where(*_in_tab(tab))
        .order_by(order, Story.id)
        # Loaded apart, not joined: a story whose nominee was erased must still be listed.
        .options(joinedload(Story.nominator, innerjoin=True), selectinload(Story.nominees))
    )
    return filters.apply(statement, tab.moment)


def tab_counts() -> dict[str, int]:
    """How many stories each tab holds, unfiltered, by endpoint: one query for all five."""
    counts = [func.coalesce(func.sum(case((and_(*_in_tab(tab)), 1), else_=0)), 0) for tab in TABS]
    # Published stories, most of them, are on no tab: the status indexes leave them unread.
    shown = Story.status.in_([tab.status.value for tab in TABS])
    row = db.session.execute(select(*counts).select_from(Story).where(shown)).one()
    return {tab.endpoint: int(count) for tab, count in zip(TABS, row, strict=True)}


def waited_days(story: Story) -> int:
    return max((utcnow() - (story.submitted_at or utcnow())).days, 0)


# Old drafts: counted, and listed only when the policy allows.


@dataclass(frozen=True)
class DraftCounts:
    total: int
    by_department: list[tuple[str, int]]  # a draft about people in two departments is in both


def old_draft_counts(filters: QueueFilters) -> DraftCounts:
    """The old drafts matching `filters`, in all and by the department of the people they are about."""
    matching = filters.apply(select(Story.id).where(*_in_tab(OLD_DRAFTS)), OLD_DRAFTS.moment)
    total = db.session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    rows = db.session.execute(
        select(Person.department, func.count(distinct(story_nominees.c.story_id)))
        .join(story_nominees, story_nominees.c.person_id == Person.id)
        .where(story_nominees.c.story_id.in_(matching))
        .group_by(Person.department)
        .order_by(Person.department)
    ).all()
    return DraftCounts(total, [(department, count) for department, count in rows])


def draft_titles_shown() -> bool:
    """Whether the old drafts tab may show titles and writers: a draft is its writer's own
    until they submit it, so by default HR sees only how many there are."""
    value = setting(DRAFT_TITLES_KEY)
    if isinstance(value, str):
        return value.strip().lower() in ("yes", "true", "1", "on")
    return bool(value)


def show_draft_titles(actor: Person, shown: bool) -> bool:
    """Store the policy (an admin's choice); returns whether it changed. The caller commits."""
    before = draft_titles_shown()
    if before == shown:
        return False
    set_setting(DRAFT_TITLES_KEY, "yes" if shown else "no")
    # Settings have a text key, not a number: 0 names no row, and before/after name the key.
    audit.record(actor, DRAFT_TITLES_ACTION, "setting", 0, {DRAFT_TITLES_KEY: before}, {DRAFT_TITLES_KEY: shown})
    return True
