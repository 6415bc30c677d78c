"""Stories, the values they show, and how colleagues respond to them."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false, true

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models.base import LabelledEnum, belongs_to

if TYPE_CHECKING:
    from storyboard.models.people import Person


class StoryStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    REJECTED = "rejected"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def verb(self) -> str:
        """How the move into this status reads in a sentence: "cannot be published"."""
        return {
            "draft": "made a draft again",
            "submitted": "submitted",
            "changes_requested": "sent back for changes",
            "published": "published",
            "rejected": "rejected",
            "archived": "archived",
        }[self.value]


class ImpactKind(LabelledEnum):
    CUSTOMER = "customer", "A customer"
    TEAM = "team", "The team"


story_nominees = Table(
    "story_nominees",
    db.metadata,
    Column("story_id", ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# People who kept a story about them out of digests.
story_digest_opt_outs = Table(
    "story_digest_opt_outs",
    db.metadata,
    Column("story_id", ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
)

# Nominators credited on a story besides its first nominator, e.g. after a merge.
story_co_nominators = Table(
    "story_co_nominators",
    db.metadata,
    Column("story_id", ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
)

story_values = Table(
    "story_values",
    db.metadata,
    Column("story_id", ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("value_id", ForeignKey("values.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Value(db.Model):
    __tablename__ = "values"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Value {self.slug}>"


class Story(db.Model):
    __tablename__ = "stories"
    __table_args__ = (
        # The feed, value pages and profiles list published stories newest first.
        Index("ix_stories_status_published", "status", "published_at", "id"),
        Index("ix_stories_status_submitted", "status", "submitted_at", "id"),
        Index("ix_stories_nominator_status", "nominator_id", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text)
    # Rendered once through storyboard.markdown.render when saved; views never re-render.
    body_html: Mapped[str] = mapped_column(Text)
    impact_kind: Mapped[str] = mapped_column(String(16), default=ImpactKind.CUSTOMER.value)
    impact: Mapped[str] = mapped_column(Text, default="")
    rule_in_the_way: Mapped[Optional[str]] = mapped_column(Text)
    happened_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(24), default=StoryStatus.DRAFT.value)
    nominator_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    published_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    # When the status last changed: how long a story sent back has waited on its writer.
    status_changed_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    decision_note: Mapped[Optional[str]] = mapped_column(Text)  # e.g. the reason for a rejection
    # The customer's voice: their words from a compliment, a satisfaction score, a review link.
    evidence_quote: Mapped[Optional[str]] = mapped_column(Text)
    evidence_score: Mapped[Optional[int]] = mapped_column(Integer)
    evidence_score_max: Mapped[Optional[int]] = mapped_column(Integer)  # 5 or 10
    evidence_link: Mapped[Optional[str]] = mapped_column(String(500))
    # Counters kept by the services so that listing pages need no aggregate queries.
    applause_count: Mapped[int] = mapped_column(Integer, default=0)
    reader_count: Mapped[int] = mapped_column(Integer, default=0)
    # Plain text the full-text index covers: title, story and nominee names.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Curation: pinned for the next digest, the canon, resurfacing, merges.
    pinned_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    in_canon: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)
    canon_lesson: Mapped[Optional[str]] = mapped_column(String(200))
    canonized_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    resurface: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    legacy: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stories.id"))

    nominator: Mapped[Person] = relationship(foreign_keys=[nominator_id])
    nominees: Mapped[list[Person]] = relationship(
        secondary=story_nominees, order_by="Person.name"
    )
    values: Mapped[list[Value]] = relationship(secondary=story_values, order_by="Value.position")
    co_nominators: Mapped[list[Person]] = relationship(
        secondary=story_co_nominators, order_by="Person.name"
    )
    digest_opt_outs: Mapped[list[Person]] = relationship(secondary=story_digest_opt_outs)
    merged_into: Mapped[Optional[Story]] = relationship(remote_side=[id])
    thanks: Mapped[list[ThankYou]] = relationship(
        back_populates="story", order_by="ThankYou.created_at", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Story {self.id} {self.status}>"

    @property
    def is_published(self) -> bool:
        return self.status == StoryStatus.PUBLISHED

    @property
    def is_editable_by_nominator(self) -> bool:
        return self.status in (StoryStatus.DRAFT, StoryStatus.CHANGES_REQUESTED)

    @property
    def has_customer_evidence(self) -> bool:
        return bool(self.evidence_quote or self.evidence_score is not None or self.evidence_link)

    def refresh_search_text(self) -> None:
        """Keep the text the full-text index covers (title, nominees' names, story) in step."""
        names = " ".join(person.name for person in self.nominees)
        self.search_text = "\n".join([self.title, names, self.body_md])


class Applause(db.Model):
    __tablename__ = "applause"

    story_id: Mapped[int] = belongs_to("stories")
    person_id: Mapped[int] = belongs_to("people", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class StoryReader(db.Model):
    __tablename__ = "story_readers"

    story_id: Mapped[int] = belongs_to("stories")
    person_id: Mapped[int] = belongs_to("people", index=True)
    first_read_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ThankYou(db.Model):
    __tablename__ = "thank_yous"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    story: Mapped[Story] = relationship(back_populates="thanks")
    author: Mapped[Person] = relationship()
