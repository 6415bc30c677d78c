"""The review queue: curators publish, reject or send back submitted stories."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from storyboard.auth.forms import EmptyForm
from storyboard.auth.roles import curator_required
from storyboard.curation import pii, service
from storyboard.curation import queue as waiting
from storyboard.curation.forms import DecisionNoteForm
from storyboard.extensions import db
from storyboard.models import Story
from storyboard.pagination import keyset_paginate
from storyboard.people.service import departments
from storyboard.stories.service import active_values

bp = Blueprint("curation", __name__, url_prefix="/queue")
QUEUE_ARGS = ("department", "value", "age", "after", "before")


@bp.get("/")
@curator_required
def queue():
    return _render_queue(DecisionNoteForm())


def _render_queue(note_form: DecisionNoteForm, failed_story_id: int | None = None,
                  confirm_story_id: int | None = None, confirm_message: str = ""):
    filters = waiting.QueueFilters.from_request(request)
    page = keyset_paginate(waiting.waiting_stories(filters), Story.submitted_at, Story.id,
                           current_app.config["QUEUE_PAGE_SIZE"], descending=False)
    return render_template(
        "curation/queue.html",
        page=page,
        stories=page.items,
        filters=filters,
        total_waiting=waiting.total_waiting(),
        age_choices=waiting.AGE_CHOICES,
        departments=departments(),
        values=active_values(),
        waited_days=waiting.waited_days,
        action_form=EmptyForm(),
        note_form=note_form,
        failed_story_id=failed_story_id,
        confirm_story_id=confirm_story_id,
        confirm_message=confirm_message,
        queue_args=_queue_args(),
    )


def _story(story_id: int) -> Story:
    return db.get_or_404(Story, story_id)


def _apply(change, story: Story, *args) -> None:
    try:
        change(story, current_user, *args)
    except (service.TransitionRefused, service.CurationRefused) as refused:
        db.session.rollback()
        abort(409, str(refused))
    db.session.commit()


@bp.post("/<int:story_id>/publish")
@curator_required
def publish(story_id: int):
    story = _story(story_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        _apply(service.publish, story, request.form.get(pii.CONFIRM_FIELD) == "yes")
    except pii.NeedsConfirmation as needed:
        # The queue again, this story asking for the box to be ticked.
        db.session.rollback()
        return _render_queue(DecisionNoteForm(formdata=None), confirm_story_id=story.id,
                             confirm_message=str(needed)), 409
    flash(f"Published “{story.title}”.", "success")
    return redirect(url_for("curation.queue", **_queue_args()))


@bp.post("/<int:story_id>/reject")
@curator_required
def reject(story_id: int):
    return _with_note(story_id, service.reject, "Rejected “{}”; the nominator can see why.")


@bp.post("/<int:story_id>/request-changes")
@curator_required
def request_changes(story_id: int):
    return _with_note(story_id, service.request_changes, "Sent “{}” back to the nominator for changes.")


def _with_note(story_id: int, change, done: str):
    story = _story(story_id)
    form = DecisionNoteForm()
    if not form.validate_on_submit():
        return _render_queue(form, failed_story_id=story.id), 400
    _apply(change, story, form.note.data.strip())
    flash(done.format(story.title), "success")
    return redirect(url_for("curation.queue", **_queue_args()))


def _queue_args() -> dict[str, str]:
    """The queue's filters and page, carried through its forms so a curator stays where they were."""
    return {name: request.args[name] for name in QUEUE_ARGS if request.args.get(name)}
