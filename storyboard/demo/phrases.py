"""The shapes demo stories are written from, and the notes every kind of story shares.

A `Situation` is one thing that can happen, told in interchangeable parts: several openings,
stakes, phrasings of each step of what the colleague did, and outcomes. A story draws one of
each and adds parts from details.py (who saw it, a detail of the department's day, a follow-up,
what the customer said, a closing), so that two stories from one situation still differ in
most sentences. Bodies say "they" for the colleague; names go in titles only.

Placeholders, filled once per story: {customer}, {colleague} and {when} (capitalised as
{Customer}, {Colleague} and {When} to start a sentence), {item}, {town} (near the first
nominee's workplace) and {store} (any store's town); titles may also use {names}.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Situation:
    """One thing that happened, in parts a story is put together from."""

    key: str
    titles: tuple[str, ...]
    openings: tuple[str, ...]  # what went wrong
    stakes: tuple[str, ...]  # why it mattered
    beats: tuple[tuple[str, ...], ...]  # what they did, step by step: phrasings of each step
    outcomes: tuple[str, ...]  # the difference it made (the story's impact)
    scenario: str  # the onboarding prompt HR shows before the story: no spoilers, then a question
    lesson: str  # the canon's one line, if the story is promoted
    rules: tuple[str, ...] = ()  # rules that could have got in the way; none if nothing did
    items: tuple[str, ...] = ()  # what {item} may be; any kit (details.KIT) if none


@dataclass(frozen=True)
class Storyline:
    """A kind of story: whom it is usually about and the values it usually shows."""

    key: str
    departments: tuple[str, ...]
    impact_kind: str
    weight: int
    values: tuple[str, ...]  # value slugs
    situations: tuple[Situation, ...]


RULE_VALUE = "broke-the-right-rule"

CHANGES_REQUESTED_NOTES = (
    "Lovely story. Could you add what the customer said afterwards?",
    "Please take the customer's full name out before we publish.",
    "Could you say a bit more about what happened next, and the difference it made?",
    "Can you check the date? It looks like it was the week before.",
)

REJECTED_NOTES = (
    "This reads as a complaint about another team; please raise it with your manager instead.",
    "We can't publish this one because it includes a customer's personal details.",
    "This is already told in an earlier story about the same day.",
    (
        "Thank you for writing this. It describes someone doing their job well, which we love, "
        "but it isn't quite an above-and-beyond story."
    ),
)

THANKS_FROM_COLLEAGUES = (
    "Thank you, this made my week.",
    "Proud to work alongside you.",
    "I took that customer's next call and they couldn't stop talking about you. **Brilliant.**",
    "This is why I love working here.",
    "Absolute legend. 👏",
    "I had no idea this happened. Thank you for looking after people like that.",
    "Reading this on a tough day helped. Thank you.",
    "You did the same for me in my first week. Thank you for always being like this.",
    "Sharing this with my team as an example of what good looks like.",
    "We should all be a bit more like this.",
)

THANKS_FROM_NOMINEES = (
    "Thanks for writing this up. It was a team effort really!",
    "Thank you for noticing, and for taking the time to write it down.",
    "I didn't expect this at all. Thank you, it means a lot.",
)
