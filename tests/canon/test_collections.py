"""Collections of canon stories: curators make, fill and order them; everyone reads them."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storyboard.extensions import db
from storyboard.models import CanonCollection, CanonCollectionStory, StoryStatus
from tests.helpers import audit_entries, text


def entry_titles(response) -> list[str]:
    """The collection page's stories, in the order shown."""
    return re.findall(r'<span class="step-number">\d+\.</span>\s*<a href="[^"]+">([^<]+)</a>', text(response))


@pytest.fixture
def canon_stories(ctx, make_person, make_story):
    ana = make_person(name="Ana Stores", department="Stores")
    made = {}
    for n, title in enumerate(["The refund that crossed two teams", "An umbrella in the rain",
                               "The invoice at midnight", "The forklift at dawn"]):
        made[title] = make_story(title=title, nominees=[ana], in_canon=True, canon_lesson=f"Lesson {n}.",
                                 canonized_at=datetime(2026, 3, 1 + n, 9, 0))
    made["not canon"] = make_story(title="A good story, not canon", nominees=[ana])
    return made


def make_collection(client, name="Start here", introduction="Read these **first**.", onboarding=False):
    form = {"name": name, "introduction": introduction}
    if onboarding:
        form["onboarding"] = "y"
    response = client.post("/canon/collections/new", data=form)
    assert response.status_code == 302, text(response)
    return db.session.scalar(select(CanonCollection).where(CanonCollection.name == name))


def add(client, collection, story, scenario=""):
    return client.post(f"/canon/collections/{collection.id}/stories", data={"story": story.id, "scenario": scenario})


def test_a_curator_makes_a_collection_adds_stories_and_everyone_reads_them_in_that_order(
        client, canon_stories, as_role, login, make_person):
    as_role("curator")
    shelf = make_collection(client)
    for title in ("The invoice at midnight", "The refund that crossed two teams", "An umbrella in the rain"):
        assert add(client, shelf, canon_stories[title]).status_code == 302
    login(make_person(role="staff"))
    response = client.get(f"/canon/collections/{shelf.id}")
    assert response.status_code == 200
    assert entry_titles(response) == ["The invoice at midnight", "The refund that crossed two teams",
                                      "An umbrella in the rain"]
    assert "Read these <strong>first</strong>." in text(response)  # the introduction's Markdown
    library = text(client.get("/canon/"))
    assert f'href="/canon/collections/{shelf.id}">Start here</a>' in library


def test_moving_a_story_down_and_up_changes_the_order_readers_see(client, canon_stories, as_role):
    as_role("curator")
    shelf = make_collection(client)
    first, second, third = (canon_stories[t] for t in ("The invoice at midnight", "The forklift at dawn",
                                                        "An umbrella in the rain"))
    for story in (first, second, third):
        add(client, shelf, story)
    client.post(f"/canon/collections/{shelf.id}/stories/{first.id}/move-down")
    assert entry_titles(client.get(f"/canon/collections/{shelf.id}")) == [
        "The forklift at dawn", "The invoice at midnight", "An umbrella in the rain"]
    client.post(f"/canon/collections/{shelf.id}/stories/{third.id}/move-up")
    client.post(f"/canon/collections/{shelf.id}/stories/{third.id}/move-up")
    assert entry_titles(client.get(f"/canon/collections/{shelf.id}")) == [
        "An umbrella in the rain", "The forklift at dawn", "The invoice at midnight"]
    # At the top already: nothing moves.
    client.post(f"/canon/collections/{shelf.id}/stories/{third.id}/move-up")
    assert entry_titles(client.get(f"/canon/collections/{shelf.id}"))[0] == "An umbrella in the rain"


def test_collections_are_listed_in_the_curators_order(client, canon_stories, as_role):
    as_role("curator")
    make_collection(client, "Start here")
    make_collection(client, "Backstage heroes")
    later = make_collection(client, "When the rules got in the way")

    def listed():
        return re.findall(r'<li class="card collection-card"><a href="/canon/collections/\d+">([^<]+)</a>',
                          text(client.get("/canon/")))

    assert listed() == ["Start here", "Backstage heroes", "When the rules got in the way"]
    client.post(f"/canon/collections/{later.id}/move-up")
    assert listed() == ["Start here", "When the rules got in the way", "Backstage heroes"]


def test_only_published_canon_stories_go_in_and_one_leaving_the_canon_leaves_the_page_but_keeps_its_place(
        client, canon_stories, as_role):
    as_role("curator")
    shelf = make_collection(client)
    refused = add(client, shelf, canon_stories["not canon"])
    assert refused.status_code == 400
    assert "Choose a published canon story from the list." in text(refused)
    for title in ("The invoice at midnight", "The forklift at dawn", "An umbrella in the rain"):
        add(client, shelf, canon_stories[title])
    middle = canon_stories["The forklift at dawn"]
    middle.status = StoryStatus.ARCHIVED
    db.session.commit()
    assert entry_titles(client.get(f"/canon/collections/{shelf.id}")) == [
        "The invoice at midnight", "An umbrella in the rain"]
    assert "1 more story is kept here but not shown" in text(client.get(f"/canon/collections/{shelf.id}/edit"))
    middle.status = StoryStatus.PUBLISHED
    db.session.commit()
    assert entry_titles(client.get(f"/canon/collections/{shelf.id}")) == [
        "The invoice at midnight", "The forklift at dawn", "An umbrella in the rain"]


