"""How colleagues respond to a published demo story: distinct readers, applause, thank-you notes."""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storyboard.demo.bulk import Row
from storyboard.demo.company import DemoPerson
from storyboard.demo.phrases import THANKS_FROM_COLLEAGUES, THANKS_FROM_NOMINEES

THANKED_SHARE = 0.15  # of published stories get thank-you notes


@dataclass
class Responded:
    """The response rows for one story."""

    readers: list[Row] = field(default_factory=list)
    applause: list[Row] = field(default_factory=list)
    thanks: list[Row] = field(default_factory=list)


class ResponseWriter:
    """Draws readers (a distinct sample of people), applause from some of them, and notes."""

    def __init__(
        self,
        rng: random.Random,
        anchor: datetime,
        people: list[DemoPerson],
        render: Callable[[str], str],
        first_thank_id: int,
    ):
        self.rng = rng
        self.anchor = anchor
        self.people = people
        self.render = render
        self.next_thank_id = first_thank_id
        # A typical story is read by a few dozen people, fewer in a small company.
        self.reader_base = max(4, min(25, len(people) // 10))

    def respond(
        self,
        story_id: int,
        published_at: datetime,
        nominator: DemoPerson,
        nominees: list[DemoPerson],
    ) -> Responded:
        """Rows for one published story; the story's counters are the lengths of these lists."""
        rng = self.rng
        span = max(int((self.anchor - published_at).total_seconds()) - 120, 1)
        # Fresh stories are still collecting readers.
        freshness = min(1.0, 0.25 + span / 86400 / 20)
        wanted = int(self.reader_base * rng.lognormvariate(0, 0.75) * freshness)
        count = min(len(self.people), wanted)
        picked = rng.sample(self.people, count)  # the same draws as sampling their indexes
        responded = Responded()
        read_times = []
        for person in picked:
            # Cubing crowds first reads into the days just after publication.
            read_at = published_at + timedelta(seconds=60 + int(span * rng.random() ** 3))
            read_times.append(read_at)
            responded.readers.append(
                {"story_id": story_id, "person_id": person.id, "first_read_at": read_at}
            )
        nominee_ids = {person.id for person in nominees}
        applauding = [
            (person, read_at)
            for person, read_at in zip(picked, read_times, strict=True)
            if person.id not in nominee_ids
        ]
        last_moment = self.anchor - timedelta(seconds=1)
        for person, read_at in applauding[: int(len(picked) * rng.uniform(0.1, 0.5))]:
            clapped_at = min(read_at + timedelta(seconds=rng.randrange(5, 600)), last_moment)
            responded.applause.append(
                {"story_id": story_id, "person_id": person.id, "created_at": clapped_at}
            )
        if rng.random() < THANKED_SHARE:
            responded.thanks = self._thanks(
                story_id, published_at, span, nominator, nominees, picked
            )
        return responded

    def _thanks(
        self,
        story_id: int,
        published_at: datetime,
        span: int,
        nominator: DemoPerson,
        nominees: list[DemoPerson],
        readers: list[DemoPerson],
    ) -> list[Row]:
        rng = self.rng
        notes = []
        for number in range(rng.choice((1, 1, 1, 2, 2, 3))):
            if number == 0 and rng.random() < 0.35:
                author, body = rng.choice(nominees), rng.choice(THANKS_FROM_NOMINEES)
            else:
                author = rng.choice(readers) if readers else nominator
                body = rng.choice(THANKS_FROM_COLLEAGUES)
            notes.append({
                "id": self.next_thank_id,
                "story_id": story_id,
                "author_id": author.id,
                "body_md": body,
                "body_html": self.render(body),
                "created_at": published_at + timedelta(seconds=60 + rng.randrange(span)),
            })
            self.next_thank_id += 1
        return notes
