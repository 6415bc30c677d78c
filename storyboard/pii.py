"""Customer personal data in stories: find it, and show curators where it is.

Finding errs towards flagging: a curator reads every finding before deciding, so a missed phone
number costs more than a second look at a reference number. Redacting what is found lives in
curation.redaction; publishing a story with findings asks for a confirmation (see
`check_publish`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

from storyboard.errors import Refused
from storyboard.models import Story
from storyboard.models.base import LabelledEnum


class Kind(LabelledEnum):
    EMAIL = "email", "email address"
    PHONE = "phone", "phone number"
    CARD = "card", "card number"
    ORDER = "order", "order number"


@dataclass(frozen=True)
class Finding:
    """Likely personal data at text[start:end]."""

    kind: Kind
    start: int
    end: int
    text: str


# Starts only where a local part can start (any letter, "_jo" and "josé" too), so a long run of
# letters is scanned once, not once per letter. Labels are separated by mandatory dots, so the
# domain cannot backtrack badly. Whatever follows the top-level domain, the address is flagged.
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}")

# A run of digits joined by single separators; each repetition takes exactly one digit, so
# matching is linear. Whether the run is a phone number is decided in Python (_is_phone); a
# run may follow punctuation ("Tel.07700 900123"), but never starts inside a word.
_NUMBER_RUN = re.compile(r"(?<!\w)(?:\+|\()?\d(?:(?:[ .-]|\) ?| ?\()?\d)*")
_CHUNK = re.compile(r"\S+")
_NANP = re.compile(r"\(\d{3}\) ?\d{3}[ .-]\d{4}|\d{3}([ .-])\d{3}\1\d{4}")
# Three numbers only: 01.23.45.67.89 is a French phone number, not a date.
_DATE_LIKE = re.compile(r"\d{1,4}[.-]\d{1,2}[.-]\d{1,4}(?![.-]?\d)")  # no "/": runs never hold one
MAX_PHONE_CHUNKS = 6

# 13 to 19 digits, optionally grouped by spaces or dashes, not inside a longer number, a
# decimal fraction or an international phone number (+86 139 1234 5678 90); Luhn decides.
_CARD = re.compile(r"(?<![\w.,+])\d(?:[ -]?\d){12,18}(?![\w])")

_ORDER_WORD = re.compile(
    r"\border(?:\s+(?:no\.?|number|num\.?|ref(?:erence)?|id))?\s*:?\s*"  # not "order. 12345 people"
    r"(?P<id>#?\d{5,20})(?![\w])",
    re.IGNORECASE,
)
_ORDER_HASH = re.compile(r"(?<!&)#\d{5,20}(?![\w])")  # "ticket#12345", never "&#12345;"
_ORDER_CODE = re.compile(r"\b(?:ORD(?:ER)?|SO|PO|INV|RMA)[-#]?\d{5,20}(?![\w])")


def luhn_valid(digits: str) -> bool:
    """The check digit test every payment card number passes."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_phone(candidate: str) -> bool:
    # Parentheses are not checked for balance: "0113) 496 0000" is still someone's number.
    digits = re.sub(r"\D", "", candidate)
    if _DATE_LIKE.match(candidate.lstrip("+(")):
        return False  # 01.02.2023, 2023-02-01 and the like
    if len(set(digits)) == 1:
        return False  # 0000 0000 0000 is a placeholder
    if candidate.startswith("+"):
        return 9 <= len(digits) <= 15 and not digits.startswith("0")
    if digits.startswith("00"):  # 0044 20 7946 0958: the international prefix dialled out
        return 11 <= len(digits) <= 15 and digits[2] != "0"
    if digits.startswith("0"):  # UK numbers: 10 or 11 digits with the leading 0
        return len(digits) in (10, 11)
    # North American numbers only with their usual punctuation, never as a bare run of digits.
    return _NANP.fullmatch(candidate) is not None


