"""Notifications, notification preferences, and a person's consent to appear in digests."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import delete, select

from storyboard.auth.forms import EmptyForm
from storyboard.db_helpers import insert_if_absent
from storyboard.digest.subscriptions import FREQUENCIES as DIGEST_FREQUENCIES
from storyboard.digest.subscriptions import set_digest_frequency
from storyboard.extensions import db
from storyboard.models import Notification, NotificationKind, story_digest_opt_outs
from storyboard.notifications import service
from storyboard.pagination import paginate
from storyboard.stories.service import get_story_for

bp = Blueprint("notifications", __name__)

PAGE_SIZE = 30


@bp.get("/notifications")
def inbox():
    statement = (
        select(Notification)
        .where(Notification.person_id == current_user.id)
        .order_by(Notification.id.desc())
    )
    return render_template(
        "notifications/inbox.html", page=paginate(statement, PAGE_SIZE), form=EmptyForm()
    )


@bp.post("/notifications/read")
def mark_read():
    if not EmptyForm().validate_on_submit():
        abort(400)
    service.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.inbox"))


@bp.route("/preferences", methods=["GET", "POST"])
def preferences():
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
        service.save_settings(current_user, choices)
        current_user.hide_from_digests = request.form.get("hide_from_digests") == "on"
        frequency = request.form.get("digest_frequency")
        if frequency is not None:  # absent from older forms: keep what is stored
            if frequency not in DIGEST_FREQUENCIES:
                abort(400)
            set_digest_frequency(current_user, frequency)
        db.session.commit()
        flash("Your preferences are saved.", "success")
        return redirect(url_for("notifications.preferences"))
    stored = service.settings_for(current_user)
    return render_template(
        "notifications/preferences.html", form=form, kinds=list(NotificationKind), stored=stored
    )


@bp.post("/stories/<int:story_id>/digest-consent")
def story_digest_consent(story_id: int):
    """A nominee keeps a story about them out of digests, or lets it back in."""
    story = get_story_for(current_user, story_id)
    if current_user not in story.nominees:
        abort(403, "Only the people a story is about can keep it out of digests.")
    if not EmptyForm().validate_on_submit():
        abort(400)
    keys = {"story_id": story.id, "person_id": current_user.id}
    if request.form.get("keep_out") == "yes":
        insert_if_absent(story_digest_opt_outs, keys)
        flash("This story will not appear in digests.", "success")
    else:
        db.session.execute(
            delete(story_digest_opt_outs).where(
                story_digest_opt_outs.c.story_id == story.id,
                story_digest_opt_outs.c.person_id == current_user.id,
            )
        )
        flash("This story may appear in digests again.", "success")
    db.session.commit()
    return redirect(url_for("stories.show", story_id=story.id))
