"""The route table's rows for chat webhooks and the Slack slash command (see tests/security/routes.py).

Kinds: "webhook" (a webhook posting to a closed loopback port; variant "disabled"), "slack_command"
(the owner's Slack account linked, the app given a signing secret), "slack_link" (a signed
link for an unlinked Slack user, in `objects.token`).
"""
from __future__ import annotations

import time

from slack_sdk.signature import SignatureVerifier
from werkzeug.test import EnvironBuilder

from storyboard.chat.slack import Sender, link_token
from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import ChatWebhook, SlackAccount
from tests.security import scene as scenes
from tests.security.routes import MOVED, Example, Route, admins, public, signed_in

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T0SCENE"
CLOSED_PORT_URL = "http://127.0.0.1:9/hooks/storyboard"  # the discard port: nothing listens, refused at once
WEBHOOK_FORM = ("name", "url", "format", "on_story_published", "on_digest_issue")


def _webhook(scene, objects, variant: str) -> None:
    webhook = ChatWebhook(name=f"#kudos {objects.owner.id}", url=CLOSED_PORT_URL, format="slack",
                          secret="s" * 64, on_story_published=True,
                          disabled_at=utcnow() if variant == "disabled" else None,
                          consecutive_failures=8 if variant == "disabled" else 0, last_error="Could not connect")
    db.session.add(webhook)
    db.session.flush()
    objects.extra["webhook_id"] = webhook.id


def _slack_command(scene, objects, variant: str) -> None:
    scene.app.config["SLACK_SIGNING_SECRET"] = SIGNING_SECRET
    db.session.add(SlackAccount(team_id=TEAM, user_id=f"U{objects.owner.id}", user_name="owen",
                                person_id=objects.owner.id))
    objects.extra.update(nominee_email=scene.nina.email, slack_user=f"U{objects.owner.id}")


def _slack_link(scene, objects, variant: str) -> None:
    objects.token = link_token(Sender(TEAM, f"U{objects.owner.id}", "owen"))


scenes.EXTRA_KINDS.update({"webhook": _webhook, "slack_command": _slack_command, "slack_link": _slack_link})
scenes.PATH_VALUES["webhook_id"] = lambda objects: objects.extra["webhook_id"]


def slash_command(objects, scene) -> dict:
    """The fields Slack posts for `/storyboard nominate <email> ...` from the owner."""
    return {
        "token": "deprecated-verification-token", "team_id": TEAM, "team_domain": "scene",
        "channel_id": "C0SCENE", "channel_name": "kudos", "user_id": objects.extra["slack_user"],
        "user_name": "owen", "command": "/storyboard",
        "text": f"nominate {objects.extra['nominee_email']} found the lost parcel",
        "api_app_id": "A0SCENE", "response_url": "https://hooks.slack.com/commands/T0SCENE/1/x",
        "trigger_id": "1.2.3",
    }


def slack_headers(objects, scene) -> dict:
    """Slack's signature of the body the test client sends for `slash_command` (form-encoded by Werkzeug)."""
    body = EnvironBuilder(method="POST", data=slash_command(objects, scene)).get_environ()["wsgi.input"].read()
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body.decode())
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


def webhook_form(objects, scene) -> dict:
    return {"name": "#kudos in Slack", "url": "https://hooks.slack.com/services/T0/B0/x", "format": "slack",
            "on_story_published": "y"}


ROUTES: dict[tuple[str, str], Route] = {
    ("chat.webhooks_page", "GET"): Route("none", admins(200)),
    ("chat.create_webhook", "POST"): Route("none", admins(400), form=WEBHOOK_FORM,
                                           example=Example("admin", webhook_form)),
    ("chat.webhook", "GET"): Route("webhook", admins(200), variants=("", "disabled")),
    ("chat.save_webhook", "POST"): Route("webhook", admins(400), form=WEBHOOK_FORM,
                                         example=Example("admin", webhook_form)),
    ("chat.test_webhook", "POST"): Route("webhook", admins(MOVED), example=Example("admin")),
    ("chat.enable_webhook", "POST"): Route("webhook", admins(MOVED), variants=("", "disabled"),
                                           example=Example("admin", variant="disabled")),
    ("chat.rotate_secret", "POST"): Route("webhook", admins(MOVED), example=Example("admin")),
    ("chat.delete_webhook", "POST"): Route("webhook", admins(MOVED), example=Example("admin")),
    ("chat.slack_command", "POST"): Route(
        "slack_command", public(401), form=("team_id", "user_id", "user_name", "text"),
        csrf_exempt="Slack's signature",
        example=Example("anonymous", slash_command, outcome=200, headers=slack_headers),
    ),
    ("chat.slack_link", "GET"): Route("slack_link", signed_in(200)),
    ("chat.slack_link", "POST"): Route("slack_link", signed_in(MOVED), example=Example("owner")),
}
