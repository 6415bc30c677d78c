"""Curation on the web: the review queue (publish, reject or send back submitted stories; its
tabs and bulk moves are in shelves.py), and the curator panel on any story page (move it, pin
it, the canon, flags, merge, redaction)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_login import current_user

from storyboard import pii
from storyboard.auth.roles import curator_required
from storyboard.curation import merge as merging
from storyboard.curation import redaction, service
from storyboard.curation.blueprint import bp, queue_args
from storyboard.curation.forms import (
    CanonForm,
    DecisionNoteForm,
    FlagForm,
    MergeForm,
    MoveForm,
    PinForm,
    RedactForm,
)
from storyboard.curation.shelves import render_waiting
from storyboard.db_helpers import parse_id
from storyboard.extensions import db
from storyboard.forms import check_one_button
from storyboard.models import Story, StoryStatus
from storyboard.stories import lifecycle
from storyboard.stories.forms import ThankYouForm
from storyboard.stories.views import render_story

__all__ = ["bp"]


@bp.get("/")
@curator_required
def queue():
    return render_waiting(DecisionNoteForm())


def _story(story_id: int) -> Story:
    return db.get_or_404(Story, story_id)


def _apply(change, story: Story, *args) -> None:
    # `seen`: what the page the curator decided on showed of the story (lifecycle.seen_token).
    change(story, current_user, *args, seen=request.form.get("seen"))
    db.session.commit()


@bp.post("/<int:story_id>/publish")
@curator_required
def publish(story_id: int):
    story = _story(story_id)
    check_one_button()
    try:
        _apply(lifecycle.publish, story, request.form.get(pii.CONFIRM_FIELD) == "yes")
    except pii.NeedsConfirmation as needed:
        # The queue again, this story asking for the box to be ticked.
        db.session.rollback()
        return render_waiting(DecisionNoteForm(formdata=None), confirm_story_id=story.id,
                              confirm_message=str(needed)), 409
    flash(f"Published “{story.title}”.", "success")
    return redirect(url_for("curation.queue", **queue_args()))


@bp.post("/<int:story_id>/reject", endpoint="reject", defaults={"rejected": True})
@bp.post("/<int:story_id>/request-changes", endpoint="request_changes", defaults={"rejected": False})
@curator_required
def decide_with_a_note(story_id: int, rejected: bool):
    """Reject a story, or send it back for changes; a missing note shows the queue again with
    the note box open on that story."""
    story = _story(story_id)
    form = DecisionNoteForm()
    if not form.validate_on_submit():
        return render_waiting(form, failed_story_id=story.id), 400
    try:
        _apply(lifecycle.reject if rejected else lifecycle.request_changes, story, form.note.data.strip())
    except lifecycle.ChangedSinceSeen as changed:
        # The queue again, showing the story as it is now, with the note as typed.
        db.session.rollback()
        form.note.errors = [str(changed)]
        return render_waiting(form, failed_story_id=story.id), 409
    if rejected:
        flash(f"Rejected “{story.title}”; the nominator can see why.", "success")
    else:
        flash(f"Sent “{story.title}” back to the nominator for changes.", "success")
    return redirect(url_for("curation.queue", **queue_args()))


# The curator panel on a story page.


@bp.app_template_global()
def allowed_moves(story: Story) -> list[StoryStatus]:
    """The moves the curator panel offers. Curators never submit: a draft is its author's until
    they submit it themselves."""
    allowed = lifecycle.ALLOWED_TRANSITIONS[StoryStatus(story.status)] - {StoryStatus.SUBMITTED}
    return sorted(allowed, key=list(StoryStatus).index)


@bp.app_template_global()
def decision_seen(story: Story) -> str:
    """The `seen` value decision forms carry, so a decision on a story that moved since is refused."""
    return lifecycle.seen_token(story)


@bp.app_template_global()
def move_label(story: Story, target: StoryStatus) -> str:
    """The panel button's label for moving `story` to `target`."""
    return "Restore" if story.status == StoryStatus.ARCHIVED.value else service.MOVE_LABELS[target.value]


@bp.app_template_global()
def personal_data_in(story: Story) -> list[pii.StoryFinding]:
    """Likely personal data in a story, for the review queue and the panel."""
    return pii.story_findings(story)


def _panel_form(form_class, story_id: int):
    """The story a panel form acts on, and the form; a 400 if the form expired."""
    story = _story(story_id)
    form = form_class()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors or not form.errors:
            abort(400, "Your form expired. Reload the page and try again.")
        abort(400, next(iter(form.errors.values()))[0])
    return story, form


