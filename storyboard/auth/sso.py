"""Who a single sign-on is for, and who may still use a password.

A sign-in finds its person by the identity linked earlier (provider, subject) first, then by
email among people's accounts, linking the identity on that first use; an address nobody has
becomes a new staff account only for the provider's allowed domains and only when the provider
vouches for the address (`email_verified`).
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from storyboard import audit
from storyboard.auth.oidc import Provider, SignInFailed, providers
from storyboard.auth.service import find_by_email
from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import Person, Role, SSOIdentity
from storyboard.text import one_line

EMAIL_MAX_LENGTH = 254
SUBJECT_MAX_LENGTH = 255  # OpenID Connect Core 2: "It MUST NOT exceed 255 ASCII characters"
NAME_MAX_LENGTH = 120
DEACTIVATED = "Your Storyboard account has been deactivated. Ask an administrator if that is a mistake."


def person_for(provider: Provider, claims: dict) -> Person:
    """The active person these verified ID-token claims sign in, linked or created on the way.
    The caller commits; a refusal raises SignInFailed and leaves nothing to commit."""
    subject = claims["sub"]
    if not isinstance(subject, str) or not 0 < len(subject) <= SUBJECT_MAX_LENGTH:
        raise SignInFailed(f"{provider.label} sent an account id Storyboard cannot keep, so nobody was "
                           "signed in. Ask an administrator.", 403)
    identity = db.session.scalar(
        select(SSOIdentity).where(SSOIdentity.provider == provider.name, SSOIdentity.subject == subject))
    if identity is None:
        person = _by_email(provider, claims)
        identity = SSOIdentity(person_id=person.id, provider=provider.name, subject=subject, email=person.email)
        db.session.add(identity)
    person = identity.person if identity.person is not None else db.session.get(Person, identity.person_id)
    if not person.active:
        raise SignInFailed(DEACTIVATED, 403)
    now = utcnow()
    identity.last_used_at = person.last_login_at = now
    return person


def _email_of(provider: Provider, claims: dict) -> tuple[str, bool]:
    email = claims.get("email")
    usable = isinstance(email, str) and "@" in email and one_line(email) == email.strip()
    if not usable or len(email.strip()) > EMAIL_MAX_LENGTH or " " in email.strip():
        raise SignInFailed(f"{provider.label} did not share a usable email address, so Storyboard cannot "
                           "tell whose account this is. Ask an administrator.", 403)
    # Some providers send the flag as the string "true".
    verified = claims.get("email_verified") in (True, "true")
    return email.strip().lower(), verified


def _by_email(provider: Provider, claims: dict) -> Person:
    email, verified = _email_of(provider, claims)
    person = find_by_email(email)
    if person is not None:
        if not (verified or provider.trust_email):
            raise SignInFailed(f"{provider.label} has not verified {email}, so it cannot sign in to the "
                               "account with that address.", 403)
        if not person.active:
            raise SignInFailed(DEACTIVATED, 403)
        linked = db.session.scalar(select(SSOIdentity).where(
            SSOIdentity.person_id == person.id, SSOIdentity.provider == provider.name))
        if linked is not None:
            # The address now belongs to someone else at the provider (a reused mailbox): the
            # account stays with the identity it was linked to.
            raise SignInFailed(f"The account for {email} is linked to another {provider.label} account. "
                               "Ask an administrator.", 403)
        return person
    return _create(provider, claims, email, verified)


def _create(provider: Provider, claims: dict, email: str, verified: bool) -> Person:
    """Just-in-time: a staff account for someone at an allowed domain the provider vouches for."""
    domain = email.rpartition("@")[2]
    if domain not in provider.allowed_domains:
        raise SignInFailed(f"No Storyboard account uses {email}. Ask an administrator to invite you.", 403)
    if not verified:
        raise SignInFailed(f"{provider.label} has not verified {email}, so no account can be made for it. "
                           "Ask an administrator to invite you.", 403)
    person = Person(email=email, name=_name(claims, email), role=Role.STAFF.value, active=True)
    db.session.add(person)
    db.session.flush()
    audit.record(person, "person.create_sso", "person", person.id, None,
                 {"email": email, "name": person.name, "role": person.role},
                 note=f"Created at their first sign-in with {provider.label}.")
    return person


def _name(claims: dict, email: str) -> str:
    parts = [claims.get("name"), " ".join(str(claims.get(key) or "") for key in ("given_name", "family_name"))]
    for candidate in parts:
        if isinstance(candidate, str) and one_line(candidate):
            return one_line(candidate)[:NAME_MAX_LENGTH]
    return email.partition("@")[0][:NAME_MAX_LENGTH]


# Passwords, when single sign-on is how people sign in.


def passwords_for_everyone() -> bool:
    # "break-glass" as typed in an environment variable counts too: a typo must not leave
    # passwords on for everyone when the operator meant to switch them off.
    return current_app.config["PASSWORD_SIGN_IN"].strip().lower().replace("-", "_") != "break_glass"


def is_break_glass(person: Person | None) -> bool:
    """An active admin listed in BREAK_GLASS_EMAILS: still signs in with a password when
    passwords are off, so the site can be run while the provider is down or misconfigured."""
    listed = current_app.config["BREAK_GLASS_EMAILS"]
    if isinstance(listed, str):  # STORYBOARD_BREAK_GLASS_EMAILS=a@x.com,b@x.com rather than JSON
        listed = listed.split(",")
    listed = {email.strip().lower() for email in listed}
    return person is not None and person.active and person.is_admin and person.email in listed


def may_use_password(person: Person | None) -> bool:
    return passwords_for_everyone() or is_break_glass(person)


def passwords_off_message() -> str:
    labels = " or ".join(provider.label for provider in providers())
    return f"Passwords are switched off here: sign in with {labels or 'your company account'}."
