"""The main pages' markup holds together for assistive technology: ids are unique, every label
and ARIA reference points at something on the page, and landmarks of one kind have names that
tell them apart. (The HTML checker and axe said so once; this keeps it so on every change.)"""
from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import CanonCollection, CanonCollectionStory, Person, Story, StoryStatus
from tests.helpers import sign_in_on
from tests.pages import PAGES

# Pages a curator sees beyond the main ones: the forms this product is made of.
MORE_PAGES = {
    "nominate": "/nominate",
    "my stories": "/mine",
    "notifications": "/notifications",
    "preferences": "/preferences",
    "next digest": "/digest/next",
    "values admin": "/admin/values",
    "directory": "/people/",
    "canon": "/canon/",
}
# The canon's collections, filled in by the fixture with a reading path holding the canon story.
COLLECTION_PAGES = {
    "collection": "/canon/collections/{collection}",
    "reading step": "/canon/collections/{collection}/stories/{story}",
    "arrange collection": "/canon/collections/{collection}/edit",
    "new collection": "/canon/collections/new",
    "new hires' reading": "/canon/progress",
}
LANDMARKS = {"nav": "navigation", "main": "main", "aside": "complementary"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class PageMarkup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.references: list[tuple[str, str]] = []  # (attribute, id it names)
        self.landmarks: list[tuple[str, str | None]] = []  # (role, accessible name or None)
        self.text_of: dict[str, str] = {}  # the text inside each element with an id
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
            self.text_of.setdefault(attributes["id"], "")
        if tag not in VOID:
            self._open.append((tag, attributes.get("id")))
        if tag == "label" and attributes.get("for"):
            self.references.append(("for", attributes["for"]))
        for name in ("aria-labelledby", "aria-describedby", "aria-controls"):
            for target in (attributes.get(name) or "").split():
                self.references.append((name, target))
        role = attributes.get("role") or LANDMARKS.get(tag)
        if tag == "section" and (attributes.get("aria-label") or attributes.get("aria-labelledby")):
            role = "region"
        if role in ("navigation", "search", "region", "main", "complementary"):
            name = attributes.get("aria-label") or (
                f"#{attributes['aria-labelledby']}" if attributes.get("aria-labelledby") else None)
            self.landmarks.append((role, name))

    def handle_endtag(self, tag):
        while self._open:
            opened, _ = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self.text_of[element_id] += data

    def name_of(self, name: str | None) -> str | None:
        """A landmark's accessible name: its aria-label, or the text of what labels it."""
        if name and name.startswith("#"):
            return " ".join(self.text_of.get(name[1:], "").split())
        return name


def markup_of(client, path: str) -> PageMarkup:
    response = client.get(path)
    assert response.status_code == 200, path
    parsed = PageMarkup()
    parsed.feed(response.get_data(as_text=True))
    return parsed


@pytest.fixture
def pages(world, make_story, csrf_client):
    """Every page's path, served with CSRF protection on as in production (each form then
    carries its token), with two stories waiting in the queue."""
    make_story(status=StoryStatus.SUBMITTED, title="A second story to review")
    viewer = db.session.get(Person, world.viewer_id)
    canon_story = db.session.scalar(select(Story).where(Story.in_canon.is_(True)))
    reading_path = CanonCollection(name="Start here", introduction="Read these *first*.", onboarding=True)
    reading_path.entries.append(CanonCollectionStory(story_id=canon_story.id, scenario="What would you do?"))
    db.session.add(reading_path)
    viewer.start_date = utcnow().date()  # a new hire: the feed and profile show the path
    db.session.commit()
    sign_in_on(csrf_client, viewer)
    collection_pages = {name: template.format(collection=reading_path.id, story=canon_story.id)
                        for name, template in COLLECTION_PAGES.items()}
    return {name: path(world, world.story_id) for name, path in PAGES.items()} | MORE_PAGES | collection_pages


@pytest.mark.parametrize("page", [*PAGES, *MORE_PAGES, *COLLECTION_PAGES])
def test_ids_are_unique_and_every_reference_finds_its_element(csrf_client, pages, page):
    parsed = markup_of(csrf_client, pages[page])
    repeated = [name for name, count in Counter(parsed.ids).items() if count > 1]
    assert repeated == []
    missing = [(attribute, target) for attribute, target in parsed.references if target not in parsed.ids]
    assert missing == []


@pytest.mark.parametrize("page", [*PAGES, *MORE_PAGES, *COLLECTION_PAGES])
def test_landmarks_of_one_kind_have_names_that_tell_them_apart(csrf_client, pages, page):
    parsed = markup_of(csrf_client, pages[page])
    by_role = Counter(role for role, _ in parsed.landmarks)
    for role, count in by_role.items():
        if count > 1:
            names = [parsed.name_of(name) for landmark_role, name in parsed.landmarks if landmark_role == role]
            assert None not in names, f"{count} {role} landmarks, not all named: {names}"
            assert len(set(names)) == count, f"{role} landmarks share a name: {names}"
