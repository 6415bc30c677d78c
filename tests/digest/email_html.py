"""Reading an email's HTML as a mail client would, and the largest digest the app can make
(for tests/digest/test_email_clients.py and a look at it in a browser)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser

import html5lib

from storyboard.digest.email import build_digest_content
from storyboard.digest.selection import IssueSelection
from storyboard.extensions import db
from storyboard.models import Value

ISSUE_KEY = "2026-11-23"  # a Monday; London is on UTC in November
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# Reading the HTML.


def tree(html: str) -> ET.Element:
    """The document as html5lib builds it (as browsers do), with plain tag names."""
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)


def style(element: ET.Element) -> dict[str, str]:
    declarations = (part.split(":", 1) for part in element.get("style", "").split(";") if ":" in part)
    return {name.strip().lower(): value.strip().lower() for name, value in declarations}


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [element for element in root.iter() if isinstance(element.tag, str) and name in classes(element)]


def text_of(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def cells_holding_text(root: ET.Element) -> list[ET.Element]:
    """Each <td> with text of its own, not text that sits in a table nested in it."""
    found = []

    def walk(element: ET.Element, cell: ET.Element | None) -> None:
        if not isinstance(element.tag, str):  # a comment
            return
        if element.tag in ("style", "title", "head"):
            return
        if element.tag == "td":
            cell = element
        if cell is not None and (element.text or "").strip() and cell not in found:
            found.append(cell)
        for child in element:
            walk(child, cell)
            if cell is not None and (child.tail or "").strip() and cell not in found:
                found.append(cell)

    walk(root, None)
    return found


def column(root: ET.Element) -> ET.Element:
    [page] = [table for table in root.iter("table") if table.get("width") == "600"]
    return page


def parents(root: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in root.iter() for child in parent}


def kept_styles(html: str) -> list[str]:
    """The CSS left in <style> blocks for the clients that read them (not Outlook's own)."""
    head = html.split("</head>", 1)[0]
    without_mso = re.sub(r"<!--\[if mso\]>.*?<!\[endif\]-->", "", head, flags=re.S)
    return re.findall(r"<style[^>]*>(.*?)</style>", without_mso, flags=re.S)


def dark_rules(html: str) -> dict[str, dict[str, str]]:
    """Selector -> declarations inside @media (prefers-color-scheme: dark)."""
    css = "".join(kept_styles(html))
    start = css.index("@media (prefers-color-scheme: dark)")
    block = css[css.index("{", start) + 1:]
    rules: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", block):
        declarations = dict(
            (name.strip(), value.replace("!important", "").strip())
            for name, value in (part.split(":", 1) for part in body.split(";") if ":" in part))
        for selector in selectors.split(","):
            rules.setdefault(" ".join(selector.split()), {}).update(declarations)
    return rules


def luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class Nesting(HTMLParser):
    """Every element closed, in order: a stray or missing close tag is a mistake here."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.open[-1] if self.open else None}> at {self.getpos()}")
        else:
            self.open.pop()


def html_part(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def text_part(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()



def largest_issue(app, make_story, make_person):
    """The biggest issue the app lets anyone produce: every section at its configured maximum,
    every title, lesson, name and value at its length limit (with characters HTML escapes),
    ten nominees a story, three values, stories of 20,000 characters rich in links and lists,
    a 2,000-character introduction and an anniversary line on a canon story."""
    config = app.config
    values = [Value(name=f"Value {n} " + "V" * 72, slug=f"value-{n}-long", position=90 + n) for n in range(3)]
    db.session.add_all(values)
    db.session.commit()
    title = ("Tom & Jerry's <late> \"rescue\" of the Henley order " * 5)[:200]
    paragraph = ("She **rebuilt** the order by hand & phoned the customer back; see [the policy](/values/courtesy)"
                 " and [the thread](https://example.org/thread?id=1&page=2).\n\n- one *step*\n- two\n\n"
                 "> \"Thank you\" — the customer\n\n")
    body = (paragraph * (20_000 // len(paragraph) + 1))[:20_000]
    nominees = [make_person(name=(f"Nominee {n} " + "N" * 120)[:120]) for n in range(10)]

    def story(n: int, **fields):
        return make_story(title=f"{n:02d} {title}"[:200], body_md=body, nominees=nominees, values=values, **fields)

    cut = date.fromisoformat(ISSUE_KEY)
    new = [story(n) for n in range(config["DIGEST_NEW_COUNT"])]
    canon = [story(10 + n, in_canon=True, canon_lesson=("Ask & listen <first> " * 10)[:200],
                   happened_on=cut.replace(year=2019) if n == 0 else date(2018, 6, n + 1))
             for n in range(config["DIGEST_CANON_MAX"])]
    also = [story(20 + n) for n in range(config["DIGEST_ALSO_NEW_MAX"])]
    introduction = ("A word from HR & the curators: **read** [this](/canon/) <now>.\n\n" * 40)[:2000]
    selection = IssueSelection(issue_key=ISSUE_KEY, new=tuple(s.id for s in new),
                               canon=tuple(s.id for s in canon), also_new=tuple(s.id for s in also))
    stories = new + canon + also
    return stories, build_digest_content(selection, stories, introduction)
