"""The canon library's filters."""
from __future__ import annotations

from wtforms import SelectChoice, SelectField
from wtforms.validators import AnyOf, Length

from storyboard.forms import QueryForm, strip_text
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
