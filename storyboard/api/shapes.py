"""Rows as the API shows them (storyboard/api/schemas.py): moments in UTC, links to the web
(on EXTERNAL_URL, the address people use, as in emails and feeds)."""
from __future__ import annotations

from datetime import UTC, datetime

from flask_login import current_user

from storyboard.api import schemas
from storyboard.models import Person, Story, Value
from storyboard.privacy.visibility import can_see_rule
from storyboard.urls import external_url


def moment(value: datetime | None) -> datetime | None:
    """A stored naive UTC moment as an aware one, so JSON says "Z"."""
    return value.replace(tzinfo=UTC) if value is not None else None


def person_ref(person: Person) -> schemas.PersonRef:
    return schemas.PersonRef(id=person.id, name=person.name)


def value_ref(value: Value) -> schemas.ValueRef:
    return schemas.ValueRef(id=value.id, name=value.name, slug=value.slug)


def story_fields(story: Story) -> dict:
    return {
        "id": story.id,
        "url": external_url("stories.show", story_id=story.id),
        "title": story.title,
        "status": story.status,
        "body_markdown": story.body_md,
        "body_html": story.body_html,
        "impact_kind": story.impact_kind,
        "impact": story.impact,
        # As on the story's page: only for those who can act on it (privacy.visibility).
        "rule_in_the_way": story.rule_in_the_way if can_see_rule(current_user, story) else None,
        "happened_on": story.happened_on,
        "created_at": moment(story.created_at),
        "submitted_at": moment(story.submitted_at),
        "published_at": moment(story.published_at),
        "nominator": person_ref(story.nominator),
        "nominees": [person_ref(person) for person in story.nominees],
        "values": [value_ref(value) for value in story.values],
        "applause_count": story.applause_count,
        "in_canon": story.in_canon,
        "canon_lesson": story.canon_lesson,
    }


def story(item: Story) -> schemas.Story:
    return schemas.Story(**story_fields(item))


def person(item: Person) -> schemas.Person:
    manager = item.manager if item.manager is not None and item.manager.active else None
    return schemas.Person(
        id=item.id, url=external_url("people.profile", person_id=item.id), name=item.name,
        job_title=item.job_title, department=item.department, location=item.location, active=item.active,
        manager=person_ref(manager) if manager is not None else None,
    )


def value(item: Value) -> schemas.Value:
    return schemas.Value(id=item.id, name=item.name, slug=item.slug, description=item.description)
