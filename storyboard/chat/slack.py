"""The Slack slash command: `/storyboard nominate @person what they did` starts a draft.

Slack posts a form and signs it (HMAC-SHA256 of "v0:<timestamp>:<body>" with the app's signing
secret). A request is acted on only if the signature is right, its timestamp within five minutes
and its signature never seen before (a replay of a captured request is refused). The sender
must have linked their Slack account to their Storyboard person (a signed link we reply with);
the draft is saved through the stories service, as the nomination form saves one.
"""
from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import delete, func, select

from storyboard import audit
from storyboard.clock import utcnow
from storyboard.db_helpers import insert_if_absent
from storyboard.extensions import db
from storyboard.models import ImpactKind, Person, SlackAccount, SlackRequestSeen
from storyboard.stories import service as stories
from storyboard.stories.forms import company_today
from storyboard.stories.nominees import search_people
from storyboard.text import one_line, shorten
from storyboard.urls import external_url

MAX_AGE_SECONDS = 5 * 60  # Slack's own advice: older requests may be replays
LINK_SALT = "storyboard-slack-link"
TITLE_CHARS = 80
CHOICES_SHOWN = 5
MENTION = re.compile(r"^<@(?P<id>[A-Z0-9]+)(?:\|(?P<name>[^>]*))?>\s*")
SLACK_LINK = re.compile(r"<(?:mailto:)?(?P<target>[^>|]+)(?:\|(?P<label>[^>]*))?>")
HELP = ("*/storyboard nominate @person what they did* starts a story about a colleague: a draft only you "
        "can see, to finish on Storyboard (values, impact) and send to HR.\n"
        "Name them with an @mention, their email address, or their name in quotes: "
        "`/storyboard nominate \"Nina Patel\" stayed late to fix the order`.")


class Rejected(Exception):
    """The request is not Slack's (401): a bad or missing signature, too old, or a replay."""


def verify(body: bytes, timestamp: str | None, signature: str | None) -> None:
    """Accept a request signed with SLACK_SIGNING_SECRET within five minutes, once; else Rejected."""
    secret = current_app.config.get("SLACK_SIGNING_SECRET")
    if not secret:
        raise Rejected("Slack commands are not set up here (no signing secret).")
    if not timestamp or not signature:
        raise Rejected("The request is not signed.")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise Rejected("The request's timestamp is not a number.") from None
    if abs(time.time() - sent_at) > MAX_AGE_SECONDS:
        raise Rejected("The request is more than five minutes old.")
    verifier = SignatureVerifier(secret)
    if not verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
        raise Rejected("The request's signature is wrong.")
    now = utcnow()
    forgotten = now - timedelta(seconds=2 * MAX_AGE_SECONDS)  # their timestamps are refused anyway
    db.session.execute(delete(SlackRequestSeen).where(SlackRequestSeen.seen_at < forgotten))
    if not insert_if_absent(SlackRequestSeen.__table__, {"signature": signature[:80], "seen_at": now}):
        db.session.commit()
        raise Rejected("This request was already received.")


@dataclass(frozen=True)
class Sender:
    team_id: str
    user_id: str
    user_name: str


def reply(text: str) -> dict:
    """An answer only the sender sees."""
    return {"response_type": "ephemeral", "text": text}


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def handle(sender: Sender, text: str) -> dict:
    """The command's answer; a nomination also saves a draft (the caller commits)."""
    command, _, rest = text.strip().partition(" ")
    if command.lower() != "nominate":
        prefix = "" if command.lower() in ("", "help") else f"I don't know “{escape(shorten(command, 40))}”. "
        return reply(prefix + HELP)
    person = linked_person(sender)
    if person is None:
        link = external_url("chat.slack_link", token=link_token(sender))
        return reply("First link your Slack account to Storyboard (once): "
                     f"<{link}|link it while signed in>, then send the command again.")
    return nominate(person, sender, rest.strip())


def linked_person(sender: Sender) -> Person | None:
    return db.session.scalar(select(Person).join(SlackAccount, SlackAccount.person_id == Person.id).where(
        SlackAccount.team_id == sender.team_id, SlackAccount.user_id == sender.user_id, Person.active))


def nominate(nominator: Person, sender: Sender, text: str) -> dict:
    found, what = find_nominee(sender.team_id, text)
    if isinstance(found, str):
        return reply(found)
    if found.id == nominator.id:
        return reply("You cannot nominate only yourself: name the colleague you are recognising.")
    what = plain(what).strip()
    if not what:
        return reply("Say what they did: `/storyboard nominate @person what they did`.")
    draft = stories.StoryDraft(
        title=shorten(one_line(what), TITLE_CHARS), body_md=what[:20000], impact_kind=ImpactKind.CUSTOMER.value,
        impact="", happened_on=company_today(), nominee_ids=[found.id], value_ids=[],
    )
    story = stories.save_story(None, nominator, draft, submit=False)
    db.session.flush()
    link = external_url("stories.edit", story_id=story.id)
    return reply(f"Saved a draft about {escape(found.name)}: “{escape(story.title)}”. "
                 f"<{link}|Finish it on Storyboard> (choose the values and the impact), then send it to HR.")


