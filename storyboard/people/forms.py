"""Forms for managing people."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from storyboard.auth.roles import ROLE_CHOICES
from storyboard.auth.service import find_by_email
from storyboard.forms import email_address, required_text, single_line, strip_text
from storyboard.models import Role


class InviteForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[strip_text],
        validators=email_address("Enter their work email address."),
    )
    name = StringField("Name", filters=[single_line], validators=required_text("Enter their name.", at_most=120))
    job_title = StringField("Job title", filters=[single_line], validators=[Length(max=120)])
    department = StringField("Department", filters=[single_line], validators=[Length(max=120)])
    location = StringField("Location", filters=[single_line], validators=[Length(max=120)])
    role = SelectField(
        "Role",
        choices=ROLE_CHOICES,
        default=Role.STAFF.value,
    )
    # Optional: with it, a new hire is pointed to the canon's reading path for 90 days.
    start_date = DateField("Start date", validators=[Optional()],
                           format="%Y-%m-%d")

    def validate_email(self, field) -> None:
        if find_by_email(field.data) is not None:
            raise ValidationError("Someone with that email address already has an account.")


class ImportForm(FlaskForm):
    """The people import page: a CSV file and what to do beyond creating and updating people."""

    file = FileField("CSV file", validators=[FileRequired("Choose the CSV file to import.")],
                     render_kw={"accept": ".csv,text/csv"})
    deactivate_missing = BooleanField("Deactivate active people who are not in the file")
    invite = BooleanField("Email an invitation to each new person", default=True)


class ApplyImportForm(FlaskForm):
    """Apply an import's preview; the fingerprint says which preview the admin looked at."""

    fingerprint = HiddenField(validators=[DataRequired("Look at the preview before applying it.")])
