"""The digest's schedule (day, time and time zone of the cut) as admins change it at /admin/digest.

Like service.py, functions here add to the session and never commit: the view commits, so a
setting and its audit entry are saved together or not at all.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from flask import current_app

from storyboard import audit
from storyboard.clock import utcnow
from storyboard.digest.issues import coming_cut
from storyboard.digest.preview import carry_over
from storyboard.digest.selection import issue_key_for
from storyboard.digest.views import local_cut
from storyboard.models import Person
from storyboard.settings import clear_setting, is_stored, set_setting, setting

# Each setting of the schedule by the name of its form field.
KEYS = {"day": "DIGEST_CUT_DAY", "time": "DIGEST_CUT_TIME", "timezone": "DIGEST_TIMEZONE"}
LABELS = {"day": "day", "time": "time", "timezone": "time zone"}
ACTION = "settings.digest_schedule"
ENTITY_TYPE = "setting"
# Settings have a text key, not a number: 0 names no row, and before/after name the keys.
ENTITY_ID = 0


def normal(key: str, value: str) -> str:
    """A schedule setting as the form holds it: "monday", "07:00", "Europe/London"."""
    if key == "DIGEST_CUT_DAY":
        return value.lower()
    if key == "DIGEST_CUT_TIME":
        return time.fromisoformat(value).strftime("%H:%M")  # the environment may say "07:00:00"
    return value


def environment(key: str) -> str:
    return normal(key, current_app.config[key])


@dataclass
class ScheduleSetting:
    """One setting of the schedule: the value in use, and where it comes from."""

    name: str  # the form field's
    value: str
    stored: bool  # set at /admin/digest, rather than the environment's
    environment: str

    @property
    def label(self) -> str:
        return LABELS[self.name]

    def shown(self, value: str) -> str:
        return value.capitalize() if self.name == "day" else value

    @property
    def source(self) -> str:
        """The value in use and where it comes from, e.g. "In use: Monday, from the environment."."""
        where = (f"set here (the environment says {self.shown(self.environment)})" if self.stored
                 else "from the environment")
        return f"In use: {self.shown(self.value)}, {where}."


def current() -> list[ScheduleSetting]:
    """The day, time and time zone the digest is cut at, each with where it comes from."""
    return [ScheduleSetting(name, normal(key, setting(key)), is_stored(key), environment(key))
            for name, key in KEYS.items()]


def in_use() -> dict[str, str]:
    """The values in use, by form field, to fill the form with."""
    return {item.name: item.value for item in current()}


def save(actor: Person, wanted: dict[str, str]) -> bool:
    """Store each setting in `wanted` (by form field, validated) that differs from the one in
    use; returns whether anything changed. One that already matches stays where it comes
    from, so saving the form unchanged does not pin the environment's values."""
    before = in_use()
    changed = [name for name in KEYS if wanted[name] != before[name]]
    if not changed:
        return False
    coming = _coming_key()
    for name in changed:
        set_setting(KEYS[name], wanted[name])
    carry_over(coming, _coming_key())
    audit.record(actor, ACTION, ENTITY_TYPE, ENTITY_ID,
                 {KEYS[name]: before[name] for name in changed},
                 {KEYS[name]: wanted[name] for name in changed})
    return True


def reset(actor: Person, name: str) -> bool:
    """Drop the stored value of one setting (by form field), so the environment's holds
    again; returns whether there was one."""
    key = KEYS[name]
    if not is_stored(key):
        return False
    before = normal(key, setting(key))
    coming = _coming_key()
    clear_setting(key)
    carry_over(coming, _coming_key())
    audit.record(actor, ACTION, ENTITY_TYPE, ENTITY_ID, {key: before}, {key: environment(key)},
                 note="Back to the environment's value.")
    return True


def _coming_key() -> str:
    return issue_key_for(coming_cut(utcnow()))


def next_cut_text(now: datetime) -> str:
    """When the next issue is cut, in the digest's time zone, for people to read."""
    return f"{local_cut(coming_cut(now))} ({setting('DIGEST_TIMEZONE')})"
