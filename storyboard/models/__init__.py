"""All models, imported here so that Alembic and the app see every table."""
from storyboard.models.people import Person, Role
from storyboard.models.stories import (
    Applause,
    ImpactKind,
    Story,
    StoryReader,
    StoryStatus,
    ThankYou,
    Value,
    story_nominees,
    story_values,
)

__all__ = [
    "Applause",
    "ImpactKind",
    "Person",
    "Role",
    "Story",
    "StoryReader",
    "StoryStatus",
    "ThankYou",
    "Value",
    "story_nominees",
    "story_values",
]
