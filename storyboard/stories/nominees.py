"""Finding the people a story is about: the nomination form's search, with and without
JavaScript (the script asks `/people/lookup`, which answers from here too)."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from storyboard.db_helpers import contains_pattern, escape_like
from storyboard.extensions import db
from storyboard.models import Person


def search_people(query: str, limit: int) -> list[Person]:
    """Active people whose name or email contains `query`, best (name-prefix) matches first."""
    query = query.strip().lower()
    if not query:
        return []
    pattern = contains_pattern(query)
    name = func.lower(Person.name)
    statement = (
        select(Person)
        .where(
            Person.active,
            or_(name.like(pattern, escape="\\"), func.lower(Person.email).like(pattern, escape="\\")),
        )
        .order_by(name.like(f"{escape_like(query)}%", escape="\\").desc(), Person.name)
        .limit(limit)
    )
    return list(db.session.scalars(statement))
