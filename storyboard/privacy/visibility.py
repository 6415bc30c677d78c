"""Who may read the parts of a story that are not for every colleague."""
from __future__ import annotations

from storyboard.models import Person, Story


def can_see_rule(person: Person, story: Story) -> bool:
    """Whether `person` may read the story's "rule or process that got in the way".

    It is for those who can act on it: the nominator, the nominees' managers, and curators and
    admins. Not other colleagues, nor the nominees themselves.

    The nomination form (stories/edit.html) says exactly this; keep the two in step."""
    if not getattr(person, "is_authenticated", False):
        return False
    if person.is_curator or story.nominator_id == person.id:
        return True
    return any(nominee.manager_id == person.id for nominee in story.nominees)
