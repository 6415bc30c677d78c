"""Full-text search over published stories: SQLite FTS5 or PostgreSQL text search, one interface.

Ranking every match of a common word grows with the company, so only the newest
SEARCH_CANDIDATES matches are ranked: a search costs the same at 1k stories and at 100k, and
pages of results stop there (10 pages of 20 by default).

Both index `stories.search_text` (title, nominee names and story). The schema for each lives in
the first migration: an FTS5 table kept in step by triggers on SQLite, a generated tsvector
column with a GIN index on PostgreSQL.
"""
from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import func, literal_column, select, text

from storyboard.db_helpers import dialect_name
from storyboard.extensions import db
from storyboard.models import Story, StoryStatus

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8


def search_terms(query: str) -> list[str]:
    """The words of a query, without any search syntax a user might have typed by accident."""
    return _WORD.findall(query.lower())[:MAX_TERMS]


def matching_ids(query: str, limit: int, offset: int = 0) -> list[int]:
    """The ids of published stories matching every word of `query`, best match first."""
    terms = search_terms(query)
    if not terms:
        return []
    if dialect_name() == "postgresql":
        return _postgresql_ids(terms, limit, offset)
    return _sqlite_ids(terms, limit, offset)


def _sqlite_ids(terms: list[str], limit: int, offset: int) -> list[int]:
    # Every word quoted (no FTS5 operators), the last one as a prefix so "refu" finds "refund".
    match = " ".join(f'"{term}"' for term in terms[:-1])
    match = f'{match} "{terms[-1]}"*'.strip()
    # FTS5 hands back matches newest first (rowid order) cheaply; only those few are ranked.
    rows = db.session.execute(
        text(
            "SELECT hits.id FROM (SELECT stories.id, stories.published_at, story_fts.rank FROM story_fts "
            "JOIN stories ON stories.id = story_fts.rowid "
            "WHERE story_fts MATCH :match AND stories.status = :published "
            "ORDER BY story_fts.rowid DESC LIMIT :candidates) AS hits "
            "ORDER BY hits.rank, hits.published_at DESC, hits.id DESC LIMIT :limit OFFSET :offset"
        ),
        {"match": match, "published": StoryStatus.PUBLISHED.value, "limit": limit, "offset": offset,
         "candidates": _candidates()},
    )
    return [row[0] for row in rows]


def _postgresql_ids(terms: list[str], limit: int, offset: int) -> list[int]:
    vector = literal_column("stories.search_vector")  # generated column, PostgreSQL only
    tsquery = func.to_tsquery(literal_column("'english'"), " & ".join(terms[:-1] + [terms[-1] + ":*"]))
    newest = (
        select(Story.id, Story.published_at, vector.label("vector"))
        .where(Story.status == StoryStatus.PUBLISHED.value, vector.op("@@")(tsquery))
        .order_by(Story.published_at.desc(), Story.id.desc())
        .limit(_candidates())
        .subquery()
    )
    statement = (
        select(newest.c.id)
        .order_by(func.ts_rank(newest.c.vector, tsquery).desc(), newest.c.published_at.desc(), newest.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(db.session.scalars(statement))


def _candidates() -> int:
    return current_app.config["SEARCH_CANDIDATES"]
