"""Forms curators use: the review queue's decision note, and the story page's curator panel.

The panel's forms carry and coerce what was sent; whether a move, a lesson or a merge is
allowed is the lifecycle's and curation's to say (they raise a refusal, and the panel shows
the story again with what was typed)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired

from storyboard.forms import required_text, single_line
from storyboard.models import StoryStatus


class DecisionNoteForm(FlaskForm):
    """A reason for a rejection, or a note asking the nominator for changes."""

    note = TextAreaField(
        "Note to the nominator",
        validators=required_text("Write a note so the nominator knows why.", at_most=2000,
                                 too_long="Keep the note under 2,000 characters."),
    )


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
