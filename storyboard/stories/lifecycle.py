"""A story's life: every change of its status goes through here, driven by one table of
transitions (submit, request changes, resubmit, publish, reject, archive, restore).

Each transition writes an audit entry and sends `signals.story_moved`; notifications decide who
is told. Curation (HR's layer above) calls these; this module never imports curation.
"""
from __future__ import annotations

from sqlalchemy import update

from storyboard import audit, pii, signals
from storyboard.clock import utcnow
from storyboard.errors import Refused
from storyboard.extensions import db
from storyboard.models import Person, Story, StoryStatus

S = StoryStatus

# from-status -> the statuses it may move to. Every status has a row.
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


class TransitionRefused(Refused):
    """A status change the table does not allow, or one someone else made first; views answer it with 409."""


class NoteRefused(Refused):
    """A decision without the note it needs, or with one too long: the move panel shows the
    story again with the note as typed (400); elsewhere it is a 409 like any refusal."""


def can_transition(story: Story, target: StoryStatus) -> bool:
    return target in ALLOWED_TRANSITIONS[StoryStatus(story.status)]


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
        raise NoteRefused("Write a note so the nominator knows why.")
    if note and len(note) > NOTE_MAX:
        raise NoteRefused(f"Keep the note under {NOTE_MAX:,} characters.")
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
    story.status_changed_at = now
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
    signals.story_moved.send(story, actor=actor, before=before, after=target, note=note)


def submit(story: Story, actor: Person) -> None:
    transition(story, S.SUBMITTED, actor)


def publish(story: Story, actor: Person, personal_data_confirmed: bool = False) -> None:
    transition(story, S.PUBLISHED, actor, personal_data_confirmed=personal_data_confirmed)


def reject(story: Story, actor: Person, reason: str) -> None:
    transition(story, S.REJECTED, actor, note=reason)


def request_changes(story: Story, actor: Person, note: str) -> None:
    transition(story, S.CHANGES_REQUESTED, actor, note=note)
