"""The reading path: new hires meet the canon first, scenario before story and lesson after,
their read marks kept across sessions, and curators see how far they got."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import CanonCollection, CanonCollectionStory
from tests.helpers import link_in, mail_text, sign_in_on, text


@pytest.fixture
def path(ctx, make_person, make_story):
    """A "Start here" path of three canon stories, each with a scenario, and another collection."""
    ana = make_person(name="Ana Stores", department="Stores")
    shelf = CanonCollection(name="Start here", introduction="Read these first.", onboarding=True, position=1)
    other = CanonCollection(name="Backstage heroes", position=2)
    db.session.add_all([shelf, other])
    db.session.flush()
    stories = []
    for n, (title, scenario) in enumerate([
        ("The refund that crossed two teams", "A refund is stuck between a store and billing. What would you do?"),
        ("An umbrella in the rain", "A customer is leaving in a downpour. What would you do?"),
        ("The invoice at midnight", "An invoice is wrong an hour before a deadline. What would you do?"),
    ], start=1):
        story = make_story(title=title, nominees=[ana], in_canon=True, canon_lesson=f"Lesson {n}: own it.",
                           canonized_at=datetime(2026, 3, n, 9, 0), body_md=f"What happened, part {n}.")
        db.session.add(CanonCollectionStory(collection_id=shelf.id, story_id=story.id, position=n, scenario=scenario))
        db.session.add(CanonCollectionStory(collection_id=other.id, story_id=story.id, position=n))
        stories.append(story)
    db.session.commit()
    return shelf, other, stories


def new_hire(make_person, days_ago=10, **fields):
    return make_person(start_date=(utcnow() - timedelta(days=days_ago)).date(), **fields)


def test_a_step_shows_the_scenario_first_then_the_story_then_its_lesson(client, path, as_role):
    shelf, _, stories = path
    as_role("staff")
    page = text(client.get(f"/canon/collections/{shelf.id}/stories/{stories[0].id}"))
    scenario = page.index("A refund is stuck between a store and billing.")
    story = page.index("What happened, part 1.")
    lesson = page.index("Lesson 1: own it.")
    assert scenario < story < lesson
    assert "Story 1 of 3" in page


def test_a_new_hires_progress_is_kept_across_sessions_and_the_feed_and_profile_show_it(
        app, client, path, make_person):
    shelf, _, stories = path
    nell = new_hire(make_person, name="Nell Starter")
    sign_in_on(client, nell)
    feed = text(client.get("/"))
    assert "Your reading path: Start here" in feed and "0 of 3 stories read" in feed
    # Marking the first read goes on to the second.
    response = client.post(f"/canon/collections/{shelf.id}/stories/{stories[0].id}/read")
    assert response.headers["Location"].endswith(f"/canon/collections/{shelf.id}/stories/{stories[1].id}")
    client.post(f"/canon/collections/{shelf.id}/stories/{stories[1].id}/read")
    client.post("/auth/logout")

    with app.test_client() as later:  # another day, another browser
        sign_in_on(later, nell)
        page = text(later.get(f"/canon/collections/{shelf.id}"))
        assert "You have read 2 of 3 stories on this path." in page
        assert re.findall(r'<span class="read-mark">Read</span>', page) == ["<span class=\"read-mark\">Read</span>"] * 2
        assert "2 of 3 stories read" in text(later.get(f"/people/{nell.id}"))
        done = later.post(f"/canon/collections/{shelf.id}/stories/{stories[2].id}/read", follow_redirects=True)
        assert "You have read every story on the path. Well read!" in text(done)
        assert "Your reading path" not in text(later.get("/"))  # finished: the feed stops asking
        assert "You have read every story on the path." in text(later.get(f"/people/{nell.id}"))


def test_marking_a_story_not_read_takes_the_mark_back(client, path, make_person):
    shelf, _, stories = path
    sign_in_on(client, new_hire(make_person))
    client.post(f"/canon/collections/{shelf.id}/stories/{stories[0].id}/read")
    client.post(f"/canon/collections/{shelf.id}/stories/{stories[0].id}/read", data={"read": "no"})
    assert "You have read 0 of 3 stories" in text(client.get(f"/canon/collections/{shelf.id}"))


def test_someone_past_their_first_90_days_or_without_a_start_date_is_not_asked(client, path, make_person):
    for person in (new_hire(make_person, days_ago=90), make_person(start_date=None)):
        sign_in_on(client, person)
        assert "Your reading path" not in text(client.get("/"))
        assert "reading path" not in text(client.get(f"/people/{person.id}"))
    sign_in_on(client, new_hire(make_person, days_ago=89))
    assert "Your reading path" in text(client.get("/"))


def test_only_the_reading_path_keeps_read_marks(client, path, make_person):
    _, other, stories = path
    sign_in_on(client, new_hire(make_person))
    assert client.post(f"/canon/collections/{other.id}/stories/{stories[0].id}/read").status_code == 404
    assert "What would you do?" not in text(client.get(f"/canon/collections/{other.id}"))  # no scenarios there


def test_curators_see_each_new_hire_and_the_share_who_started_and_finished(client, path, make_person, as_role):
    shelf, _, stories = path
    readers = {"Ann Finished": 3, "Bob Halfway": 1, "Cat Not Yet": 0, "Dan Not Yet": 0}
    for name, count in readers.items():
        person = new_hire(make_person, name=name)
        sign_in_on(client, person)
        for story in stories[:count]:
            client.post(f"/canon/collections/{shelf.id}/stories/{story.id}/read")
    make_person(name="Old Timer", start_date=(utcnow() - timedelta(days=400)).date())
    as_role("curator")
    page = text(client.get("/canon/progress"))
    rows = re.findall(r'<tr><td><a href="/people/\d+">([^<]+)</a></td>.*?<td>(\d+) of 3', page, re.S)
    assert sorted(rows) == [("Ann Finished", "3"), ("Bob Halfway", "1"), ("Cat Not Yet", "0"), ("Dan Not Yet", "0")]
    assert [name for name, _ in rows][-1] == "Ann Finished"  # fewest read first
    assert "<dt>Started the path</dt><dd>2 (50%)</dd>" in page
    assert "<dt>Finished it</dt><dd>1 (25%)</dd>" in page
    assert "Old Timer" not in page


def test_the_invitation_points_to_the_path_and_a_start_date_makes_a_new_hire(client, ctx, path, as_role,
                                                                              smtp_server):
    as_role("admin")
    start = utcnow().date().isoformat()
    client.post("/people/invite", data={"email": "nell@example.com", "name": "Nell Starter", "role": "staff",
                                        "start_date": start})
    [message] = smtp_server.messages
    assert "New here? Start with the stories we tell every newcomer" in mail_text(message)
    assert "https://storyboard.example.com/canon/path" in mail_text(message)
    client.post("/auth/logout")
    welcome = client.post(link_in(message), data={"password": "lantern pickle orbit",
                                                  "confirm": "lantern pickle orbit"}, follow_redirects=True)
    assert "Your reading path: Start here" in text(welcome)  # the first sign-in lands on it


def test_without_a_path_the_invitation_says_nothing_of_it(client, ctx, as_role, smtp_server):
    as_role("admin")
    client.post("/people/invite", data={"email": "nell@example.com", "name": "Nell Starter", "role": "staff"})
    [message] = smtp_server.messages
    assert "/canon/path" not in mail_text(message)
    assert client.get("/canon/path").status_code == 404


def test_someone_invited_before_their_first_day_is_pointed_to_the_path(client, path, make_person, as_role):
    starter = new_hire(make_person, days_ago=-14, name="Fay Future")  # starts in two weeks
    sign_in_on(client, starter)
    assert "Your reading path: Start here" in text(client.get("/"))
    as_role("curator")
    assert "Fay Future" in text(client.get("/canon/progress"))


def test_the_last_story_says_when_earlier_ones_are_still_unread(client, path, make_person):
    shelf, _, stories = path
    sign_in_on(client, new_hire(make_person))
    done = client.post(f"/canon/collections/{shelf.id}/stories/{stories[2].id}/read", follow_redirects=True)
    assert "That was the last story of the path; 2 earlier ones are still unread." in text(done)


def test_marking_a_story_no_longer_on_the_path_says_so(client, path, make_person):
    shelf, _, stories = path
    sign_in_on(client, new_hire(make_person))
    stories[0].in_canon = False
    db.session.commit()
    response = client.post(f"/canon/collections/{shelf.id}/stories/{stories[0].id}/read")
    assert response.status_code == 404
    assert "That story is not on the reading path any more." in text(response)
