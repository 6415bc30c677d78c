""""A rule or process that got in the way" is private (defect 16): the nominator, the nominees'
managers, curators and admins read it; other colleagues, the nominees themselves and anything
else they can see (feeds, profiles, search, the digest, revision pages) never show it. The
nomination form says exactly who will see it."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from storyboard.digest.tick import tick
from storyboard.extensions import db
from storyboard.models import Value
from tests.helpers import mail_text

RULE = "The refund form needs a manager's signature, so she drove to Quixotica."
WORD = "Quixotica"  # only in the rule
SEEN_BY = ("Only you, the managers of the people you nominate, and HR (curators and admins) will see "
           "this; it is not shown to other colleagues or to the people you nominate.")
CUT = datetime(2026, 11, 30, 7, 0)


@pytest.fixture
def cast(ctx, make_person, make_story):
    """A published story with a rule in the way, and one person of every kind who might read it."""
    manager = make_person(name="Mo Manager")
    nominee = make_person(name="Nia Nominee", manager=manager)
    nominator = make_person(name="Ola Author")
    story = make_story(nominator=nominator, nominees=[nominee], rule_in_the_way=RULE,
                       published_at=CUT - timedelta(days=3))
    people = {
        "nominator": nominator, "manager": manager, "nominee": nominee,
        "colleague": make_person(name="Cy Colleague"),
        "another_manager": make_person(name="Al Other"),
        "curator": make_person(role="curator"), "admin": make_person(role="admin"),
    }
    make_person(manager=people["another_manager"])  # a manager, but not of this story's nominee
    return story, people


@pytest.mark.parametrize("viewer, sees", [
    ("nominator", True), ("manager", True), ("curator", True), ("admin", True),
    ("colleague", False), ("nominee", False), ("another_manager", False),
])
def test_the_story_page_shows_the_rule_to_exactly_its_readers(client, login, cast, viewer, sees):
    story, people = cast
    login(people[viewer])
    page = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert "Stayed late to fix a customer" in page  # the story itself is there for everyone
    assert (RULE.replace("'", "&#39;") in page) is sees
    assert ("A rule that got in the way" in page) is sees


def test_anonymous_people_are_sent_to_sign_in(client, cast):
    story, _ = cast
    response = client.get(f"/stories/{story.id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("viewer", ["colleague", "nominee", "manager"])
def test_nothing_else_a_colleague_sees_shows_it(client, login, cast, viewer):
    story, people = cast
    login(people[viewer])
    value = db.session.scalars(db.select(Value).order_by(Value.position)).first()
    pages = [
        "/", f"/values/{value.slug}", f"/people/{story.nominator_id}", f"/people/{people['nominee'].id}",
        f"/search?q={story.title.split()[0]}", "/notifications", "/digest/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert WORD not in response.get_data(as_text=True), path
    assert "Stayed late to fix a customer" not in client.get(f"/search?q={WORD}").get_data(as_text=True)
    for path in (f"/stories/{story.id}/revisions", f"/stories/{story.id}/revisions/compare"):
        assert client.get(path).status_code == 404, path  # a story's history is its nominator's and HR's


def test_search_does_not_find_a_story_by_its_rule(client, as_role, cast):
    as_role("curator")  # not even for those who may read the rule: search is the same for all
    page = client.get(f"/search?q={WORD}").get_data(as_text=True)
    assert "Stayed late to fix a customer" not in page


def test_the_digest_email_and_its_web_copy_leave_it_out(client, login, cast, smtp_server):
    story, people = cast
    report = tick(CUT + timedelta(minutes=5))
    assert report.sent.statuses["sent"] == len(smtp_server.messages) > 0
    for message in smtp_server.messages:
        text = mail_text(message)
        assert story.title in text and WORD not in text
    login(people["colleague"])
    page = client.get(f"/digest/issues/{report.issue_key}").get_data(as_text=True)
    assert "Stayed late to fix a customer" in page and WORD not in page


def test_the_nominator_and_curators_see_it_in_the_history(client, login, cast):
    story, people = cast
    for viewer in ("nominator", "curator"):
        login(people[viewer])
        page = client.get(f"/stories/{story.id}/revisions/compare?a=1&b=1").get_data(as_text=True)
        assert WORD in page, viewer


def test_the_form_says_who_will_see_it(client, as_role, ctx):
    as_role("staff")
    page = client.get("/nominate").get_data(as_text=True)
    assert SEEN_BY in page
    hint = page[page.index('id="rule_in_the_way-hint"'):]
    assert hint.index(SEEN_BY) < hint.index('name="rule_in_the_way"')  # next to the field


def test_the_page_says_who_sees_it(client, login, cast):
    story, people = cast
    login(people["manager"])
    page = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert "Only the nominator, the managers of the people it is about, and HR see this." in page
