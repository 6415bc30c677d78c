"""Outgoing webhooks posted to a real HTTP receiver on loopback: what is sent, how it is signed,
that each event goes once and only after its change commits, retries with backoff, disabling
after failures in a row, and what admins see."""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from storyboard.chat import webhooks
from storyboard.chat.delivery import deliver_due
from storyboard.clock import utcnow
from storyboard.digest.issues import cut_issue
from storyboard.extensions import db
from storyboard.models import AuditEntry, ChatDelivery, ChatWebhook, StoryStatus
from storyboard.stories import lifecycle
from tests.helpers import CUT, NOW

pytestmark = pytest.mark.slow

SIGNATURE = re.compile(r"t=(?P<t>\d+),v1=(?P<v1>[0-9a-f]{64})")


def add_webhook(url: str, format_: str = "slack", published: bool = True, digest: bool = False) -> ChatWebhook:
    fields = webhooks.WebhookFields(name="#kudos", url=url, format=format_, on_story_published=published,
                                    on_digest_issue=digest)
    webhook = ChatWebhook(secret=webhooks.new_secret())
    webhooks._apply(webhook, fields)
    db.session.add(webhook)
    db.session.commit()
    return webhook


def publish(make_story, curator, **fields):
    story = make_story(status=StoryStatus.SUBMITTED, **fields)
    lifecycle.publish(story, curator)
    db.session.commit()
    return story


def signature_ok(secret: str, received) -> bool:
    """What a receiver does: recompute the HMAC of "<t>.<body>" and compare."""
    match = SIGNATURE.fullmatch(received.headers["X-Storyboard-Signature"])
    expected = hmac.new(secret.encode(), match["t"].encode() + b"." + received.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, match["v1"])


def statuses() -> list[tuple[str, int]]:
    db.session.expire_all()
    return [(row.status, row.attempts) for row in db.session.scalars(select(ChatDelivery).order_by(ChatDelivery.id))]


def test_a_published_story_is_posted_once_signed_with_nothing_of_its_markup(
        ctx, runner, receiver, make_story, make_person):
    curator = make_person(role="curator")
    nina = make_person(name="Nina <Nominee> & Co")
    webhook = add_webhook(receiver.url)
    draft = make_story(status=StoryStatus.DRAFT, title="A draft nobody may read")
    story = publish(make_story, curator, nominees=[nina], title="<!channel> *Found* the parcel & more",
                    body_md="She **traced** it <b>by hand</b>.")
    assert receiver.requests == []  # nothing is posted from inside the publishing request

    result = runner.invoke(args=["chat", "deliver"])
    assert result.output == "Chat deliveries: 1 sent.\n", result.output
    [received] = receiver.requests
    assert received.path == "/hooks/kudos"
    assert received.headers["X-Storyboard-Event"] == "story.published"
    assert received.headers["Content-Type"] == "application/json; charset=utf-8"
    assert signature_ok(webhook.secret, received)
    assert not signature_ok("another secret", received)
    delivery = db.session.scalar(select(ChatDelivery))
    assert received.headers["X-Storyboard-Delivery"] == delivery.uuid

    body = received.json
    link = f"https://storyboard.example.com/stories/{story.id}"
    # The mrkdwn fallback shows the title literally: no @channel, no bold, & escaped.
    assert body["text"] == (f"&lt;!channel&gt; *Found* the parcel &amp; more (about Nina &lt;Nominee&gt; &amp; Co) "
                            f"<{link}|Read the story>")
    header, section, context, actions = body["blocks"]
    assert header["text"] == {"type": "plain_text", "text": "<!channel> *Found* the parcel & more"}
    # Typed HTML was escaped when the story was saved: it reaches Slack as the characters typed.
    assert section["text"] == {"type": "plain_text", "text": "She traced it <b>by hand</b>."}
    assert [element["text"] for element in context["elements"]] == ["About: Nina <Nominee> & Co", "Values: Courtesy"]
    assert actions["elements"][0]["url"] == link
    assert "draft" not in received.body.decode().lower()
    assert draft.title not in received.body.decode()

    # Archived and restored: published again, but each webhook hears of a story once.
    lifecycle.transition(story, StoryStatus.ARCHIVED, curator)
    lifecycle.transition(story, StoryStatus.PUBLISHED, curator)
    db.session.commit()
    assert runner.invoke(args=["chat", "deliver"]).output == "Chat deliveries: nothing due.\n"
    assert len(receiver.requests) == 1
    assert statuses() == [("sent", 1)]


def test_a_rolled_back_publication_leaves_nothing_to_send(ctx, receiver, make_story, make_person):
    curator = make_person(role="curator")
    add_webhook(receiver.url)
    story = make_story(status=StoryStatus.SUBMITTED)
    lifecycle.publish(story, curator)
    db.session.rollback()
    assert deliver_due() == {}
    assert receiver.requests == [] and statuses() == []


def test_teams_gets_an_adaptive_card_and_json_gets_the_story(ctx, receiver, make_story, make_person):
    curator = make_person(role="curator")
    add_webhook(receiver.url, "teams")
    add_webhook(receiver.url + "/json", "json")
    story = publish(make_story, curator, nominees=[make_person(name="Nina Nominee")], title="Fixed [it](http://x)")
    assert deliver_due() == {"sent": 2}
    by_path = {received.path: received.json for received in receiver.requests}
    card = by_path["/hooks/kudos"]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    title, excerpt, facts = card["content"]["body"]
    assert title["text"] == r"Fixed \[it\]\(http://x\)"  # Markdown in a title stays text
    assert facts["facts"][0] == {"title": "About", "value": "Nina Nominee"}
    assert card["content"]["actions"][0]["url"] == f"https://storyboard.example.com/stories/{story.id}"
    plain = by_path["/hooks/kudos/json"]
    assert plain["event"] == "story.published"
    assert plain["story"]["title"] == "Fixed [it](http://x)" and plain["story"]["about"] == ["Nina Nominee"]


