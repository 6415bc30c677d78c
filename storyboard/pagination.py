"""Bounded pagination: fetch one row more than a page to know whether another page follows."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import request
from sqlalchemy import Select

from storyboard.extensions import db

T = TypeVar("T")
MAX_PAGE = 10_000


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def requested_page() -> int:
    """The `page` query argument, clamped to 1..MAX_PAGE; junk means page 1."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def paginate(statement: Select, per_page: int, page: int | None = None) -> Page:
    page = page or requested_page()
    rows = list(
        db.session.scalars(statement.limit(per_page + 1).offset((page - 1) * per_page)).unique()
    )
    return Page(items=rows[:per_page], number=page, has_next=len(rows) > per_page)
