"""Claims, leases and results against a real SMTP server: two issues at once, people who stop
wanting the digest while it is being sent, a batch that outlives its first lease, and what a
result does to the bounce score. Expectations are written out, never read from sending.py."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from storyboard.clock import utcnow
from storyboard.digest.issues import cut_issue, issue_content
from storyboard.digest.sending import (
    Clock,
    Recipient,
    batches_due,
    check_settings,
    claim_batch,
    due_deliveries,
    record,
    renew,
    send_claims,
)
from storyboard.digest.subscriptions import unsubscribe_token
from storyboard.digest.tick import send_issue, tick
from storyboard.digest.transport import BOUNCE, Outcome
from storyboard.digest.transport import SENT as SENT_OUTCOME
from storyboard.extensions import db
from storyboard.models import DeliveryStatus, DigestDelivery, Person
from tests.helpers import CUT, NOW, SENT, active_people, deliveries_by_status, delivery_for, recipients

CANCELLED = DeliveryStatus.CANCELLED.value
LEASE = timedelta(minutes=10)  # DIGEST_CLAIM_LEASE_SECONDS, set in the tests that rely on it


class PretendClock:
    """A sender's clock that stands still until the test moves it on."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def logged(caplog) -> list[str]:
    """Each message the digest's sending logged, whole."""
    return [record.getMessage() for record in caplog.records if record.name == "storyboard.digest"]


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def test_two_issues_sending_at_once_each_mail_their_own_stories(app, ctx, make_story, many_people, smtp_server):
    app.config["DIGEST_STALE_HOURS"] = 9 * 24  # a site that keeps trying for nine days: last week's is still open
    last_week = CUT - timedelta(weeks=1)
    make_story(title="Last week's story", published_at=last_week - timedelta(days=3))
    make_story(title="This week's story", published_at=CUT - timedelta(days=3))
    many_people(3)
    assert cut_issue(last_week, NOW)[1] and cut_issue(CUT, NOW)[1]
    people = active_people()
    report = tick(NOW)
    assert report.sent.statuses == {SENT: 2 * people}
    by_person: dict[str, list[str]] = {}
    for message in smtp_server.messages:
        story = "Last week's story" if "Last week's story" in message["Subject"] else "This week's story"
        other = "This week's story" if story == "Last week's story" else "Last week's story"
        assert story in html_of(message) and other not in html_of(message)
        by_person.setdefault(message["To"], []).append(story)
    assert len(by_person) == people
    assert all(sorted(stories) == ["Last week's story", "This week's story"] for stories in by_person.values())


def test_people_who_stop_wanting_the_digest_while_it_is_claimed_are_not_mailed(app, ctx, client, login, fresh_story,
                                                                               make_person, smtp_server):
    fresh_story()
    leaver = make_person(email="leaver@example.com")
    monthly = make_person(email="monthly@example.com")
    stays = make_person(email="stays@example.com")
    issue, _ = cut_issue(CUT, NOW)
    claims = claim_batch(issue.id, Clock(NOW))  # a sender has claimed every delivery...
    # ...when one person unsubscribes from the link in last week's digest and another picks monthly.
    unsubscribed = app.test_client(use_cookies=False).post(
        f"/digest/unsubscribe/{unsubscribe_token(leaver)}", data={"List-Unsubscribe": "One-Click"})
    assert unsubscribed.status_code == 200
    login(monthly)
    assert client.post("/preferences", data={"digest_frequency": "monthly"}).status_code == 302
    report = send_claims(issue, claims, issue_content(issue), Clock(NOW))
    people = active_people()
    assert report.statuses == {SENT: people - 2, CANCELLED: 2}
    assert report.sessions == 1
    sent_to = recipients(smtp_server.messages)
    assert stays.email in sent_to and leaver.email not in sent_to and monthly.email not in sent_to
    for person in (leaver, monthly):
        delivery = delivery_for(person.email)
        assert (delivery.status, delivery.last_error) == (CANCELLED, "No longer wanted when it was due.")


@pytest.mark.parametrize(("score", "mailed"), [(2, True), (3, False)])
def test_a_person_whose_bounces_reach_the_limit_after_the_cut_is_not_mailed(app, ctx, fresh_story, make_person,
                                                                           smtp_server, score, mailed):
    app.config["DIGEST_BOUNCE_LIMIT"] = 3
    fresh_story()
    person = make_person(email="flaky@example.com")
    cut_issue(CUT, NOW)
    person.bounce_score = score  # another message to them bounced meanwhile
    db.session.commit()
    tick(NOW)
    assert (person.email in recipients(smtp_server.messages)) is mailed
    assert delivery_for(person.email).status == (SENT if mailed else CANCELLED)


