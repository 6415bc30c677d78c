"""Chat's routes: the admins' webhook pages (/admin/webhooks) and Slack's slash command with the
page that links a Slack account to a Storyboard person.

The slash command is exempt from CSRF and never reads the session: Slack's signature is its
only credential (storyboard/chat/slack.py). Its raw body is kept before any form parsing
(`keep_raw_body`), because the signature covers the bytes exactly as sent.
"""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from storyboard.auth.roles import admin_required
from storyboard.chat import delivery, slack, webhooks
from storyboard.chat.forms import WebhookForm
from storyboard.extensions import csrf, db
from storyboard.forms import EmptyForm, check_one_button, form_status
from storyboard.models import ChatDelivery, ChatEvent, ChatFormat, ChatWebhook

bp = Blueprint("chat", __name__)

SLASH_COMMAND = "chat.slack_command"


@bp.before_app_request
def keep_raw_body():
    """Read and keep the slash command's body before the app's form cleaning parses it."""
    if request.endpoint == SLASH_COMMAND:
        request.get_data(cache=True)


# The admins' webhooks.


@bp.get("/admin/webhooks")
@admin_required
def webhooks_page():
    return _list_page(WebhookForm())


def _list_page(form: WebhookForm, status: int = 200):
    rows = list(db.session.scalars(db.select(ChatWebhook).order_by(ChatWebhook.name, ChatWebhook.id)))
    retries = webhooks.next_retries()
    statuses = {row.id: webhooks.status_of(row, retries.get(row.id)) for row in rows}
    return render_template("chat/webhooks.html", rows=rows, statuses=statuses, form=form,
                           formats={kind.value: kind.label for kind in ChatFormat}), status


@bp.post("/admin/webhooks")
@admin_required
def create_webhook():
    form = WebhookForm()
    if not form.validate_on_submit():
        return _list_page(form, 400)
    webhook = webhooks.create_webhook(current_user, form.fields())
    db.session.commit()
    flash(f"Added “{webhook.name}”. Copy its signing secret below into the receiver if it checks signatures.",
          "success")
    return redirect(url_for("chat.webhook", webhook_id=webhook.id))


def _webhook(webhook_id: int) -> ChatWebhook:
    return db.get_or_404(ChatWebhook, webhook_id)


@bp.get("/admin/webhooks/<int:webhook_id>")
@admin_required
def webhook(webhook_id: int):
    found = _webhook(webhook_id)
    return _webhook_page(found, WebhookForm(obj=found))


def _webhook_page(found: ChatWebhook, form: WebhookForm, status: int = 200):
    retry = webhooks.next_retries().get(found.id)
    return render_template(
        "chat/webhook.html", webhook=found, form=form, status=webhooks.status_of(found, retry),
        deliveries=webhooks.recent_deliveries(found), events={kind.value: kind.label for kind in ChatEvent},
        button=EmptyForm(),
    ), status


@bp.post("/admin/webhooks/<int:webhook_id>")
@admin_required
def save_webhook(webhook_id: int):
    found = _webhook(webhook_id)
    form = WebhookForm()
    if not form.validate_on_submit():
        return _webhook_page(found, form, form_status(form))
    webhooks.update_webhook(current_user, found, form.fields())
    db.session.commit()
    flash(f"Saved “{found.name}”.", "success")
    return redirect(url_for("chat.webhook", webhook_id=found.id))


@bp.post("/admin/webhooks/<int:webhook_id>/test")
@admin_required
def test_webhook(webhook_id: int):
    """Post a test message now and say how it went (a test never counts towards disabling)."""
    check_one_button()
    found = _webhook(webhook_id)
    trial = ChatDelivery(webhook_id=found.id, event=ChatEvent.TEST.value, event_key=uuid.uuid4().hex,
                         uuid=str(uuid.uuid4()))
    db.session.add(trial)
    db.session.commit()
    delivery.send(trial.id)
    db.session.refresh(trial)
    if trial.status == "sent":
        flash(f"Sent a test message to “{found.name}”: the receiver answered {trial.response_code}.", "success")
    else:
        flash(f"The test message to “{found.name}” failed: {trial.last_error}.", "error")
    return redirect(url_for("chat.webhook", webhook_id=found.id))


@bp.post("/admin/webhooks/<int:webhook_id>/enable")
@admin_required
def enable_webhook(webhook_id: int):
    check_one_button()
    found = _webhook(webhook_id)
    if found.disabled_at is None:
        flash(f"“{found.name}” is already on.", "info")
    else:
        webhooks.enable_webhook(current_user, found)
        db.session.commit()
        flash(f"“{found.name}” is on again: the next story published will be posted to it.", "success")
    return redirect(url_for("chat.webhook", webhook_id=found.id))


@bp.post("/admin/webhooks/<int:webhook_id>/secret")
@admin_required
def rotate_secret(webhook_id: int):
    check_one_button()
    found = _webhook(webhook_id)
    webhooks.rotate_secret(current_user, found)
    db.session.commit()
    flash(f"“{found.name}” has a new signing secret: update the receiver, or it will refuse the next post.",
          "success")
    return redirect(url_for("chat.webhook", webhook_id=found.id))


@bp.post("/admin/webhooks/<int:webhook_id>/delete")
@admin_required
def delete_webhook(webhook_id: int):
    check_one_button()
    found = _webhook(webhook_id)
    name = found.name
    webhooks.delete_webhook(current_user, found)
    db.session.commit()
    flash(f"Deleted “{name}”. Nothing more will be posted to it.", "success")
    return redirect(url_for("chat.webhooks_page"))


# Slack.


@bp.post("/chat/slack/commands")
@csrf.exempt
def slack_command():
    """Slack's slash command: 401 for a request that is not Slack's, else 200 with an answer only
    the sender sees (Slack shows anything else as a failure)."""
    try:
        slack.verify(request.get_data(), request.headers.get("X-Slack-Request-Timestamp"),
                     request.headers.get("X-Slack-Signature"))
    except slack.Rejected as rejected:
        return jsonify({"error": str(rejected)}), 401
    form = request.form
    sender = slack.Sender(team_id=form.get("team_id", "")[:32], user_id=form.get("user_id", "")[:32],
                          user_name=form.get("user_name", "")[:120])
    if not sender.team_id or not sender.user_id:
        db.session.commit()  # the signature is used up all the same
        return jsonify(slack.reply("Slack sent no workspace or user with this command.")), 200
    answer = slack.handle(sender, form.get("text", "")[:4000])
    db.session.commit()
    return jsonify(answer), 200


@bp.route("/chat/slack/link/<token>", methods=["GET", "POST"])
def slack_link(token: str):
    """Link the Slack account a signed link names to the signed-in person: GET shows what will
    happen, POST (with the page's CSRF token) does it."""
    sender = slack.sender_from_token(token)
    if sender is None:
        abort(404, "This link has expired or is not complete. Type /storyboard in Slack again for a new one.")
    account = slack.account_for(sender)
    form = EmptyForm()
    if request.method == "POST":
        check_one_button()
        if account is None or account.person_id != current_user.id:
            slack.link(current_user, sender)
            db.session.commit()
        flash(f"Your Slack account {sender.user_name or sender.user_id} is linked. Send the command in Slack again.",
              "success")
        return redirect(url_for("chat.slack_link", token=token))
    return render_template("chat/slack_link.html", sender=sender, account=account, form=form)
