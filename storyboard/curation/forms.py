"""Forms curators use on the review queue."""
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class DecisionNoteForm(FlaskForm):
    """A reason for a rejection, or a note asking the nominator for changes."""

    note = TextAreaField(
        "Note to the nominator",
        validators=[
            DataRequired("Write a note so the nominator knows why."),
            Length(max=2000, message="Keep the note under 2,000 characters."),
        ],
    )
