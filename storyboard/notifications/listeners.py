"""Who is told when a story moves or is thanked: notifications listen to the stories' signals."""
from __future__ import annotations

from storyboard import signals
from storyboard.models import NotificationKind, Person, Story, StoryStatus
from storyboard.notifications.service import notify

S = StoryStatus


def tell_about_move(story: Story, *, actor: Person, before: StoryStatus, after: StoryStatus,
                    note: str | None) -> None:
    """The nominator hears of every decision; the people a story is about, and their managers,
    hear when it is first published."""
    title = f"“{story.title}”"
    if after == S.PUBLISHED and before == S.SUBMITTED:
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
    elif after == S.CHANGES_REQUESTED:
        notify(
            story.nominator, NotificationKind.CHANGES_REQUESTED,
            f"HR asked for changes to {title}: {note}", story,
        )
    elif after == S.REJECTED:
        notify(
            story.nominator, NotificationKind.STORY_REJECTED,
            f"HR decided not to publish {title}: {note}", story,
        )


def tell_about_thanks(story: Story, *, author: Person) -> None:
    """The people a story is about hear of a thank-you note, unless they wrote it."""
    for nominee in story.nominees:
        if nominee.id != author.id:
            notify(nominee, NotificationKind.THANK_YOU, f"{author.name} thanked you on “{story.title}”.", story)


def connect() -> None:
    """Listen from now on. Connecting again (every app the tests build) changes nothing."""
    signals.story_moved.connect(tell_about_move)
    signals.story_thanked.connect(tell_about_thanks)
