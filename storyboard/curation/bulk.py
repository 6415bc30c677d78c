"""Publishing or rejecting several waiting stories at once.

Each story moves through stories.lifecycle, one at a time, exactly as if a curator had pressed
its own button: each move is audited, claims the story in the database (so a story someone
else moved meanwhile is refused, not moved twice) and sends the signal its nominator is told
by. A story that cannot move stays as it is and is reported; the others still move. Functions
here never commit: the view commits the moves that were made.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from storyboard import pii
from storyboard.extensions import db
from storyboard.models import Person, Story, StoryStatus
from storyboard.stories import lifecycle

TITLE_SHOWN = 60  # characters of a title in a report: the report travels in the session cookie


@dataclass
class BulkResult:
    selected: int
    moved: list[Story] = field(default_factory=list)
    # Publishing these needs a curator to read their flagged personal data first, one by one.
    need_confirmation: list[Story] = field(default_factory=list)
    no_longer_waiting: list[Story] = field(default_factory=list)  # someone else moved them
    # Waiting again, but withdrawn and sent again since the page was opened: read them first.
    changed_since_seen: list[Story] = field(default_factory=list)
    missing: int = 0  # numbers of stories that are not there (any more)


def publish_selected(story_ids: list[int], actor: Person, seen: dict[int, str] | None = None) -> BulkResult:
    """Publish each waiting story in `story_ids`; ones with likely personal data are left waiting.
    `seen`: each story's lifecycle.seen_token() on the page (none given, no check)."""
    seen = seen or {}
    return _move_each(story_ids, lambda story: lifecycle.publish(story, actor, seen=seen.get(story.id)))


def reject_selected(story_ids: list[int], actor: Person, reason: str,
                    seen: dict[int, str] | None = None) -> BulkResult:
    """Reject each waiting story in `story_ids`, each with the same reason for its nominator."""
    seen = seen or {}
    return _move_each(story_ids, lambda story: lifecycle.reject(story, actor, reason, seen=seen.get(story.id)))


def _move_each(story_ids: list[int], move: Callable[[Story], None]) -> BulkResult:
    found = db.session.scalars(
        select(Story).where(Story.id.in_(story_ids))
        # What the lifecycle's checks and the nominators' notifications read, loaded up front.
        .options(joinedload(Story.nominator), selectinload(Story.nominees).joinedload(Person.manager))
    )
    stories = {story.id: story for story in found.unique()}
    result = BulkResult(selected=len(story_ids))
    for story_id in story_ids:
        story = stories.get(story_id)
        if story is None:
            result.missing += 1
        elif story.status != StoryStatus.SUBMITTED:
            # Bulk moves are for the waiting tab: an archived story must not be restored by a
            # tick left on an old page, though the lifecycle would allow publishing it.
            result.no_longer_waiting.append(story)
        else:
            _move_one(story, move, result)
    return result


def _move_one(story: Story, move: Callable[[Story], None], result: BulkResult) -> None:
    try:
        move(story)
    except pii.NeedsConfirmation:
        result.need_confirmation.append(story)
    except lifecycle.ChangedSinceSeen:
        result.changed_since_seen.append(story)
    except lifecycle.TransitionRefused:
        # Another curator's move came first: say where the story is now.
        db.session.refresh(story, ["status"])
        result.no_longer_waiting.append(story)
    else:
        result.moved.append(story)


def report(result: BulkResult, published: bool) -> list[tuple[str, str]]:
    """What happened, as (flash category, message): what moved, then each group that did not."""
    done = "Published" if published else "Rejected"
    lines = []
    moved = len(result.moved)
    if moved and moved == result.selected == 1:
        lines.append(("success", f"{done} {_titles(result.moved)}; its nominator is told."))
    elif moved == result.selected:
        lines.append(("success", f"{done} all {moved} selected stories; each nominator is told."))
    elif moved:
        lines.append(("success", f"{done} {moved} of the {result.selected} selected stories; "
                                 f"{'its nominator is' if moved == 1 else 'each nominator is'} told."))
    else:
        lines.append(("warning", f"None of the selected stories was {done.lower()}."))
    if result.need_confirmation:
        one = len(result.need_confirmation) == 1
        lines.append(("warning", (
            f"Not published, as {'it still has' if one else 'they still have'} likely personal data of customers: "
            f"{_titles(result.need_confirmation)}. Open {'it' if one else 'each'}, read what is flagged "
            f"(or redact it), and publish {'it' if one else 'each'} on its own."
        )))
    if result.no_longer_waiting:
        moved_by = ", ".join(f"{_title(story)} (now {StoryStatus(story.status).label})"
                             for story in result.no_longer_waiting)
        one = len(result.no_longer_waiting) == 1
        lines.append(("warning", f"Not {done.lower()}, as {'it is' if one else 'they are'} no longer waiting "
                                 f"(someone moved {'it' if one else 'them'} first): {moved_by}."))
    if result.changed_since_seen:
        one = len(result.changed_since_seen) == 1
        lines.append(("warning", (
            f"Not {done.lower()}, as {'it' if one else 'they'} changed after you opened the page "
            f"(taken back and sent for review again): {_titles(result.changed_since_seen)}. "
            f"Read {'it' if one else 'them'} again before you decide."
        )))
    if result.missing:
        lines.append(("warning", "1 selected story no longer exists." if result.missing == 1
                      else f"{result.missing} selected stories no longer exist."))
    return lines


def _title(story: Story) -> str:
    title = story.title if len(story.title) <= TITLE_SHOWN else story.title[: TITLE_SHOWN - 1].rstrip() + "…"
    return f"“{title}”"


def _titles(stories: list[Story]) -> str:
    return ", ".join(_title(story) for story in stories)
