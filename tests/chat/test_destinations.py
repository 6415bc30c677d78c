"""Where webhooks may post: no internal addresses (on the form and before each post, pinned to
the address checked), no receiver's answer shown, no whole address in the audit log, and a
wall-clock limit on a post however slowly its receiver answers."""
from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import select

from storyboard.chat import addresses, transport
from storyboard.chat.delivery import deliver_due
from storyboard.extensions import db
from storyboard.models import AuditEntry, ChatDelivery, ChatWebhook, StoryStatus
from storyboard.stories import lifecycle
from tests.chat.test_webhooks import add_webhook

FORM = {"name": "#kudos", "format": "slack", "on_story_published": "y"}
INTERNAL = ["http://127.0.0.1:8080/hooks", "http://localhost/hooks", "http://10.1.2.3/hooks",
            "http://172.16.0.9/hooks", "http://192.168.1.1/hooks",
            "http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/hooks", "http://[fe80::1]/hooks",
            "http://[fd00::5]/hooks", "http://[::ffff:127.0.0.1]/hooks", "http://0.0.0.0/hooks",
            "http://224.0.0.1/hooks", "http://240.0.0.1/hooks", "http://100.64.0.1/hooks"]


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "172.31.255.255", "192.168.0.1", "169.254.169.254",
                                     "::1", "fe80::1", "fc00::1", "fd12::1", "::ffff:10.0.0.1", "0.0.0.0", "::",
                                     "224.0.0.251", "ff02::1", "240.0.0.1", "100.64.0.1"])
def test_internal_addresses_are_not_allowed(address):
    assert not addresses.allowed(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert addresses.allowed(address)


def test_the_form_refuses_internal_addresses_and_keeps_what_was_typed(app, ctx, client, as_role):
    app.config["CHAT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = False
    as_role("admin")
    for url in INTERNAL:
        refused = client.post("/admin/webhooks", data=FORM | {"url": url})
        assert refused.status_code == 400, url
        page = refused.get_data(as_text=True)
        assert "is a private or internal address" in page, url
        assert "Storyboard only posts to addresses on the internet." in page
        assert f'value="{url}"' in page
    assert db.session.scalar(select(ChatWebhook)) is None
    # A public address is fine; so is a name that does not resolve now (it is checked at each post).
    for url in ["https://93.184.215.14/hooks", "https://hooks.slack.com/services/T0/B0/x"]:
        assert client.post("/admin/webhooks", data=FORM | {"url": url}).status_code == 302, url
    app.config["CHAT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = True  # a receiver on your own network
    assert client.post("/admin/webhooks", data=FORM | {"url": "http://10.1.2.3/hooks"}).status_code == 302


@pytest.mark.slow
def test_a_post_to_an_internal_address_is_refused_before_it_is_sent(app, ctx, client, as_role, receiver,
                                                                    make_story, make_person):
    app.config.update(CHAT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES=False, CHAT_MAX_ATTEMPTS=1)
    loopback = add_webhook(receiver.url)  # saved while allowed, or resolving elsewhere then
    add_webhook(receiver.url.replace("127.0.0.1", "localhost"))
    add_webhook("http://169.254.169.254/latest/meta-data/")
    story = make_story(status=StoryStatus.SUBMITTED)
    lifecycle.publish(story, make_person(role="curator"))
    db.session.commit()
    assert deliver_due() == {"failed": 3}
    time.sleep(0.2)
    assert receiver.requests == []  # nothing reached the receiver
    errors = db.session.scalars(select(ChatDelivery.last_error).order_by(ChatDelivery.id)).all()
    assert errors[0].startswith("Not sent: 127.0.0.1 is a private or internal address (127.0.0.1)")
    assert errors[1].startswith("Not sent: localhost is a private or internal address (")
    assert errors[2].startswith("Not sent: 169.254.169.254 is a private or internal address")

    as_role("admin")
    client.post(f"/admin/webhooks/{loopback.id}/test")
    page = client.get(f"/admin/webhooks/{loopback.id}").get_data(as_text=True)
    assert "failed: Not sent: 127.0.0.1 is a private or internal address" in page
    assert receiver.requests == []


@pytest.mark.slow
def test_the_connection_goes_to_the_address_checked_not_a_second_lookup(receiver):
    # A name nothing resolves: had the name been looked up again, this could not connect.
    port = receiver.url.split(":")[2].split("/")[0]
    adapter = transport._PinnedAdapter("127.0.0.1")
    with requests.Session() as session:
        session.trust_env = False
        session.mount("http://", adapter)
        response = session.post(f"http://receiver.invalid:{port}/hooks/kudos", data=b"{}", timeout=5)
    assert response.status_code == 200
    [received] = receiver.requests
    assert received.headers["Host"] == f"receiver.invalid:{port}"


@pytest.mark.slow
def test_a_receiver_that_drips_its_answer_is_cut_off_within_the_deadline(app, ctx, receiver, make_story,
                                                                         make_person):
    app.config.update(CHAT_WEBHOOK_TIMEOUT_SECONDS=0.5, CHAT_MAX_ATTEMPTS=2)
    add_webhook(receiver.url)
    receiver.drip = 0.1  # each read gets a byte well within 0.5 s; the whole answer takes 5 s
    story = make_story(status=StoryStatus.SUBMITTED)
    lifecycle.publish(story, make_person(role="curator"))
    db.session.commit()
    started = time.monotonic()
    assert deliver_due() == {"pending": 1}
    assert time.monotonic() - started < 2.5  # twice the timeout, not the 5 s the receiver wanted
    assert db.session.scalar(select(ChatDelivery.last_error)) == "No answer within 0.5 seconds"


def test_the_audit_log_keeps_the_host_and_a_fingerprint_not_the_whole_address(ctx, client, as_role):
    as_role("admin")
    url = "https://hooks.slack.com/services/T0AAA/B0BBB/s3cr3tW3bh00kT0k3n"
    client.post("/admin/webhooks", data=FORM | {"url": url})
    webhook = db.session.scalar(select(ChatWebhook))
    client.post(f"/admin/webhooks/{webhook.id}", data=FORM | {"url": url + "2"})
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [entry.action for entry in entries] == ["chat.webhook_created", "chat.webhook_changed"]
    assert "s3cr3tW3bh00kT0k3n" not in str([(entry.before, entry.after) for entry in entries])
    created, changed = entries[0].after, entries[1]
    assert created["url"] == "https://hooks.slack.com"
    assert created["url_fingerprint"].startswith("sha256:") and len(created["url_fingerprint"]) == 19
    # A changed address still shows as a change.
    assert changed.before["url_fingerprint"] == created["url_fingerprint"] != changed.after["url_fingerprint"]
