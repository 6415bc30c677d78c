"""Every change of a story's status goes through here, driven by one table of transitions."""
from __future__ import annotations

from storyboard.clock import utcnow
from storyboard.models import Person, Story, StoryStatus

S = StoryStatus

# from-status -> the statuses it may move to.
ALLOWED_TRANSITIONS: dict[StoryStatus, frozenset[StoryStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.PUBLISHED, S.REJECTED, S.CHANGES_REQUESTED}),
    S.CHANGES_REQUESTED: frozenset({S.SUBMITTED}),
    S.PUBLISHED: frozenset({S.ARCHIVED}),
    S.REJECTED: frozenset({S.ARCHIVED}),
    S.ARCHIVED: frozenset({S.PUBLISHED}),
}


class TransitionRefused(Exception):
    """A status change the table does not allow; views answer it with 409."""

    def __init__(self, story: Story, target: StoryStatus):
        self.story, self.target = story, target
        super().__init__(
            f"A {StoryStatus(story.status).label} story cannot be "
            f"{target.verb}."
        )


def can_transition(story: Story, target: StoryStatus) -> bool:
    return target in ALLOWED_TRANSITIONS.get(StoryStatus(story.status), frozenset())


def transition(story: Story, target: StoryStatus, actor: Person, note: str | None = None) -> None:
    """Move `story` to `target`, or raise TransitionRefused. The caller commits."""
    if not can_transition(story, target):
        raise TransitionRefused(story, target)
    now = utcnow()
    if target == S.SUBMITTED:
        story.submitted_at = now
        story.decision_note = None
    elif target == S.PUBLISHED and story.published_at is None:
        story.published_at = now
    if target in (S.REJECTED, S.CHANGES_REQUESTED):
        story.decision_note = note
    story.status = target.value


def submit(story: Story, actor: Person) -> None:
    transition(story, S.SUBMITTED, actor)


def publish(story: Story, actor: Person) -> None:
    transition(story, S.PUBLISHED, actor)


def reject(story: Story, actor: Person, reason: str) -> None:
    transition(story, S.REJECTED, actor, note=reason)


def request_changes(story: Story, actor: Person, note: str) -> None:
    transition(story, S.CHANGES_REQUESTED, actor, note=note)
