"""The HR system's changes to people through SCIM: create, replace, patch and deactivate.

People are never deleted here (their stories must stay): DELETE and `active: false` deactivate,
which ends their sessions and sends `people_left` as the admin page and the CSV import do.
Every change is audited with no actor and the note "SCIM: <SCIM_CLIENT_NAME>".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from scim2_models import (
    EnterpriseUser,
    ForbiddenException,
    InvalidFilterException,
    InvalidValueException,
    NotFoundException,
    UniquenessException,
)
from sqlalchemy import func, or_, select

from storyboard import audit, signals
from storyboard.auth import sessions
from storyboard.auth.roles import keep_an_admin
from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import Person
from storyboard.models.people import EXTERNAL_ID_LENGTH, Role
from storyboard.privacy.erasure import is_erased
from storyboard.scim.schema import RequestUser
from storyboard.text import one_line

TEXT_LENGTH = 120  # name, title, department: the columns' length
EMAIL_LENGTH = 254
# The filters an HR system needs to find someone before creating them (RFC 7644 §3.4.2.2).
SUPPORTED_FILTER = re.compile(
    r'\s*(?P<attribute>userName|externalId|id)\s+eq\s+"(?P<value>(?:[^"\\]|\\.)*)"\s*', re.IGNORECASE)
# Erased accounts keep an undeliverable address (privacy.erasure.erased_email); SCIM never
# lists or finds them, so an HR system's old id cannot re-identify the person.
ERASED_EMAIL = "erased-%@erased.invalid"
STAFF_ONLY = ("Storyboard's administrators and curators are managed on Storyboard's own admin pages, "
              "not by provisioning.")
AUDITED = ("email", "name", "job_title", "department", "manager_id", "external_id")


@dataclass
class Fields:
    """The columns a SCIM User sets."""

    email: str
    name: str
    job_title: str
    department: str
    manager_id: int | None
    external_id: str | None
    active: bool | None  # None: not sent (a new person is active; anyone else stays as they are)


def note() -> str:
    return f"SCIM: {current_app.config['SCIM_CLIENT_NAME']}"


def get_person(person_id: int) -> Person:
    """The person with this SCIM id (their id here), or a SCIM 404."""
    person = db.session.get(Person, person_id)
    if person is None or person.deprovisioned_at is not None or is_erased(person):
        raise NotFoundException(detail=f"There is no User with id '{person_id}'.")
    return person


def people_matching(filter_text: str | None):
    """The statement for the Users list, filtered by `userName`, `externalId` or `id` eq."""
    statement = select(Person).where(Person.deprovisioned_at.is_(None), Person.email.not_like(ERASED_EMAIL))
    statement = statement.order_by(Person.id)
    if not filter_text:
        return statement
    match = SUPPORTED_FILTER.fullmatch(filter_text)
    if match is None or "\x00" in filter_text:  # PostgreSQL cannot compare text with NUL
        raise InvalidFilterException(
            detail='Storyboard filters Users by one comparison: userName, externalId or id eq "value".')
    value = re.sub(r"\\(.)", r"\1", match["value"])
    attribute = match["attribute"].lower()
    if attribute == "username":
        return statement.where(func.lower(Person.email) == value.lower())
    if attribute == "externalid":
        return statement.where(Person.external_id == value)
    return statement.where(Person.id == (int(value) if value.isdigit() and len(value) < 10 else -1))


def fields_from(user: RequestUser, person: Person | None) -> Fields:
    """Check a User as sent and turn it into columns, or raise a SCIM 400."""
    email = one_line(user.user_name).lower()
    if len(email) > EMAIL_LENGTH:
        raise InvalidValueException(detail=f"userName is longer than {EMAIL_LENGTH} characters.")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidValueException(detail=f"userName must be an email address: {error}") from None
    name = user.display_name or (user.name.formatted if user.name else None)
    if not name and user.name:
        name = " ".join(part for part in (user.name.given_name, user.name.family_name) if part)
    # Without any name, the address's local part stands in until the HR system sends one.
    name = one_line(name) or email.partition("@")[0]
    enterprise = user[EnterpriseUser]
    values = {"displayName": name, "title": one_line(user.title),
              "department": one_line(enterprise.department if enterprise else None)}
    for attribute, value in values.items():
        if len(value) > TEXT_LENGTH:
            raise InvalidValueException(detail=f"{attribute} is longer than {TEXT_LENGTH} characters.")
    external_id = user.external_id
    if external_id is not None and (len(external_id) > EXTERNAL_ID_LENGTH or one_line(external_id) != external_id
                                    or not external_id):
        raise InvalidValueException(
            detail=f"externalId must be one line of 1 to {EXTERNAL_ID_LENGTH} characters.")
    manager = enterprise.manager if enterprise else None
    manager_id = _manager_id(manager.value if manager else None, person)
    return Fields(email, name, values["title"], values["department"], manager_id, external_id, user.active)


def _manager_id(value: str | None, person: Person | None) -> int | None:
    """The manager a User names by their id here or by the HR system's id (externalId)."""
    if not value:
        return None
    by_id = int(value) if value.isdigit() and len(value) < 10 else None
    manager = db.session.scalars(select(Person).where(
        or_(Person.id == by_id, Person.external_id == value), Person.email.not_like(ERASED_EMAIL),
    ).order_by(Person.external_id == value)).first()
    if manager is None:
        raise InvalidValueException(detail=f"manager {value!r} is no User here (by id or externalId).")
    if person is not None and _manages_up_to(manager, person):
        raise InvalidValueException(detail="A User cannot be managed by themselves or by their own reports.")
    return manager.id