def test_failures_are_retried_with_growing_waits_then_the_webhook_is_disabled(
        app, ctx, client, receiver, make_story, make_person, login):
    app.config.update(CHAT_RETRY_BASE_SECONDS=30, CHAT_DISABLE_AFTER_FAILURES=3, CHAT_MAX_ATTEMPTS=6)
    curator = make_person(role="curator")
    webhook = add_webhook(receiver.url)
    receiver.status = 500
    publish(make_story, curator)
    publish(make_story, curator, title="A second story")
    now = utcnow() + timedelta(seconds=1)

    assert deliver_due(now) == {"pending": 2}  # both failed; each waits 30 s
    assert statuses() == [("pending", 1), ("pending", 1)]
    assert deliver_due(now + timedelta(seconds=29)) == {}  # not due yet
    login(make_person(role="admin"))
    page = client.get("/admin/webhooks").get_data(as_text=True)
    assert "Failing (2 in a row)" in page
    assert "Last error: The receiver answered 500 (Internal Server Error)." in page
    assert "invalid_payload" not in page  # what a receiver answers is never shown
    assert "Next try" in page

    assert deliver_due(now + timedelta(seconds=31)) == {"cancelled": 1}
    # The third failure in a row disabled it: the other delivery was cancelled, not posted.
    assert len(receiver.requests) == 3
    assert statuses() == [("cancelled", 2), ("cancelled", 1)]
    db.session.expire_all()
    assert db.session.get(ChatWebhook, webhook.id).disabled_at is not None
    assert deliver_due(now + timedelta(hours=3)) == {}
    page = client.get(f"/admin/webhooks/{webhook.id}").get_data(as_text=True)
    assert "Disabled" in page and "After 3 failed posts in a row." in page
    assert "Turn it on again" in page
    assert db.session.scalar(select(AuditEntry.note).where(AuditEntry.action == "chat.webhook_disabled")) == (
        "3 failed posts in a row; last: The receiver answered 500 (Internal Server Error)")

    receiver.status = 200
    assert client.post(f"/admin/webhooks/{webhook.id}/enable").status_code == 302
    story = publish(make_story, curator, title="After the fix")
    assert deliver_due() == {"sent": 1}
    assert receiver.requests[-1].json["blocks"][0]["text"]["text"] == story.title
    assert "Healthy" in client.get("/admin/webhooks").get_data(as_text=True)


def test_each_retry_waits_twice_as_long_up_to_the_cap(app, ctx):
    app.config.update(CHAT_RETRY_BASE_SECONDS=30, CHAT_RETRY_MAX_SECONDS=100)
    assert [webhooks.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]


def test_a_receiver_that_does_not_answer_times_out_and_is_retried(app, ctx, receiver, make_story, make_person):
    app.config.update(CHAT_WEBHOOK_TIMEOUT_SECONDS=0.5, CHAT_MAX_ATTEMPTS=2)
    add_webhook(receiver.url)
    receiver.hang = 2
    publish(make_story, make_person(role="curator"))
    assert deliver_due() == {"pending": 1}
    delivery = db.session.scalar(select(ChatDelivery))
    assert delivery.last_error == "No answer within 0.5 seconds"
    receiver.hang = 0
    assert deliver_due(utcnow() + timedelta(minutes=5)) == {"sent": 1}
    # The retry carries the same delivery id, so a receiver can tell it already has it.
    first, second = receiver.wait_for(2)
    assert first.headers["X-Storyboard-Delivery"] == second.headers["X-Storyboard-Delivery"]


def test_a_closed_port_fails_with_a_clear_error_and_gives_up_after_the_last_try(app, ctx, make_story, make_person):
    app.config.update(CHAT_MAX_ATTEMPTS=1)
    add_webhook("http://127.0.0.1:9/hooks")
    publish(make_story, make_person(role="curator"))
    assert deliver_due() == {"failed": 1}
    assert db.session.scalar(select(ChatDelivery.last_error)).startswith("Could not connect")


def test_digest_day_posts_the_issue_once(app, ctx, receiver, make_story):
    webhook = add_webhook(receiver.url, "json", published=False, digest=True)
    story = make_story(published_at=CUT - timedelta(days=3), title="The week's best")
    issue, created = cut_issue(CUT, NOW)
    assert created
    assert cut_issue(CUT, NOW) == (issue, False)
    assert deliver_due() == {"sent": 1}
    [received] = receiver.requests
    assert received.headers["X-Storyboard-Event"] == "digest.issue"
    assert signature_ok(webhook.secret, received)
    sent = received.json["issue"]
    assert sent["url"] == "https://storyboard.example.com/digest/issues/2026-11-30"
    assert [item["title"] for item in sent["stories"]] == [story.title]


def test_a_story_about_someone_who_keeps_out_of_digests_is_not_posted(ctx, receiver, make_story, make_person):
    add_webhook(receiver.url)
    publish(make_story, make_person(role="curator"), nominees=[make_person(hide_from_digests=True)])
    assert deliver_due() == {"cancelled": 1}
    assert receiver.requests == []
