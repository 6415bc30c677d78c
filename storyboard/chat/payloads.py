"""What a webhook posts: one message per event in the webhook's format (Slack blocks with a text
fallback, a Teams Adaptive Card, or plain JSON), built when it is sent, from what is published.

Built at send time, not when the event happens: a story redacted or archived in the meantime is
sent as it is now, or not at all. Nothing here reads a draft: a story that is not published, or
that someone it is about keeps out of digests, gives no message (the delivery is cancelled).

Text people wrote never becomes markup on the other side: Slack gets it in `plain_text` blocks,
and its `mrkdwn` fallback with &, < and > escaped (so "<!channel>" or "<http://x|y>" stay text);
Teams gets Markdown's special characters escaped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app

from storyboard.digest.issues import issue_selection
from storyboard.extensions import db
from storyboard.models import ChatEvent, ChatFormat, DigestIssue, Story, StoryStatus
from storyboard.text import excerpt, shorten
from storyboard.urls import external_url

EXCERPT_CHARS = 280
SLACK_HEADER_MAX = 150  # Slack refuses a header block's text beyond 150 characters
DIGEST_STORIES_MAX = 10
TEAMS_SPECIAL = re.compile(r"([\\`*_\[\]{}()~>#|])")
TEAMS_BULLET = re.compile(r"^(\s*)([-+])(\s)", re.MULTILINE)
TEAMS_NUMBERED = re.compile(r"^(\s*\d+)\.(\s)", re.MULTILINE)


@dataclass(frozen=True)
class Message:
    """A message's parts in plain text, before any format."""

    event: str
    title: str
    summary: str  # the excerpt, or the issue's stories, one per line
    facts: tuple[tuple[str, str], ...]  # ("About", "Nina Nominee"), ...
    link: str
    link_label: str
    data: dict[str, Any]  # what the JSON format sends under the event's name


def slack_escape(text: str) -> str:
    """Text as Slack's mrkdwn shows it literally: only &, < and > are control characters there."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def teams_escape(text: str) -> str:
    """Text as a Teams card shows it literally: Markdown's special characters backslashed."""
    text = TEAMS_SPECIAL.sub(r"\\\1", text)
    # Backslash escapes only punctuation: "1\." keeps a number from starting a list, "\1." would not.
    return TEAMS_NUMBERED.sub(r"\1\\.\2", TEAMS_BULLET.sub(r"\1\\\2\3", text))


def story_message(story: Story) -> Message | None:
    """The published story's message, or None if it is not one to announce (any more)."""
    if story.status != StoryStatus.PUBLISHED:
        return None
    if any(person.hide_from_digests for person in story.nominees) or story.digest_opt_outs:
        return None  # the people it is about keep it out of digests: a channel is no different
    about = ", ".join(person.name for person in story.nominees)
    values = ", ".join(value.name for value in story.values)
    text = excerpt(story.body_html, EXCERPT_CHARS)
    link = external_url("stories.show", story_id=story.id)
    facts = tuple((name, shown) for name, shown in (("About", about), ("Values", values)) if shown)
    return Message(
        event=ChatEvent.STORY_PUBLISHED.value, title=story.title, summary=text, facts=facts,
        link=link, link_label="Read the story",
        data={"story": {"id": story.id, "title": story.title, "excerpt": text,
                        "about": [person.name for person in story.nominees],
                        "values": [value.name for value in story.values], "url": link,
                        "published_at": story.published_at.isoformat() + "Z" if story.published_at else None}},
    )


def issue_message(issue: DigestIssue) -> Message | None:
    """Digest day: the issue's published stories, titles and who they are about."""
    selection, stories = issue_selection(issue)
    if not stories:
        return None
    lines, items = [], []
    for story in stories[:DIGEST_STORIES_MAX]:
        about = ", ".join(person.name for person in story.nominees)
        lines.append(f"• {story.title}" + (f" (about {about})" if about else ""))
        items.append({"id": story.id, "title": story.title, "about": about,
                      "url": external_url("stories.show", story_id=story.id)})
    link = external_url("digest.issue", issue_key=issue.issue_key)
    company = current_app.config["COMPANY_NAME"]
    title = f"{company} digest, {issue.cut_at.day} {issue.cut_at:%B %Y}"
    return Message(
        event=ChatEvent.DIGEST_ISSUE.value, title=title, summary="\n".join(lines),
        facts=(("Stories", str(len(stories))),), link=link, link_label="Read the issue",
        data={"issue": {"key": issue.issue_key, "title": title, "url": link, "stories": items}},
    )


def trial_message(webhook_name: str) -> Message:
    link = external_url("stories.feed")
    return Message(
        event=ChatEvent.TEST.value, title="Storyboard test message",
        summary=f"The webhook “{webhook_name}” works: stories will appear here when they are published.",
        facts=(), link=link, link_label="Open Storyboard", data={"test": {"webhook": webhook_name}},
    )


def message_for(event: str, story_id: int | None, issue_id: int | None, webhook_name: str) -> Message | None:
    """The message of a delivery's event, from the database as it is now."""
    if event == ChatEvent.STORY_PUBLISHED and story_id is not None:
        story = db.session.get(Story, story_id)
        return story_message(story) if story is not None else None
    if event == ChatEvent.DIGEST_ISSUE and issue_id is not None:
        issue = db.session.get(DigestIssue, issue_id)
        return issue_message(issue) if issue is not None else None
    if event == ChatEvent.TEST:
        return trial_message(webhook_name)
    return None


def payload(message: Message, format_: str, delivery_uuid: str) -> dict[str, Any]:
    if format_ == ChatFormat.SLACK:
        return slack_payload(message)
    if format_ == ChatFormat.TEAMS:
        return teams_payload(message)
    return {"event": message.event, "delivery": delivery_uuid, "text": _plain_line(message)} | message.data


def _plain_line(message: Message) -> str:
    about = dict(message.facts).get("About")
    return f"{message.title}" + (f" (about {about})" if about else "") + f": {message.link}"


def slack_payload(message: Message) -> dict[str, Any]:
    """Blocks for Slack's incoming webhooks, every piece of people's text as plain_text."""
    about = dict(message.facts).get("About")
    fallback = (f"{slack_escape(message.title)}" + (f" (about {slack_escape(about)})" if about else "")
                + f" <{message.link}|{message.link_label}>")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": shorten(message.title, SLACK_HEADER_MAX)}},
        {"type": "section", "text": {"type": "plain_text", "text": message.summary}},
    ]
    if message.facts:
        blocks.append({"type": "context", "elements": [
            {"type": "plain_text", "text": f"{name}: {value}"} for name, value in message.facts]})
    blocks.append({"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": message.link_label}, "url": message.link}]})
    return {"text": fallback, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def teams_payload(message: Message) -> dict[str, Any]:
    """A message with one Adaptive Card attachment, as Teams workflows ("Post to a channel when a
    webhook request is received") and incoming webhooks take it."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": teams_escape(message.title), "weight": "Bolder", "size": "Medium", "wrap": True},
        {"type": "TextBlock", "text": teams_escape(message.summary), "wrap": True},
    ]
    if message.facts:
        body.append({"type": "FactSet", "facts": [{"title": name, "value": teams_escape(value)}
                                                  for name, value in message.facts]})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
        "body": body, "actions": [{"type": "Action.OpenUrl", "title": message.link_label, "url": message.link}],
    }
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}
