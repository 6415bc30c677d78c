"""The curator's form on the next issue."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from storyboard.forms import strip_text


class IntroductionForm(FlaskForm):
    introduction = TextAreaField(
        "Introduction", filters=[strip_text],
        validators=[Length(max=2000, message="Keep the introduction under 2,000 characters.")])
