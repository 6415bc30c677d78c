"""Photos on a story: up to four pictures, each with the alt text that describes it.

The files live outside the database (storyboard.photos.storage), under a random name the row
keeps in `token`; nothing a person sent (a file name, a content type) is stored. A photo goes
with its story: `Story.photos` deletes the rows through the ORM, so that storage can delete
the files once the deletion commits, and the foreign key cascades for deletes made in SQL.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from storyboard.clock import utcnow
from storyboard.extensions import db

if TYPE_CHECKING:
    from storyboard.models.people import Person

ALT_TEXT_MAX = 250  # a sentence or two: what a screen reader reads instead of the picture


class StoryPhoto(db.Model):
    """One picture on a story, re-encoded without metadata, in a display size and a thumbnail."""

    __tablename__ = "story_photos"
    # The story page and the photos page list a story's photos in order.
    __table_args__ = (Index("ix_story_photos_story_position", "story_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    alt_text: Mapped[str] = mapped_column(String(ALT_TEXT_MAX))
    # The files' names: random, never from the upload (storage.py).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(20))  # image/jpeg or image/png, as re-encoded
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    thumb_width: Mapped[int] = mapped_column(Integer)
    thumb_height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    uploaded_by: Mapped[Optional[Person]] = relationship()
    # A backref, so that the stories model need not know about photos; "delete-orphan" makes
    # deleting a story (a writer's draft, an erased leaver's story) delete its photos' rows
    # through the session, where storage sees them go.
    story = relationship(
        "Story",
        backref=backref("photos", order_by="StoryPhoto.position", cascade="all, delete-orphan"),
    )

    @property
    def extension(self) -> str:
        return "png" if self.content_type == "image/png" else "jpg"

    def __repr__(self) -> str:
        return f"<StoryPhoto {self.id} of story {self.story_id}>"