def find_nominee(team_id: str, text: str) -> tuple[Person | str, str]:
    """Who the command names at its start (a mention, an email, a quoted or plain name) and the
    rest of the text; or a message to reply with instead of a person."""
    mention = MENTION.match(text)
    if mention:
        account_person = db.session.scalar(select(Person).join(SlackAccount, SlackAccount.person_id == Person.id).where(
            SlackAccount.team_id == team_id, SlackAccount.user_id == mention["id"], Person.active))
        rest = text[mention.end():]
        if account_person is not None:
            return account_person, rest
        if not mention["name"]:
            return ("That colleague has not linked their Slack account yet: name them by email instead, "
                    "`/storyboard nominate name@company.com what they did`."), rest
        return _by_name(mention["name"], rest)
    if text.startswith(("\"", "“")):
        name, _, rest = text[1:].replace("”", "\"").partition("\"")
        return _by_name(name, rest)
    first, _, rest = text.partition(" ")
    if not first:
        return "Name a colleague: `/storyboard nominate @person what they did`.", ""
    first = plain(first)
    if "@" in first:
        person = db.session.scalar(select(Person).where(func.lower(Person.email) == first.lower(), Person.active))
        if person is None:
            return f"No active colleague has the email address {escape(first)}.", rest
        return person, rest
    words = text.split()
    for size in (3, 2):  # "Nina Patel fixed it": the longest run of words that is exactly a name
        name = " ".join(words[:size])
        exact = _exactly_named(name)
        if exact is not None:
            return exact, " ".join(words[size:])
    return _by_name(first, rest)


def _exactly_named(name: str) -> Person | None:
    people = list(db.session.scalars(
        select(Person).where(Person.active, func.lower(Person.name) == name.lower()).limit(2)))
    return people[0] if len(people) == 1 else None


def _by_name(name: str, rest: str) -> tuple[Person | str, str]:
    name = name.strip()
    if not name:
        return "Name a colleague: `/storyboard nominate @person what they did`.", rest
    exact = _exactly_named(name)
    if exact is not None:
        return exact, rest
    matches = search_people(name, CHOICES_SHOWN + 1)
    if len(matches) == 1:
        return matches[0], rest
    if not matches:
        return f"No active colleague matches “{escape(shorten(name, 60))}”. Try their email address.", rest
    choices = "\n".join(f"• {escape(person.name)} ({escape(person.email)})" for person in matches[:CHOICES_SHOWN])
    more = "\n…and more: be more precise." if len(matches) > CHOICES_SHOWN else ""
    return (f"More than one colleague matches “{escape(shorten(name, 60))}”. Send the command again with "
            f"the email address of the one you mean:\n{choices}{more}"), rest


def plain(text: str) -> str:
    """Slack's markup as the words people typed: links and mentions as their labels, and
    &amp; &lt; &gt; as the characters."""
    text = SLACK_LINK.sub(lambda match: match["label"] or match["target"], text)
    return html.unescape(text)


# Linking a Slack account.


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def link_token(sender: Sender) -> str:
    return _serializer().dumps([sender.team_id, sender.user_id, sender.user_name])


def sender_from_token(token: str) -> Sender | None:
    """The Slack user a link was made for, if the link is genuine and recent."""
    try:
        team_id, user_id, user_name = _serializer().loads(token, max_age=current_app.config["SLACK_LINK_MAX_AGE"])
    except (BadSignature, ValueError, TypeError):
        return None
    return Sender(str(team_id)[:32], str(user_id)[:32], str(user_name)[:120])


def account_for(sender: Sender) -> SlackAccount | None:
    return db.session.scalar(select(SlackAccount).where(
        SlackAccount.team_id == sender.team_id, SlackAccount.user_id == sender.user_id))


def link(person: Person, sender: Sender) -> SlackAccount:
    """Link the Slack user to `person`, moving it from whoever had it (the link proves that the
    Slack user asked, and the signed-in person accepted). The caller commits."""
    person_id = person.id  # read first: loading an expired person would flush a half-made account
    account = account_for(sender)
    before = {"person_id": account.person_id} if account is not None else None
    if account is None:
        account = SlackAccount(team_id=sender.team_id, user_id=sender.user_id, person_id=person_id)
        db.session.add(account)
    account.person_id, account.user_name = person_id, sender.user_name
    db.session.flush()
    audit.record(person, "chat.slack_linked", "slack_account", account.id, before=before,
                 after={"person_id": person.id, "team_id": sender.team_id, "user_id": sender.user_id})
    return account

