"""The photos page's forms: add a photo with its alt text, and change a photo's alt text."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from storyboard.forms import strip_text
from storyboard.models.photos import ALT_TEXT_MAX

ALT_MISSING = "Describe the photo for people who cannot see it: alt text is what they read instead."
ALT_TOO_LONG = f"Keep the description to {ALT_TEXT_MAX} characters or fewer; the story itself can say more."


def alt_text_field() -> StringField:
    return StringField("Alt text", filters=[strip_text], render_kw={"maxlength": ALT_TEXT_MAX}, validators=[
        DataRequired(ALT_MISSING), Length(max=ALT_TEXT_MAX, message=ALT_TOO_LONG)])


class AddPhotoForm(FlaskForm):
    # The type is read from the file's content (photos/images.py): no `accept` check here, the
    # browser's list of types in the template only helps people pick.
    photo = FileField("Photo", validators=[FileRequired("Choose a photo to add.")],
                      render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"})
    alt_text = alt_text_field()


class AltTextForm(FlaskForm):
    alt_text = alt_text_field()
