"""Settings an admin may change in the app: a stored value wins, else the environment's holds.

Only the keys in `STORABLE` can be stored: the rest of the configuration (secrets, database
and mail servers) stays the environment's alone. Callers validate values; this module only
stores and reads them.
"""
from __future__ import annotations

from flask import current_app, g, has_request_context, request
from sqlalchemy import delete, select, update

from storyboard.db_helpers import insert_if_absent
from storyboard.extensions import db
from storyboard.models import AppSetting

STORABLE = frozenset({"DIGEST_CUT_DAY", "DIGEST_CUT_TIME", "DIGEST_TIMEZONE", "QUEUE_SHOW_DRAFT_TITLES"})
_CACHE = "_stored_settings"


def _check(key: str) -> None:
    if key not in STORABLE:
        raise KeyError(f"{key} is not a setting the app may store")


def _stored() -> dict[str, str]:
    """Every stored setting. Read once per request, so a page showing many dates in the digest's
    time zone asks once; outside requests (the scheduler's tick, the CLI, a shell) it is read
    afresh each time, so a long-running process follows a change at once."""
    if not has_request_context():
        return _load()
    # Tagged with the request itself: a test client's requests can share one app context (and
    # so one `g`), and a later request must not see an earlier one's values.
    current = request._get_current_object()
    cached = g.get(_CACHE)
    if cached is None or cached[0] is not current:
        cached = (current, _load())
        setattr(g, _CACHE, cached)
    return cached[1]


def _load() -> dict[str, str]:
    return dict(db.session.execute(select(AppSetting.key, AppSetting.value)).all())


def _forget() -> None:
    # Dropped rather than updated: if the caller rolls back, the next read sees what was kept.
    g.pop(_CACHE, None)


def setting(key: str) -> str:
    """The stored value of `key`, or the environment's (app config) when none is stored."""
    _check(key)
    stored = _stored().get(key)
    return stored if stored is not None else current_app.config[key]


def is_stored(key: str) -> bool:
    """Whether `key` has a stored value, rather than the environment's."""
    _check(key)
    return key in _stored()


def set_setting(key: str, value: str) -> None:
    """Store `value` for `key` (validated by the caller); the caller commits."""
    _check(key)
    # Insert-or-update in statements, not a loaded row: two admins saving at once must not
    # both try to insert the key.
    if not insert_if_absent(AppSetting.__table__, {"key": key, "value": value}):
        db.session.execute(update(AppSetting).where(AppSetting.key == key).values(value=value))
    _forget()


def clear_setting(key: str) -> None:
    """Drop the stored value of `key`, so the environment's holds again; the caller commits."""
    _check(key)
    db.session.execute(delete(AppSetting).where(AppSetting.key == key))
    _forget()
