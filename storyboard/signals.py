"""What features announce. They send; whoever cares listens (notifications, and curation for
leavers), so the features that change a story or a person never need to know who reacts.

Signals are sent synchronously inside the change's transaction: what a listener adds to the
session (a notification, an email waiting for the commit) is kept or rolled back with the change.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the story; keyword arguments: actor, before and after (StoryStatus), note (or None).
story_moved = _signals.signal("story-moved")
# sender: the story; keyword arguments: author (who wrote the thank-you note).
story_thanked = _signals.signal("story-thanked")
# sender: who deactivated them (None for a people import); keyword arguments: person_ids.
people_left = _signals.signal("people-left")
# sender: the friction item HR saved as changed; keyword arguments: actor (who saved it). Sent
# on every save with the status "changed", so people filed under it since are told too.
friction_changed = _signals.signal("friction-changed")
# sender: the digest issue just cut (flushed, with its stories), inside the cut's transaction;
# no keyword arguments. Chat webhooks announce digest day from it.
digest_issue_cut = _signals.signal("digest-issue-cut")
