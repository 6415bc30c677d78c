"""All models, imported here so that Alembic and the app see every table."""
from storyboard.models.canon import CanonCollection, CanonCollectionStory, CanonRead
from storyboard.models.curation import (
    AuditEntry,
    Notification,
    NotificationKind,
    NotificationSetting,
    StoryRevision,
)
from storyboard.models.digest import (
    DeliveryStatus,
    DigestDelivery,
    DigestHoldback,
    DigestIntroduction,
    DigestIssue,
    DigestIssueStory,
    DigestVisit,
)
from storyboard.models.insights import (
    DepartmentKind,
    FrictionItem,
    FrictionLink,
    FrictionNotice,
    FrictionStatus,
    ManagerEmail,
)
from storyboard.models.people import Person, Role, SignIn
from storyboard.models.photos import StoryPhoto
from storyboard.models.settings import AppSetting
from storyboard.models.stories import (
    Applause,
    ImpactKind,
    Story,
    StoryReader,
    StoryStatus,
    ThankYou,
    Value,
    story_co_nominators,
    story_digest_opt_outs,
    story_nominees,
    story_values,
)

__all__ = [
    "AppSetting",
    "CanonCollection",
    "CanonCollectionStory",
    "CanonRead",
    "DigestIntroduction",
    "Applause",
    "AuditEntry",
    "DeliveryStatus",
    "DigestDelivery",
    "DigestHoldback",
    "DigestIssue",
    "DigestIssueStory",
    "DigestVisit",
    "DepartmentKind",
    "FrictionItem",
    "FrictionLink",
    "FrictionNotice",
    "FrictionStatus",
    "ManagerEmail",
    "Notification",
    "NotificationKind",
    "NotificationSetting",
    "StoryPhoto",
    "StoryRevision",
    "ImpactKind",
    "Person",
    "Role",
    "SignIn",
    "Story",
    "StoryReader",
    "StoryStatus",
    "ThankYou",
    "Value",
    "story_co_nominators",
    "story_digest_opt_outs",
    "story_nominees",
    "story_values",
]
