"""The erasure form: what happens to the stories about the person, and a typed confirmation."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, ValidationError

from storyboard.forms import required_text
from storyboard.privacy.erasure import ERASED_NAME, StoryChoice


class EraseForm(FlaskForm):
    stories = RadioField(
        "The stories about them",
        choices=[
            SelectChoice(StoryChoice.KEEP.value, f"Keep them, with their name replaced by “{ERASED_NAME}”"),
            SelectChoice(StoryChoice.REMOVE.value, "Remove the stories only about them (stories also "
                         "about others are kept, with their name replaced)"),
        ],
        validators=[DataRequired("Choose what happens to the stories about them.")],
    )
    confirm = StringField(
        "Type their email address to confirm",
        validators=required_text("Type their email address to confirm.", at_most=254),
    )

    def __init__(self, expected_email: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected_email = expected_email

    def validate_confirm(self, field) -> None:
        if (field.data or "").strip().casefold() != self.expected_email.casefold():
            raise ValidationError("That is not their email address; nothing was erased.")
