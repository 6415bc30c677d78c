"""Roles: who may do what, checked on the server (view decorators), the choices people are
offered, and the rule that an organisation always keeps an active admin."""
from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from storyboard.errors import Refused
from storyboard.extensions import db
from storyboard.models import Person, Role

ROLES = tuple(role.value for role in Role)
ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


def role_required(allowed: Callable[[Person], bool]):
    """Let through signed-in people for whom `allowed(person)` holds; 403 for everyone else."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


curator_required = role_required(lambda person: person.is_curator)
admin_required = role_required(lambda person: person.is_admin)


def leaves_no_admin(admins_before: int, admins_after: int) -> bool:
    """The last-admin rule: a change may not take the last active admin away. (With none to
    begin with, as on a fresh install, there is nothing to keep.)"""
    return admins_before > 0 and admins_after == 0


def keep_an_admin(person: Person, change: str) -> None:
    """Refuse `change` (demoting or deactivating `person`) if it would leave no active admin.

    The active admins' rows are locked while they are counted, so on PostgreSQL two admins
    demoting each other at once take turns and the second sees the first one's change."""
    if person.role != Role.ADMIN or not person.active:
        return
    admins = db.session.scalars(
        select(Person.id).where(Person.role == Role.ADMIN.value, Person.active).with_for_update()
    ).all()
    if leaves_no_admin(len(admins), len(set(admins) - {person.id})):
        raise Refused(
            f"{person.name} is the last active admin, so they cannot be {change}. "
            "Make someone else an admin first."
        )
