"""The curator's levers on the coming issue: an introduction, a test sent to themselves, a story
published in the last day pinned in; and the canon's "on this day" line."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storyboard.digest import issues
from storyboard.digest.tick import tick
from storyboard.extensions import db
from storyboard.models import DigestDelivery, DigestIntroduction, DigestIssue
from tests.helpers import CUT, NOW, free_port, mail_text, text

BEFORE_CUT = CUT - timedelta(hours=12)  # Sunday 19:00; this week's window closed at 07:00


@pytest.fixture
def before_the_cut(monkeypatch):
    """The pages' clock, and the pins', on the Sunday evening before CUT."""
    monkeypatch.setattr("storyboard.digest.views.utcnow", lambda: BEFORE_CUT)
    monkeypatch.setattr("storyboard.curation.service.utcnow", lambda: BEFORE_CUT)


def test_a_story_published_in_the_last_day_can_be_pinned_in_and_the_introduction_opens_the_sent_issue(
        app, ctx, client, as_role, fresh_story, smtp_server, before_the_cut):
    fresh_story(title="Earlier this week", applause_count=3, reader_count=10)
    late = fresh_story(days_before=0.5, title="Sunday afternoon rescue")  # after the window closed
    as_role("curator")
    page = text(client.get("/digest/next"))
    left_out = page.split("Also published this week, not in the issue")[1]
    assert "Sunday afternoon rescue" in left_out
    assert "published in the last day: it waits for the next issue unless pinned into this one" in left_out
    assert client.post(f"/digest/next/{late.id}/pin", data={"issue_key": "2026-11-30"}).status_code == 302
    chosen = text(client.get("/digest/next")).split("Also published this week")[0]
    assert "Sunday afternoon rescue" in chosen

    saved = client.post("/digest/next/introduction", data={
        "issue_key": "2026-11-30", "introduction": "Welcome to **December**: a [new value](/values) arrives."})
    assert saved.status_code == 302
    assert "Welcome to **December**" in text(client.get("/digest/next"))  # kept in the form

    tick(NOW)
    issue = db.session.scalar(select(DigestIssue))
    assert late.id in [row.story_id for row in issue.stories]
    message = smtp_server.messages[0]
    body = mail_text(message)
    assert "Sunday afternoon rescue" in body
    assert "Welcome to December: a new value arrives." in body  # the text part
    assert "Welcome to <strong>December</strong>" in body  # the HTML part
    assert 'href="https://storyboard.example.com/values"' in body  # a link that works from a mail client
    plain = message.get_payload(0).get_content()
    assert plain.index("Welcome to December") < plain.index("Sunday afternoon rescue")
    assert "Welcome to <strong>December</strong>" in text(client.get("/digest/issues/2026-11-30"))


def test_an_unpinned_story_from_the_last_day_waits_for_next_week(app, ctx, fresh_story, smtp_server):
    fresh_story(title="Earlier this week")
    late = fresh_story(days_before=0.5, title="Sunday afternoon rescue")
    tick(NOW)
    issue = db.session.scalar(select(DigestIssue))
    assert late.id not in [row.story_id for row in issue.stories]


def test_a_curator_sends_a_test_to_themselves_and_nothing_is_cut(app, ctx, client, as_role, fresh_story,
                                                                 smtp_server, before_the_cut, many_people):
    many_people(5)
    fresh_story(title="Earlier this week")
    curator = as_role("curator", email="cora@example.com")
    client.post("/digest/next/introduction", data={"issue_key": "2026-11-30", "introduction": "Hello all."})
    response = client.post("/digest/next/test", data={"issue_key": "2026-11-30"}, follow_redirects=True)
    assert "A test of the coming issue is on its way to cora@example.com." in text(response)
    [message] = smtp_server.messages
    assert message["To"] == curator.email
    assert message["Subject"].startswith("[Test] ")
    assert "Hello all." in mail_text(message) and "Earlier this week" in mail_text(message)
    assert db.session.scalar(select(func.count()).select_from(DigestIssue)) == 0
    assert db.session.scalar(select(func.count()).select_from(DigestDelivery)) == 0


def test_an_overlong_introduction_is_refused_and_what_was_typed_is_kept(app, ctx, client, as_role, fresh_story,
                                                                       before_the_cut):
    fresh_story()
    as_role("curator")
    response = client.post("/digest/next/introduction", data={"issue_key": "2026-11-30",
                                                              "introduction": "x" * 2001})
    assert response.status_code == 400
    assert "Keep the introduction under 2,000 characters." in text(response)
    assert "x" * 2001 in text(response)
    longest = client.post("/digest/next/introduction", data={"issue_key": "2026-11-30", "introduction": "y" * 2000})
    assert longest.status_code == 302
    assert "y" * 2000 in text(client.get("/digest/next"))


def test_an_introduction_for_an_issue_already_cut_is_refused(app, ctx, client, as_role, before_the_cut):
    as_role("curator")
    response = client.post("/digest/next/introduction", data={"issue_key": "2026-11-23", "introduction": "Late"})
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(DigestIntroduction)) == 0


def test_a_canon_story_retold_on_its_anniversary_gets_its_on_this_day_line(app, ctx, make_story, smtp_server):
    anniversary = make_story(title="The flood of 2023", happened_on=date(2023, 11, 30), in_canon=True,
                             canon_lesson="Stay until the water is gone.", canonized_at=datetime(2024, 1, 8, 9),
                             published_at=datetime(2023, 12, 20, 9))
    other = make_story(title="The quiet fix", happened_on=date(2024, 5, 2), in_canon=True,
                       canon_lesson="Fix it quietly.", canonized_at=datetime(2024, 6, 3, 9),
                       published_at=datetime(2024, 5, 20, 9))
    tick(NOW)
    issue = db.session.scalar(select(DigestIssue))
    assert {row.story_id for row in issue.stories if row.section == "canon"} == {anniversary.id, other.id}
    body = mail_text(smtp_server.messages[0])
    assert body.count("ON THIS DAY, 3 YEARS AGO") == 1
    assert body.count("On this day, 3 years ago") == 1
    flood = body.index("ON THIS DAY, 3 YEARS AGO")
    assert body.index("The flood of 2023", flood - 200) < flood < body.index("Stay until the water is gone.", flood)


def test_a_test_has_its_own_message_id_so_the_real_issue_is_not_dropped_as_a_duplicate(
        app, ctx, client, as_role, fresh_story, smtp_server, before_the_cut):
    fresh_story(title="Earlier this week")
    curator = as_role("curator")
    client.post("/digest/next/test", data={"issue_key": "2026-11-30"})
    tick(NOW)
    test, real = (message for message in smtp_server.messages if message["To"] == curator.email)
    assert test["Subject"].startswith("[Test] ") and not real["Subject"].startswith("[Test]")
    assert test["Message-ID"] != real["Message-ID"]


def test_a_test_that_the_mail_server_refuses_is_told_and_nothing_is_cut(app, ctx, client, as_role, fresh_story,
                                                                        before_the_cut):
    fresh_story()
    as_role("curator")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens there
    response = client.post("/digest/next/test", data={"issue_key": "2026-11-30"}, follow_redirects=True)
    assert response.status_code == 200
    assert "The test could not be sent: the mail server did not take it." in text(response)
    assert db.session.scalar(select(func.count()).select_from(DigestIssue)) == 0


def test_an_introduction_for_an_issue_cut_meanwhile_is_shown_again_for_the_coming_one(
        app, ctx, client, as_role, monkeypatch, fresh_story, smtp_server):
    fresh_story()
    tick(NOW)  # the 30 November issue is cut while the curator writes
    monkeypatch.setattr("storyboard.digest.views.utcnow", lambda: NOW + timedelta(hours=1))
    as_role("curator")
    response = client.post("/digest/next/introduction", data={"issue_key": "2026-11-30",
                                                              "introduction": "Words worth keeping"})
    assert response.status_code == 409
    page = text(response)
    assert "Words worth keeping" in page
    assert "the coming one is 2026-12-07" in page
    assert 'name="issue_key" value="2026-12-07"' in page  # saving again goes to the coming issue


def test_a_pin_for_the_coming_issue_does_not_bring_back_a_cut_that_had_nothing_to_send(
        app, ctx, client, as_role, fresh_story, smtp_server, monkeypatch):
    fresh_story(days_before=9)
    assert tick(NOW - timedelta(days=7)).created  # 23 November's issue
    assert not tick(NOW).created  # a quiet week: nothing for 30 November
    late = fresh_story(days_before=0.5, title="Sunday evening rescue")  # after 30 November's window
    for clock in ("storyboard.digest.views.utcnow", "storyboard.curation.service.utcnow"):
        monkeypatch.setattr(clock, lambda: CUT + timedelta(hours=2))
    as_role("curator")
    assert "Cut on Monday 7 December 2026" in text(client.get("/digest/next"))
    assert client.post(f"/digest/next/{late.id}/pin", data={"issue_key": "2026-12-07"}).status_code == 302
    assert not tick(CUT + timedelta(hours=2, minutes=5)).created  # no surprise issue for 30 November
    assert tick(CUT + timedelta(days=7, minutes=5)).created
    db.session.expire_all()  # the ticks wrote through their own sessions
    issue = db.session.scalar(select(DigestIssue).where(DigestIssue.issue_key == "2026-12-07"))
    assert late.id in [row.story_id for row in issue.stories]


def test_an_introduction_saved_while_the_issue_is_being_chosen_is_in_it(app, ctx, fresh_story, smtp_server,
                                                                        monkeypatch):
    fresh_story(title="Earlier this week")
    real_lock = issues.lock_for_writing

    def curator_saves_then_lock(key):
        # Another curator's save lands after the tick chose and rendered, before it took the lock.
        db.session.add(DigestIntroduction(issue_key="2026-11-30", body_md="Just in time."))
        db.session.commit()
        real_lock(key)

    monkeypatch.setattr(issues, "lock_for_writing", curator_saves_then_lock)
    tick(NOW)
    db.session.expire_all()
    assert db.session.scalar(select(DigestIssue.introduction)) == "Just in time."
    assert "Just in time." in mail_text(smtp_server.messages[0])
