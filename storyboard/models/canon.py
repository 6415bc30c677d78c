"""The canon beyond the digest: collections curators arrange, and what each person has read.

A collection is an ordered list of canon stories with a short introduction ("Start here",
"When the rules got in the way"). One collection at most is the onboarding path: new hires are
pointed to it, each story may open with a scenario prompt, and their read marks are kept.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.sql.expression import false

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models.base import belongs_to

if TYPE_CHECKING:
    from storyboard.models.stories import Story


class CanonCollection(db.Model):
    __tablename__ = "canon_collections"
    __table_args__ = (
        # One reading path at most, kept by the database even when two curators save at once.
        Index("uq_canon_collections_onboarding", "onboarding", unique=True,
              sqlite_where=text("onboarding"), postgresql_where=text("onboarding")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # The name lower-cased: unique, so that "Start here" and "start here" cannot both exist.
    name_key: Mapped[str] = mapped_column(String(120), unique=True)
    introduction: Mapped[str] = mapped_column(Text, default="")  # Markdown, rendered sanitised
    position: Mapped[int] = mapped_column(Integer, default=0)  # curators' order of collections
    # The reading path new hires are sent to; the service keeps it to one collection.
    onboarding: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    entries: Mapped[list[CanonCollectionStory]] = relationship(
        back_populates="collection", order_by="CanonCollectionStory.position",
        cascade="all, delete-orphan",
    )

    @validates("name")
    def _keep_name_key(self, _key: str, name: str) -> str:
        self.name_key = name.lower()
        return name


class CanonCollectionStory(db.Model):
    """A story's place in a collection, and the scenario a new hire answers before reading it."""

    __tablename__ = "canon_collection_stories"

    collection_id: Mapped[int] = belongs_to("canon_collections")
    story_id: Mapped[int] = belongs_to("stories", index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    scenario: Mapped[Optional[str]] = mapped_column(String(600))
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    collection: Mapped[CanonCollection] = relationship(back_populates="entries")
    story: Mapped[Story] = relationship()


class CanonRead(db.Model):
    """A person marked a story read on a reading path: their progress, kept across sessions."""

    __tablename__ = "canon_reads"

    person_id: Mapped[int] = belongs_to("people")
    story_id: Mapped[int] = belongs_to("stories", index=True)
    read_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

