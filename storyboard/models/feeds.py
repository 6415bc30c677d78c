"""Personal feed tokens for the Atom feeds.

A feed reader cannot sign in, so each person's feed URLs carry a token of their own. Only its
SHA-256 digest is stored: a copy of the database opens no feed. One token per person; making a
new one replaces the row, so the old URLs stop working at once.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storyboard.clock import utcnow
from storyboard.extensions import db

if TYPE_CHECKING:
    from storyboard.models.people import Person

__all__ = ["FeedToken"]


class FeedToken(db.Model):
    """A person's feed token, as its digest, with when it was made and last opened a feed."""

    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    # SHA-256 of the token, hex: the feeds find the token by it.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[Optional[datetime]] = mapped_column(DateTime)

    person: Mapped[Person] = relationship()

    def __repr__(self) -> str:
        return f"<FeedToken of person {self.person_id}>"
