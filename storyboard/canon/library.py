"""What the canon library lists, and how often each canon story has been retold.

A canon story is listed while it is published; one taken out of the canon, archived or merged
leaves the library (its page stays where people may see it). "Retold" counts the digest issues
that carried it in their canon section: the first telling, as a new story, is not a retelling.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select

from storyboard.extensions import db
from storyboard.models import DigestIssue, DigestIssueStory, Person, Story, StoryStatus, Value
from storyboard.stories.service import card_joins

CANON_SECTION = "canon"


@dataclass(frozen=True)
class Retelling:
    times: int
    last_issue_key: str | None = None
    last_cut_at: datetime | None = None


NEVER = Retelling(0)


def canon_statement(value: Value | None = None, department: str | None = None) -> Select[tuple[Story]]:
    """Published canon stories, the most recently promoted first; only those showing `value`
    and about someone in `department` when given."""
    statement = (
        select(Story)
        .where(Story.in_canon.is_(True), Story.status == StoryStatus.PUBLISHED.value)
        .order_by(Story.canonized_at.desc(), Story.id.desc())
        .options(*card_joins())  # one query for the page, its people and values (see card_joins)
    )
    if value is not None:
        statement = statement.where(Story.values.any(Value.id == value.id))
    if department:
        statement = statement.where(Story.nominees.any(Person.department == department))
    return statement


def canon_departments() -> list[str]:
    """The departments of the people canon stories are about, for the library's filter."""
    return list(db.session.scalars(
        select(Person.department).distinct()
        .join(Story.nominees)
        .where(Story.in_canon.is_(True), Story.status == StoryStatus.PUBLISHED.value, Person.department != "")
        .order_by(Person.department)
    ))


def all_values() -> list[Value]:
    """Every value, retired ones too (canon stories keep theirs), in the values' own order."""
    return list(db.session.scalars(select(Value).order_by(Value.position, Value.id)))


def retellings(story_ids) -> dict[int, Retelling]:
    """How many digest issues retold each story in their canon section, and the latest one."""
    ids = list(story_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(DigestIssueStory.story_id, DigestIssue.issue_key, DigestIssue.cut_at)
        .join(DigestIssue, DigestIssue.id == DigestIssueStory.issue_id)
        .where(DigestIssueStory.story_id.in_(ids), DigestIssueStory.section == CANON_SECTION)
        .order_by(DigestIssue.cut_at)
    )
    found: dict[int, Retelling] = {}
    for story_id, issue_key, cut_at in rows:
        found[story_id] = Retelling(found.get(story_id, NEVER).times + 1, issue_key, cut_at)
    return found

