"""Pagination: bounded page numbers, and keyset pages for the long, time-ordered lists.

Both fetch one row more than a page to know whether another page follows.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from flask import request
from sqlalchemy import ColumnElement, Select, literal, tuple_

from storyboard.db_helpers import MAX_ID
from storyboard.errors import InvalidRequest
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


@dataclass
class KeysetPage(Generic[T]):
    """One page found by position rather than by count: page 1 and page 1,000 cost the same.

    The cursors name the first and last item shown; `before`/`after` links carry them.
    """

    items: list[T]
    previous_cursor: str | None
    next_cursor: str | None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def keyset_paginate(statement: Select, moment: ColumnElement, ident: ColumnElement, per_page: int,
                    descending: bool = True, moment_of: Callable[[T], datetime] | None = None,
                    load: Callable[[Select], list] | None = None) -> KeysetPage:
    """Page through `statement` ordered by (moment, ident), from the `before`/`after` cursor.

    `moment` must be a non-null timestamp and `ident` unique, so the order is total and an
    index on (..., moment, ident) serves every page alike. When `moment` is an expression
    rather than a column (a COALESCE of two), `moment_of(item)` reads it from a loaded item.
    `load` turns the page's statement into its items; by default, the ORM objects it selects.
    """
    moment_of = moment_of or (lambda item: getattr(item, moment.key))
    load = load or _objects
    after, before = (_cursor(request.args.get(name)) for name in ("after", "before"))
    page = _keyset_page(statement, moment, ident, per_page, descending, after, before, moment_of, load)
    if not page.items and (after or before):
        # The rows around a cursor can go (published elsewhere, archived): start again.
        page = _keyset_page(statement, moment, ident, per_page, descending, None, None, moment_of, load)
    return page


def _objects(statement: Select) -> list:
    return list(db.session.scalars(statement).unique())


def _keyset_page(statement, moment, ident, per_page, descending, after, before, moment_of, load) -> KeysetPage:
    key = tuple_(moment, ident)

    def at(cursor):
        return tuple_(literal(cursor[0], moment.type), literal(cursor[1], ident.type))

    forward = before is None
    if after is not None and forward:
        statement = statement.where(key < at(after) if descending else key > at(after))
    if not forward:
        statement = statement.where(key > at(before) if descending else key < at(before))
    ascending = descending != forward
    order = (moment.asc(), ident.asc()) if ascending else (moment.desc(), ident.desc())
    rows = load(statement.order_by(None).order_by(*order).limit(per_page + 1))
    more = len(rows) > per_page
    items = rows[:per_page]
    if not forward:
        items.reverse()
    first, last = (None, None)
    if items:
        first, last = _cursor_of(items[0], moment_of, ident), _cursor_of(items[-1], moment_of, ident)
    if forward:
        return KeysetPage(items, first if after is not None else None, last if more else None)
    return KeysetPage(items, first if more else None, last)


BAD_LINK = "That page link is not valid. Go back to the first page and try again."


def _cursor(text: str | None) -> tuple[datetime, int] | None:
    if not text:
        return None
    moment, _, ident = text.rpartition("_")
    try:
        value = (datetime.fromisoformat(moment), int(ident))
    except ValueError:
        raise InvalidRequest(BAD_LINK) from None
    if not 0 < value[1] <= MAX_ID or value[0].tzinfo is not None:
        raise InvalidRequest(BAD_LINK)
    return value


def _cursor_of(item, moment_of: Callable, ident: ColumnElement) -> str:
    return f"{moment_of(item).isoformat()}_{getattr(item, ident.key)}"
