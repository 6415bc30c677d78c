"""Forms for managing people."""
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from storyboard.auth.service import find_by_email
from storyboard.models import Role


class InviteForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter their work email address."),
            Email("Enter a valid email address.", check_deliverability=False),
            Length(max=254),
        ],
    )
    name = StringField("Name", validators=[DataRequired("Enter their name."), Length(max=120)])
    job_title = StringField("Job title", validators=[Length(max=120)])
    department = StringField("Department", validators=[Length(max=120)])
    location = StringField("Location", validators=[Length(max=120)])
    role = SelectField(
        "Role",
        choices=[(Role.STAFF.value, "Staff"), (Role.CURATOR.value, "Curator (HR)"), (Role.ADMIN.value, "Admin")],
        default=Role.STAFF.value,
    )

    def validate_email(self, field) -> None:
        if find_by_email(field.data) is not None:
            raise ValidationError("Someone with that email address already has an account.")
