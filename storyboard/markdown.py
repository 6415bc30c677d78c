"""The one chokepoint through which user-written Markdown becomes HTML.

Python-Markdown turns text into HTML with raw HTML switched off (typed tags show as text), then
bleach keeps only an allowlist of tags and attributes. Link targets are checked by our own
function as well as bleach's protocol list, because bleach lets `scheme:digits` through.
Stories and notes are rendered once when saved; `stored()` marks that saved HTML for templates.
"""
from __future__ import annotations

import html
import re
import threading
import xml.etree.ElementTree as etree  # nosec B405 (builds Python-Markdown's tree; parses no XML)
from functools import partial

import bleach
import markdown as md
from bleach.linkifier import LinkifyFilter
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "a",
})
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"

# Browsers ignore these characters inside a URL scheme ("java\tscript:"), so we do too.
_IGNORED_IN_URL = re.compile(
    r"[\x00-\x20\x7f-\xa0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]+"
)


def is_safe_url(url: str) -> bool:
    """True for relative URLs and http, https and mailto URLs, however the scheme is encoded."""
    decoded = url
    for _ in range(4):  # entity-encoded more than once is still not allowed through
        again = html.unescape(decoded)
        if again == decoded:
            break
        decoded = again
    normalised = _IGNORED_IN_URL.sub("", decoded).lower()
    # A colon before the first slash ends a scheme (or what a browser might take for one); no
    # colon there is a relative URL, or "//host", which is protocol-relative and fine.
    head, _, _ = normalised.partition("/")
    scheme, colon, _ = head.partition(":")
    return not colon or scheme in SAFE_SCHEMES


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a":
        return (name == "href" and is_safe_url(value)) or name == "title"
    if tag in ("th", "td"):
        return name == "align" and value in ("left", "right", "center")
    return False


def _set_link_rel(attrs: dict, new: bool) -> dict | None:
    """bleach's callback for every link, typed or found (`new`): rel if its target is safe."""
    href = attrs.get((None, "href"))
    if href is None or not is_safe_url(href):
        return None  # a link without a safe target becomes its text
    attrs[(None, "rel")] = LINK_REL
    return attrs


class _ShapeForStories(Treeprocessor):
    """Headings start at h2 (the page owns h1); images become their alt text, never a fetch."""

    HEADING_LEVEL = {"h1": "h2", "h5": "h4", "h6": "h4"}

    def run(self, root: etree.Element) -> None:
        images = []
        for parent in root.iter():
            for child in parent:
                if child.tag in self.HEADING_LEVEL:
                    child.tag = self.HEADING_LEVEL[child.tag]
                elif child.tag == "img":
                    images.append((parent, child))
        for parent, img in images:
            self._replace_with_text(parent, img)

    @staticmethod
    def _replace_with_text(parent: etree.Element, img: etree.Element) -> None:
        text = (img.get("alt") or "") + (img.tail or "")
        index = list(parent).index(img)
        parent.remove(img)
        if index == 0:
            parent.text = (parent.text or "") + text
        else:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + text


class _StoryMarkdown(Extension):
    def extendMarkdown(self, markdown: md.Markdown) -> None:
        # Raw HTML is shown as typed text instead of being passed through.
        markdown.preprocessors.deregister("html_block")
        markdown.inlinePatterns.deregister("html")
        markdown.treeprocessors.register(_ShapeForStories(markdown), "story_shape", 1)


_local = threading.local()


def _converter() -> md.Markdown:
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = md.Markdown(
            extensions=["tables", "fenced_code", "sane_lists", _StoryMarkdown()],
            extension_configs={"tables": {"use_align_attribute": True}},
            output_format="html",
        )
        _local.converter = converter
    return converter


# bleach's own pattern starts with `\(*`, which backtracks quadratically over a run of "(";
# at most one opening parenthesis keeps "(see www.example.com)" working in linear time.
_BARE_URL = re.compile(
    bleach.linkifier.URL_RE.pattern.replace(r"\(*", r"\(?", 1), bleach.linkifier.URL_RE.flags
)

_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allow_attribute,
    protocols=SAFE_SCHEMES,
    strip=True,
    strip_comments=True,
    filters=[
        partial(LinkifyFilter, callbacks=[_set_link_rel], skip_tags={"pre", "code"}, url_re=_BARE_URL)
    ],
)


# Python-Markdown's link and image patterns take time quadratic in the number of brackets
# (Python-Markdown/markdown#798); no honest story has this many, so past it they are literal.
MAX_BRACKETS = 400


def _defuse(text: str) -> str:
    if text.count("[") + text.count("(") > MAX_BRACKETS:
        # No link or image can start without "[". Escaping "(" too made long runs 40x slower.
        return text.replace("[", "\\[")
    return text


def _as_plain_paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(part.strip())}</p>" for part in text.split("\n\n") if part.strip())


def render(text: str) -> Markup:
    """Render user Markdown to sanitised HTML. The only way user text becomes HTML."""
    converter = _converter()
    try:
        raw = converter.convert(_defuse(text or ""))
    except RecursionError:
        # Thousands of nested lists or quotes exhaust the parser's recursion: show plain text,
        # and start the next render with a fresh parser, since this one's state is now broken.
        _local.converter = None
        raw = _as_plain_paragraphs(text)
    finally:
        converter.reset()
    # Bandit B704 checked: bleach's allowlist has just cleaned it.
    return Markup(_cleaner.clean(raw))  # nosec B704


def stored(rendered_html: str | None) -> Markup:
    """Mark HTML that `render` produced and the database stored as safe for templates."""
    # Bandit B704 checked: only ever given what render() produced and the database stored.
    return Markup(rendered_html or "")  # nosec B704