def test_an_issue_whose_stories_were_all_archived_is_cancelled(app, ctx, fresh_story, make_person, smtp_server):
    story = fresh_story()
    make_person(email="reader@example.com")
    issue, _ = cut_issue(CUT, NOW)
    story.status = "archived"
    db.session.commit()
    report = tick(NOW)
    assert report.sent.statuses == {CANCELLED: active_people()}
    assert smtp_server.messages == []


def test_a_batch_that_outlives_its_first_lease_keeps_its_claims(app, ctx, fresh_story, many_people, smtp_server):
    """Each message takes the sender's pretend clock on by 200 s: the batch renews its 600 s
    lease as it goes (before the third message, and before the fifth with one claim left), so a
    second sender looking past the first lease finds nothing to take."""
    app.config.update(DIGEST_CLAIM_LEASE_SECONDS=600, MAIL_TIMEOUT=30)
    fresh_story()  # its nominator and nominee, and three more: five
    many_people(3)
    issue, _ = cut_issue(CUT, NOW)
    clock, competitor = PretendClock(NOW), []

    def after_each_message(message) -> None:  # in the SMTP server's thread
        clock.now += timedelta(seconds=200)
        if len(smtp_server.messages) == 4:  # 800 s in: the first lease ended at 600 s
            with app.app_context():
                competitor.append(claim_batch(issue.id, PretendClock(clock.now)))

    smtp_server.on_message = after_each_message
    report = send_issue(issue, clock)
    people = active_people()
    assert competitor == [[]]
    assert report.statuses == {SENT: people} and report.sessions == smtp_server.sessions == 1
    assert sorted(recipients(smtp_server.messages)) == sorted(db.session.scalars(select(Person.email)))
    assert people == 5 and clock.now == NOW + timedelta(seconds=1000)  # well past the first lease


def test_renewing_a_lease_keeps_only_the_claims_still_held(app, ctx, fresh_story, many_people):
    fresh_story()
    many_people(3)
    issue, _ = cut_issue(CUT, NOW)
    claims = claim_batch(issue.id, Clock(NOW))
    taken = claims[0]
    db.session.execute(DigestDelivery.__table__.update().where(DigestDelivery.id == taken.delivery_id)
                       .values(claim_token="someone-else"))
    db.session.commit()
    later = NOW + timedelta(minutes=20)
    kept = renew(claims, later)
    assert [claim.delivery_id for claim in kept] == [claim.delivery_id for claim in claims[1:]]
    assert {claim.lease_until for claim in kept} == {later}
    db.session.expire_all()
    assert db.session.get(DigestDelivery, claims[1].delivery_id).lease_until == later
    assert db.session.get(DigestDelivery, taken.delivery_id).lease_until != later


def test_a_claim_holds_its_deliveries_for_the_lease(app, ctx, fresh_story, many_people):
    app.config.update(DIGEST_CLAIM_LEASE_SECONDS=600, DIGEST_BATCH_SIZE=3)
    fresh_story()
    many_people(3)
    issue, _ = cut_issue(CUT, NOW)
    ids = sorted(db.session.scalars(select(DigestDelivery.id)))
    claims = claim_batch(issue.id, PretendClock(NOW))
    assert [claim.delivery_id for claim in claims] == ids[:3]  # oldest first, three at a time
    assert {(claim.attempts, claim.lease_until) for claim in claims} == {(1, NOW + LEASE)}
    assert len({claim.token for claim in claims}) == 1 and len(claims[0].token) == 32
    db.session.expire_all()
    rows = db.session.scalars(select(DigestDelivery).where(DigestDelivery.id.in_(ids[:3])))
    assert {(row.status, row.attempts, row.lease_until, row.claim_token) for row in rows} == {
        ("sending", 1, NOW + LEASE, claims[0].token)}
    # A second sender at the lease's last instant takes only what nobody holds...
    second = claim_batch(issue.id, PretendClock(NOW + LEASE))
    assert [claim.delivery_id for claim in second] == ids[3:]
    # ...and once the lease has ended, takes over the first sender's claims, counting the attempt.
    third = claim_batch(issue.id, PretendClock(NOW + LEASE + timedelta(microseconds=1)))
    assert [(claim.delivery_id, claim.attempts) for claim in third] == [(id_, 2) for id_ in ids[:3]]
    assert third[0].token != claims[0].token


