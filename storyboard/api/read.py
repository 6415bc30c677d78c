"""Reading through the API: stories, people, values, the canon and digest issues.

Each list is what its web page shows the token's owner, through the same rules: a story is
listed if the web lets its owner see it (storyboard/stories/service.py can_view; for curators,
the stories the review queue lists them, storyboard/curation/queue.py), one story is found
through the story page's loader, and so on.
"""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import joinedload, selectinload

from storyboard.api import schemas, shapes
from storyboard.api.cursors import Key, keyset_page
from storyboard.api.spec import responses, spec
from storyboard.api.v1 import rate_limited, v1
from storyboard.canon import collections, library
from storyboard.curation import queue
from storyboard.digest.issues import issue_selection
from storyboard.errors import NotFound
from storyboard.extensions import db
from storyboard.models import DigestIssue, Person, Story, StoryStatus
from storyboard.people import service as people
from storyboard.stories import service as stories

STORY_KEYS = [Key(Story.id, "id")]  # newest nominated first; an id never changes
CANON_KEYS = [Key(Story.id, "id")]
PEOPLE_KEYS = [Key(Person.name, "name"), Key(Person.id, "id")]  # the directory's order
ISSUE_KEYS = [Key(DigestIssue.cut_at, "cut_at"), Key(DigestIssue.id, "id")]


def _story_loads():
    return (joinedload(Story.nominator), selectinload(Story.nominees), selectinload(Story.values))


def visible_stories(person: Person) -> ColumnElement:
    """The stories the person sees on the web: published ones, their own in any status, and
    for curators what the review queue's tabs list them (old drafts only when the policy shows
    their titles)."""
    shown = [Story.status == StoryStatus.PUBLISHED.value, Story.nominator_id == person.id]
    if person.is_curator:
        tabs = [tab for tab in queue.TABS if tab is not queue.OLD_DRAFTS or queue.draft_titles_shown()]
        for tab in tabs:
            listed = queue.tab_stories(tab, queue.QueueFilters()).subquery()
            shown.append(Story.id.in_(select(listed.c.id)))
    return or_(*shown)


@v1.get("/stories")
@rate_limited
@spec.validate(query=schemas.PageQuery, resp=responses(HTTP_200=schemas.StoryPage),
               tags=["stories"], operation_id="listStories")
def list_stories(query: schemas.PageQuery):
    """Stories the token's owner may see, newest first.

    Published stories, the owner's own in any status, and for curators what the review queue
    lists. Follow `next` for the following page."""
    statement = select(Story).where(visible_stories(current_user)).options(*_story_loads())
    page = keyset_page(statement, STORY_KEYS, True, query.cursor, query.limit)
    return schemas.StoryPage(items=[shapes.story(item) for item in page.items], next=page.next)


@v1.get("/stories/<int:story_id>")
@rate_limited
@spec.validate(resp=responses(HTTP_200=schemas.Story),
               tags=["stories"], operation_id="getStory")
def get_story(story_id: int):
    """One story, if the token's owner may see it on the web (else 404, as there)."""
    return shapes.story(stories.get_story_for(current_user, story_id))


@v1.get("/people")
@rate_limited
@spec.validate(query=schemas.PeopleQuery, resp=responses(HTTP_200=schemas.PersonPage),
               tags=["people"], operation_id="listPeople")
def list_people(query: schemas.PeopleQuery):
    """The people directory: active people by name, optionally searched and by department."""
    statement = people.directory((query.q or "").strip(), (query.department or "").strip() or None)
    page = keyset_page(statement, PEOPLE_KEYS, False, query.cursor, query.limit, q=query.q,
                       department=query.department)
    return schemas.PersonPage(items=[shapes.person(item) for item in page.items], next=page.next)


@v1.get("/people/<int:person_id>")
@rate_limited
@spec.validate(resp=responses(HTTP_200=schemas.Person),
               tags=["people"], operation_id="getPerson")
def get_person(person_id: int):
    """One person, as their profile shows them."""
    found = db.session.get(Person, person_id)
    if found is None:
        raise NotFound()
    return shapes.person(found)


@v1.get("/values")
@rate_limited
@spec.validate(resp=responses(HTTP_200=schemas.ValueList),
               tags=["values"], operation_id="listValues")
def list_values():
    """The company's values in their order (retired ones are left out, as on the values page)."""
    return schemas.ValueList(items=[shapes.value(item) for item in stories.active_values()])


@v1.get("/canon/stories")
@rate_limited
@spec.validate(query=schemas.PageQuery, resp=responses(HTTP_200=schemas.CanonStoryPage),
               tags=["canon"], operation_id="listCanonStories")
def list_canon_stories(query: schemas.PageQuery):
    """The canon: published stories HR retells, each with its lesson, newest first."""
    page = keyset_page(library.canon_statement(), CANON_KEYS, True, query.cursor, query.limit)
    told = library.retellings(item.id for item in page.items)
    items = [schemas.CanonStory(**shapes.story_fields(item), canonized_at=shapes.moment(item.canonized_at),
                                retold=told.get(item.id, library.NEVER).times) for item in page.items]
    return schemas.CanonStoryPage(items=items, next=page.next)


@v1.get("/canon/collections")
@rate_limited
@spec.validate(resp=responses(HTTP_200=schemas.CanonCollectionList),
               tags=["canon"], operation_id="listCanonCollections")
def list_canon_collections():
    """The canon's collections in the curators' order, with the stories readers see in each."""
    items = [schemas.CanonCollection(
        id=shelf.id, name=shelf.name, introduction=shelf.introduction, onboarding=shelf.onboarding,
        story_ids=[entry.story_id for entry in collections.shown_entries(shelf)],
    ) for shelf in collections.all_collections()]
    return schemas.CanonCollectionList(items=items)


@v1.get("/digest/issues")
@rate_limited
@spec.validate(query=schemas.PageQuery, resp=responses(HTTP_200=schemas.DigestIssuePage),
               tags=["digest"], operation_id="listDigestIssues")
def list_digest_issues(query: schemas.PageQuery):
    """Digest issues, newest first, as the archive lists them."""
    page = keyset_page(select(DigestIssue), ISSUE_KEYS, True, query.cursor, query.limit)
    return schemas.DigestIssuePage(items=[_issue_summary(item) for item in page.items], next=page.next)


@v1.get("/digest/issues/<issue_key>")
@rate_limited
@spec.validate(resp=responses(HTTP_200=schemas.DigestIssue),
               tags=["digest"], operation_id="getDigestIssue")
def get_digest_issue(issue_key: str):
    """One issue and its stories by section, leaving out those no longer published (as the
    archive's page does)."""
    found = db.session.scalar(select(DigestIssue).where(DigestIssue.issue_key == issue_key[:10]))
    if found is None or found.issue_key != issue_key:
        raise NotFound()
    selection, chosen = issue_selection(found)
    by_id = {item.id: item for item in chosen}
    sections = {name: [shapes.story(by_id[story_id]) for story_id in getattr(selection, name)]
                for name in ("new", "also_new", "canon")}
    return schemas.DigestIssue(**_issue_summary(found).model_dump(), introduction=found.introduction, **sections)


def _issue_summary(item: DigestIssue) -> schemas.DigestIssueSummary:
    return schemas.DigestIssueSummary(issue_key=item.issue_key, cut_at=shapes.moment(item.cut_at),
                                      monthly=item.monthly)
