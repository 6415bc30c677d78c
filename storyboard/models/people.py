"""People: everyone at the company, whether or not they have signed in yet."""
from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false, true
from werkzeug.security import check_password_hash, generate_password_hash

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models.base import LabelledEnum

__all__ = ["EXTERNAL_ID_LENGTH", "PeopleImport", "Person", "Role", "SignIn"]

EXTERNAL_ID_LENGTH = 255


class Role(LabelledEnum):
    STAFF = "staff", "Staff"
    CURATOR = "curator", "Curator (HR)"
    ADMIN = "admin", "Admin"


class Person(UserMixin, db.Model):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    job_title: Mapped[str] = mapped_column(String(120), default="")
    department: Mapped[str] = mapped_column(String(120), default="", index=True)
    location: Mapped[str] = mapped_column(String(120), default="")
    manager_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    start_date: Mapped[Optional[date]] = mapped_column(Date)
    role: Mapped[str] = mapped_column(String(16), default=Role.STAFF.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[Optional[str]] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    # "Don't feature me in digests": stories about this person are never picked for one.
    hide_from_digests: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How often this person gets the digest: weekly, monthly (the first issue of a month) or never.
    digest_frequency: Mapped[str] = mapped_column(String(16), default="weekly", server_default="weekly")
    # Hard bounces of the digest; at DIGEST_BOUNCE_LIMIT the person gets no more issues.
    bounce_score: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Managers get a monthly email about their reports' stories unless they switch it off.
    manager_email: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The HR system's own id for this person (SCIM `externalId`), so it can find them again
    # after an email address changes. Compared exactly, as SCIM says.
    external_id: Mapped[Optional[str]] = mapped_column(String(EXTERNAL_ID_LENGTH), unique=True, index=True)
    # When the HR system DELETEd them over SCIM: deactivated, kept with their stories, and gone
    # from SCIM (RFC 7644 §3.6: 404 from then on) until it creates them again.
    deprovisioned_at: Mapped[Optional[datetime]] = mapped_column(DateTime)

    manager: Mapped[Optional[Person]] = relationship(
        remote_side=[id], back_populates="reports"
    )
    reports: Mapped[list[Person]] = relationship(back_populates="manager")

    # Not columns: the unread count the sign-in loader reads in the same query as the person,
    # and the token of the sign-in this request came with (see storyboard.auth.sessions).
    unread_notifications = None
    session_token = None

    def __repr__(self) -> str:
        return f"<Person {self.email}>"

    # UserMixin compares people by get_id(), which is a session token here (None for everyone
    # not signed in this request); the session's identity map gives one object per row.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def get_id(self) -> str | None:
        """What Flask-Login keeps in the session and the remember cookie: the sign-in's token.

        Not the person's id: a sign-in is a row in `sign_ins`, so signing out can end it.
        """
        return self.session_token

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to sign in inactive people
        return self.active

    @property
    def is_curator(self) -> bool:
        return self.role in (Role.CURATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    @property
    def link_fingerprint(self) -> str:
        """Part of every emailed sign-in link (invitation, reset): it changes when the email or
        password does, so a link stops working once it has been used."""
        material = f"{self.email}|{self.password_hash or ''}".encode()
        return hashlib.sha256(material).hexdigest()[:20]


class SignIn(db.Model):
    """One signed-in browser. Signing out deletes it, which is what ends the session: the
    cookie only names it, so a copy of the cookie is worth nothing afterwards."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the token in the cookie: a copy of the database does not sign anyone in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PeopleImport(db.Model):
    """A CSV file an admin uploaded on /people/import, waiting for them to apply its preview.

    The file is kept (not the plan) so that applying checks it again against the people as
    they are then; `fingerprint` is the preview's digest, and a different one means the data
    changed since the admin looked. Once applied, the file is dropped and the summary kept."""

    __tablename__ = "people_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    deactivate_missing: Mapped[bool] = mapped_column(Boolean, default=False)
    invite: Mapped[bool] = mapped_column(Boolean, default=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    applied_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    applied_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(Text, default="")
