"""Time helpers. Timestamps are stored as naive UTC so SQLite and PostgreSQL agree."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time as naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def naive_utc(text: str) -> datetime:
    """An ISO 8601 moment as naive UTC (naive input means UTC); ValueError if it is not one.
    The CLI commands' --now options read their value with it."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
