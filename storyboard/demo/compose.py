"""Telling one demo story: a title and a body drawn part by part from its situation and the
shared details, so that no two stories read alike.

Each body is made of about ten parts (a sentence, or a heading), each from a template. A draw
that would share half of its sentence templates or more with an earlier story is drawn again,
keeping the least alike of a few tries; a title already taken is drawn again. The situations
have phrasings enough for about 800 stories told this way. Past DISTINCT_STORIES (benchmark
seeds, not demos) a story reuses an earlier body of its situation: each new body costs a
Markdown rendering, and the search for a distinct one grows with every story told.
"""
from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from storyboard.demo import details
from storyboard.demo.company import LOCATIONS, STORE_TOWNS, DemoPerson
from storyboard.demo.phrases import Situation, Storyline

DISTINCT_STORIES = 1000
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
ATTEMPTS = 24
# Chances of the optional parts, and of telling what they did as a list.
WITNESS, DETAIL, HEADING, LISTED, FOLLOW_UP, REACTION = 0.5, 0.75, 0.3, 0.25, 0.55, 0.5


@dataclass(frozen=True)
class Told:
    """A story's words: title, Markdown body, impact, and the templates of the body's sentences."""

    title: str
    body: str
    impact: str
    parts: tuple[str, ...]


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def names_of(nominees: list[DemoPerson]) -> str:
    """First names as a title says them: "Ana", "Ana and Ben", "Ana, Ben and Cy"."""
    first = [person.first_name for person in nominees]
    return first[0] if len(first) == 1 else ", ".join(first[:-1]) + " and " + first[-1]


class Teller:
    """Tells stories one after another, remembering enough to keep each one distinct."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.titles: set[str] = set()
        self.parts: list[tuple[str, ...]] = []  # each distinct story's parts, by its number
        self.with_part: dict[str, list[int]] = defaultdict(list)  # template -> story numbers
        self.bodies: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)  # by situation key
        self.redrawn = 0  # draws thrown away for being too like an earlier story

    def tell(self, line: Storyline, situation: Situation, nominees: list[DemoPerson], rule: str | None) -> Told:
        """A title, body and impact for one story about `nominees`."""
        fill = self._fill(situation, nominees)
        title = self._title(situation, names_of(nominees), fill)
        impact = self.rng.choice(situation.outcomes).format_map(fill)
        if len(self.parts) >= DISTINCT_STORIES and self.bodies[situation.key]:
            body, parts = self.rng.choice(self.bodies[situation.key])
            return Told(title, body, impact, parts)
        best: tuple[float, str, tuple[str, ...]] | None = None
        for _ in range(ATTEMPTS):
            body, parts = self._body(line, situation, nominees[0].department, rule, fill)
            likeness = self._likeness(parts)
            if best is None or likeness < best[0]:
                best = (likeness, body, parts)
            if likeness < 0.5:
                break
            self.redrawn += 1
        _, body, parts = best
        self._remember(situation, body, parts)
        return Told(title, body, impact, parts)

    def _fill(self, situation: Situation, nominees: list[DemoPerson]) -> dict[str, str]:
        rng = self.rng
        customer, colleague, when = (rng.choice(details.CUSTOMERS), rng.choice(details.COLLEAGUES),
                                     rng.choice(details.WHENS))
        return {
            "customer": customer, "Customer": capitalised(customer),
            "colleague": colleague, "Colleague": capitalised(colleague),
            "when": when, "When": capitalised(when),
            "item": rng.choice(situation.items or details.KIT),
            "town": rng.choice(LOCATIONS.get(nominees[0].location) or STORE_TOWNS),
            "store": rng.choice(STORE_TOWNS),
        }

    def _title(self, situation: Situation, names: str, fill: dict[str, str]) -> str:
        """A title no earlier story has: each of the situation's in turn, then with when it was."""
        shuffled = self.rng.sample(situation.titles, len(situation.titles))
        options = [template.format_map(fill | {"names": names}) for template in shuffled]
        options += [f"{option}, {fill['when']}" for option in options]
        title = next((option for option in options if option not in self.titles), options[0])
        self.titles.add(title)
        return title

    def _body(self, line: Storyline, situation: Situation, department: str, rule: str | None,
              fill: dict[str, str]) -> tuple[str, tuple[str, ...]]:
        """Markdown paragraphs: the situation, what they did, what followed, a closing line."""
        rng = self.rng
        parts: list[str] = []

        def pick(options: tuple[str, ...]) -> str:
            template = rng.choice(options)
            parts.extend(SENTENCE_END.split(template))
            return template.format_map(fill)

        opening = [pick(details.WITNESSES)] if rng.random() < WITNESS else []
        opening += [pick(situation.openings), pick(situation.stakes)]
        if department in details.DEPARTMENT_DETAILS and rng.random() < DETAIL:
            opening.append(pick(details.DEPARTMENT_DETAILS[department]))
        paragraphs = [" ".join(opening)]
        if rng.random() < HEADING:
            paragraphs.append(pick(details.HEADINGS))
        obstacle = [pick(details.OBSTACLES)] if rule else []
        beats = [pick(beat) for beat in situation.beats]
        if rng.random() < LISTED:
            paragraphs += [*obstacle, "\n".join(f"- {beat}" for beat in beats)]
        else:
            paragraphs.append(" ".join(obstacle + beats))
        after = [pick(details.FOLLOW_UPS[line.impact_kind])] if rng.random() < FOLLOW_UP else []
        if rng.random() < REACTION:
            after.append(pick(details.REACTIONS[line.impact_kind]))
        if after:
            paragraphs.append(" ".join(after))
        paragraphs.append(pick(details.CLOSINGS))
        return "\n\n".join(paragraphs), tuple(parts)

    def _likeness(self, parts: tuple[str, ...]) -> float:
        """The largest share of parts this body would have in common with an earlier one."""
        shared = Counter(number for part in set(parts) for number in self.with_part.get(part, ()))
        return max((count / min(len(parts), len(self.parts[number])) for number, count in shared.items()),
                   default=0.0)

    def _remember(self, situation: Situation, body: str, parts: tuple[str, ...]) -> None:
        number = len(self.parts)
        self.parts.append(parts)
        for part in set(parts):
            self.with_part[part].append(number)
        self.bodies[situation.key].append((body, parts))
