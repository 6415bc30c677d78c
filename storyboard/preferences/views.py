"""One page for what a person hears about (each notification kind, in the app and by email),
whether they appear in digests, how often the digest comes, and, for managers, their monthly
email about their reports. It saves settings of three features (notifications, the digest and
insights), so it sits above them."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from storyboard.digest.subscriptions import FREQUENCIES as DIGEST_FREQUENCIES
from storyboard.digest.subscriptions import set_digest_frequency
from storyboard.extensions import db
from storyboard.forms import EmptyForm
from storyboard.insights.blueprint import manages_anyone
from storyboard.insights.managers import set_manager_email
from storyboard.models import NotificationKind
from storyboard.notifications import service as notifications

bp = Blueprint("preferences", __name__)


@bp.route("/preferences", methods=["GET", "POST"])
def edit():
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        choices = {
            kind.value: (
                request.form.get(f"{kind.value}-in_app") == "on",
                request.form.get(f"{kind.value}-email") == "on",
            )
            for kind in NotificationKind
        }
        notifications.save_settings(current_user, choices)
        current_user.hide_from_digests = request.form.get("hide_from_digests") == "on"
        frequency = request.form.get("digest_frequency")
        if frequency is not None:  # absent from older forms: keep what is stored
            if frequency not in DIGEST_FREQUENCIES:
                abort(400)
            set_digest_frequency(current_user, frequency)
        # Only people with reports are offered the managers' email: a form without the box
        # (everyone else's, or an older page) keeps what is stored.
        if request.form.get("manager_email_offered") == "yes":
            set_manager_email(current_user, request.form.get("manager_email") == "on")
        db.session.commit()
        flash("Your preferences are saved.", "success")
        return redirect(url_for("preferences.edit"))
    stored = notifications.settings_for(current_user)
    return render_template(
        "preferences/edit.html", form=form, kinds=list(NotificationKind), stored=stored,
        is_manager=manages_anyone(current_user),
    )
