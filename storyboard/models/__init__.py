"""All models, imported here so that Alembic and the app see every table."""
from storyboard.models import api as _api
from storyboard.models import chat as _chat
from storyboard.models import feeds as _feeds
from storyboard.models import sso as _sso
from storyboard.models.api import *  # noqa: F403  each integration lists its models in its own __all__
from storyboard.models.canon import CanonCollection, CanonCollectionStory, CanonRead
from storyboard.models.chat import *  # noqa: F403
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
from storyboard.models.feeds import *  # noqa: F403
from storyboard.models.insights import (
    DepartmentKind,
    FrictionItem,
    FrictionLink,
    FrictionNotice,
    FrictionStatus,
    ManagerEmail,
)
from storyboard.models.people import PeopleImport, Person, Role, SignIn
from storyboard.models.photos import StoryPhoto
from storyboard.models.settings import AppSetting
from storyboard.models.sso import *  # noqa: F403
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
    "PeopleImport",
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
__all__ += _api.__all__ + _chat.__all__ + _feeds.__all__ + _sso.__all__
