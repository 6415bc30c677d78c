"""Personal access tokens for the JSON API."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storyboard.clock import utcnow
from storyboard.extensions import db

if TYPE_CHECKING:
    from storyboard.models.people import Person

__all__: list[str] = ["ApiToken"]

TOKEN_SCOPES = ("read", "write")  # write includes read


class ApiToken(db.Model):
    """A personal access token. Only the SHA-256 of the secret is kept: the secret is shown once,
    when the token is made, and a copy of this table gives nobody a way in. `prefix` is its first
    characters, for people to tell their tokens apart."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(8))  # one of TOKEN_SCOPES
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    expires_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime)

    person: Mapped[Person] = relationship()

    @property
    def can_write(self) -> bool:
        return self.scope == "write"

    def usable_at(self, now: datetime) -> bool:
        """Not revoked, not expired, and its owner still here."""
        return (self.revoked_at is None and (self.expires_at is None or now < self.expires_at)
                and self.person.active)
