"""A story's life: every change of its status goes through here, driven by one table of
transitions (submit, request changes, resubmit, publish, reject, archive, restore), plus the
writer's own two ways out before HR decides: withdrawing a submitted story back to a draft, and
deleting a draft.

Each transition writes an audit entry and sends `signals.story_moved`; notifications decide who
is told. Curation (HR's layer above) calls these; this module never imports curation.
"""
from __future__ import annotations

from sqlalchemy import exists, select, update

from storyboard import audit, pii, signals
from storyboard.clock import utcnow
from storyboard.errors import NotPermitted, Refused
from storyboard.extensions import db
from storyboard.models import Person, Story, StoryStatus
from storyboard.purge import Purge, purge_audit_about

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
# The writer's own moves, kept out of ALLOWED_TRANSITIONS (what the curator panel offers): a
# story waiting for review may be withdrawn to a draft, and only a draft may be deleted. A story
# HR sent back for changes is not a draft: a curator decided on it, curators may edit it and
# merge other nominations into it (curation.merge), and its only way on is back to review.
WITHDRAWABLE = frozenset({S.SUBMITTED})
DELETABLE = frozenset({S.DRAFT})
NOTE_MAX = 2000  # the note form's limit, kept here too for moves that come without the form
CHANGED_MEANWHILE = "Someone changed this story a moment ago. Reload the page and try again."
CHANGED_SINCE_SEEN = ("This story changed after you opened it: it was taken back and sent for review again. "
                      "Read it again before you decide.")
DELETED_TEXT = "[removed]"  # what the words in a deleted draft's audit entries become


class TransitionRefused(Refused):
    """A status change the table does not allow, or one someone else made first; views answer it with 409."""


class ChangedSinceSeen(TransitionRefused):
    """A decision made on a page showing the story as it was before it moved (say its writer
    withdrew it, changed it and sent it again): the status matches, the words may not (409)."""


class NoteRefused(Refused):
    """A decision without the note it needs, or with one too long: the move panel shows the
    story again with the note as typed (400); elsewhere it is a 409 like any refusal."""


def can_transition(story: Story, target: StoryStatus) -> bool:
    return target in ALLOWED_TRANSITIONS[StoryStatus(story.status)]


def seen_token(story: Story) -> str:
    """What a decision form carries of the story it shows: when its status last changed, to the
    microsecond (a withdraw and a resubmit can fall within one second). "" if it never moved."""
    return story.status_changed_at.isoformat() if story.status_changed_at else ""


def transition(story: Story, target: StoryStatus, actor: Person, note: str | None = None,
               personal_data_confirmed: bool = False, seen: str | None = None) -> None:
    """Move `story` to `target`, or raise TransitionRefused. The caller commits.

    Publishing a story with likely customer personal data raises pii.NeedsConfirmation unless
    the curator has confirmed it (`personal_data_confirmed`): the rule holds on every path.
    `seen` is the story's seen_token() on the page the decision was made on; if the story moved
    since, ChangedSinceSeen. None (scripts, pages from before forms carried it) skips the check.
    """
    if not can_transition(story, target):
        raise TransitionRefused(f"A {StoryStatus(story.status).label} story cannot be {target.verb}.")
    if seen is not None and seen != seen_token(story):
        raise ChangedSinceSeen(CHANGED_SINCE_SEEN)
    if target == S.PUBLISHED:
        pii.check_publish(story, personal_data_confirmed)
    if target == S.SUBMITTED and actor.id != story.nominator_id:
        # A draft is its author's until they submit it: HR may read it, never move it.
        raise TransitionRefused("Only the person who wrote a story can submit it.")
    if target in NEEDS_NOTE and not (note or "").strip():
        raise NoteRefused("Write a note so the nominator knows why.")
    if note and len(note) > NOTE_MAX:
        raise NoteRefused(f"Keep the note under {NOTE_MAX:,} characters.")
    _move(story, target, actor, note, action=f"story.{target.value}", as_seen=seen is not None)