def test_which_deliveries_are_due(app, ctx, fresh_story, make_person):
    """Pending ones from their retry time; claimed ones once their lease has ended, unless that was
    their last allowed attempt; and only the issue's own."""
    app.config["DIGEST_MAX_ATTEMPTS"] = 6
    fresh_story()
    names = ["retry", "held", "dead", "last"]
    for name in names:
        make_person(email=f"{name}@example.com")
    issue, _ = cut_issue(CUT, NOW)
    moment = NOW + timedelta(hours=1)
    rows = {name: delivery_for(f"{name}@example.com") for name in names}
    rows["retry"].next_attempt_at = moment
    for name, attempts in (("held", 2), ("dead", 5), ("last", 6)):
        rows[name].status, rows[name].attempts, rows[name].lease_until = "sending", attempts, moment
    rows["held"].lease_until = moment + timedelta(microseconds=1)
    others = db.session.scalars(select(DigestDelivery).where(DigestDelivery.id.not_in([r.id for r in rows.values()])))
    for row in others:
        row.status = SENT
    db.session.commit()

    def due(at: datetime) -> set[str]:
        ids = set(db.session.scalars(due_deliveries(issue.id, at)))
        return {name for name, row in rows.items() if row.id in ids}

    assert due(moment - timedelta(microseconds=1)) == set()
    assert due(moment) == {"retry"}
    assert due(moment + timedelta(microseconds=1)) == {"retry", "dead"}
    assert due(moment + timedelta(microseconds=2)) == {"retry", "dead", "held"}
    assert set(db.session.scalars(due_deliveries(issue.id + 1, moment + timedelta(days=1)))) == set()


# Results and the bounce score: only a bounce raises it, only a delivered message clears it.


def test_temporary_failures_to_the_last_attempt_leave_the_bounce_score_alone(app, ctx, fresh_story, make_person,
                                                                            smtp_server):
    app.config["DIGEST_MAX_ATTEMPTS"] = 3
    fresh_story()
    person = make_person(email="busy@example.com", bounce_score=2)
    smtp_server.replies["busy@example.com"] = "450 4.2.1 Mailbox temporarily unavailable"
    moment = NOW
    for attempt, status in ((1, "pending"), (2, "pending"), (3, "failed")):
        tick(moment)
        delivery = delivery_for(person.email)
        assert (delivery.status, delivery.attempts, delivery.smtp_code) == (status, attempt, 450)
        db.session.refresh(person)
        assert person.bounce_score == 2
        moment = (delivery.next_attempt_at or moment) + timedelta(seconds=1)
    assert delivery.sent_at is None


@pytest.mark.parametrize(("reply", "status", "score"), [
    ("550 5.1.1 No such user here", "bounced", 2),
    ("553 5.7.1 Sender address rejected", "pending", 1),  # our sender refused: not their address
    (None, "sent", 0),
])
def test_what_one_result_does_to_a_bounce_score_of_one(app, ctx, fresh_story, make_person, smtp_server,
                                                       reply, status, score):
    fresh_story()
    person = make_person(email="once@example.com", bounce_score=1)
    if reply and reply.startswith("553"):
        smtp_server.mail_from_reply = reply
    elif reply:
        smtp_server.replies["once@example.com"] = reply
    tick(NOW)
    db.session.refresh(person)
    assert (delivery_for(person.email).status, person.bounce_score) == (status, score)


def test_a_sender_whose_claim_was_taken_over_records_nothing(app, ctx, fresh_story, make_person):
    fresh_story()
    person = make_person(email="gone@example.com")
    issue, _ = cut_issue(CUT, NOW)
    mine = [claim for claim in claim_batch(issue.id, PretendClock(NOW)) if claim.person_id == person.id][0]
    after_lease = PretendClock(NOW + timedelta(hours=1))  # the first sender stalled past its lease
    theirs = [claim for claim in claim_batch(issue.id, after_lease) if claim.person_id == person.id][0]
    recipient = Recipient(person.id, person.email, True, "weekly", 0)
    record(mine, Outcome(BOUNCE, 550, "550 No such user"), recipient, NOW + timedelta(minutes=1))
    delivery = delivery_for(person.email)
    assert (delivery.status, delivery.claim_token, delivery.smtp_code) == ("sending", theirs.token, None)
    db.session.refresh(person)
    assert person.bounce_score == 0
    record(theirs, Outcome(SENT_OUTCOME, 250), recipient, after_lease())
    delivery = delivery_for(person.email)
    assert (delivery.status, delivery.claim_token, delivery.smtp_code, delivery.sent_at) == (
        SENT, None, 250, after_lease())


