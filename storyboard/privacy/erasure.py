"""Erasing a leaver: the account anonymised and closed, their name and email purged everywhere.

The person's row stays, so that stories they told, notes they wrote and the audit log still
point at someone ("Former colleague"); nothing in it says who they were. Stories about them are
kept with their name replaced, or removed, as the admin chooses; a story's photos go the way of
its text (kept with their alt text purged, or deleted with their files). Their name and email go from
every story, revision, audit entry, notification and digest delivery (purge.purge_everywhere),
and from the search index.
"""
from __future__ import annotations

import enum
import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from storyboard import audit
from storyboard.auth import sessions
from storyboard.digest.subscriptions import set_digest_frequency
from storyboard.errors import Refused
from storyboard.extensions import db
from storyboard.models import (
    ApiToken,
    FeedToken,
    Notification,
    NotificationSetting,
    Person,
    Role,
    SlackAccount,
    SSOIdentity,
    Story,
    story_nominees,
)
from storyboard.purge import (
    Purge,
    purge_audit_about,
    purge_everywhere,
    purge_stories,
    refresh_search_index,
)

ERASED_NAME = "Former colleague"
ERASED_LABEL = "[former colleague]"  # what their name and email become in text
REMOVED = "[removed]"  # the user text of audit entries about removed stories and about them
MIN_NAME_PART = 2


class ErasureRefused(Refused):
    """An erasure the current state does not allow; views answer it with 409 and this message."""


class StoryChoice(enum.StrEnum):
    KEEP = "keep"
    REMOVE = "remove"


@dataclass(frozen=True)
class Erased:
    """What an erasure did, for the admin's message and the audit log."""

    stories_about: int
    removed: int
    records: int


def erased_email(person_id: int) -> str:
    """The address an erased account keeps: unique, and undeliverable (.invalid, RFC 2606)."""
    return f"erased-{person_id}@erased.invalid"


def is_erased(person: Person) -> bool:
    return person.email == erased_email(person.id)


def stories_about(person: Person) -> list[int]:
    return list(db.session.scalars(
        select(story_nominees.c.story_id).where(story_nominees.c.person_id == person.id)
    ))


def only_about(person: Person) -> list[int]:
    """Stories whose only nominee is `person`: the ones "remove" takes away."""
    nominees = (
        select(story_nominees.c.story_id)
        .where(story_nominees.c.story_id.in_(stories_about(person)))
        .group_by(story_nominees.c.story_id)
        .having(func.count() == 1)
    )
    return list(db.session.scalars(nominees))


def check_erasable(actor: Person, person: Person) -> None:
    """Refuse erasing oneself, an admin, or an account already erased."""
    if is_erased(person):
        raise ErasureRefused("This account has already been erased.")
    if person.id == actor.id:
        raise ErasureRefused("You cannot erase your own account. Ask another admin.")
    if person.role == Role.ADMIN:
        raise ErasureRefused(f"{person.name} is an admin. Make them staff first, then erase them.")


def erase(actor: Person, person: Person, choice: StoryChoice) -> Erased:
    """Anonymise and close `person`'s account and purge their name and email. The caller commits."""
    check_erasable(actor, person)
    name, email = person.name, person.email
    about = stories_about(person)
    removed = only_about(person) if choice == StoryChoice.REMOVE else []
    counts: Counter = Counter()
    if removed:
        counts["audit_log"] += _remove_stories(removed)
    _anonymise(person)
    # Everywhere: their email, and their full name when it is two words or more (a one-word
    # name such as "Support" would rewrite everyone's stories).
    everywhere = [email] + ([name] if len(name_parts(name)) > 1 else [])
    counts += purge_everywhere(Purge.any_case(everywhere, ERASED_LABEL, whole_words=True))
    # Stories about them call them by their first name too; elsewhere a first name alone could
    # be anyone's.
    kept = [story_id for story_id in about if story_id not in removed]
    if parts := name_parts(name):
        counts += purge_stories(kept, Purge.any_case([name, *parts], ERASED_LABEL, whole_words=True))
    # What was recorded about the account itself (the invitation's name, email, job...) goes
    # whole; roles, statuses and dates stay.
    counts["audit_log"] += purge_audit_about("person", [person.id], Purge.everything(REMOVED), notes=False)
    audit.record(
        actor, "person.erase", "person", person.id,
        after={"stories": choice.value, "stories_about": len(about), "removed": len(removed),
               "records": sum(counts.values())},
    )
    refresh_search_index()
    return Erased(len(about), len(removed), sum(counts.values()))


def name_parts(name: str) -> list[str]:
    """The words of a name long enough to search for: "Mary-Jo O'Neil" gives its three parts."""
    return [part for part in re.findall(r"[\w'’]+", name) if len(part) >= MIN_NAME_PART]


def _anonymise(person: Person) -> None:
    person.name = ERASED_NAME
    person.email = erased_email(person.id)
    # The department goes too: in a small team it names the person as surely as their name.
    person.job_title = person.location = person.department = ""
    person.start_date = None
    person.password_hash = None
    person.last_login_at = None
    person.manager_id = None
    person.role = Role.STAFF.value
    person.active = False
    person.hide_from_digests = True
    person.bounce_score = 0
    db.session.execute(
        update(Person).where(Person.manager_id == person.id).values(manager_id=None)
        .execution_options(synchronize_session=False)
    )
    set_digest_frequency(person, "never")  # cancels digests waiting to go to them
    db.session.execute(delete(Notification).where(Notification.person_id == person.id))
    db.session.execute(delete(NotificationSetting).where(NotificationSetting.person_id == person.id))
    # What links the person to other systems goes too: the HR system's id (a rehire gets a
    # fresh record), their accounts at the sign-in provider and in Slack, and their tokens.
    person.external_id = None
    for model in (SSOIdentity, SlackAccount, ApiToken, FeedToken):
        db.session.execute(delete(model).where(model.person_id == person.id))
    sessions.end_all(person)
    db.session.flush()


def _remove_stories(story_ids: list[int]) -> int:
    """Delete stories; their audit entries keep who moved them when, without their text."""
    changed = purge_audit_about("story", story_ids, Purge.everything(REMOVED))
    db.session.execute(
        update(Story).where(Story.merged_into_id.in_(story_ids)).values(merged_into_id=None)
        .execution_options(synchronize_session=False)
    )
    # Through the ORM, so nominees, values and notes go with each story; revisions,
    # notifications, reads, applause and digest rows go by their ON DELETE CASCADE.
    for story in db.session.scalars(select(Story).where(Story.id.in_(story_ids))).all():
        db.session.delete(story)
    db.session.flush()
    return changed
