"""Every change of a story's status goes through here, driven by one table of transitions.

Each transition and each curation flag change writes an audit entry; transitions that matter
to people notify them (in the app and by email once the change commits).
"""
from __future__ import annotations

from sqlalchemy import update

from storyboard.clock import utcnow
from storyboard.curation import audit, pii
from storyboard.extensions import db
from storyboard.models import NotificationKind, Person, Story, StoryStatus
from storyboard.notifications.service import notify
from storyboard.text import one_line

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
NEEDS_NOTE = frozenset({S.REJECTED, S.CHANGES_REQUESTED})
NOTE_MAX = 2000  # the note form's limit, kept here too for moves that come without the form
# Button labels on the curator panel for moving a story into each status. None for draft or
# submitted: no move leads back to a draft, and only the author submits (from their own page).
MOVE_LABELS = {
    S.CHANGES_REQUESTED.value: "Ask for changes",
    S.PUBLISHED.value: "Publish",
    S.REJECTED.value: "Reject",
    S.ARCHIVED.value: "Archive",
}


class TransitionRefused(Exception):
    """A status change the table does not allow, or one someone else made first; views answer it with 409."""


class CurationRefused(Exception):
    """A curation change that does not fit the story as it is now (also 409)."""


def can_transition(story: Story, target: StoryStatus) -> bool:
    return target in ALLOWED_TRANSITIONS.get(StoryStatus(story.status), frozenset())


def transition(story: Story, target: StoryStatus, actor: Person, note: str | None = None,
               personal_data_confirmed: bool = False) -> None:
    """Move `story` to `target`, or raise TransitionRefused. The caller commits.

    Publishing a story with likely customer personal data raises pii.NeedsConfirmation unless
    the curator has confirmed it (`personal_data_confirmed`): the rule holds on every path.
    """
    if not can_transition(story, target):
        raise TransitionRefused(f"A {StoryStatus(story.status).label} story cannot be {target.verb}.")
    if target == S.PUBLISHED:
        pii.check_publish(story, personal_data_confirmed)
    if target == S.SUBMITTED and actor.id != story.nominator_id:
        # A draft is its author's until they submit it: HR may read it, never move it.
        raise TransitionRefused("Only the person who wrote a story can submit it.")
    if target in NEEDS_NOTE and not (note or "").strip():
        raise CurationRefused("Write a note so the nominator knows why.")
    if note and len(note) > NOTE_MAX:
        raise CurationRefused(f"Keep the note under {NOTE_MAX:,} characters.")
    db.session.flush()  # a story saved moments ago needs its id for the claim below
    before = StoryStatus(story.status)
    # Claim the change in the database: of two curators acting at once, only the first moves
    # the story from the status both saw; the other is refused like any bad transition.
    claimed = db.session.execute(
        update(Story)
        .where(Story.id == story.id, Story.status == before.value)
        .values(status=target.value)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise TransitionRefused("Someone changed this story a moment ago. Reload the page and try again.")
    now = utcnow()
    if target == S.SUBMITTED:
        story.submitted_at = now
        story.decision_note = None
    elif target == S.PUBLISHED and story.published_at is None:
        story.published_at = now
    if target in NEEDS_NOTE:
        story.decision_note = note
    story.status = target.value
    audit.record(
        actor, f"story.{target.value}", "story", story.id,
        before={"status": before.value}, after={"status": target.value}, note=note,
    )
    _tell_people(story, before, target, note)


def _tell_people(story: Story, before: StoryStatus, target: StoryStatus, note: str | None) -> None:
    title = f"“{story.title}”"
    if target == S.PUBLISHED and before == S.SUBMITTED:
        notify(story.nominator, NotificationKind.STORY_PUBLISHED, f"Your story {title} is published.", story)
        for nominee in story.nominees:
            notify(
                nominee, NotificationKind.ABOUT_YOU_PUBLISHED,
                f"{story.nominator.name} told a story about you: {title}. "
                "You can keep it out of digests from the story page.",
                story,
            )
            manager = nominee.manager
            if manager is not None and manager not in story.nominees:
                notify(
                    manager, NotificationKind.REPORT_RECOGNISED,
                    f"{nominee.name}, who reports to you, was recognised in {title}.", story,
                )
    elif target == S.CHANGES_REQUESTED:
        notify(
            story.nominator, NotificationKind.CHANGES_REQUESTED,
            f"HR asked for changes to {title}: {note}", story,
        )
    elif target == S.REJECTED:
        notify(
            story.nominator, NotificationKind.STORY_REJECTED,
            f"HR decided not to publish {title}: {note}", story,
        )


def submit(story: Story, actor: Person) -> None:
    transition(story, S.SUBMITTED, actor)


def publish(story: Story, actor: Person, personal_data_confirmed: bool = False) -> None:
    transition(story, S.PUBLISHED, actor, personal_data_confirmed=personal_data_confirmed)


def reject(story: Story, actor: Person, reason: str) -> None:
    transition(story, S.REJECTED, actor, note=reason)


def request_changes(story: Story, actor: Person, note: str) -> None:
    transition(story, S.CHANGES_REQUESTED, actor, note=note)


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
