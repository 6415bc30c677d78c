"""CSV exports for HR: stories, and recognition per person, with the pages' filters.

Both stream. Stories are read in id order, a chunk at a time (CHUNK stories, then their
nominees, co-nominators and values in one query each), as plain rows that the session does not
keep, so memory stays flat whether there are a thousand stories or a hundred thousand; people
are read the same way.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from flask import render_template, request
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import aliased

from storyboard.errors import InvalidRequest
from storyboard.extensions import db
from storyboard.insights.blueprint import bp, insights_required
from storyboard.insights.common import filter_context, filter_status, page_filters
from storyboard.insights.csv_stream import csv_response
from storyboard.insights.filters import InsightFilters
from storyboard.insights.recognition import company_date
from storyboard.models import (
    Person,
    Story,
    StoryStatus,
    Value,
    story_co_nominators,
    story_nominees,
    story_values,
)
from storyboard.urls import external_id_url

CHUNK = 1000
SCOPES = {
    "published": "Stories published in the range",
    "all": "Every story submitted in the range, whatever its status (drafts are their writers' own)",
}
STORY_HEADER = (
    "id", "title", "status", "link", "happened_on", "submitted_at_utc", "published_at_utc",
    "nominator", "nominator_email", "co_nominators", "nominees", "nominee_emails", "departments",
    "locations", "values", "impact_kind", "impact", "rule_in_the_way", "customer_quote",
    "customer_score", "customer_score_out_of", "customer_review_link", "in_canon", "applause", "readers",
)
PEOPLE_HEADER = (
    "id", "name", "email", "job_title", "department", "location", "manager", "start_date",
    "stories_about_them_in_range", "stories_about_them_ever", "last_recognised_on",
    "stories_they_nominated_in_range",
)


@bp.get("/exports")
@insights_required
def exports():
    filters = page_filters()
    return render_template(
        "insights/exports.html", scopes=SCOPES, **filter_context(filters, "insights.exports")
    ), filter_status(filters)


@bp.get("/exports/stories.csv")
@insights_required
def stories_csv():
    filters = csv_filters()
    scope = _scope()
    rows = story_rows(filters, scope)
    return csv_response(f"stories-{scope}-{filters.start}-to-{filters.end}.csv", STORY_HEADER, rows)


@bp.get("/exports/people.csv")
@insights_required
def people_csv():
    filters = csv_filters()
    return csv_response(f"recognition-per-person-{filters.start}-to-{filters.end}.csv",
                        PEOPLE_HEADER, people_rows(filters))


def csv_filters() -> InsightFilters:
    """The filters of a download: one that cannot be read is refused (400) rather than
    quietly giving a different file than the one asked for."""
    filters = page_filters()
    if filters.errors:
        raise InvalidRequest(" ".join(filters.errors))
    return filters


def _scope() -> str:
    scope = request.args.get("scope", "published")
    return scope if scope in SCOPES else "published"


def stories_in_scope(filters: InsightFilters, scope: str) -> Select:
    """The ids of the stories an export covers, by the moment that puts them in the range."""
    if scope == "published":
        moment = Story.published_at
        statement = select(Story.id).where(Story.status == StoryStatus.PUBLISHED.value)
    else:
        moment = Story.submitted_at
        statement = select(Story.id).where(Story.status != StoryStatus.DRAFT.value)
    statement = statement.where(moment >= filters.start_at, moment < filters.end_at)
    clause = filters.story_clause(Story.id)
    return statement.where(clause) if clause is not None else statement


def story_rows(filters: InsightFilters, scope: str) -> Iterator[tuple]:
    """One row per story, a chunk of CHUNK stories at a time, in id order."""
    ids = stories_in_scope(filters, scope).order_by(Story.id)
    after = 0
    while True:
        chunk = list(db.session.scalars(ids.where(Story.id > after).limit(CHUNK)))
        if not chunk:
            return
        yield from _story_chunk(chunk)
        after = chunk[-1]


def _story_chunk(ids: list[int]) -> Iterator[tuple]:
    nominator = aliased(Person)
    stories = db.session.execute(
        select(Story.id, Story.title, Story.status, Story.happened_on, Story.submitted_at, Story.published_at,
               nominator.name, nominator.email, Story.impact_kind, Story.impact, Story.rule_in_the_way,
               Story.evidence_quote, Story.evidence_score, Story.evidence_score_max, Story.evidence_link,
               Story.in_canon, Story.applause_count, Story.reader_count)
        .join(nominator, nominator.id == Story.nominator_id)
        .where(Story.id.in_(ids)).order_by(Story.id)
    ).all()
    link = external_id_url("stories.show", "story_id")
    nominees = _people_of(story_nominees, ids)
    co_nominators = _people_of(story_co_nominators, ids)
    values = _values_of(ids)
    for row in stories:
        people = nominees[row.id]
        yield (
            row.id, row.title, StoryStatus(row.status).label, link(row.id),
            row.happened_on, row.submitted_at, row.published_at, row.name, row.email,
            "; ".join(person.name for person in co_nominators[row.id]),
            "; ".join(person.name for person in people), "; ".join(person.email for person in people),
            "; ".join(sorted({person.department for person in people if person.department})),
            "; ".join(sorted({person.location for person in people if person.location})),
            "; ".join(values[row.id]), row.impact_kind, row.impact, row.rule_in_the_way,
            row.evidence_quote, row.evidence_score, row.evidence_score_max, row.evidence_link,
            row.in_canon, row.applause_count, row.reader_count,
        )


def _people_of(table, ids: list[int]) -> dict[int, list]:
    found = defaultdict(list)
    rows = db.session.execute(
        select(table.c.story_id, Person.name, Person.email, Person.department, Person.location)
        .join(Person, Person.id == table.c.person_id)
        .where(table.c.story_id.in_(ids)).order_by(table.c.story_id, Person.name, Person.id)
    )
    for row in rows:
        found[row.story_id].append(row)
    return found


def _values_of(ids: list[int]) -> dict[int, list[str]]:
    found = defaultdict(list)
    rows = db.session.execute(
        select(story_values.c.story_id, Value.name).join(Value, Value.id == story_values.c.value_id)
        .where(story_values.c.story_id.in_(ids)).order_by(story_values.c.story_id, Value.position, Value.name)
    )
    for story_id, name in rows:
        found[story_id].append(name)
    return found


def people_rows(filters: InsightFilters) -> Iterator[tuple]:
    """One row per active person in the chosen department and location, CHUNK at a time."""
    after = ""
    last_id = 0
    zone = filters.zone
    while True:
        chunk = db.session.execute(_people_chunk(filters, after, last_id)).all()
        if not chunk:
            return
        for row in chunk:
            # The company's calendar day, as the range counts it (not the stored UTC date).
            yield (row.id, row.name, row.email, row.job_title, row.department, row.location,
                   row.manager_name, row.start_date, row.in_range or 0, row.ever or 0,
                   company_date(row.last_published, zone), row.nominated or 0)
        after, last_id = chunk[-1].name, chunk[-1].id


def _people_chunk(filters: InsightFilters, after: str, last_id: int) -> Select:
    published = Story.status == StoryStatus.PUBLISHED.value
    in_range = and_(Story.published_at >= filters.start_at, Story.published_at < filters.end_at)
    about = (
        select(story_nominees.c.person_id,
               func.count().filter(in_range).label("in_range"),
               func.count().label("ever"),
               func.max(Story.published_at).label("last_published"))
        .join(Story, Story.id == story_nominees.c.story_id).where(published)
        .group_by(story_nominees.c.person_id).subquery()
    )
    nominated = (
        select(Story.nominator_id.label("person_id"), func.count().label("nominated"))
        .where(Story.status != StoryStatus.DRAFT.value,
               Story.submitted_at >= filters.start_at, Story.submitted_at < filters.end_at)
        .group_by(Story.nominator_id).subquery()
    )
    manager = aliased(Person)
    statement = (
        select(Person.id, Person.name, Person.email, Person.job_title, Person.department, Person.location,
               Person.start_date, manager.name.label("manager_name"), about.c.in_range, about.c.ever,
               about.c.last_published, nominated.c.nominated)
        .outerjoin(manager, manager.id == Person.manager_id)
        .outerjoin(about, about.c.person_id == Person.id)
        .outerjoin(nominated, nominated.c.person_id == Person.id)
        .where(Person.active)
        # Keyset by (name, id): the next chunk starts after the last person of this one.
        .where((Person.name > after) | and_(Person.name == after, Person.id > last_id))
        .order_by(Person.name, Person.id).limit(CHUNK)
    )
    condition = filters.person_clause()
    return statement.where(condition) if condition is not None else statement