def _manages_up_to(manager: Person, person: Person) -> bool:
    """Whether `person` is `manager` or somewhere above them, which would make a loop."""
    seen, current = set(), manager
    while current is not None and current.id not in seen:
        if current.id == person.id:
            return True
        seen.add(current.id)
        current = current.manager
    return False


def _refuse_duplicates(fields: Fields, person: Person | None) -> None:
    others = select(Person.id).where(Person.id != (person.id if person else -1))
    if db.session.scalar(others.where(func.lower(Person.email) == fields.email).limit(1)) is not None:
        raise UniquenessException(detail=f"Another User already has the userName {fields.email!r}.")
    if fields.external_id and db.session.scalar(
            others.where(Person.external_id == fields.external_id).limit(1)) is not None:
        raise UniquenessException(detail=f"Another User already has the externalId {fields.external_id!r}.")


def create(user: RequestUser) -> Person:
    """A new person from the HR system (staff; an admin gives other roles), or someone it
    deleted before, back with the same id, role and stories. The caller commits."""
    fields = fields_from(user, None)
    returning = db.session.scalars(select(Person).where(
        func.lower(Person.email) == fields.email, Person.deprovisioned_at.is_not(None))).first()
    if returning is not None and not is_erased(returning):
        returning.deprovisioned_at = None
        _back_as_staff(returning)
        audit.record(None, "person.provision", "person", returning.id, None, {"email": returning.email},
                     note=note())
        replace(returning, user)
        if fields.active is None:  # created again: active unless the User says otherwise
            set_active(returning, True)
        return returning
    _refuse_duplicates(fields, None)
    person = Person(email=fields.email, name=fields.name, job_title=fields.job_title,
                    department=fields.department, manager_id=fields.manager_id,
                    external_id=fields.external_id, active=fields.active is not False)
    db.session.add(person)
    db.session.flush()
    audit.record(None, "person.import", "person", person.id, None,
                 {"email": person.email, "role": person.role, "active": person.active}, note=note())
    return person


def deprovision(person: Person) -> None:
    """DELETE: deactivate, and leave SCIM's view (404 from now on); the person and the
    stories about and by them stay. The caller commits."""
    set_active(person, False)
    person.deprovisioned_at = utcnow()
    audit.record(None, "person.deprovision", "person", person.id, None, None, note=note())


def replace(person: Person, user: RequestUser) -> Person:
    """Set everything a User carries (PUT, and PATCH once applied). The caller commits."""
    fields = fields_from(user, person)
    if person.is_curator and fields.email != person.email.lower():
        # A token holder could otherwise point an admin's address at a mailbox they control
        # and take the account over (password reset, SSO email match) or move a break-glass
        # admin out of BREAK_GLASS_EMAILS.
        raise ForbiddenException(detail=f"userName cannot change here. {STAFF_ONLY}")
    _refuse_duplicates(fields, person)
    before = {name: getattr(person, name) for name in AUDITED}
    after = {name: getattr(fields, name) for name in AUDITED}
    changed = [name for name in AUDITED if before[name] != after[name]]
    renamed = person.name != fields.name
    for name in changed:
        setattr(person, name, after[name])
    if changed:
        audit.record(None, "person.update", "person", person.id, {name: before[name] for name in changed},
                     {name: after[name] for name in changed}, note=note())
    if renamed:
        _refresh_search_text(person)
    if fields.active is not None:
        set_active(person, fields.active)
    return person


def _refresh_search_text(person: Person) -> None:
    """Stories about someone renamed are found by their new name."""
    from storyboard.models import Story, story_nominees

    about = select(Story).where(Story.id.in_(
        select(story_nominees.c.story_id).where(story_nominees.c.person_id == person.id)))
    for story in db.session.scalars(about):
        story.refresh_search_text()


def _back_as_staff(person: Person) -> None:
    """Whoever SCIM brings back comes back as staff: a curator's or admin's powers are given
    on Storyboard's admin pages, never by whoever holds the HR system's token."""
    if person.role != Role.STAFF.value:
        audit.record(None, "person.role", "person", person.id, {"role": person.role},
                     {"role": Role.STAFF.value}, note=note())
        person.role = Role.STAFF.value


def set_active(person: Person, active: bool) -> None:
    """Deactivate (sessions end, `people_left` is sent) or reactivate someone.

    Decision: SCIM may deactivate curators and admins, since a leaver must lose access and
    that is the point of HR sync (except the last active admin: 409). It never changes their
    userName, and brings anyone back only as staff.
    """
    if person.active == active:
        return
    if not active:
        keep_an_admin(person, "deactivated")
    else:
        _back_as_staff(person)
    person.active = active
    sessions.end_all(person)  # a leaver is out now; a returner signs in afresh
    action = "person.reactivate" if active else "person.deactivate"
    audit.record(None, action, "person", person.id, {"active": not active}, {"active": active}, note=note())
    if not active:
        signals.people_left.send(None, person_ids=[person.id])
