"""Forms curators use: the review queue's decision note and bulk moves, the old drafts policy,
and the story page's curator panel.

The panel's forms carry and coerce what was sent; whether a move, a lesson or a merge is
allowed is the lifecycle's and curation's to say (they raise a refusal, and the panel shows
the story again with what was typed)."""
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, ValidationError

from storyboard.db_helpers import parse_id
from storyboard.forms import required_text, single_line
from storyboard.models import StoryStatus
from storyboard.stories.lifecycle import NOTE_MAX


class DecisionNoteForm(FlaskForm):
    """A reason for a rejection, or a note asking the nominator for changes."""

    note = TextAreaField(
        "Note to the nominator",
        validators=required_text("Write a note so the nominator knows why.", at_most=2000,
                                 too_long="Keep the note under 2,000 characters."),
    )


class SelectedStoriesField(Field):
    """The numbers of the stories ticked on the queue, each once, in the order sent."""

    def process_formdata(self, valuelist) -> None:
        ids = [parse_id(text) for text in valuelist]
        self.data = list(dict.fromkeys(story_id for story_id in ids if story_id is not None))
        if None in ids:
            raise ValueError("One of the ticked stories is not valid. Reload the page and try again.")


class BulkForm(FlaskForm):
    """Publish or reject the stories ticked on the waiting tab, rejecting with one reason."""

    story = SelectedStoriesField(default=list)
    action = StringField(validators=[AnyOf(["publish", "reject"],
                                           message="Choose Publish selected or Reject selected.")])
    reason = TextAreaField("Reason, to reject them (each nominator reads it; at most 2,000 characters)")

    @property
    def most(self) -> int:
        # One page of the queue: what a curator can see and tick at once.
        return current_app.config["QUEUE_PAGE_SIZE"]

    def validate_story(self, field) -> None:
        if field.process_errors:
            return
        if not field.data:
            raise ValidationError("Tick the stories to publish or reject first.")
        if len(field.data) > self.most:
            raise ValidationError(f"Choose at most {self.most} stories at a time.")

    def validate_reason(self, field) -> None:
        if self.action.data != "reject":
            return  # publishing needs no reason, and keeps none
        if not (field.data or "").strip():
            raise ValidationError("Write a reason so each nominator knows why.")
        if len(field.data) > NOTE_MAX:
            raise ValidationError(f"Keep the reason under {NOTE_MAX:,} characters.")


class DraftTitlesForm(FlaskForm):
    """Show old drafts' titles and writers on the queue, or hide them (the default)."""

    show = StringField(validators=[AnyOf(["yes", "no"], message="Choose to show or to hide the titles.")])


class YesField(BooleanField):
    """True only when the form says "yes": the panel's hidden inputs and its confirmation box
    send yes or no, and anything else is no."""

    def process_formdata(self, valuelist) -> None:
        self.data = bool(valuelist) and valuelist[0] == "yes"


class MoveForm(FlaskForm):
    """Move a story to another status, with a note to its nominator when one is needed."""

    to = SelectField(choices=[status.value for status in StoryStatus], validate_choice=False,
                     validators=[AnyOf([status.value for status in StoryStatus],
                                       message="Choose a status to move the story to.")])
    note = TextAreaField("Note to the nominator")
    confirm_personal_data = YesField("I have read the flagged details: publish the story with them")


class PinForm(FlaskForm):
    pinned = YesField()


class CanonForm(FlaskForm):
    """Into the canon with one line of what to learn from the story, or out of it."""

    in_canon = YesField()
    lesson = StringField("What to learn from it (one line)", filters=[single_line])


class FlagForm(FlaskForm):
    flag = SelectField(choices=["resurface", "legacy"], validate_choice=False,
                       validators=[AnyOf(["resurface", "legacy"], message="Choose resurface or legacy.")])
    value = YesField()


class MergeForm(FlaskForm):
    """The number of the story this one tells again."""

    into = StringField("Same moment as story number", filters=[single_line])


class RedactForm(FlaskForm):
    text = StringField(
        "Text to redact",
        validators=required_text("Say which text to redact.", at_most=2000,
                                 too_long="Redact at most 2,000 characters at a time."),
        filters=[lambda value: value.replace("\r\n", "\n") if value else value],
    )
    confirm = BooleanField(
        "I understand a redaction cannot be undone",
        validators=[DataRequired("Tick the box to confirm: a redaction cannot be undone.")],
    )
