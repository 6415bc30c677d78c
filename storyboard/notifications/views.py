"""A person's notifications: the inbox, and marking them read."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.forms import EmptyForm, check_one_button
from storyboard.models import Notification
from storyboard.notifications import service
from storyboard.pagination import paginate

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
    check_one_button()
    service.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.inbox"))