def _phones(text: str) -> list[Finding]:
    found = []
    for run in _NUMBER_RUN.finditer(text):
        chunks = [(m.start() + run.start(), m.end() + run.start()) for m in _CHUNK.finditer(run[0])]
        # A run can swallow neighbours ("in 2019 07700 900123 2 times"): a price at its start
        # or an identifier at its end is left out, and the rest of the run is still searched.
        if re.search(r"[£$€¥]\s?$", text[max(0, run.start() - 2) : run.start()]):
            chunks = chunks[1:]  # "£ 120 07700 900123": 120 is a price
        if re.match(r"[A-Za-z]|[.,]\d", text[run.end() : run.end() + 2]):
            chunks = chunks[:-1]  # "07700 900123 12345abc" or "... 3,000": not phone digits
        # Try the longest window of whitespace-separated chunks that is a phone number, left
        # to right.
        index = 0
        while index < len(chunks):
            for size in range(min(MAX_PHONE_CHUNKS, len(chunks) - index), 0, -1):
                start, end = chunks[index][0], chunks[index + size - 1][1]
                if text[start] == "(" and ")" not in text[start:end]:
                    start += 1  # "(07700 900123)": the parenthesis wraps the number
                if _is_phone(text[start:end]):
                    found.append(Finding(Kind.PHONE, start, end, text[start:end]))
                    index += size
                    break
            else:
                index += 1
    return found


def _cards(text: str) -> list[Finding]:
    found = []
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match[0])
        separators = set(re.sub(r"\d", "", match[0]))
        if len(separators) <= 1 and len(set(digits)) > 1 and luhn_valid(digits):
            found.append(Finding(Kind.CARD, match.start(), match.end(), match[0]))
    return found


def _matches(pattern: re.Pattern, kind: Kind, text: str, group: int | str = 0) -> list[Finding]:
    return [
        Finding(kind, match.start(group), match.end(group), match[group])
        for match in pattern.finditer(text)
    ]


def find_personal_data(text: str | None) -> list[Finding]:
    """Likely customer personal data in `text`, in order, never two findings overlapping."""
    if not text:
        return []
    # Earlier kinds win an overlap: an email address holding digits is not also a phone number.
    candidates = (
        _matches(_EMAIL, Kind.EMAIL, text)
        + _cards(text)
        + _matches(_ORDER_CODE, Kind.ORDER, text)
        + _matches(_ORDER_WORD, Kind.ORDER, text, "id")
        + _matches(_ORDER_HASH, Kind.ORDER, text)
        + _phones(text)
    )
    kept: list[Finding] = []
    for finding in candidates:
        if all(finding.end <= other.start or finding.start >= other.end for other in kept):
            kept.append(finding)
    return sorted(kept, key=lambda finding: finding.start)


def highlight(text: str, finding: Finding, width: int = 40) -> Markup:
    """The finding in its context, escaped, with the finding itself in <mark>."""
    start, end = max(0, finding.start - width), min(len(text), finding.end + width)
    return Markup("{}{}<mark>{}</mark>{}{}").format(
        "…" if start > 0 else "",
        text[start : finding.start],
        text[finding.start : finding.end],
        text[finding.end : end],
        "…" if end < len(text) else "",
    )


# The parts of a story a nominator writes, with how the queue names them.
STORY_FIELDS: dict[str, str] = {
    "title": "Title",
    "body_md": "Story",
    "impact": "The difference it made",
    "rule_in_the_way": "A rule that got in the way",
    "evidence_quote": "What the customer said",
}


@dataclass(frozen=True)
class StoryFinding:
    field: str
    label: str
    finding: Finding
    context: Markup


def story_findings(story: Story) -> list[StoryFinding]:
    """Every likely personal detail in the story's written fields, field by field."""
    found = []
    for field, label in STORY_FIELDS.items():
        value = getattr(story, field) or ""
        for finding in find_personal_data(value):
            found.append(StoryFinding(field, label, finding, highlight(value, finding)))
    # A photo's description is published with it, in the page's alt text.
    for number, photo in enumerate(story.photos, start=1):
        for finding in find_personal_data(photo.alt_text):
            found.append(StoryFinding(f"photo-{photo.id}", f"Photo {number}'s description", finding,
                                      highlight(photo.alt_text, finding)))
    return found


# Publishing with findings left.

CONFIRM_FIELD = "confirm_personal_data"  # the checkbox a curator ticks to publish anyway


class NeedsConfirmation(Refused):
    """Publishing a story that still has findings needs a ticked box; views answer 409 with it."""


def check_publish(story: Story, confirmed: bool) -> None:
    """Refuse to publish a story with likely personal data unless the curator has confirmed."""
    if confirmed:
        return
    count = len(story_findings(story))
    if count:
        details = "1 likely personal detail" if count == 1 else f"{count} likely personal details"
        raise NeedsConfirmation(
            f"This story still has {details} of customers. Redact them first, or tick the box to "
            "confirm you have read them and the story may be published as it is."
        )