def _move(story: Story, target: StoryStatus, actor: Person, note: str | None, action: str,
          as_seen: bool = False) -> None:
    """Claim the move, date it, audit it as `action` and announce it; the checks are the caller's.
    With `as_seen`, the claim also needs the story not to have moved since it was loaded."""
    db.session.flush()  # a story saved moments ago needs its id for the claim below
    before = StoryStatus(story.status)
    # Claim the change in the database: of two curators acting at once, only the first moves
    # the story from the status both saw; the other is refused like any bad transition.
    claim = [Story.id == story.id, Story.status == before.value]
    if as_seen:
        # A withdraw and resubmit landing between the check in transition() and this claim
        # leaves the status as it was, but not status_changed_at.
        changed_at = story.status_changed_at
        claim.append(Story.status_changed_at.is_(None) if changed_at is None
                     else Story.status_changed_at == changed_at)
    claimed = db.session.execute(
        update(Story)
        .where(*claim)
        .values(status=target.value)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise ChangedSinceSeen(CHANGED_SINCE_SEEN) if as_seen else TransitionRefused(CHANGED_MEANWHILE)
    now = utcnow()
    story.status_changed_at = now
    if target == S.SUBMITTED:
        story.submitted_at = now
        story.decision_note = None
    elif target == S.DRAFT:
        story.submitted_at = None  # not waiting any more: the queue's "waiting since" starts again
    elif target == S.PUBLISHED and story.published_at is None:
        story.published_at = now
    if target in NEEDS_NOTE:
        story.decision_note = note
    story.status = target.value
    audit.record(
        actor, action, "story", story.id,
        before={"status": before.value}, after={"status": target.value}, note=note,
    )
    signals.story_moved.send(story, actor=actor, before=before, after=target, note=note)


def submit(story: Story, actor: Person) -> None:
    transition(story, S.SUBMITTED, actor)


def publish(story: Story, actor: Person, personal_data_confirmed: bool = False, seen: str | None = None) -> None:
    transition(story, S.PUBLISHED, actor, personal_data_confirmed=personal_data_confirmed, seen=seen)


def reject(story: Story, actor: Person, reason: str, seen: str | None = None) -> None:
    transition(story, S.REJECTED, actor, note=reason, seen=seen)


def request_changes(story: Story, actor: Person, note: str, seen: str | None = None) -> None:
    transition(story, S.CHANGES_REQUESTED, actor, note=note, seen=seen)


def withdraw(story: Story, actor: Person) -> None:
    """The writer takes a story waiting for review back to a draft, to change or delete it.

    It leaves the queue at once. Nobody is told: HR hears of no submission either, and the
    story simply stops waiting (the audit log keeps the move). The caller commits.
    """
    if actor.id != story.nominator_id:
        raise NotPermitted("Only the person who wrote a story can withdraw it.")
    if story.status not in WITHDRAWABLE:
        raise TransitionRefused(
            f"Only a story waiting for review can be withdrawn; this one is {StoryStatus(story.status).label}."
        )
    _move(story, S.DRAFT, actor, None, action="story.withdrawn")


def check_deletable(story: Story, actor: Person) -> None:
    """Refuse deleting anything but the actor's own draft, with what to do instead."""
    if actor.id != story.nominator_id:
        raise NotPermitted("Only the person who wrote a draft can delete it.")
    status = StoryStatus(story.status)
    if status == S.SUBMITTED:
        raise TransitionRefused("This story is waiting for review. Withdraw it first; then you can delete the draft.")
    if status not in DELETABLE:
        raise TransitionRefused(f"Only drafts can be deleted; this story is {status.label}.")
    # A story merged into while it was with HR holds other people's nomination, credit,
    # applause and notes: deleting it would lose theirs too (and the duplicate points at it).
    if db.session.scalar(select(exists().where(Story.merged_into_id == story.id))):
        raise TransitionRefused(
            "HR merged another nomination into this story, so it holds other people's words too. "
            "Submit it again, or ask HR."
        )


def delete_draft(story: Story, actor: Person) -> None:
    """Delete the actor's own draft with everything hanging off it, and audit it. The caller commits.

    Through the ORM, so nominees, values and notes go with the story; revisions, notifications
    and any other row naming it go by their ON DELETE CASCADE (as privacy.erasure removes stories).
    """
    check_deletable(story, actor)
    # Claim it as a draft first (a row lock on PostgreSQL): a submit in another tab at the same
    # moment either happened before, and this is refused, or waits and finds nothing to submit.
    claimed = db.session.execute(
        update(Story)
        .where(Story.id == story.id, Story.status == S.DRAFT.value)
        .values(updated_at=Story.updated_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise TransitionRefused(CHANGED_MEANWHILE)
    # The log keeps who moved and edited the story, when, and that its writer deleted it, but
    # none of its words (edits, HR's notes): they go with the story, as when a leaver's story
    # is removed. Its title is not recorded either, for the same reason.
    purge_audit_about("story", [story.id], Purge.everything(DELETED_TEXT))
    audit.record(actor, "story.deleted", "story", story.id, before={"status": story.status}, after=None)
    db.session.delete(story)
    db.session.flush()
