"""Plain-text helpers shared by every feature: what may be stored, what fits on one line, a
story's excerpt, and moments as HTML's machines read them."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

# Line breaks, tabs and every other control character, C0 and C1, plus the Unicode separators.
_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# Control characters nobody types; tabs and line breaks are kept.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def one_line(text: str | None) -> str:
    """`text` with every line break and control character turned into a space, runs collapsed."""
    return " ".join(_BREAKS_AND_CONTROLS.sub(" ", text or "").split())


def shorten(text: str | None, limit: int) -> str:
    """`text` on one line and at most `limit` characters, cut at a word with an ellipsis."""
    line = one_line(text)
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def without_controls(text: str) -> str:
    """Typed text as it may be stored: line breaks as \\n, no other control characters but tabs."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


# Elements whose text stands on its own in a rendered story (storyboard/markdown.py's output).
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = _HEADINGS | {"p", "li", "blockquote", "pre", "td", "th", "dt", "dd", "ul", "ol", "table", "tr", "div"}
# A block that ends a sentence runs on after a space; a heading is followed by a dash, and
# anything else (list items, table cells) by a middle dot, so no two blocks read as one.
_SENTENCE_END = re.compile(r"[.!?…:;]$")


class _TextBlocks(HTMLParser):
    """The text of each block of an HTML fragment, with whether that block is a heading."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, bool]] = []
        self._words: list[str] = []
        self._heading = False

    def _close_block(self) -> None:
        text = one_line("".join(self._words))
        if text:
            self.blocks.append((text, self._heading))
        self._words, self._heading = [], False

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self._close_block()
            self._heading = tag in _HEADINGS
        elif tag == "br":
            self._words.append(" ")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self._close_block()

    def handle_data(self, data):
        self._words.append(data)

    def close(self):
        super().close()
        self._close_block()


def blocks_as_line(fragment: str | None) -> str:
    """An HTML fragment's text on one line, its blocks kept apart: "<h2>What they did</h2>
    <p>They rang.</p><ul><li>Early</li><li>Twice</li></ul>" is "What they did — They rang.
    Early · Twice"."""
    parser = _TextBlocks()
    parser.feed(fragment or "")
    parser.close()
    line = ""
    previous_was_heading = False
    for text, heading in parser.blocks:
        if line:
            if _SENTENCE_END.search(line):
                line += " "
            else:
                line += " — " if previous_was_heading else " · "
        line += text
        previous_was_heading = heading
    return line


def excerpt(fragment: str | None, limit: int) -> str:
    """A story card's excerpt: the rendered story's text, blocks kept apart, at most `limit`
    characters (cut at a word with an ellipsis). Plain text: templates escape it."""
    return shorten(blocks_as_line(fragment), limit)


def html_datetime(moment: date | datetime | None) -> str:
    """`moment` as a <time datetime> value: a day as 2026-12-03, a moment in UTC to the second
    as 2026-12-03T09:15:00Z (isoformat() gives microseconds, which HTML does not accept).
    Naive datetimes are UTC, as Storyboard stores them (storyboard/clock.py)."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat()