def test_claims_that_cannot_be_handed_back_return_when_their_lease_ends(app, ctx, fresh_story, many_people,
                                                                       smtp_server, monkeypatch, caplog):
    from storyboard.digest import sending

    app.config["DIGEST_CLAIM_LEASE_SECONDS"] = 600
    fresh_story()
    many_people(4)

    def database_gone(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(sending, "record", database_gone)  # the first result cannot be written...
    monkeypatch.setattr(sending, "release", database_gone)  # ...nor can the claims be handed back
    with pytest.raises(RuntimeError, match="the database went away"):
        tick(NOW)
    people = active_people()
    assert f"Could not hand back {people} digest claims; they return when their lease ends" in logged(caplog)
    monkeypatch.undo()
    assert deliveries_by_status() == {"sending": people}
    tick(NOW + timedelta(minutes=5))  # the lease still holds: nothing is sent again
    assert len(smtp_server.messages) == 1
    tick(NOW + timedelta(minutes=11))
    assert deliveries_by_status() == {SENT: people}
    assert len(smtp_server.messages) == people + 1  # the one sent but not recorded went twice


def test_batches_due_counts_what_an_issue_still_needs_to_send(app, ctx, fresh_story, many_people):
    """What the tick enqueues for RQ workers: one job per batch still due, rounded up."""
    app.config.update(DIGEST_BATCH_SIZE=2, DIGEST_CLAIM_LEASE_SECONDS=600)
    fresh_story()  # its nominator and nominee, and three more: five readers
    many_people(3)
    issue, _ = cut_issue(CUT, NOW)
    clock = PretendClock(NOW)
    assert batches_due(issue, clock) == 3  # two, two and one
    claim_batch(issue.id, clock)
    assert batches_due(issue, clock) == 2  # three left
    claim_batch(issue.id, clock)
    claim_batch(issue.id, clock)
    assert batches_due(issue, clock) == 0  # all claimed, none sent
    clock.now = NOW + LEASE + timedelta(seconds=1)
    assert batches_due(issue, clock) == 3  # every lease ran out: all five are due again


def test_batches_are_claimed_and_sent_a_batch_size_at_a_time(app, ctx, fresh_story, many_people, smtp_server):
    app.config["DIGEST_BATCH_SIZE"] = 2
    fresh_story()  # its nominator and nominee read the digest too
    many_people(3)
    report = tick(NOW)
    assert active_people() == 5
    assert report.sent.statuses == {SENT: 5}
    assert report.sent.sessions == smtp_server.sessions == 3  # one SMTP session per batch of two


def test_one_message_that_cannot_be_built_does_not_stop_the_batch(app, ctx, fresh_story, make_person, smtp_server,
                                                                   caplog):
    fresh_story()
    broken = make_person(email="broken\n@example.com")  # a line break no header may hold
    after = make_person(email="after@example.com")
    report = tick(NOW)
    delivery = delivery_for(broken.email)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error.startswith("Could not build the message: ")
    assert after.email in recipients(smtp_server.messages)
    assert report.sent.statuses == {SENT: active_people() - 1, "pending": 1}
    assert f"Could not build the digest for person {broken.id}" in logged(caplog)


@pytest.mark.parametrize("code", ["451 4.3.0", "421 4.7.0"])  # a retry, and the whole batch put off
def test_a_long_server_reply_is_kept_to_300_characters(app, ctx, fresh_story, make_person, smtp_server, code):
    fresh_story()
    make_person(email="busy@example.com")
    smtp_server.replies["busy@example.com"] = f"{code} " + "Mailbox busy, try again later. " * 20
    tick(NOW)
    error = delivery_for("busy@example.com").last_error
    assert len(error) == 300 and error.startswith(f"{code} Mailbox busy, try again later. Mailbox busy")


@pytest.mark.parametrize(("lease", "accepted"), [(160, False), (161, True)])
def test_the_lease_must_be_more_than_16_mail_timeouts(app, ctx, lease, accepted):
    app.config.update(DIGEST_CLAIM_LEASE_SECONDS=lease, MAIL_TIMEOUT=10)
    if accepted:
        check_settings()
    else:
        with pytest.raises(ValueError, match=r"^DIGEST_CLAIM_LEASE_SECONDS must be more than 16 times MAIL_TIMEOUT\.$"):
            check_settings()


def test_a_clock_without_a_pretend_time_is_now_and_one_with_it_moves_on(app):
    assert abs(Clock()() - utcnow()) < timedelta(seconds=1)
    pretend = Clock(NOW)
    first = pretend()
    assert NOW <= first < NOW + timedelta(seconds=1)
    time.sleep(0.01)
    assert first < pretend() < NOW + timedelta(seconds=1)