def _panel_again(story: Story, form: str, message: str, status: int, confirm: bool = False):
    """The story page again, its curator panel showing what stopped `form` (move, canon or
    merge) with what was typed, and asking to confirm publishing with findings when `confirm`."""
    db.session.rollback()
    g.panel_problem = {"story_id": story.id, "form": form, "message": message, "confirm": confirm}
    return render_story(story, ThankYouForm(formdata=None)), status


def _done(story: Story, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("stories.show", story_id=story.id))


@bp.post("/<int:story_id>/move")
@curator_required
def move(story_id: int):
    """Move a story to the status named in `to`; the transition table decides."""
    story, form = _panel_form(MoveForm, story_id)
    target = StoryStatus(form.to.data)
    try:
        lifecycle.transition(story, target, current_user, note=form.note.data,
                             personal_data_confirmed=form.confirm_personal_data.data,
                             seen=request.form.get("seen"))
    except lifecycle.ChangedSinceSeen as changed:  # the page shows the story as it is now
        return _panel_again(story, "move", str(changed), 409)
    except pii.NeedsConfirmation as needed:
        return _panel_again(story, "move", str(needed), 409, confirm=True)
    except lifecycle.NoteRefused as refused:  # a note missing or too long: keep what was typed
        return _panel_again(story, "move", str(refused), 400)
    return _done(story, f"The story is now {target.label}.")


@bp.post("/<int:story_id>/pin")
@curator_required
def pin(story_id: int):
    story, form = _panel_form(PinForm, story_id)
    service.set_pinned(story, current_user, form.pinned.data)
    return _done(story, "Pinned for the next digest." if form.pinned.data else "Unpinned.")


@bp.post("/<int:story_id>/canon")
@curator_required
def canon(story_id: int):
    story, form = _panel_form(CanonForm, story_id)
    try:
        service.set_canon(story, current_user, form.in_canon.data, form.lesson.data)
    except service.CurationRefused as refused:  # no lesson, or too long: keep what was typed
        return _panel_again(story, "canon", str(refused), 409)
    return _done(story, "Added to the canon." if form.in_canon.data else "Taken out of the canon.")


@bp.post("/<int:story_id>/flags")
@curator_required
def flags(story_id: int):
    story, form = _panel_form(FlagForm, story_id)
    service.set_flag(story, current_user, form.flag.data, form.value.data)
    return _done(story, f"{form.flag.data.capitalize()} is now {'on' if form.value.data else 'off'}.")


@bp.post("/<int:story_id>/merge")
@curator_required
def merge(story_id: int):
    """Merge this story into the one whose number is given in `into`."""
    duplicate, form = _panel_form(MergeForm, story_id)
    survivor_id = parse_id(form.into.data)
    if survivor_id is None:
        return _panel_again(duplicate, "merge", "Give the number of the story to merge into, for example 42.", 400)
    survivor = db.session.get(Story, survivor_id)
    if survivor is None:
        return _panel_again(duplicate, "merge", f"There is no story number {survivor_id}.", 400)
    try:
        merging.merge(duplicate, survivor, current_user)
    except service.CurationRefused as refused:
        return _panel_again(duplicate, "merge", str(refused), 409)
    db.session.commit()
    flash(f"Merged into “{survivor.title}”.", "success")
    return redirect(url_for("stories.show", story_id=survivor.id))


# Redaction.


@bp.post("/<int:story_id>/redact")
@curator_required
def redact(story_id: int):
    story = db.get_or_404(Story, story_id)
    form = RedactForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, "Your form expired. Reload the page and try again.")
        return _redact_again(story, form)
    done = redaction.redact(story, form.text.data, current_user)
    db.session.commit()
    flash(_redacted_message(story, len(form.text.data), done), "success")
    if story.status == StoryStatus.SUBMITTED:
        return redirect(url_for("curation.queue", _anchor=f"story-{story.id}"))
    return redirect(url_for("stories.show", story_id=story.id))


def _redact_again(story: Story, form: RedactForm):
    """The story page again, the redaction form that was sent showing what stopped it, with the
    text kept (curation/_personal_data.html finds the form by its text). The story page, not
    the queue: it shows this story whatever page of the queue the curator was on."""
    field = "text" if form.text.errors else "confirm"
    g.redact_problem = {
        "story_id": story.id, "text": form.text.data or "", "message": form.errors[field][0],
        "field_id": "redact" if field == "text" else "redact-confirm", "confirmed": bool(form.confirm.data),
    }
    return render_story(story, ThankYouForm(formdata=None)), 400


def _redacted_message(story: Story, length: int, done: redaction.Redacted) -> str:
    if not done.in_story:
        records = "1 record" if done.records == 1 else f"{done.records} records"
        return f"Redacted {length} characters from the history of “{story.title}” ({records})."
    times = "once" if done.in_story == 1 else f"{done.in_story} times"
    return f"Redacted {length} characters ({times}) from “{story.title}” and its history."
