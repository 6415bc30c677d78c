"""The insights blueprint and who may see it: curators and admins; managers, for their reports."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from sqlalchemy import exists, select

from storyboard.auth.roles import role_required
from storyboard.extensions import db
from storyboard.models import Person

bp = Blueprint("insights", __name__, url_prefix="/insights")


def manages_anyone(person: Person) -> bool:
    """Whether `person` has at least one active report."""
    return bool(db.session.scalar(
        select(exists().where(Person.manager_id == person.id, Person.active))
    ))


insights_required = role_required(lambda person: person.is_curator)
# Curators see everyone; a manager who is not a curator sees only their own reports.
curator_or_manager_required = role_required(lambda person: person.is_curator or manages_anyone(person))


def sees_everyone() -> bool:
    return bool(current_user.is_authenticated and current_user.is_curator)
