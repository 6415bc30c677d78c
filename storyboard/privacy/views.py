"""Admin pages for a person's data: download everything about them, erase a leaver.

Both are POSTs: an export is audited (who took a copy of someone's data, and when), and
erasing cannot be undone, so it needs a typed confirmation.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from storyboard import audit
from storyboard.auth.roles import admin_required
from storyboard.extensions import db
from storyboard.forms import check_one_button
from storyboard.models import Person, Story
from storyboard.privacy import erasure
from storyboard.privacy.export import person_export
from storyboard.privacy.forms import EraseForm
from storyboard.privacy.visibility import can_see_rule

bp = Blueprint("privacy", __name__, url_prefix="/admin/people")


def _person(person_id: int) -> Person:
    return db.get_or_404(Person, person_id)


@bp.post("/<int:person_id>/export")
@admin_required
def export(person_id: int):
    """Everything about the person as one JSON download."""
    person = _person(person_id)
    check_one_button()
    body = json.dumps(person_export(person), ensure_ascii=False, indent=2)
    audit.record(current_user, "person.export", "person", person.id)
    db.session.commit()
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="storyboard-person-{person.id}.json"',
    })


@bp.get("/<int:person_id>/erase")
@admin_required
def erase_form(person_id: int):
    person = _person(person_id)
    return _render_erase(person, EraseForm(person.email, formdata=None))


def _render_erase(person: Person, form: EraseForm, problem: str | None = None):
    about = erasure.stories_about(person)
    try:
        erasure.check_erasable(current_user, person)
        refused = None
    except erasure.ErasureRefused as why:
        refused = str(why)  # said before the admin types anything
    return render_template(
        "admin/erase.html", person=person, form=form, problem=problem or refused, refused=refused,
        stories_about=len(about), only_about=len(erasure.only_about(person)),
        stories_told=db.session.scalar(select(func.count()).where(Story.nominator_id == person.id)),
    )


@bp.post("/<int:person_id>/erase")
@admin_required
def erase(person_id: int):
    person = _person(person_id)
    form = EraseForm(person.email)
    if not form.validate_on_submit():
        return _render_erase(person, form), 400
    try:
        done = erasure.erase(current_user, person, erasure.StoryChoice(form.stories.data))
    except erasure.ErasureRefused as refused:
        db.session.rollback()
        return _render_erase(_person(person_id), form, str(refused)), 409
    db.session.commit()
    removed = f", {done.removed} removed" if done.removed else ""
    flash(
        f"Erased the account. {done.stories_about} stories were about them{removed}; "
        f"{done.records} records no longer hold their name or email.", "success",
    )
    return redirect(url_for("admin.person", person_id=person.id))


@bp.app_template_global()
def is_erased(person: Person) -> bool:
    return erasure.is_erased(person)


@bp.app_template_global("can_see_rule")
def can_see_rule_in_the_way(story: Story) -> bool:
    """Whether the signed-in person may read the story's "rule that got in the way"."""
    return can_see_rule(current_user, story)
