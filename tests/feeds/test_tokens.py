"""Feed tokens: made and replaced on the Feeds page (plain forms), revoked, and refused with the
same short 404 whenever they open nothing."""
from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from storyboard.admin import service as admin
from storyboard.extensions import db
from storyboard.feeds import tokens
from storyboard.models import AuditEntry, FeedToken, Person, Value
from tests.feeds.reading import parse, tags_in, token_for
from tests.helpers import audit_entries, csrf_token_in, sign_in_on, text

NO_FEED = "No feed at this address. If it is yours, get its current address on Storyboard's Feeds page.\n"


def feed_urls(page: str) -> dict[str, str]:
    """The page's feed URLs: each read-only box's label id -> its value."""
    return {attributes["id"]: attributes["value"] for tag, attributes in tags_in(page)
            if tag == "input" and "readonly" in attributes}


def path_of(url: str) -> str:
    return urlsplit(url).path


def refused(client, token: str) -> None:
    response = client.get(f"/feeds/{token}/stories.atom")
    assert (response.status_code, response.mimetype, text(response)) == (404, "text/plain", NO_FEED)


def make_urls(client) -> str:
    """Press "Make my feed URLs" as a browser without JavaScript does: the page's form, its token."""
    page = text(client.get("/feeds"))
    response = client.post("/feeds/token", data={"csrf_token": csrf_token_in(page)})
    assert response.status_code == 200
    return text(response)


def test_the_page_makes_feed_urls_shows_them_once_and_they_work(csrf_app, csrf_ctx, csrf_client, make_person,
                                                                 make_story):
    person = sign_in_on(csrf_client, make_person(name="Rita Reader"))
    make_story(title="A published story", nominees=[person])
    first = text(csrf_client.get("/feeds"))
    assert "You have no feed URLs yet." in first and "Make my feed URLs" in first
    assert feed_urls(first) == {}

    page = make_urls(csrf_client)

    assert "Anyone with one of these addresses can read the feed, without signing in." in page
    urls = feed_urls(page)
    stored = db.session.scalar(select(FeedToken).where(FeedToken.person_id == person.id))
    token = path_of(urls["feed-1"]).split("/")[2]
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest()  # only the digest is kept
    active = list(db.session.scalars(select(Value).where(Value.active).order_by(Value.position)))
    assert len(urls) == 2 + len(active) + 1
    assert urls["feed-1"] == f"https://storyboard.example.com/feeds/{token}/stories.atom"
    assert urls["feed-2"] == f"https://storyboard.example.com/feeds/{token}/people/{person.id}.atom"
    assert urls["feed-3"] == f"https://storyboard.example.com/feeds/{token}/values/{active[0].slug}.atom"
    assert urls["feed-person"] == f"https://storyboard.example.com/feeds/{token}/people/NUMBER.atom"
    assert '<label for="feed-2">Stories about you</label>' in page
    assert f'<label for="feed-3">Stories showing {active[0].name}</label>' in page
    # Every URL on the page opens its feed, from a reader with no session.
    reader = csrf_app.test_client()
    for key, url in urls.items():
        if key != "feed-person":
            assert reader.get(path_of(url)).status_code == 200, url
    assert parse(reader.get(path_of(urls["feed-2"])).data).titles == ["A published story"]
    # Later visits say when the URLs were made and used, but cannot show them again.
    later = text(csrf_client.get("/feeds"))
    assert token not in later and feed_urls(later) == {}
    assert "no reader has used them yet" not in later and "a reader last used them on" in later


def test_new_urls_replace_the_old_ones_at_once(csrf_app, csrf_ctx, csrf_client, make_person):
    sign_in_on(csrf_client, make_person())
    old = path_of(feed_urls(make_urls(csrf_client))["feed-1"])
    page = make_urls(csrf_client)
    assert "Your old feed URLs no longer work." in page
    new = path_of(feed_urls(page)["feed-1"])
    reader = csrf_app.test_client()
    assert reader.get(new).status_code == 200
    refused(reader, old.split("/")[2])
    assert [entry.action for entry in audit_entries() if entry.action.startswith("feed_token")] == [
        "feed_token.create", "feed_token.rotate"]


def test_revoking_stops_every_feed_url(csrf_app, csrf_ctx, csrf_client, make_person):
    person = sign_in_on(csrf_client, make_person())
    urls = feed_urls(make_urls(csrf_client))
    page = text(csrf_client.get("/feeds"))
    response = csrf_client.post("/feeds/token/revoke", data={"csrf_token": csrf_token_in(page)},
                                follow_redirects=True)
    assert "Your feed token is revoked: your feed URLs no longer work." in text(response)
    assert "You have no feed URLs yet." in text(response)
    reader = csrf_app.test_client()
    for key, url in urls.items():
        if key != "feed-person":
            assert reader.get(path_of(url)).status_code == 404, url
    assert db.session.scalar(select(FeedToken).where(FeedToken.person_id == person.id)) is None
    again = csrf_client.post("/feeds/token/revoke", data={"csrf_token": csrf_token_in(page)},
                             follow_redirects=True)
    assert "You have no feed token to revoke." in text(again)


def test_the_page_refuses_a_post_without_its_csrf_token(csrf_ctx, csrf_client, make_person):
    person = sign_in_on(csrf_client, make_person())
    assert csrf_client.post("/feeds/token").status_code == 400
    assert db.session.scalar(select(FeedToken).where(FeedToken.person_id == person.id)) is None


def test_a_deactivated_persons_token_stops_working_for_good(client, ctx, make_person):
    person, boss = make_person(), make_person(role="admin")
    token = token_for(person)
    assert client.get(f"/feeds/{token}/stories.atom").status_code == 200
    admin.deactivate(boss, person)
    db.session.commit()
    refused(client, token)
    admin.reactivate(boss, person)  # back again: new URLs are made on the page, the old stay dead
    db.session.commit()
    refused(client, token)
    assert tokens.token_of(person) is None


def test_an_inactive_holder_opens_nothing_even_if_the_token_remains(client, ctx, make_person):
    person = make_person()
    token = token_for(person)
    person.active = False  # as an older database or a direct change might leave it
    db.session.commit()
    refused(client, token)


@pytest.mark.parametrize("token", [
    "sbf_" + "A" * 43,  # well-formed, never issued
    "made-up",
    "sbf_" + "A" * 500,  # too long to be one: not even hashed
])
def test_a_token_that_opens_nothing_is_a_plain_404(client, ctx, make_person, token):
    token_for(make_person())
    refused(client, token)


def test_a_session_never_opens_a_feed(client, ctx, make_person, login):
    person = login(make_person(role="admin"))
    token = token_for(person)
    tokens.revoke(db.session.get(Person, person.id))
    db.session.commit()
    refused(client, token)  # signed in, with the owner's session, and still nothing


def test_a_fetch_notes_when_the_token_was_last_used(client, ctx, make_person):
    person = make_person()
    token = token_for(person)
    row = db.session.scalar(select(FeedToken).where(FeedToken.person_id == person.id))
    assert row.last_used_at is None
    client.get(f"/feeds/{token}/stories.atom")
    db.session.expire_all()
    assert row.last_used_at is not None


def test_the_token_is_never_written_down(client, ctx, make_person):
    person = make_person()
    token = token_for(person)
    client.get(f"/feeds/{token}/stories.atom")
    recorded = [str((entry.before, entry.after, entry.note)) for entry in db.session.scalars(select(AuditEntry))]
    assert recorded and not any(token in entry or token[4:] in entry for entry in recorded)
    assert db.session.scalar(select(FeedToken.digest)) != token
