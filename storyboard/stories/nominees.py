"""Finding the people a story is about: the nomination form's search, with and without
JavaScript (the script asks `/people/lookup`, which answers from here too)."""
from __future__ import annotations

from sqlalchemy import func, select

from storyboard.db_helpers import any_contains, escape_like
from storyboard.extensions import db
from storyboard.models import Person


def search_people(query: str, limit: int) -> list[Person]:
    """Active people whose name or email contains `query`, best (name-prefix) matches first."""
    query = query.strip().lower()
    if not query:
        return []
    statement = (
        select(Person)
        .where(Person.active, any_contains(query, Person.name, Person.email))
        .order_by(func.lower(Person.name).like(f"{escape_like(query)}%", escape="\\").desc(), Person.name)
        .limit(limit)
    )
    return list(db.session.scalars(statement))
