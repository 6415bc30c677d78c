"""The canon library's filters, and the curators' forms for collections."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length

from storyboard.db_helpers import parse_id
from storyboard.forms import QueryForm, required_text, single_line, strip_text
from storyboard.models import Value


class LibraryFilterForm(QueryForm):
    """Which value and which department; either left empty means all.

    Any value may be asked for, and any department: a link saved when a story was in the
    canon still opens (on an empty list) after it left. Only a value that does not exist is
    refused, since nothing could ever match it.
    """

    value = SelectField("Value", validate_choice=False, filters=[strip_text], default="")
    department = SelectField(
        "Department", validate_choice=False, filters=[strip_text], default="",
        validators=[Length(max=120, message="A department has at most 120 characters.")],
    )

    def __init__(self, values: list[Value], departments: list[str], **kwargs):
        super().__init__(**kwargs)
        self.value.choices = [SelectChoice("", "Any value"), *(SelectChoice(v.slug, v.name) for v in values)]
        self.value.validators = [AnyOf(["", *(v.slug for v in values)], message="Choose a value from the list.")]
        asked = [self.department.data] if self.department.data and self.department.data not in departments else []
        self.department.choices = [SelectChoice("", "Any department"),
                                   *(SelectChoice(d, d) for d in [*departments, *asked])]


class CollectionForm(FlaskForm):
    name = StringField("Name", filters=[single_line], validators=required_text(
        "Give the collection a name.", at_most=120, too_long="A name has at most 120 characters."))
    introduction = TextAreaField(
        "Introduction", filters=[strip_text],
        validators=[Length(max=2000, message="An introduction has at most 2,000 characters.")])
    onboarding = BooleanField("This is the reading path for new hires")


class ScenarioForm(FlaskForm):
    scenario = TextAreaField(
        "Scenario", filters=[strip_text],
        validators=[Length(max=600, message="A scenario has at most 600 characters.")])


def chosen_id(value) -> int | None:
    """A chosen story's id; None for the list's "Choose..." line (sent as "") and for anything
    that is not an id, which the view refuses with its own message."""
    return value if isinstance(value, int) else parse_id(value)


class AddStoryForm(FlaskForm):
    story = SelectField("Canon story", coerce=chosen_id, validate_choice=False,
                        validators=[InputRequired("Choose a canon story to add.")])
    scenario = TextAreaField(
        "Scenario (optional)", filters=[strip_text],
        validators=[Length(max=600, message="A scenario has at most 600 characters.")])
