"""The form that makes a personal access token."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired

from storyboard.forms import required_text, single_line

# Days a new token lives; "" never expires (until revoked).
EXPIRY_CHOICES = [SelectChoice("30", "In 30 days"), SelectChoice("90", "In 90 days"),
                  SelectChoice("365", "In a year"), SelectChoice("", "Never (until revoked)")]


class TokenForm(FlaskForm):
    name = StringField("Name", filters=[single_line], validators=required_text(
        "Name the token after what will use it.", at_most=80, too_long="Keep the name under 80 characters."))
    scope = RadioField("What it may do", choices=[
        SelectChoice("read", "Read: stories, people, values, the canon and digest issues"),
        SelectChoice("write", "Read and write: also create nominations"),
    ], default="read", validators=[DataRequired("Choose read, or read and write.")])
    expires = SelectField("Expires", choices=EXPIRY_CHOICES, default="90")
