"""Readers who came from a digest link: a signed parameter per delivery, no tracking pixel."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from storyboard.digest.tick import tick
from storyboard.digest.visits import VIA_PLACEHOLDER, via_token
from storyboard.extensions import db
from storyboard.models import DigestDelivery, DigestVisit, Person
from tests.helpers import NOW, sign_in_on

STORY_LINK = re.compile(r"https://storyboard\.example\.com(/stories/(\d+)\?via=([\w.\-]+))")


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def links_for(smtp_server, email: str) -> list[tuple[str, int, str]]:
    [message] = [m for m in smtp_server.messages if m["To"] == email]
    found = [(path, int(story), token) for path, story, token in STORY_LINK.findall(html_of(message))]
    assert found == [(p, int(s), t) for p, s, t in STORY_LINK.findall(text_of(message))]
    return found


def visits() -> list[tuple[int, int]]:
    return sorted(tuple(row) for row in db.session.execute(select(DigestVisit.delivery_id, DigestVisit.story_id)))


def delivery_of(email: str) -> int:
    return db.session.scalar(
        select(DigestDelivery.id).join(Person, Person.id == DigestDelivery.person_id).where(Person.email == email))


def test_each_message_links_its_own_delivery_and_no_pixel_is_loaded(app, ctx, fresh_story, make_person, smtp_server):
    story = fresh_story(title="Found the lost ring")
    make_person(email="ada@example.com")
    make_person(email="bob@example.com")
    tick(NOW)
    ada, bob = links_for(smtp_server, "ada@example.com"), links_for(smtp_server, "bob@example.com")
    assert {story_id for _, story_id, _ in ada} == {story.id}
    assert {token for *_, token in ada} == {via_token(delivery_of("ada@example.com"))}
    assert {token for *_, token in bob} == {via_token(delivery_of("bob@example.com"))}
    for message in smtp_server.messages:
        html = html_of(message)
        assert VIA_PLACEHOLDER not in message.as_string()
        assert "<img" not in html.lower()  # nothing is fetched when the email is opened


def test_following_a_link_counts_one_visit_and_redirects_to_the_plain_address(
        app, ctx, client, fresh_story, make_person, smtp_server):
    story = fresh_story(title="Found the lost ring")
    ada = make_person(email="ada@example.com")
    tick(NOW)
    path, story_id, token = links_for(smtp_server, "ada@example.com")[0]
    sign_in_on(client, ada)

    first = client.get(path)
    assert first.status_code == 302 and first.headers["Location"] == f"/stories/{story.id}"
    assert visits() == [(delivery_of("ada@example.com"), story.id)]
    # A second click, from the same delivery, is the same reader.
    client.get(path)
    assert visits() == [(delivery_of("ada@example.com"), story.id)]
    assert client.get(first.headers["Location"]).status_code == 200


def test_a_reader_not_signed_in_is_counted_once_they_sign_in(app, ctx, client, fresh_story, make_person, smtp_server):
    story = fresh_story()
    ada = make_person(email="ada@example.com")
    tick(NOW)
    path, *_ = links_for(smtp_server, "ada@example.com")[0]
    response = client.get(path)
    # Signing in comes first, and the way back keeps the link's parameter...
    assert response.status_code == 302 and "/auth/login?next=" in response.headers["Location"]
    assert visits() == []
    sign_in_on(client, ada)
    back = client.get(path)
    # ...so the visit counts when they arrive.
    assert back.headers["Location"] == f"/stories/{story.id}"
    assert visits() == [(delivery_of("ada@example.com"), story.id)]


def test_a_forged_or_altered_token_counts_nothing_and_still_reaches_the_story(
        app, ctx, client, fresh_story, make_person, smtp_server):
    story = fresh_story()
    ada = make_person(email="ada@example.com")
    tick(NOW)
    path, _, token = links_for(smtp_server, "ada@example.com")[0]
    sign_in_on(client, ada)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "1", "", "x" * 5000,
                via_token(2**31), via_token(999_999)):
        response = client.get(f"/stories/{story.id}?via={bad}&keep=1")
        assert response.status_code == 302
        assert parse_qs(urlsplit(response.headers["Location"]).query) == {"keep": ["1"]}
    assert visits() == []


def test_readers_per_story_and_per_issue_add_up(app, ctx, client, fresh_story, make_person, smtp_server):
    first, second = fresh_story(title="First"), fresh_story(title="Second", days_before=4)
    people = {email: make_person(email=email) for email in ("ada@example.com", "bob@example.com", "cy@example.com")}
    tick(NOW)
    for email, wanted in (("ada@example.com", {first.id, second.id}), ("bob@example.com", {second.id})):
        sign_in_on(client, people[email])
        for path, story_id, _ in links_for(smtp_server, email):
            if story_id in wanted:
                client.get(path)
    assert db.session.scalar(select(func.count()).select_from(DigestVisit)) == 3
    readers = db.session.scalar(
        select(func.count(func.distinct(DigestDelivery.person_id)))
        .join(DigestVisit, DigestVisit.delivery_id == DigestDelivery.id))
    assert readers == 2
