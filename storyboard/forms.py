"""Form pieces shared by several features."""
from flask import abort
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, SubmitField, widgets
from wtforms.validators import DataRequired, Email, Length

from storyboard.text import one_line


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes, so it works without JavaScript."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def required_text(missing: str, *, at_most: int, too_long: str | None = None) -> list:
    """Validators of text people must give, at most `at_most` characters long; each message
    says what to do (`too_long` left out: WTForms' own, for fields nobody fills that far)."""
    return [DataRequired(missing), Length(max=at_most, message=too_long)]


def email_address(missing: str = "Enter your email address.") -> list:
    """Validators of an email address: given, shaped like one (no DNS lookup: an intranet's
    addresses need not resolve from here), and within the 254 characters SMTP allows."""
    return [DataRequired(missing), Email("Enter a valid email address.", check_deliverability=False),
            Length(max=254)]


def strip_text(value: str | None) -> str:
    """Field filter: surrounding spaces removed, and a field missing from the form is ''."""
    return value.strip() if isinstance(value, str) else ""


def single_line(value: str | None) -> str:
    """Field filter for one-line fields (titles, names): line breaks, tabs and control
    characters become spaces, runs of spaces one, ends trimmed. They end up in email subjects."""
    return one_line(value) if isinstance(value, str) else ""


def form_status(form) -> int:
    """HTTP status for showing a form: 200 when first shown, 400 when sent back with errors."""
    return 400 if form.is_submitted() else 200


class QueryForm(FlaskForm):
    """Filters above a list, read from the query string: a GET search changes nothing, so it
    carries no CSRF token and its links can be shared."""

    class Meta:
        csrf = False


def filter_text(label: str, at_most: int, too_long: str) -> StringField:
    """A free-text filter: trimmed, and refused with `too_long` past `at_most` characters."""
    return StringField(label, filters=[strip_text], validators=[Length(max=at_most, message=too_long)])


class EmptyForm(FlaskForm):
    """A form with only a CSRF token, for one-button POST actions."""

    submit = SubmitField("Submit")


def check_one_button() -> None:
    """Check a one-button form's CSRF token; Flask-WTF has already refused a forged one, so
    what is left is a form that expired with the session."""
    if not EmptyForm().validate_on_submit():
        abort(400, "Your form expired. Reload the page and try again.")
