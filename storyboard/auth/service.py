"""Accounts: sign-in, invitation and password-reset links. Sessions live in auth/sessions.py."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from storyboard import mail
from storyboard.clock import utcnow
from storyboard.db_helpers import MAX_ID
from storyboard.extensions import db
from storyboard.models import Person
from storyboard.urls import external_url

INVITE_SALT = "storyboard.invitation"
_DUMMY_HASH = generate_password_hash("no account has this password")
RESET_SALT = "storyboard.password-reset"


def find_by_email(email: str) -> Person | None:
    # Emails are stored lower-cased, so the unique index serves this lookup.
    return db.session.scalar(select(Person).where(Person.email == email.strip().lower()))


def authenticate(email: str, password: str) -> Person | None:
    """The active person with this email and password, or None."""
    person = find_by_email(email)
    if person is None or not person.active or person.password_hash is None:
        # Hash anyway, so a wrong guess takes as long whether or not the account exists.
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not person.check_password(password):
        return None
    person.last_login_at = utcnow()
    return person


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: only relative `next` URLs are followed."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_token(person: Person, salt: str) -> str:
    return _serializer(salt).dumps({"id": person.id, "fp": person.link_fingerprint})


def person_for_token(token: str, salt: str, max_age: int) -> Person | None:
    """The person a single-use, expiring link belongs to, or None if it is bad, old or used."""
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    person_id = data.get("id")
    known = isinstance(person_id, int) and not isinstance(person_id, bool) and 0 < person_id <= MAX_ID
    person = db.session.get(Person, person_id) if known else None
    if person is None or not person.active or data.get("fp") != person.link_fingerprint:
        return None
    return person


def send_password_reset(email: str) -> None:
    """Email a reset link if `email` belongs to an active account; do nothing otherwise.

    Called after the response has gone (see auth.views.forgot_password), so the page takes
    as long whether or not the account exists.
    """
    person = find_by_email(email)
    if person is None or not person.active:
        return
    link = external_url("auth.reset_password", token=make_token(person, RESET_SALT))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    message = mail.build_from_templates(
        person.email, "Reset your Storyboard password", "password_reset",
        person=person, link=link, minutes=minutes,
    )
    mail.send([message])
