"""The shapes demo stories are written from, and the phrases every kind of story shares.

Bodies say "they" rather than a name, so the number of distinct bodies stays bounded and each
is rendered once; names and towns go in the titles. Title placeholders: {names}, {town} (near
the first nominee's workplace) and {store} (any store's town).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Episode:
    """One thing that happened: its titles, what went wrong, what they did, and the difference."""

    titles: tuple[str, ...]
    opening: str
    actions: tuple[str, ...]
    impact: str
    rules: tuple[str, ...] = ()  # rules that could have got in the way; none if nothing did


@dataclass(frozen=True)
class Storyline:
    """A kind of story: whom it is usually about and the values it usually shows."""

    key: str
    departments: tuple[str, ...]
    impact_kind: str
    weight: int
    values: tuple[str, ...]  # value slugs
    episodes: tuple[Episode, ...]


RULE_VALUE = "broke-the-right-rule"

SECTION_HEADINGS = ("## What they did", "### What happened next")

CLOSINGS = (
    "This is exactly the kind of thing we hope people do when nobody is watching.",
    "They would never mention it themselves, so I am.",
    'It would have been easy to say "that\'s not my job". They didn\'t.',
    "**Thank you.** You made a real difference.",
    (
        "I've worked here a long time and this is still one of the best things I've seen a "
        "colleague do."
    ),
    "If you get the chance, tell them thanks; they'll only say it was nothing.",
    "Nobody asked them to. That's what makes it worth telling.",
    "We talk about going *above and beyond* a lot. This is what it actually looks like.",
)

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
