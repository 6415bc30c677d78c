"""Building blocks the model modules share: enums that carry their labels, and the key columns
of rows that belong to another row."""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey
from sqlalchemy.orm import MappedColumn, mapped_column


class LabelledEnum(enum.StrEnum):
    """A string enum whose members say how people read them: `MEMBER = "value", "label"`.

    The value is what the database stores; the label is what pages and emails show, so the
    wording lives beside the member instead of in a lookup table that can fall out of step.
    """

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


def belongs_to(table: str, *, index: bool = False) -> MappedColumn:
    """A primary-key column naming a row of `table`; the row holding it goes when that one does."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"), primary_key=True, index=index or None)
