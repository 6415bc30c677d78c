"""Single sign-on identities (OpenID Connect): who a person is at each identity provider."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models.people import Person

__all__ = ["SSOIdentity"]


class SSOIdentity(db.Model):
    """A person's account at one provider, named by the provider's `sub` claim.

    Linked on the first sign-in that matched the person by email; later sign-ins find the
    person by (provider, subject) alone, so an email changed at either end keeps the link and
    an address handed to someone else at the provider does not hand over the account.
    """

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The provider's name in OIDC_PROVIDERS; OpenID Connect caps `sub` at 255 ASCII characters.
    provider: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    # The email the provider gave when the link was made, for admins reading the table.
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[Optional[datetime]] = mapped_column(DateTime)

    person: Mapped[Person] = relationship()
