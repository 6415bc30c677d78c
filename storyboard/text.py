"""Plain-text helpers shared by every feature: what may be stored, and what fits on one line."""
from __future__ import annotations

import re

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
