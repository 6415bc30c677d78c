"""Atom documents of published stories (feedgen): which stories, and how each becomes an entry.

The stories are the ones the web lists for everyone signed in (the feed, a value's page, a
profile's "stories about"): published only, newest first, with their stored text, which
redaction and erasure have already purged, so a feed can never show more than the web does.
An entry's content is the story's HTML as the Markdown chokepoint stored it, never rendered
again here; the byline and the difference it made are escaped text around it. The "rule that
got in the way" is not for every colleague (privacy/visibility.py) and never goes into a feed.

Keeping a story out of digests does not keep it out of feeds: the preference keeps it from
the email sent to everyone (and the break room's printed sheet), while "stories about you stay
on Storyboard" for every colleague, and a feed is one colleague's own reading of Storyboard.
There is no public feed for the same reason there is no public page: Storyboard is private.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import Select, select
from sqlalchemy.orm import defer, selectinload

from storyboard.extensions import db
from storyboard.markdown import stored
from storyboard.models import ImpactKind, Person, Story, StoryStatus, Value, story_nominees, story_values
from storyboard.urls import external_url

ATOM_TYPE = "application/atom+xml; charset=utf-8"
# The date in every tag: URI (RFC 4151). Ids must never change, so it is fixed for good.
TAG_DATE = "2026"
# An empty feed has no last change; a fixed moment keeps its bytes (and ETag) the same.
NEVER = datetime(2026, 1, 1, tzinfo=UTC)
# Characters XML 1.0 cannot carry at all; forms never store them, but old rows might.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedSpec:
    """One feed: its name, tag, web page, own address, and which published stories it holds."""

    key: str  # the tag's specific part: "stories", "values/3", "people/12"
    title: str
    page_url: str
    self_url: str
    stories: Select


def company_feed(token: str) -> FeedSpec:
    company = current_app.config["COMPANY_NAME"]
    return FeedSpec("stories", f"{company}: stories", external_url("stories.feed"),
                    external_url("feeds.stories", token=token), published_stories())


def value_feed(token: str, value: Value) -> FeedSpec:
    """Stories showing a value, retired ones included, as its page lists them."""
    company = current_app.config["COMPANY_NAME"]
    stories = published_stories().where(
        Story.id.in_(select(story_values.c.story_id).where(story_values.c.value_id == value.id))
    )
    return FeedSpec(f"values/{value.id}", f"{company}: stories showing {value.name}",
                    external_url("stories.value", slug=value.slug),
                    external_url("feeds.value", token=token, slug=value.slug), stories)


def person_feed(token: str, person: Person) -> FeedSpec:
    """Stories about a person, as their profile lists them (`few`: see published_stories)."""
    company = current_app.config["COMPANY_NAME"]
    stories = published_stories(few=True).where(
        Story.id.in_(select(story_nominees.c.story_id).where(story_nominees.c.person_id == person.id))
    )
    return FeedSpec(f"people/{person.id}", f"{company}: stories about {person.name}",
                    external_url("people.profile", person_id=person.id),
                    external_url("feeds.person", token=token, person_id=person.id), stories)


def published_stories(few: bool = False) -> Select[tuple[Story]]:
    """Published stories, newest first, with what an entry shows loaded in bulk.

    The web's listing (stories.service.published_stories) leaves the difference it made
    behind, which an entry shows; `few` is its trick for one person's stories, kept here.
    """
    status = (Story.status + "") if few else Story.status
    return (
        select(Story)
        .where(status == StoryStatus.PUBLISHED.value)
        .order_by(Story.published_at.desc(), Story.id.desc())
        .options(
            defer(Story.body_md), defer(Story.search_text),
            selectinload(Story.nominees).load_only(Person.id, Person.name),
            selectinload(Story.nominator).load_only(Person.id, Person.name),
            selectinload(Story.values),
        )
    )


def atom_document(spec: FeedSpec) -> bytes:
    """The feed as Atom XML (UTF-8): at most FEED_ENTRIES stories, newest published first."""
    stories = db.session.scalars(spec.stories.limit(current_app.config["FEED_ENTRIES"])).all()
    feed = FeedGenerator()
    feed.id(tag_uri(f"feeds/{spec.key}"))
    feed.title(_xml(spec.title))
    feed.author(name=_xml(current_app.config["COMPANY_NAME"]))
    feed.link(href=spec.page_url, rel="alternate", type="text/html")
    feed.link(href=spec.self_url, rel="self", type="application/atom+xml")
    feed.generator("Storyboard")
    feed.updated(max((last_change(story) for story in stories), default=NEVER))
    for story in stories:
        _add_entry(feed, story)
    return feed.atom_str(pretty=False)


def _add_entry(feed: FeedGenerator, story: Story) -> None:
    entry = feed.add_entry(order="append")  # the query's order: newest first
    entry.id(tag_uri(f"stories/{story.id}"))
    entry.title(_xml(story.title))
    entry.link(href=external_url("stories.show", story_id=story.id), rel="alternate", type="text/html")
    entry.published(_aware(story.published_at))
    entry.updated(last_change(story))
    # The writer is the author, as the story page's "told by" says; the people it is about
    # open the content, as its "About ..." does.
    entry.author(name=_xml(story.nominator.name),
                 uri=external_url("people.profile", person_id=story.nominator.id))
    for value in story.values:
        entry.category(term=value.slug, label=_xml(value.name), scheme=external_url("stories.values"))
    entry.content(_xml(str(entry_html(story))), type="html")


def entry_html(story: Story) -> Markup:
    """What a reader shows for a story: who it is about, the story, the difference it made."""
    about = Markup(", ").join(escape(person.name) for person in story.nominees)
    parts = [Markup("<p>About {} · happened on {}</p>").format(about, story.happened_on.strftime("%-d %B %Y")),
             stored(story.body_html)]  # rendered and sanitised by the chokepoint when saved
    if story.impact:
        heading = "for the customer" if story.impact_kind == ImpactKind.CUSTOMER else "for the team"
        parts.append(Markup("<h2>The difference it made {}</h2><p>{}</p>").format(heading, story.impact))
    return Markup("\n").join(parts)


def last_change(story: Story) -> datetime:
    """When the story last changed as readers see it; applause and reads leave it be."""
    return _aware(max(story.updated_at, story.published_at or story.updated_at))


def tag_uri(specific: str) -> str:
    """A stable id (RFC 4151) on the host of EXTERNAL_URL: tag:host,2026:stories/12."""
    host = urlsplit(current_app.config["EXTERNAL_URL"]).hostname or "localhost"
    return f"tag:{host},{TAG_DATE}:{specific}"


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)  # stored as naive UTC (storyboard/clock.py)


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)
