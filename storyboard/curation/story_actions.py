"""Curator actions on any story: move it through the lifecycle, pin it, canon, resurfacing."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_login import current_user

from storyboard.auth.forms import EmptyForm
from storyboard.auth.roles import curator_required
from storyboard.curation import merge as merging
from storyboard.curation import pii, service
from storyboard.db_helpers import parse_id
from storyboard.extensions import db
from storyboard.models import Story, StoryStatus
from storyboard.stories import views as story_views
from storyboard.stories.forms import ThankYouForm
from storyboard.stories.service import get_story_for

bp = Blueprint("curation_actions", __name__, url_prefix="/queue")


def _checked_story(story_id: int) -> Story:
    story = db.get_or_404(Story, story_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "Your form expired. Reload the page and try again.")
    return story


def _done(story: Story, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("stories.show", story_id=story.id))


def _refused(error: Exception):
    db.session.rollback()
    abort(409, str(error))


@bp.post("/<int:story_id>/move")
@curator_required
def move(story_id: int):
    """Move a story to the status named in `to`; the transition table decides."""
    story = _checked_story(story_id)
    try:
        target = StoryStatus(request.form.get("to", ""))
    except ValueError:
        abort(400, "Choose a status to move the story to.")
    confirmed = request.form.get(pii.CONFIRM_FIELD) == "yes"
    try:
        service.transition(story, target, current_user, note=request.form.get("note"),
                           personal_data_confirmed=confirmed)
    except pii.NeedsConfirmation as needed:
        db.session.rollback()
        return _panel_again(story, str(needed), 409, confirm=True)
    except service.TransitionRefused as refused:
        _refused(refused)
    except service.CurationRefused as refused:  # a note missing or too long: keep what was typed
        db.session.rollback()
        return _panel_again(story, str(refused), 400)
    return _done(story, f"The story is now {target.label}.")


def _panel_again(story: Story, message: str, status: int, confirm: bool = False):
    """The story page again, its curator panel showing what stopped the move, with the note as
    typed, and asking to confirm publishing with findings when `confirm`."""
    g.move_problem = {"story_id": story.id, "message": message, "confirm": confirm}  # the panel reads it
    return story_views._render_story(story, ThankYouForm(formdata=None)), status


@bp.post("/<int:story_id>/pin")
@curator_required
def pin(story_id: int):
    story = _checked_story(story_id)
    pinned = request.form.get("pinned") == "yes"
    try:
        service.set_pinned(story, current_user, pinned)
    except service.CurationRefused as refused:
        _refused(refused)
    return _done(story, "Pinned for the next digest." if pinned else "Unpinned.")


@bp.post("/<int:story_id>/canon")
@curator_required
def canon(story_id: int):
    story = _checked_story(story_id)
    in_canon = request.form.get("in_canon") == "yes"
    try:
        service.set_canon(story, current_user, in_canon, request.form.get("lesson"))
    except service.CurationRefused as refused:
        _refused(refused)
    return _done(story, "Added to the canon." if in_canon else "Taken out of the canon.")


@bp.post("/<int:story_id>/flags")
@curator_required
def flags(story_id: int):
    story = _checked_story(story_id)
    flag = request.form.get("flag", "")
    if flag not in ("resurface", "legacy"):
        abort(400, "Choose resurface or legacy.")
    value = request.form.get("value") == "yes"
    service.set_flag(story, current_user, flag, value)
    return _done(story, f"{flag.capitalize()} is now {'on' if value else 'off'}.")


@bp.post("/<int:story_id>/merge")
@curator_required
def merge(story_id: int):
    """Merge this story into the one whose number is given in `into`."""
    duplicate = _checked_story(story_id)
    survivor_id = parse_id(request.form.get("into"))
    if survivor_id is None:
        abort(400, "Give the number of the story to merge into, for example 42.")
    survivor = db.session.get(Story, survivor_id)
    if survivor is None:
        abort(400, f"There is no story number {survivor_id}.")
    try:
        merging.merge(duplicate, survivor, current_user)
    except service.CurationRefused as refused:
        _refused(refused)
    db.session.commit()
    flash(f"Merged into “{survivor.title}”.", "success")
    return redirect(url_for("stories.show", story_id=survivor.id))


nominator_bp = Blueprint("resubmit", __name__)


@nominator_bp.post("/stories/<int:story_id>/submit")
def submit(story_id: int):
    """The nominator submits a draft, or resubmits after HR asked for changes."""
    story = get_story_for(current_user, story_id, for_edit=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        service.submit(story, current_user)
    except service.TransitionRefused as refused:
        _refused(refused)
    return _done(story, "Thank you! Your story is with HR for review.")
