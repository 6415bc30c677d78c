"""Invitations: creating a person and the email with which they set a password and sign in,
from the invite form, the admin's resend button and the CSV import. The link it carries is
checked by auth (`auth.set_password`), which owns sign-in tokens."""
from __future__ import annotations

from datetime import date
from email.message import EmailMessage

from flask import current_app

from storyboard import audit, mail
from storyboard.auth.service import INVITE_SALT, make_token
from storyboard.auth.sso import may_use_password
from storyboard.errors import Refused
from storyboard.extensions import db
from storyboard.models import Person
from storyboard.urls import external_url

INVITE_FIELDS = ("email", "name", "job_title", "department", "location", "role", "start_date")


def invite(actor: Person, **fields) -> Person:
    """A new person, to be sent an invitation once the caller has committed."""
    person = Person(**{key: fields[key] for key in INVITE_FIELDS})
    person.email = person.email.strip().lower()
    db.session.add(person)
    db.session.flush()
    audit.record(
        actor, "person.invite", "person", person.id, None,
        {key: _as_recorded(getattr(person, key)) for key in INVITE_FIELDS},
    )
    return person


def _as_recorded(value):
    """A field as the audit log's JSON keeps it: a start date as its ISO text."""
    return value.isoformat() if isinstance(value, date) else value


def record_resent_invitation(actor: Person, person: Person) -> None:
    """Check that an invitation may go again to `person`, and log that it did."""
    if not person.active:
        raise Refused(f"{person.name} is deactivated. Reactivate them before inviting them again.")
    if person.has_password:
        raise Refused(f"{person.name} has already set a password, so there is nothing to resend.")
    audit.record(
        actor, "person.invite", "person", person.id, None, {"email": person.email},
        note="Invitation sent again.",
    )


def build_invitation(person: Person) -> EmailMessage:
    """The email with a link with which a new person sets their password and signs in."""
    # With passwords off (single sign-on), the email says where to sign in instead.
    link = (external_url("auth.set_password", token=make_token(person, INVITE_SALT))
            if may_use_password(person) else None)
    return mail.build_from_templates(
        person.email,
        f"You're invited to {current_app.config['COMPANY_NAME']} Storyboard",
        "invitation",
        person=person,
        link=link,
        sign_in=external_url("auth.login"),
        days=invitation_days(),
    )


def invitation_days() -> int:
    """How many days an invitation link works, for the people reading about it."""
    return max(current_app.config["INVITATION_MAX_AGE"] // 86400, 1)


def send_invitation(person: Person) -> None:
    """Email a link with which a new person sets their password and signs in."""
    mail.send([build_invitation(person)])


def build_invitations(people: list[Person]) -> list[EmailMessage]:
    """The invitation emails of people just created (the CSV import sends them in one go)."""
    return [build_invitation(person) for person in people]
