"""Story cards are cached, and every change a card shows is on the very next page.

The cache keeps rendered cards under keys made of what they show; these tests warm the feed,
change one thing a card shows, and read the feed (and a profile) again in the same process, so a
key that leaves something out would show the old card. tests/multihost/ does the same across two
hosts sharing Redis.
"""
from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import select

from storyboard import create_app
from storyboard.clock import utcnow
from storyboard.curation.redaction import redact
from storyboard.extensions import db
from storyboard.fragments import card_key
from storyboard.models import Person, Story, StoryStatus, Value
from storyboard.stories.lifecycle import transition
from tests.helpers import free_port, sign_in_on, text


@pytest.fixture
def warm(ctx, make_person, make_story, login, get):
    """A published story about Dana, valued "Own it", and a reader who has seen the feed twice."""
    dana = make_person(name="Dana Okafor")
    own_it = db.session.scalars(select(Value).order_by(Value.position)).first()
    own_it.name = "Own it"
    story = make_story(nominees=[dana], values=[own_it], title="Rebuilt the order by hand",
                       body_md="She rang the depot at 6 a.m. and drove the parcel over.")
    reader = login(make_person(name="Reader One"))
    curator = make_person(name="Cass Curator", role="curator")
    for _ in range(2):
        page = text(get("/"))
        assert "Rebuilt the order by hand" in page
    return story, dana, own_it, reader, curator


@pytest.fixture
def get(client):
    """GET a page as the signed-in reader; it must answer 200."""

    def fetch(path):
        response = client.get(path)
        assert response.status_code == 200, path
        return response

    return fetch


def _card(page: str) -> str:
    """The first story card on a page."""
    start = page.index('<article class="card story-card">')
    return page[start:page.index("</article>", start)]


def test_a_title_edit_shows_on_the_next_feed(get, warm):
    story, *_ = warm
    story.title = "Drove the parcel to the wedding"
    db.session.commit()
    page = text(get("/"))
    assert "Drove the parcel to the wedding" in page
    assert "Rebuilt the order by hand" not in page


def test_a_renamed_nominee_shows_on_the_next_feed_and_profile(get, warm):
    story, dana, *_ = warm
    text(get(f"/people/{dana.id}"))  # warm the profile's card too
    dana.name = "Dana Mensah"
    db.session.commit()
    feed = _card(text(get("/")))
    assert "Dana Mensah" in feed and "Dana Okafor" not in feed
    assert ">DM<" in feed  # the avatar's initials follow the name
    profile = text(get(f"/people/{dana.id}"))
    assert "Dana Okafor" not in profile


def test_a_renamed_value_shows_on_the_next_feed(get, warm):
    _, _, own_it, *_ = warm
    own_it.name = "Take ownership"
    db.session.commit()
    card = _card(text(get("/")))
    assert "Take ownership" in card and "Own it" not in card


def test_new_applause_shows_on_the_next_feed(get, warm, client):
    story, *_ = warm
    assert '</svg> 0<span class="visually-hidden"> applause' in _card(text(get("/")))
    assert client.post(f"/stories/{story.id}/applause").status_code in (302, 303)
    assert '</svg> 1<span class="visually-hidden"> applause' in _card(text(get("/")))


def test_an_archived_story_leaves_the_next_feed(get, warm):
    story, *_, curator = warm
    transition(story, StoryStatus.ARCHIVED, curator, note="Out of date")
    db.session.commit()
    assert "Rebuilt the order by hand" not in text(get("/"))


def test_a_redaction_shows_on_the_next_feed(get, warm):
    story, *_, curator = warm
    redact(db.session.get(Story, story.id), "rang the depot", curator)
    db.session.commit()
    card = _card(text(get("/")))
    assert "rang the depot" not in card
    assert "[redacted]" in card


def test_a_pin_shows_on_the_next_feed(get, warm):
    story, *_ = warm
    story.pinned_at = utcnow()
    db.session.commit()
    assert "Pinned" in _card(text(get("/")))


def test_two_people_see_the_same_card_but_their_own_header(get, warm, app, make_person):
    """The cached card is shared; the header around it is each reader's own."""
    other = app.test_client()
    sign_in_on(other, make_person(name="Second Reader"))
    theirs = text(other.get("/"))
    g.pop("_login_user", None)  # the tests' shared app context would hand the next request this reader
    mine = text(get("/"))
    assert _card(mine) == _card(theirs)
    assert "Reader One" in mine and "Reader One" not in theirs
    assert "Second Reader" in theirs


def test_a_change_of_card_code_is_a_new_key(get, warm, app):
    """A deploy that changes templates or code never meets cards cached by the code before it."""
    story, *_ = warm
    with app.test_request_context("/"):
        before = card_key(db.session.get(Story, story.id))
        app.extensions["storyboard_render_version"] += "-next"
        assert card_key(db.session.get(Story, story.id)) != before


def test_people_not_on_a_card_do_not_change_it(get, warm, make_person):
    """Sanity check of the key: a change to someone else keeps the same card."""
    before = _card(text(get("/")))
    someone = make_person(name="Unrelated Person")
    someone.name = "Still Unrelated"
    db.session.commit()
    assert _card(text(get("/"))) == before
    assert db.session.get(Person, someone.id).name == "Still Unrelated"


@pytest.fixture
def other_app(app):
    """Another app on the same database, as another worker or host would run it."""
    made = []

    def make(**config):
        made.append(create_app(app.config | config))
        return made[-1]

    yield make
    for each in made:
        with each.app_context():
            db.session.remove()
            db.engine.dispose()


def test_two_workers_sharing_redis_never_show_a_stale_card(warm, other_app, redis_url):
    """Two apps (as two workers or hosts) on one Redis: a card one of them kept is never shown
    by the other after a change, and the unchanged card is shared."""
    story, dana, *_ = warm
    workers = [other_app(REDIS_URL=redis_url) for _ in range(2)]
    assert all(worker.extensions["cache"] for worker in workers)
    clients = []
    for worker in workers:
        client = worker.test_client()
        sign_in_on(client, dana)
        clients.append(client)
    def feed(client):
        g.pop("_login_user", None)
        return _card(text(client.get("/")))

    assert feed(clients[0]) == feed(clients[1])
    story.title = "Drove the parcel to the wedding"
    db.session.commit()
    assert "Drove the parcel to the wedding" in feed(clients[1])
    assert "Drove the parcel to the wedding" in feed(clients[0])


def test_the_feed_is_drawn_without_redis_when_redis_is_down(warm, other_app):
    story, dana, *_ = warm
    broken = other_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    client = broken.test_client()
    sign_in_on(client, dana)
    g.pop("_login_user", None)
    response = client.get("/")
    assert response.status_code == 200
    assert "Rebuilt the order by hand" in _card(text(response))


def test_a_worker_keeps_at_most_its_threshold_of_cards_dropping_the_least_used():
    from storyboard.fragments import CardLRUCache

    cards = CardLRUCache(threshold=3)
    for key in "abc":
        cards.set(key, f"<article>{key}</article>")
    assert cards.get("a") == "<article>a</article>"  # "a" is now the most recently used
    cards.set("d", "<article>d</article>")
    assert cards.get_many("a", "b", "c", "d") == ["<article>a</article>", None, "<article>c</article>",
                                                   "<article>d</article>"]


def test_links_remembered_by_templates_tell_true_from_one(app):
    from storyboard.fragments import page_url_for

    with app.test_request_context("/"):
        assert page_url_for("stories.search_view", q=1) == "/search?q=1"
        assert page_url_for("stories.search_view", q=True) == "/search?q=True"
