"""HR's layer above stories: pins for the next digest, the canon, and the resurface and legacy
flags. Each change writes an audit entry. A story's status changes live in stories.lifecycle."""
from __future__ import annotations

from storyboard import audit
from storyboard.clock import utcnow
from storyboard.errors import Refused
from storyboard.models import Person, Story, StoryStatus
from storyboard.text import one_line

S = StoryStatus


class CurationRefused(Refused):
    """A curation change that does not fit the story as it is now (also 409)."""


# Button labels on the curator panel for moving a story into each status. None for draft or
# submitted: no move leads back to a draft, and only the author submits (from their own page).
MOVE_LABELS = {
    S.CHANGES_REQUESTED.value: "Ask for changes",
    S.PUBLISHED.value: "Publish",
    S.REJECTED.value: "Reject",
    S.ARCHIVED.value: "Archive",
}


def _require_published(story: Story, what: str) -> None:
    if story.status != S.PUBLISHED:
        raise CurationRefused(f"Only a published story can be {what}.")


def set_pinned(story: Story, actor: Person, pinned: bool) -> None:
    """Pin a published story for the next digest, or unpin it."""
    if pinned:
        _require_published(story, "pinned for the digest")
    before = story.pinned_at is not None
    story.pinned_at = utcnow() if pinned else None
    audit.record(actor, "story.pin", "story", story.id, {"pinned": before}, {"pinned": pinned})


def set_canon(story: Story, actor: Person, in_canon: bool, lesson: str | None = None) -> None:
    """Promote a published story into the canon with what to learn from it, or take it out."""
    before = {"in_canon": story.in_canon, "lesson": story.canon_lesson}
    if in_canon:
        _require_published(story, "added to the canon")
        lesson = one_line(lesson)
        if not lesson:
            raise CurationRefused("Say in one line what to learn from the story.")
        if len(lesson) > 200:
            raise CurationRefused("Keep what to learn under 200 characters.")
        story.canon_lesson = lesson
        story.canonized_at = story.canonized_at or utcnow()
    story.in_canon = in_canon
    audit.record(
        actor, "story.canon", "story", story.id, before,
        {"in_canon": story.in_canon, "lesson": story.canon_lesson},
    )


def set_flag(story: Story, actor: Person, flag: str, value: bool) -> None:
    """Switch `resurface` (may come back in digests) or `legacy` (may, though its people left)."""
    if flag not in ("resurface", "legacy"):
        raise ValueError(flag)
    before = getattr(story, flag)
    setattr(story, flag, value)
    audit.record(actor, f"story.{flag}", "story", story.id, {flag: before}, {flag: value})
