"""Chat webhooks listen to what stories and the digest announce (storyboard/signals.py)."""
from __future__ import annotations

from storyboard import signals
from storyboard.chat.webhooks import queue_event
from storyboard.models import ChatEvent, DigestIssue, Person, Story, StoryStatus


def announce_publication(story: Story, *, actor: Person, before: StoryStatus, after: StoryStatus,
                         note: str | None) -> None:
    """A story published (or restored: the delivery key makes that a no-op for webhooks that
    already announced it) gets a delivery per webhook, in the publishing transaction."""
    if after == StoryStatus.PUBLISHED:
        queue_event(ChatEvent.STORY_PUBLISHED, str(story.id), story_id=story.id)


def announce_issue(issue: DigestIssue) -> None:
    """Digest day: the issue just cut gets a delivery per webhook that wants it."""
    queue_event(ChatEvent.DIGEST_ISSUE, issue.issue_key, issue_id=issue.id)


def connect() -> None:
    """Listen from now on. Connecting again (every app the tests build) changes nothing."""
    signals.story_moved.connect(announce_publication)
    signals.digest_issue_cut.connect(announce_issue)
