"""Reading Atom feeds as a feed reader does (xml.etree, the Atom namespace), for tests/feeds."""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree  # nosec B405 (parses the app's own output in tests)
from dataclasses import dataclass
from html.parser import HTMLParser

from storyboard.extensions import db
from storyboard.feeds import tokens
from storyboard.models import Person

ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    published: str
    updated: str
    authors: list[str]
    categories: list[tuple[str, str]]  # (term, label)
    content: str  # the HTML a reader shows, unescaped from the XML
    content_type: str


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    updated: str
    links: dict[str, str]  # rel -> href
    entries: list[Entry]

    @property
    def titles(self) -> list[str]:
        return [entry.title for entry in self.entries]


def parse(body: bytes) -> Feed:
    """A feed's Atom XML as a reader sees it; fails on anything that is not a well-formed feed."""
    root = ElementTree.fromstring(body)  # nosec B314 (the app's own output)
    assert root.tag == f"{ATOM}feed", root.tag
    return Feed(
        id=root.findtext(f"{ATOM}id"),
        title=root.findtext(f"{ATOM}title"),
        updated=root.findtext(f"{ATOM}updated"),
        links={link.get("rel", "alternate"): link.get("href") for link in root.findall(f"{ATOM}link")},
        entries=[_entry(element) for element in root.findall(f"{ATOM}entry")],
    )


def _entry(element) -> Entry:
    content = element.find(f"{ATOM}content")
    return Entry(
        id=element.findtext(f"{ATOM}id"),
        title=element.findtext(f"{ATOM}title"),
        link=next(link.get("href") for link in element.findall(f"{ATOM}link")
                  if link.get("rel", "alternate") == "alternate"),  # Atom's default rel
        published=element.findtext(f"{ATOM}published"),
        updated=element.findtext(f"{ATOM}updated"),
        authors=[author.findtext(f"{ATOM}name") for author in element.findall(f"{ATOM}author")],
        categories=[(category.get("term"), category.get("label")) for category in element.findall(f"{ATOM}category")],
        content=content.text or "",
        content_type=content.get("type"),
    )


def token_for(person: Person) -> str:
    """A feed token for `person`, as the Feeds page makes one."""
    token = tokens.issue(db.session.get(Person, person.id))
    db.session.commit()
    return token


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_in(fragment: str) -> list[tuple[str, dict]]:
    """Every element a browser would build from an entry's HTML, with its attributes."""
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    return parser.tags
