"""Defects found in review of the insights change (issue 13), each pinned by a test."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select

from storyboard.digest.tick import tick
from storyboard.digest.visits import via_token
from storyboard.extensions import db
from storyboard.models import DigestDelivery, DigestVisit, Person
from tests.digest.conftest import fresh_story  # noqa: F401  the digest's fixture, reused here
from tests.helpers import NOW, sign_in_on


def test_a_digest_link_to_a_story_that_no_longer_exists_is_a_404_not_a_500(
        app, ctx, client, fresh_story, make_person, smtp_server):  # noqa: F811
    # A story erased (or an id beyond what the column holds) after the issue went out: the
    # reader's own, valid token must not make the visit's insert break on the foreign key.
    fresh_story()
    ada = make_person(email="ada@example.com")
    tick(NOW)
    delivery = db.session.scalar(
        select(DigestDelivery.id).join(Person, Person.id == DigestDelivery.person_id)
        .where(Person.email == "ada@example.com"))
    sign_in_on(client, ada)
    for missing in (987_654, 2**31, 2**63):
        response = client.get(f"/stories/{missing}?via={via_token(delivery)}")
        assert response.status_code in (302, 404), (missing, response.status_code)
        if response.status_code == 302:
            assert client.get(response.headers["Location"]).status_code == 404
    assert db.session.scalars(select(DigestVisit.story_id)).all() == []


def test_a_digest_token_counts_only_the_stories_its_issue_carried(
        app, ctx, client, fresh_story, make_story, make_person, smtp_server):  # noqa: F811
    # A reader who edits the story number in their link (or pastes their token onto any story)
    # did not come from the digest to that story: "stories opened from a digest link" would grow.
    fresh_story()
    elsewhere = make_story()  # published, but long after the issue was cut: not in it
    ada = make_person(email="ada@example.com")
    tick(NOW)
    delivery = db.session.scalar(
        select(DigestDelivery.id).join(Person, Person.id == DigestDelivery.person_id)
        .where(Person.email == "ada@example.com"))
    sign_in_on(client, ada)
    response = client.get(f"/stories/{elsewhere.id}?via={via_token(delivery)}")
    assert response.status_code == 302
    assert db.session.scalars(select(DigestVisit.story_id)).all() == []


def test_the_people_csv_dates_the_last_story_on_the_company_calendar(ctx, client, make_person, make_story, as_role):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London: the range (company days) counts it in
    # July, and the equity page says 1 July, so the export must not say 30 June.
    ana = make_person(name="Ana Archer")
    make_story(nominees=[ana], submitted_at=datetime(2026, 6, 30, 9), published_at=datetime(2026, 6, 30, 23, 30))
    as_role("curator")
    response = client.get("/insights/exports/people.csv?start=2026-07-01&end=2026-07-31")
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)[1:]))}
    assert rows["Ana Archer"]["stories_about_them_in_range"] == "1"
    assert rows["Ana Archer"]["last_recognised_on"] == "2026-07-01"


def test_erasing_an_account_is_not_counted_as_an_unsubscribe(ctx, client, make_person, as_role):
    # Erasure sets the digest to never on the way: that is an admin closing an account, not a
    # reader turning the digest off, and the log must not say the erased person did it.
    from storyboard.privacy.erasure import StoryChoice, erase
    from tests.insights.dashboard_company import csv_rows

    admin = make_person(role="admin")
    erase(admin, make_person(digest_frequency="weekly"), StoryChoice.KEEP)
    db.session.commit()
    as_role("curator")
    assert ["Unsubscribes (changed to never)", "0"] in csv_rows(client.get("/insights/tables/digest.csv"))


def test_a_digest_link_under_a_path_prefix_comes_back_under_it(
        app, ctx, client, fresh_story, make_person, smtp_server):  # noqa: F811
    story = fresh_story()
    ada = make_person(email="ada@example.com")
    tick(NOW)
    delivery = db.session.scalar(select(DigestDelivery.id).where(DigestDelivery.person_id == ada.id))
    sign_in_on(client, ada)
    response = client.get(f"/stories/{story.id}?via={via_token(delivery)}", base_url="http://localhost/storyboard")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/storyboard/stories/{story.id}"
