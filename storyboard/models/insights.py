"""What HR acts on: the rules and processes that got in people's way, which departments face
customers, and the managers' monthly emails already sent.

A story's "rule or process that got in the way" is free text. HR files it under a friction item
("the refund rule"), which has an owner, a status and a note; several stories can share one.
When an item is marked changed, the people behind its stories are told, each person once per
item (`FrictionNotice`), however often the status goes back and forth.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models.base import LabelledEnum, belongs_to

if TYPE_CHECKING:
    from storyboard.models.people import Person
    from storyboard.models.stories import Story


class FrictionStatus(LabelledEnum):
    OPEN = "open", "Open"
    BEING_CHANGED = "being_changed", "Being changed"
    CHANGED = "changed", "Changed"
    KEPT = "kept", "Kept on purpose"


class FrictionItem(db.Model):
    """One rule or process that got in the way, as HR names it, with who owns fixing it."""

    __tablename__ = "friction_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=FrictionStatus.OPEN.value, index=True)
    owner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # When it was last marked changed (None while it has not been).
    changed_at: Mapped[Optional[datetime]] = mapped_column(DateTime)

    owner: Mapped[Optional[Person]] = relationship()
    links: Mapped[list[FrictionLink]] = relationship(back_populates="item", cascade="all, delete-orphan")


class FrictionLink(db.Model):
    """A story's friction filed under an item: a story's friction belongs to one item at most."""

    __tablename__ = "friction_links"

    story_id: Mapped[int] = belongs_to("stories")
    item_id: Mapped[int] = mapped_column(ForeignKey("friction_items.id", ondelete="CASCADE"), index=True)
    filed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    item: Mapped[FrictionItem] = relationship(back_populates="links")
    story: Mapped[Story] = relationship()


class FrictionNotice(db.Model):
    """A person was told an item changed: unique, so nobody is told twice about one item."""

    __tablename__ = "friction_notices"

    item_id: Mapped[int] = belongs_to("friction_items")
    person_id: Mapped[int] = belongs_to("people", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DepartmentKind(db.Model):
    """Whether a department faces customers (front line) or works backstage; departments are
    names on people, so one without a row is simply not classified yet."""

    __tablename__ = "department_kinds"

    department: Mapped[str] = mapped_column(String(120), primary_key=True)
    front_line: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ManagerEmail(db.Model):
    """The monthly email to one manager about their reports: one row per manager and month, so
    two schedulers running at once cannot both send it."""

    __tablename__ = "manager_emails"

    person_id: Mapped[int] = belongs_to("people")
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-12"
    story_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
