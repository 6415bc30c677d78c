"""Cursor pagination for the API: keyset pages on an order that never changes for an item.

A cursor is the last item's sort key, signed (so a client cannot hand us a made-up key) and
opaque. Pages are found by position, not by count: an item inserted, published or deleted
between two requests cannot shift the others, so a client walking the pages sees every item
that existed throughout exactly once. (The web's keyset pager starts again at the first page
when its cursor's rows are gone; an API client must never be sent round again, so this one
only ever moves on.)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, Select, literal, tuple_

from storyboard.api.spec import BadRequest
from storyboard.extensions import db

BAD_CURSOR = "That cursor is not valid. Start again from the first page."


@dataclass(frozen=True)
class Key:
    """One column of a sort key: the column, and how to read its value from a loaded item."""

    column: ColumnElement
    attribute: str


@dataclass
class CursorPage:
    items: list
    next: str | None


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="api-cursor")


def _encode(values: list[Any]) -> str:
    return _serializer().dumps([value.isoformat() if isinstance(value, datetime) else value for value in values])


def _decode(cursor: str, keys: list[Key]) -> list[Any]:
    try:
        values = _serializer().loads(cursor)
    except BadSignature:
        raise BadRequest(BAD_CURSOR, {"cursor": [BAD_CURSOR]}) from None
    if not isinstance(values, list) or len(values) != len(keys):
        raise BadRequest(BAD_CURSOR, {"cursor": [BAD_CURSOR]})
    decoded = []
    for key, value in zip(keys, values, strict=True):
        if key.column.type.python_type is datetime:
            value = datetime.fromisoformat(value)
        decoded.append(value)
    return decoded


def page_size(limit: int | None) -> int:
    config = current_app.config
    return min(limit or config["API_PAGE_SIZE"], config["API_MAX_PAGE_SIZE"])


def keyset_page(statement: Select, keys: list[Key], descending: bool, cursor: str | None,
                limit: int | None, **link_args: Any) -> CursorPage:
    """One page of `statement` ordered by `keys` (unique together, never changing for an
    item), after `cursor`; `next` links to the following page with `link_args` kept."""
    size = page_size(limit)
    columns = [key.column for key in keys]
    if cursor:
        at = tuple_(*(literal(value, key.column.type) for key, value in zip(keys, _decode(cursor, keys), strict=True)))
        position = tuple_(*columns)
        statement = statement.where(position < at if descending else position > at)
    order = [column.desc() if descending else column.asc() for column in columns]
    rows = list(db.session.scalars(statement.order_by(None).order_by(*order).limit(size + 1)).unique())
    items = rows[:size]
    following = None
    if len(rows) > size:
        last = items[-1]
        token = _encode([getattr(last, key.attribute) for key in keys])
        args = {name: value for name, value in link_args.items() if value not in (None, "")}
        following = url_for(request.endpoint, cursor=token, limit=limit, **args, _external=True)
    return CursorPage(items, following)
