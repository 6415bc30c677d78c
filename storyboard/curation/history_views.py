"""A story's history: its revisions, any two compared, and redaction, which rewrites that history."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from storyboard.auth.roles import curator_required
from storyboard.curation import pii, redaction, revisions
from storyboard.db_helpers import parse_id
from storyboard.extensions import db
from storyboard.models import Story, StoryRevision, StoryStatus
from storyboard.stories.service import get_story_for

bp = Blueprint("history", __name__)


def _story_with_history(story_id: int) -> Story:
    """A story whose history the current person may see; 404 for everyone else."""
    story = get_story_for(current_user, story_id)
    if not revisions.can_see_history(current_user, story):
        abort(404)
    return story


@bp.get("/stories/<int:story_id>/revisions")
def revisions_list(story_id: int):
    story = _story_with_history(story_id)
    return render_template(
        "curation/revisions.html", story=story, revisions=revisions.revisions_of(story)
    )


def _revision_arg(story: Story, name: str) -> StoryRevision:
    raw = request.args.get(name, "").strip()
    if not raw:
        abort(400, "Choose two revisions to compare.")
    number = parse_id(raw)
    if number is None:
        abort(400, f"“{raw[:20]}” is not a revision number.")
    revision = revisions.find_revision(story, number)
    if revision is None:
        abort(400, f"This story has no revision {number}.")
    return revision


def _latest_change(story: Story) -> tuple[StoryRevision, StoryRevision]:
    """With no revisions chosen, the latest save against the one before it."""
    latest = revisions.revisions_of(story)[:2]
    if not latest:
        abort(400, "This story has no revisions to compare yet.")
    return latest[-1], latest[0]


@bp.get("/stories/<int:story_id>/revisions/compare")
def compare(story_id: int):
    story = _story_with_history(story_id)
    if "a" not in request.args and "b" not in request.args:
        old, new = _latest_change(story)
    else:
        old, new = _revision_arg(story, "a"), _revision_arg(story, "b")
    return render_template(
        "curation/compare.html", story=story, old=old, new=new, diffs=revisions.compare(old, new)
    )


class RedactForm(FlaskForm):
    text = StringField(
        "Text to redact",
        validators=[
            DataRequired("Say which text to redact."),
            Length(max=2000, message="Redact at most 2,000 characters at a time."),
        ],
        filters=[lambda value: value.replace("\r\n", "\n") if value else value],
    )
    confirm = BooleanField(
        "I understand a redaction cannot be undone",
        validators=[DataRequired("Tick the box to confirm: a redaction cannot be undone.")],
    )


@bp.post("/queue/<int:story_id>/redact")
@curator_required
def redact(story_id: int):
    story = db.get_or_404(Story, story_id)
    form = RedactForm()
    if not form.validate_on_submit():
        abort(400, next(iter(form.errors.values()))[0])
    try:
        done = redaction.redact(story, form.text.data, current_user)
    except redaction.RedactionRefused as refused:
        db.session.rollback()
        abort(400, str(refused))
    db.session.commit()
    flash(_redacted_message(story, len(form.text.data), done), "success")
    if story.status == StoryStatus.SUBMITTED:
        return redirect(url_for("curation.queue", _anchor=f"story-{story.id}"))
    return redirect(url_for("stories.show", story_id=story.id))


def _redacted_message(story: Story, length: int, done: redaction.Redacted) -> str:
    if not done.in_story:
        records = "1 record" if done.records == 1 else f"{done.records} records"
        return f"Redacted {length} characters from the history of “{story.title}” ({records})."
    times = "once" if done.in_story == 1 else f"{done.in_story} times"
    return f"Redacted {length} characters ({times}) from “{story.title}” and its history."


@bp.app_template_global()
def personal_data_in(story: Story) -> list[pii.StoryFinding]:
    """Likely personal data in a story, for the review queue."""
    return pii.story_findings(story)
