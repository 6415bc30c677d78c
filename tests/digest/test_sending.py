"""`digest tick` against a real SMTP server: once per person, retries, bounces, stale, consent."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from storyboard.curation.redaction import redact
from storyboard.digest.issues import cut_issue, still_current
from storyboard.digest.sending import Clock, retry_delay
from storyboard.digest.tick import send_issue, tick
from storyboard.extensions import db
from storyboard.models import DeliveryStatus, DigestDelivery, DigestIssue, DigestIssueStory, Person, Story
from tests.helpers import (
    CUT,
    NOW,
    SENT,
    active_people,
    deliveries_by_status,
    delivery_for,
    issue_count,
    recipients,
)


def run_tick(runner, now=NOW):
    result = runner.invoke(args=["digest", "tick", "--now", now.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_three_ticks_in_a_row_send_one_message_per_person(app, ctx, runner, fresh_story, many_people, smtp_server):
    story = fresh_story(title="Drove the spare part to Harrogate")
    many_people(30)
    people = active_people()
    first = run_tick(runner)
    second = run_tick(runner, NOW + timedelta(minutes=10))
    third = run_tick(runner, NOW + timedelta(hours=2))
    assert "Issue 2026-11-30 (cut now)" in first and f"{people} sent" in first
    assert "already cut" in second and "none due" in second and "none due" in third
    assert issue_count() == 1
    assert deliveries_by_status() == {SENT: people}
    assert sorted(recipients(smtp_server.messages)) == sorted(
        db.session.scalars(select(Person.email).where(Person.active.is_(True)))
    )
    assert len(set(recipients(smtp_server.messages))) == people
    assert all(message["Subject"].endswith("Drove the spare part to Harrogate") for message in smtp_server.messages)
    issue = db.session.scalar(select(DigestIssue))
    assert issue.recipient_count == people
    assert [(row.story_id, row.section) for row in issue.stories] == [(story.id, "new")]


def test_a_sent_message_has_text_then_html_and_the_list_headers(app, ctx, fresh_story, smtp_server):
    fresh_story(title="Found the lost ring")
    tick(NOW)
    message = smtp_server.messages[0]
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    for header in ("Message-ID", "Date", "List-Id", "List-Unsubscribe"):
        assert message[header], header
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"].startswith("<https://storyboard.example.com/digest/unsubscribe/")
    html = message.get_body(("html",)).get_content()
    assert "Found the lost ring" in html and "<script" not in html.lower()


def test_five_hundred_deliveries_use_at_most_three_smtp_sessions(app, ctx, fresh_story, many_people, smtp_server):
    fresh_story()
    many_people(500 - active_people())
    report = tick(NOW)
    assert report.sent.statuses == {SENT: 500}
    assert len(smtp_server.messages) == 500
    assert smtp_server.sessions <= 3
    assert report.sent.sessions == smtp_server.sessions


def test_a_451_reply_is_retried_later_with_the_same_message_id(app, ctx, fresh_story, make_person, smtp_server):
    fresh_story()
    busy = make_person(email="busy@example.com")
    smtp_server.replies["busy@example.com"] = "451 4.3.0 Mailbox busy, try again later"
    tick(NOW)
    delivery = delivery_for(busy.email)
    assert delivery.status == DeliveryStatus.PENDING
    assert (delivery.attempts, delivery.smtp_code) == (1, 451)
    assert "Mailbox busy" in delivery.last_error
    base = app.config["DIGEST_RETRY_BASE_SECONDS"]
    wait = delivery.next_attempt_at - NOW
    assert timedelta(seconds=base / 2) <= wait <= timedelta(seconds=base + 5)
    assert "busy@example.com" not in recipients(smtp_server.messages)

    tick(NOW + timedelta(seconds=10))  # too early: nothing is retried yet
    assert delivery_for(busy.email).attempts == 1

    del smtp_server.replies["busy@example.com"]
    retried_at = delivery.next_attempt_at + timedelta(seconds=1)
    tick(retried_at)
    delivery = delivery_for(busy.email)
    # Sent: the busy reply's code and error are gone, and it says when it went.
    assert (delivery.status, delivery.attempts, delivery.smtp_code, delivery.last_error) == (SENT, 2, 250, None)
    assert retried_at <= delivery.sent_at < retried_at + timedelta(minutes=1)
    assert recipients(smtp_server.messages).count("busy@example.com") == 1


def test_temporary_failures_give_up_after_the_last_attempt(app, ctx, fresh_story, make_person, smtp_server):
    fresh_story()
    busy = make_person(email="busy@example.com")
    smtp_server.replies["busy@example.com"] = "450 4.2.1 Mailbox temporarily unavailable"
    moment = NOW
    for attempt in range(1, app.config["DIGEST_MAX_ATTEMPTS"] + 1):
        tick(moment)
        delivery = delivery_for(busy.email)
        assert delivery.attempts == attempt
        moment = (delivery.next_attempt_at or moment) + timedelta(seconds=1)
    assert delivery.status == DeliveryStatus.FAILED
    tick(moment + timedelta(hours=6))
    assert delivery_for(busy.email).attempts == app.config["DIGEST_MAX_ATTEMPTS"]


def test_backoff_doubles_with_jitter_and_has_a_ceiling(app, ctx):
    base = app.config["DIGEST_RETRY_BASE_SECONDS"]
    lowest = [retry_delay(n, lambda low, high: low).total_seconds() for n in range(1, 6)]
    highest = [retry_delay(n, lambda low, high: high).total_seconds() for n in range(1, 6)]
    assert lowest == [base / 2 * 2**k for k in range(5)]
    assert highest == [base * 2**k for k in range(5)]
    assert retry_delay(30).total_seconds() <= app.config["DIGEST_RETRY_MAX_SECONDS"]


def test_a_550_reply_bounces_and_enough_bounces_stop_the_digest(app, ctx, fresh_story, make_story, make_person,
                                                                smtp_server):
    fresh_story()
    gone = make_person(email="gone@example.com")
    smtp_server.replies["gone@example.com"] = "550 5.1.1 No such user here"
    tick(NOW)
    delivery = delivery_for(gone.email)
    assert (delivery.status, delivery.smtp_code) == (DeliveryStatus.BOUNCED, 550)
    db.session.refresh(gone)
    assert gone.bounce_score == 1
    tick(NOW + timedelta(days=1))  # a bounce is never retried
    assert delivery_for(gone.email).attempts == 1

    gone.bounce_score = app.config["DIGEST_BOUNCE_LIMIT"]
    db.session.commit()
    make_story(published_at=CUT + timedelta(days=3))  # fresh for the next week's issue
    tick(NOW + timedelta(days=7))
    next_issue = db.session.scalar(select(DigestIssue).where(DigestIssue.issue_key == "2026-12-07"))
    people = set(db.session.scalars(select(DigestDelivery.person_id).where(DigestDelivery.issue_id == next_issue.id)))
    assert gone.id not in people and people


def test_a_delivery_after_a_bounce_resets_the_score(app, ctx, fresh_story, make_person, smtp_server):
    fresh_story()
    person = make_person(email="back@example.com", bounce_score=2)
    tick(NOW)
    db.session.refresh(person)
    assert person.bounce_score == 0


def test_deliveries_unsent_72_hours_after_the_cut_go_stale(app, ctx, fresh_story, make_person, smtp_server):
    fresh_story()
    make_person(email="busy@example.com")
    smtp_server.replies["busy@example.com"] = "451 4.3.0 Try later"
    tick(NOW)
    del smtp_server.replies["busy@example.com"]
    tick(CUT + timedelta(hours=72, minutes=1))
    delivery = delivery_for("busy@example.com")
    assert delivery.status == DeliveryStatus.STALE
    assert "busy@example.com" not in recipients(smtp_server.messages)


def test_a_tick_long_after_the_cut_cuts_no_issue(app, ctx, fresh_story, smtp_server):
    fresh_story()
    report = tick(CUT + timedelta(hours=80))
    assert report.issue_key is None and issue_count() == 0 and smtp_server.messages == []


def test_nothing_qualifies_means_no_issue(app, ctx, runner, make_person, smtp_server):
    make_person()
    output = run_tick(runner)
    assert "nothing qualifies" in output
    assert issue_count() == 0 and smtp_server.messages == []


def test_nobody_gets_it_who_left_or_said_never(app, ctx, fresh_story, make_person, smtp_server):
    fresh_story()
    left = make_person(email="left@example.com", active=False)
    never = make_person(email="never@example.com", digest_frequency="never")
    tick(NOW)
    sent_to = recipients(smtp_server.messages)
    assert left.email not in sent_to and never.email not in sent_to and sent_to


@pytest.mark.parametrize(("cut_day", "monthly_gets_it"), [("2026-11-30", False), ("2026-12-07", True)])
def test_monthly_readers_get_the_first_issue_of_each_month(app, ctx, make_story, make_person, smtp_server,
                                                           cut_day, monthly_gets_it):
    from datetime import datetime

    cut = datetime.fromisoformat(cut_day).replace(hour=7)
    make_story(published_at=cut - timedelta(days=3))
    monthly = make_person(email="monthly@example.com", digest_frequency="monthly")
    tick(cut + timedelta(minutes=5))
    assert (monthly.email in recipients(smtp_server.messages)) is monthly_gets_it


def test_unsubscribing_cancels_pending_deliveries(app, ctx, client, fresh_story, make_person, smtp_server):
    from storyboard.digest.subscriptions import unsubscribe_token

    fresh_story()
    person = make_person(email="busy@example.com")
    smtp_server.replies["busy@example.com"] = "451 4.3.0 Try later"
    tick(NOW)
    assert delivery_for(person.email).status == DeliveryStatus.PENDING
    response = app.test_client(use_cookies=False).post(
        f"/digest/unsubscribe/{unsubscribe_token(person)}", data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert delivery_for(person.email).status == DeliveryStatus.CANCELLED
    del smtp_server.replies["busy@example.com"]
    tick(NOW + timedelta(hours=12))
    assert person.email not in recipients(smtp_server.messages)


def test_choosing_monthly_in_preferences_cancels_a_weekly_issue(app, ctx, client, login, fresh_story, make_person,
                                                                 smtp_server):
    fresh_story()
    person = make_person(email="busy@example.com")
    smtp_server.replies["busy@example.com"] = "451 4.3.0 Try later"
    tick(NOW)  # 30 November is not the first issue of a month
    login(person)
    response = client.post("/preferences", data={"digest_frequency": "monthly"})
    assert response.status_code == 302
    assert delivery_for(person.email).status == DeliveryStatus.CANCELLED


def test_a_person_deactivated_before_their_retry_is_not_sent_it(app, ctx, fresh_story, make_person, smtp_server):
    fresh_story()
    person = make_person(email="busy@example.com")
    smtp_server.replies["busy@example.com"] = "451 4.3.0 Try later"
    tick(NOW)
    person.active = False
    db.session.commit()
    del smtp_server.replies["busy@example.com"]
    tick(NOW + timedelta(hours=12))
    assert delivery_for(person.email).status == DeliveryStatus.CANCELLED
    assert person.email not in recipients(smtp_server.messages)


def test_a_story_archived_after_the_cut_is_left_out_of_later_sends(app, ctx, fresh_story, make_person, smtp_server):
    kept = fresh_story(title="The kept story")
    dropped = fresh_story(title="The archived story", days_before=2)
    make_person(email="busy@example.com")
    smtp_server.replies["busy@example.com"] = "451 4.3.0 Try later"
    tick(NOW)
    assert "The archived story" in smtp_server.messages[0].get_body(("html",)).get_content()
    dropped.status = "archived"
    db.session.commit()
    del smtp_server.replies["busy@example.com"]
    tick(NOW + timedelta(hours=12))
    [retried] = [m for m in smtp_server.messages if m["To"] == "busy@example.com"]
    html = retried.get_body(("html",)).get_content()
    assert "The kept story" in html and "The archived story" not in html
    assert kept.id in {row.story_id for row in db.session.scalars(select(DigestIssueStory))}


def test_the_cut_uses_up_pins_and_records_the_history(app, ctx, fresh_story, smtp_server):
    from storyboard.clock import utcnow

    pinned = fresh_story(title="Pinned by HR", pinned_at=utcnow())
    tick(NOW)
    db.session.refresh(pinned)
    assert pinned.pinned_at is None
    rows = db.session.execute(select(DigestIssueStory.story_id, DigestIssueStory.section)).all()
    assert rows == [(pinned.id, "new")]


def test_canon_stories_come_back_on_the_ladder_across_real_issues(app, ctx, make_story, make_person, smtp_server):
    """Issue after issue through `tick`: the recorded history spaces a canon story out."""
    # Promoted 28 days before the first cut, so it becomes eligible at that cut.
    classic = make_story(title="The classic", published_at=CUT - timedelta(days=400), in_canon=True,
                         canonized_at=CUT - timedelta(days=28), canon_lesson="Own the problem.")
    shown = []
    for week in range(30):
        cut = CUT + timedelta(weeks=week)
        report = tick(cut + timedelta(minutes=5))
        issue = db.session.scalar(select(DigestIssue).where(DigestIssue.issue_key == report.issue_key)) \
            if report.issue_key else None
        if issue and classic.id in [row.story_id for row in issue.stories]:
            shown.append(week)
    # Shown at once (eligible), then after 4, 8 and 16 weeks; the clocks going forward in March
    # (the cut moves an hour earlier in UTC) does not push it back a week.
    assert shown == [0, 4, 12, 28]
    assert db.session.get(Story, classic.id).status == "published"


def test_a_refused_sender_is_not_the_recipients_bounce(app, ctx, fresh_story, make_person, smtp_server):
    fresh_story()
    person = make_person(email="fine@example.com")
    smtp_server.mail_from_reply = "553 5.7.1 Sender address rejected"
    tick(NOW)
    delivery = delivery_for(person.email)
    assert (delivery.status, delivery.attempts, delivery.smtp_code) == (DeliveryStatus.PENDING, 1, 553)
    db.session.refresh(person)
    assert person.bounce_score == 0  # our sender was refused, not their address
    smtp_server.mail_from_reply = None
    tick(delivery.next_attempt_at + timedelta(seconds=1))
    assert delivery_for(person.email).status == DeliveryStatus.SENT


def test_an_unreachable_server_defers_the_batch_without_using_up_attempts(app, ctx, fresh_story, make_person,
                                                                           smtp_server):
    from tests.helpers import free_port

    fresh_story()
    make_person(email="waiting@example.com")
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    report = tick(NOW)
    assert report.sent.statuses == {"deferred": active_people()}
    delivery = delivery_for("waiting@example.com")
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert "Could not reach the mail server" in delivery.last_error
    base = app.config["DIGEST_RETRY_BASE_SECONDS"]  # the pause is the first retry's
    assert NOW + timedelta(seconds=base / 2) <= delivery.next_attempt_at <= NOW + timedelta(seconds=base + 5)
    app.config["MAIL_PORT"] = smtp_server.port
    tick(delivery.next_attempt_at + timedelta(seconds=1))
    assert deliveries_by_status() == {SENT: active_people()}
    assert delivery_for("waiting@example.com").attempts == 1


def test_a_421_puts_off_the_rest_of_the_batch_without_counting(app, ctx, fresh_story, many_people, smtp_server):
    fresh_story()
    ids = many_people(6, prefix="queue")
    first = db.session.get(Person, ids[2]).email
    smtp_server.replies[first] = "421 4.7.0 Closing, too busy"
    tick(NOW)
    statuses = deliveries_by_status()
    assert statuses[DeliveryStatus.PENDING.value] >= 1 and statuses.get(DeliveryStatus.BOUNCED.value) is None
    assert all(d.attempts == 0 for d in db.session.scalars(
        select(DigestDelivery).where(DigestDelivery.status == DeliveryStatus.PENDING.value)))
    del smtp_server.replies[first]
    tick(NOW + timedelta(hours=1))
    assert deliveries_by_status() == {SENT: active_people()}
    assert len(recipients(smtp_server.messages)) == len(set(recipients(smtp_server.messages))) == active_people()


def test_a_failure_mid_batch_hands_the_untried_claims_back(app, ctx, fresh_story, many_people, smtp_server,
                                                            monkeypatch):
    from storyboard.digest import sending

    fresh_story()
    many_people(8)
    real_record, calls = sending.record, []

    def record_then_fail(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real_record(*args)

    monkeypatch.setattr(sending, "record", record_then_fail)
    with pytest.raises(RuntimeError):
        tick(NOW)
    statuses = deliveries_by_status()
    # Two recorded; the third was sent but not recorded, and goes back with the untried ones.
    assert statuses[SENT] == 2
    assert statuses[DeliveryStatus.PENDING.value] == active_people() - 2
    monkeypatch.setattr(sending, "record", real_record)
    tick(NOW + timedelta(minutes=1))
    assert deliveries_by_status() == {SENT: active_people()}
    sent = recipients(smtp_server.messages)
    assert len(sent) == active_people() + 1  # the one message sent twice...
    [twice] = [email for email in set(sent) if sent.count(email) == 2]
    ids = [m["Message-ID"] for m in smtp_server.messages if m["To"] == twice]
    assert ids[0] == ids[1]  # ...with the same Message-ID, so it shows once


def test_a_lease_too_short_for_the_mail_timeout_is_refused(app, ctx, runner):
    app.config.update(DIGEST_CLAIM_LEASE_SECONDS=60, MAIL_TIMEOUT=30)
    result = runner.invoke(args=["digest", "tick", "--now", NOW.isoformat()])
    assert result.exit_code == 1
    assert "DIGEST_CLAIM_LEASE_SECONDS must be more than 16 times MAIL_TIMEOUT" in result.output


def test_moving_the_cut_day_mid_week_does_not_send_a_second_issue(app, ctx, fresh_story, smtp_server):
    fresh_story()
    tick(NOW)
    sent = len(smtp_server.messages)
    app.config["DIGEST_CUT_DAY"] = "wednesday"
    fresh_story(days_before=-1)  # published on the Tuesday
    report = tick(CUT + timedelta(days=2, minutes=5))
    assert report.issue_key is None and issue_count() == 1 and len(smtp_server.messages) == sent


def test_text_redacted_after_the_issue_was_rendered_never_goes_out(app, ctx, fresh_story, make_person, smtp_server):
    """The tick that cuts an issue renders it once and sends what it rendered; a curator who
    redacts a story in between (or while batches go) must still win."""
    story = fresh_story(title="The returned parcel", body_md="She rang the customer on 07700 900123 at once.")
    make_person(email="reader@example.com")
    rendered = {}
    issue, created = cut_issue(CUT, NOW, rendered)
    assert created and "07700 900123" in rendered[issue.id].html
    redact(story, "07700 900123", make_person(role="curator"))
    db.session.commit()
    send_issue(issue, Clock(NOW), rendered[issue.id])
    assert {message["To"] for message in smtp_server.messages} >= {"reader@example.com"}
    for message in smtp_server.messages:
        sent = message.get_body(("html",)).get_content() + message.get_body(("plain",)).get_content()
        assert "The returned parcel" in sent
        assert "07700 900123" not in sent and "[redacted]" in sent


def test_the_email_rendered_at_the_cut_is_sent_as_it_is_while_no_story_changes(app, ctx, fresh_story, make_person):
    fresh_story(title="A pinned story", pinned_at=NOW - timedelta(days=1))
    fresh_story(title="Another story", days_before=2)
    rendered = {}
    issue, _ = cut_issue(CUT, NOW, rendered)
    assert still_current(rendered[issue.id], issue)  # using up the pin is not a change


def test_a_story_erased_after_the_issue_was_rendered_makes_it_render_again(app, ctx, fresh_story, make_person):
    kept = fresh_story(title="The kept story", days_before=1)  # the latest change is this one's
    gone = fresh_story(title="The erased story", days_before=3)
    kept.title = "The kept story, edited"
    db.session.commit()
    rendered = {}
    issue, _ = cut_issue(CUT, NOW, rendered)
    assert still_current(rendered[issue.id], issue)
    db.session.execute(delete(Story).where(Story.id == gone.id))
    db.session.commit()
    assert not still_current(rendered[issue.id], issue)
