"""The people directory, profiles, and inviting new people."""
from __future__ import annotations

import smtplib

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from storyboard.auth.roles import admin_required
from storyboard.extensions import db
from storyboard.forms import form_status
from storyboard.fragments import conditional_page
from storyboard.models import Person, Story, story_nominees
from storyboard.pagination import paginate
from storyboard.people import import_views, invitations, service
from storyboard.people.forms import InviteForm
from storyboard.stories.nominees import search_people
from storyboard.stories.service import published_stories

bp = Blueprint("people", __name__, url_prefix="/people")

PROFILE_STORIES = 10


@bp.get("/")
def directory():
    query = request.args.get("q", "").strip()[:100]
    department = request.args.get("department", "").strip()[:120] or None
    page = paginate(service.directory(query, department), current_app.config["DIRECTORY_PAGE_SIZE"])
    return render_template(
        "people/directory.html",
        page=page,
        query=query,
        department=department,
        departments=service.departments(),
    )


@bp.get("/lookup")
def lookup():
    """Colleagues matching `q`, as JSON, for the nomination form's live search."""
    query = request.args.get("q", "").strip()[:100]
    people = search_people(query, current_app.config["NOMINEE_SEARCH_LIMIT"])
    return jsonify([
        {"id": p.id, "name": p.name, "job_title": p.job_title, "department": p.department, "email": p.email}
        for p in people
    ])


@bp.get("/<int:person_id>")
@conditional_page
def profile(person_id: int):
    person = db.get_or_404(Person, person_id)
    # IN over the person's own rows lets the database start from their few stories, where
    # nominees.any() made SQLite walk every published story.
    about = published_stories(joined=True, few=True).where(
        Story.id.in_(select(story_nominees.c.story_id).where(story_nominees.c.person_id == person.id))
    )
    written = published_stories(joined=True).where(Story.nominator_id == person.id)
    return render_template(
        "people/profile.html",
        person=person,
        about=db.session.scalars(about.limit(PROFILE_STORIES)).unique().all(),
        written=db.session.scalars(written.limit(PROFILE_STORIES)).unique().all(),
        values=service.values_recognised(person),
        reports=service.active_reports(person),
    )


@bp.route("/invite", methods=["GET", "POST"])
@admin_required
def invite():
    form = InviteForm()
    if not form.validate_on_submit():
        return render_template("people/invite.html", form=form), form_status(form)
    person = invitations.invite(
        current_user, **{name: form[name].data for name in invitations.INVITE_FIELDS}
    )
    db.session.commit()
    try:
        invitations.send_invitation(person)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Invitation email to %s failed", person.email)
        flash(
            f"{person.name}'s account is created, but the invitation email could not be sent. "
            "Resend it from their admin page once mail works again.",
            "error",
        )
        return redirect(url_for("admin.person", person_id=person.id))
    days = invitations.invitation_days()
    flash(f"{person.name} has been invited; the link works for {days} days.", "success")
    return redirect(url_for("people.profile", person_id=person.id))


import_views.register(bp)  # the admins' CSV import page, /people/import
