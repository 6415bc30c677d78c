"""What the story editor's script asks the server (static/js/editor.js): a live preview of the
story's Markdown, and autosaving the writer's draft while they write.

Both are enhancements of the nomination form, which works without them: its Preview button
renders the same Markdown through the same chokepoint (storyboard.markdown.render), and its
"Save draft" button saves through the same path as autosave (service.save_story, after the same
NominationForm validation). The routes join the stories blueprint (`register`, called by
stories/views.py). Autosave answers JSON, so the script can say what happened in its status
line: saved (with the draft's edit address, the first time), not saved yet (what is missing),
or refused (403/409: not the writer's draft any more), after which the script stops trying.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from storyboard.errors import NotPermitted, Refused
from storyboard.extensions import db, limiter
from storyboard.markdown import render
from storyboard.models import Story, StoryStatus
from storyboard.stories import service
from storyboard.stories.forms import NominationForm

# A preview is asked for ~400 ms after typing stops, an autosave ~20 s after: these leave
# room for fast writers and stop a script (or a person) hammering the Markdown renderer.
PREVIEW_RATE_LIMIT = "120 per minute;2000 per hour"
AUTOSAVE_RATE_LIMIT = "20 per minute;600 per hour"

# What an incomplete draft still needs, said the way the status line says it ("Not saved
# yet: add a title."), for a field left empty; any other refusal uses the form's own message.
MISSING = {
    "nominees": "choose who you are nominating",
    "values": "choose the values they showed",
    "title": "add a title",
    "body_md": "write what happened",
    "impact_kind": "choose who felt the difference",
    "impact": "describe the impact",
    "happened_on": "pick the day it happened",
}


def register(bp: Blueprint) -> None:
    """Add the routes to the stories blueprint."""
    bp.add_url_rule("/stories/preview", view_func=preview_markdown, methods=["POST"])
    bp.add_url_rule("/nominate/autosave", view_func=autosave_new, methods=["POST"])
    bp.add_url_rule("/stories/<int:story_id>/autosave", view_func=autosave_draft, methods=["POST"])


def _per_person() -> str:
    return f"editor:{current_user.id}"


class PreviewForm(FlaskForm):
    # The story field itself, so the preview refuses exactly what saving would: over its
    # maximum length (20,000 characters) is a 413 with the form's own message.
    body_md = NominationForm.body_md


@limiter.limit(PREVIEW_RATE_LIMIT, key_func=_per_person)
def preview_markdown():
    """The story's Markdown as the sanitised HTML fragment its page would show."""
    form = PreviewForm()
    text = form.body_md.data or ""
    if not text.strip():
        return _html("")  # nothing typed yet: an empty preview, not the "tell the story" error
    if not form.validate():
        errors = [error for errors in form.errors.values() for error in errors]
        status = 413 if form.body_md.errors else 400
        return _html(errors[0], status)
    return _html(render(text))


def _html(fragment: str, status: int = 200) -> Response:
    # A fragment for the script to put inside the preview section, never a page of its own.
    return Response(str(fragment), status=status, mimetype="text/html")


@limiter.limit(AUTOSAVE_RATE_LIMIT, key_func=_per_person)
def autosave_new():
    """A new nomination's first autosave: creates the draft and says where it now lives."""
    return _autosave(None)


@limiter.limit(AUTOSAVE_RATE_LIMIT, key_func=_per_person)
def autosave_draft(story_id: int):
    """Later autosaves, and autosaves of a draft opened for editing: update that draft."""
    try:
        story = service.get_story_for(current_user, story_id, for_edit=True)
        _check_autosavable(story)
    except Refused as refused:
        db.session.rollback()
        # `stop`: the script stops autosaving this page; its buttons still say what is allowed.
        return _answer(False, str(refused) or "This story cannot be saved automatically.", refused.status,
                       stop=True)
    return _autosave(story)


def _check_autosavable(story: Story) -> None:
    """Only the writer's own draft: a story with HR (or sent back, where every save is a
    revision HR reads) is saved by its buttons, never behind the writer's back."""
    if story.nominator_id != current_user.id:
        raise NotPermitted("Only the writer's own drafts are saved automatically.")
    if story.status != StoryStatus.DRAFT:
        raise Refused("This story is no longer a draft, so it is not saved automatically. "
                      "Use its Save button.")


def _autosave(story: Story | None):
    form = NominationForm()
    if story is not None:
        form.nominator_id = story.nominator_id
    form.values.choices = [SelectChoice(value.id, value.name) for value in value_choices(story)]
    if not form.validate_on_submit():
        return _answer(False, f"Not saved yet: {_first_problem(form)}", 422)
    try:
        story = service.save_story(story, current_user, draft_from(form), submit=False)
        db.session.commit()
    except IntegrityError:
        # Two saves of one story at the same moment both claimed the next revision number.
        db.session.rollback()
        return _answer(False, "Not saved: someone saved this story at the same moment. "
                              "It will be saved again when you next type.", 409)
    return _answer(True, "Draft saved.", 200, story_id=story.id,
                   edit_url=url_for("stories.edit", story_id=story.id),
                   autosave_url=url_for("stories.autosave_draft", story_id=story.id))


def _answer(saved: bool, message: str, status: int, **more):
    return jsonify({"saved": saved, "message": message, **more}), status


def _first_problem(form: NominationForm) -> str:
    """The first thing the form refused, in the form's order, as the status line says it."""
    for name, errors in form.errors.items():
        data = form[name].data if name in form else None
        empty = data is None or (isinstance(data, str | list) and not (data.strip() if isinstance(data, str) else data))
        if name in MISSING and empty:
            return f"{MISSING[name]}."
        return errors[0]
    return "check the form."


def draft_from(form: NominationForm) -> service.StoryDraft:
    """What the validated form holds, as the service takes it: for Save draft, Submit and
    autosave alike."""
    return service.StoryDraft(
        title=form.title.data,
        body_md=form.body_md.data,
        impact_kind=form.impact_kind.data,
        impact=form.impact.data,
        rule_in_the_way=form.rule_in_the_way.data,
        happened_on=form.happened_on.data,
        evidence_quote=form.evidence_quote.data,
        evidence_score=form.evidence_score.data,
        evidence_score_max=form.score_out_of,
        evidence_link=form.evidence_link.data,
        nominee_ids=form.nominees.data,
        value_ids=form.values.data,
    )


def value_choices(story: Story | None):
    """The values a story's form offers: the active ones, and a retired one it already has."""
    values = service.active_values()
    if story is not None:
        values += [value for value in story.values if value not in values]
    return values
