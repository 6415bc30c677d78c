"""Forms for values, people, the digest's schedule and the audit log filters."""
from __future__ import annotations

import re
from datetime import date
from functools import cache
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, Length, ValidationError
from wtforms.widgets import DateInput

from storyboard.admin import schedule, service
from storyboard.auth.roles import ROLE_CHOICES, ROLES
from storyboard.digest.candidates import WEEKDAYS
from storyboard.forms import QueryForm, filter_text, required_text, single_line, strip_text
from storyboard.models import Value

NAME_MAX = 80  # Value.name's column
DESCRIPTION_MAX = 500
NAME_EMPTY = "Enter a name for the value."
NAME_TOO_LONG = f"Keep the name to {NAME_MAX} characters or fewer."
NAME_TAKEN = "A value with that name already exists."
NAME_TAKEN_RETIRED = "A retired value has that name. Restore it instead of creating it again."
DESCRIPTION_TOO_LONG = f"Keep the description to {DESCRIPTION_MAX:,} characters or fewer."

CHOOSE_ROLE = "Choose staff, curator or admin."


def name_taken_message(value: Value) -> str:
    return NAME_TAKEN if value.active else NAME_TAKEN_RETIRED


class ValueForm(FlaskForm):
    """Create a value, or rename one and change its description."""

    name = StringField(
        "Name",
        filters=[single_line],
        validators=required_text(NAME_EMPTY, at_most=NAME_MAX, too_long=NAME_TOO_LONG),
    )
    description = TextAreaField(
        "What it looks like",
        filters=[strip_text],
        validators=[Length(max=DESCRIPTION_MAX, message=DESCRIPTION_TOO_LONG)],
    )

    def __init__(self, *args, editing: Value | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing

    def validate_name(self, field) -> None:
        other = service.value_named(field.data)
        if other is not None and (self.editing is None or other.id != self.editing.id):
            raise ValidationError(name_taken_message(other))


class RoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=ROLE_CHOICES,
        validate_choice=False,  # AnyOf says it in words people understand
        validators=[AnyOf(list(ROLES), message=CHOOSE_ROLE)],
    )


class PeopleFilterForm(QueryForm):
    """The filters above the people list."""

    q = filter_text("Name or email", 100, "Search with at most 100 characters.")
    role = SelectField(
        "Role",
        choices=[SelectChoice("", "Any role"), *ROLE_CHOICES],
        validate_choice=False,
        default="",
        validators=[AnyOf(["", *ROLES], message="Choose a role from the list.")],
    )
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("", "Active and inactive"),
            SelectChoice("active", "Active"),
            SelectChoice("inactive", "Deactivated"),
        ],
        validate_choice=False,
        default="",
        validators=[AnyOf(["", "active", "inactive"], message="Choose active, deactivated or both.")],
    )


CHOOSE_DAY = "Choose a day of the week."
TIME_FORMAT = "Enter a time from 00:00 to 23:59, such as 07:00."
UNKNOWN_ZONE = "Enter a time zone from the list, such as Europe/London."
CHOOSE_SETTING = "Choose the day, the time or the time zone."
# ASCII digits only: \d would take "٠٧:٠٠", which int() reads as 7 o'clock.
HOURS_MINUTES = re.compile(r"([0-9]{1,2}):([0-9]{2})")


@cache
def time_zones() -> dict[str, str]:
    """Every time zone this server knows, by its name case-folded ("europe/london")."""
    return {name.casefold(): name for name in available_timezones()}


def time_zone_names() -> list[str]:
    """Time zone names in order, to suggest in the form."""
    return sorted(time_zones().values())


class DigestScheduleForm(FlaskForm):
    """The day, time and time zone the digest is cut at."""

    day = SelectField(
        "Day",
        choices=[SelectChoice(day, day.capitalize()) for day in WEEKDAYS],
        validate_choice=False,
        validators=[AnyOf(WEEKDAYS, message=CHOOSE_DAY)],
    )
    time = StringField("Time", filters=[strip_text], render_kw={"autocomplete": "off", "size": 5})
    timezone = StringField(
        "Time zone",
        filters=[strip_text],
        render_kw={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"},
    )

    def validate_time(self, field) -> None:
        match = HOURS_MINUTES.fullmatch(field.data)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValidationError(TIME_FORMAT)

    def validate_timezone(self, field) -> None:
        if field.data.casefold() not in time_zones():
            raise ValidationError(UNKNOWN_ZONE)

    def schedule(self) -> dict[str, str]:
        """The validated settings by field, as stored: "thursday", "09:30", "Europe/London"."""
        hours, minutes = HOURS_MINUTES.fullmatch(self.time.data).groups()
        return {
            "day": self.day.data,
            "time": f"{int(hours):02d}:{minutes}",
            "timezone": time_zones()[self.timezone.data.casefold()],
        }


class ResetSettingForm(FlaskForm):
    """One of the schedule's settings to give back to the environment."""

    setting = SelectField(
        choices=list(schedule.KEYS),
        validate_choice=False,
        validators=[AnyOf(list(schedule.KEYS), message=CHOOSE_SETTING)],
    )


def _parse_date(field) -> date | None:
    if not field.data:
        return None
    try:
        return date.fromisoformat(field.data)
    except ValueError:
        raise ValidationError("Enter a date as YYYY-MM-DD, for example 2024-03-31.") from None


class AuditFilterForm(QueryForm):
    """The filters above the audit log."""

    action = filter_text("Action", 40, "An action has at most 40 characters.")
    actor = filter_text("Done by (email)", 254, "An email address has at most 254 characters.")
    entity_type = filter_text("Record type", 20, "A record type has at most 20 characters.")
    entity_id = StringField("Record number", filters=[strip_text])
    since = StringField("From", filters=[strip_text], widget=DateInput())
    until = StringField("To", filters=[strip_text], widget=DateInput())

    def validate_entity_id(self, field) -> None:
        if field.data and not (field.data.isascii() and field.data.isdigit() and len(field.data) < 10):
            raise ValidationError("Enter the record's number, such as 42.")

    def validate_since(self, field) -> None:
        _parse_date(field)

    def validate_until(self, field) -> None:
        until = _parse_date(field)
        since = None
        if self.since.data:
            try:
                since = date.fromisoformat(self.since.data)
            except ValueError:
                return  # reported on the From field
        if since and until and until < since:
            raise ValidationError("The end date is before the start date.")

    def to_filters(self) -> service.AuditFilters:
        """The validated filters, typed."""
        return service.AuditFilters(
            action=self.action.data,
            actor=self.actor.data,
            entity_type=self.entity_type.data,
            entity_id=int(self.entity_id.data) if self.entity_id.data else None,
            since=date.fromisoformat(self.since.data) if self.since.data else None,
            until=date.fromisoformat(self.until.data) if self.until.data else None,
        )