def test_a_bad_collection_form_is_refused_with_its_message_and_keeps_what_was_typed(client, canon_stories, as_role):
    as_role("curator")
    make_collection(client, "Start here")
    response = client.post("/canon/collections/new", data={"name": "start HERE", "introduction": "Kept text"})
    assert response.status_code == 400
    page = text(response)
    assert "There is already a collection called “start HERE”." in page
    assert "Kept text" in page
    too_long = client.post("/canon/collections/new", data={"name": "N" * 121, "introduction": ""})
    assert too_long.status_code == 400
    assert "A name has at most 120 characters." in text(too_long)
    assert "N" * 121 in text(too_long)


def test_the_longest_name_scenario_and_introduction_are_kept_whole(client, canon_stories, as_role):
    """On PostgreSQL the columns refuse what does not fit: the longest allowed must fit."""
    as_role("curator")
    shelf = make_collection(client, "N" * 120, "I" * 2000)
    story = canon_stories["The invoice at midnight"]
    assert add(client, shelf, story, "S" * 600).status_code == 302
    db.session.expire_all()
    assert (shelf.name, len(shelf.introduction)) == ("N" * 120, 2000)
    assert db.session.get(CanonCollectionStory, (shelf.id, story.id)).scenario == "S" * 600
    assert client.post(f"/canon/collections/{shelf.id}/stories/{story.id}/scenario",
                       data={"scenario": "S" * 601}).status_code == 400


def test_staff_cannot_arrange_collections(client, canon_stories, as_role, login, make_person):
    as_role("curator")
    shelf = make_collection(client)
    story = canon_stories["The invoice at midnight"]
    add(client, shelf, story)
    login(make_person(role="staff"))
    for path in (f"/canon/collections/{shelf.id}/edit", "/canon/progress", "/canon/collections/new"):
        assert client.get(path).status_code == 403, path
    for path in (f"/canon/collections/{shelf.id}/delete", f"/canon/collections/{shelf.id}/move-up",
                 f"/canon/collections/{shelf.id}/stories/{story.id}/remove",
                 f"/canon/collections/{shelf.id}/stories"):
        assert client.post(path, data={"story": story.id}).status_code == 403, path
    assert db.session.get(CanonCollectionStory, (shelf.id, story.id)) is not None


def test_one_collection_at_most_is_the_reading_path_and_changes_are_audited(client, canon_stories, as_role):
    as_role("curator")
    first = make_collection(client, "Start here", onboarding=True)
    second = make_collection(client, "Welcome aboard", onboarding=True)
    db.session.expire_all()
    assert (first.onboarding, second.onboarding) == (False, True)
    assert "<h1>Welcome aboard</h1>" in text(client.get("/canon/path"))
    client.post(f"/canon/collections/{second.id}/delete")
    assert client.get("/canon/path").status_code == 404
    assert [entry.action for entry in audit_entries() if entry.entity_type == "collection"] == [
        "collection.save", "collection.save", "collection.delete"]


def test_a_story_id_that_is_not_one_is_refused_with_the_lists_message(client, canon_stories, as_role):
    as_role("curator")
    shelf = make_collection(client)
    for sent in ("abc", "0", "99999999999"):
        response = client.post(f"/canon/collections/{shelf.id}/stories", data={"story": sent})
        assert response.status_code == 400, sent
        assert "Choose a published canon story from the list." in text(response), sent
    nothing = client.post(f"/canon/collections/{shelf.id}/stories", data={"story": ""})
    assert nothing.status_code == 400 and "Choose a canon story to add." in text(nothing)


def test_moving_a_story_keeps_a_hidden_story_in_its_place(client, canon_stories, as_role):
    as_role("curator")
    shelf = make_collection(client)
    titles = ["The invoice at midnight", "The forklift at dawn", "An umbrella in the rain"]
    for title in titles:
        add(client, shelf, canon_stories[title])
    hidden = canon_stories["The forklift at dawn"]
    hidden.in_canon = False  # out of the canon for a while: kept in place, not shown
    db.session.commit()
    client.post(f"/canon/collections/{shelf.id}/stories/{canon_stories['An umbrella in the rain'].id}/move-up")
    hidden.in_canon = True
    db.session.commit()
    assert entry_titles(client.get(f"/canon/collections/{shelf.id}")) == [
        "An umbrella in the rain", "The forklift at dawn", "The invoice at midnight"]


def test_the_database_keeps_names_unique_whatever_their_case_and_one_reading_path(ctx):
    """What the service checks first, the database keeps when two curators save at once."""
    db.session.add_all([CanonCollection(name="Start here", onboarding=True), CanonCollection(name="START HERE")])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add_all([CanonCollection(name="Start here", onboarding=True),
                        CanonCollection(name="Welcome", onboarding=True)])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add_all([CanonCollection(name="Start here", onboarding=True), CanonCollection(name="Welcome"),
                        CanonCollection(name="Backstage")])
    db.session.commit()  # any number of collections that are not the path


@pytest.mark.parametrize("editing", [False, True])
def test_a_name_taken_by_another_curator_at_the_same_moment_is_told_not_an_error_page(
        client, canon_stories, as_role, monkeypatch, editing):
    """Another curator's save lands after the name was checked: the database refuses it."""
    as_role("curator")
    make_collection(client, "Start here")
    welcome = make_collection(client, "Welcome")
    monkeypatch.setattr("storyboard.canon.collections.name_taken", lambda *args: False)
    path = f"/canon/collections/{welcome.id}/edit" if editing else "/canon/collections/new"
    response = client.post(path, data={"name": "START HERE", "introduction": "Typed words"})
    assert response.status_code == 400
    page = text(response)
    assert "Another curator saved a collection by that name" in page and "Typed words" in page
    db.session.expire_all()
    assert sorted(db.session.scalars(select(CanonCollection.name))) == ["Start here", "Welcome"]
