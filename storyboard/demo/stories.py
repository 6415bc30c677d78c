"""Demo stories: who nominated whom, for which values, in which status, written how and when."""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Table

from storyboard import markdown
from storyboard.demo import phrases
from storyboard.demo.backstage import BACKSTAGE
from storyboard.demo.bulk import Row
from storyboard.demo.company import Company, DemoPerson
from storyboard.demo.compose import Teller
from storyboard.demo.contact import CONTACT
from storyboard.demo.front_line import FRONT_LINE
from storyboard.demo.logistics import LOGISTICS
from storyboard.demo.money import MONEY
from storyboard.demo.responses import ResponseWriter
from storyboard.demo.teamwork import TEAMWORK
from storyboard.models import (
    Applause,
    Story,
    StoryReader,
    StoryStatus,
    ThankYou,
    story_nominees,
    story_values,
)

S = StoryStatus
STATUS_WEIGHTS = {
    S.PUBLISHED: 72, S.SUBMITTED: 8, S.DRAFT: 6,
    S.ARCHIVED: 5, S.REJECTED: 5, S.CHANGES_REQUESTED: 4,
}
STATUSES = list(STATUS_WEIGHTS)
# How many days before the anchor a story in each status last changed: (fewest, most).
LAST_CHANGE_DAYS = {
    S.DRAFT: (1, 21), S.SUBMITTED: (1, 10), S.CHANGES_REQUESTED: (1, 20),
    S.REJECTED: (5, 700), S.PUBLISHED: (1, 900), S.ARCHIVED: (60, 900),
}
RECENT_DAYS = (1, 45)
# Three in four published stories came out in the last year, so that each of the year's weekly
# digests has new stories to choose from; the rest go back to Storyboard's first years.
PUBLISHED_THIS_YEAR = 0.75
STORYLINES = FRONT_LINE + MONEY + CONTACT + LOGISTICS + BACKSTAGE + TEAMWORK
# Stories are written and reviewed in working hours.
DAY_STARTS, DAY_ENDS = time(7), time(19)


@dataclass(frozen=True)
class Plan:
    """What a story must be; anything left None is drawn at random."""

    status: StoryStatus | None = None
    nominator: DemoPerson | None = None
    nominee: DemoPerson | None = None
    recent: bool = False


def account_plans(staff: DemoPerson) -> list[Plan]:
    """Stories the demo staff account wrote (a draft among them) and stories about it, then the
    statuses those do not cover, so even a small seed has every status."""
    wrote = [S.DRAFT, S.CHANGES_REQUESTED, S.SUBMITTED, S.PUBLISHED, S.PUBLISHED]
    plans = [Plan(status, nominator=staff, recent=True) for status in wrote]
    plans += [Plan(S.PUBLISHED, nominee=staff, recent=True) for _ in range(3)]
    return plans + [Plan(S.REJECTED), Plan(S.ARCHIVED)]


@dataclass
class Timeline:
    """When a story happened, was written, submitted, published and last changed."""

    happened_on: date
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    published_at: datetime | None = None
    rejected: bool = False


@dataclass
class Batch:
    """Rows for a run of stories, inserted parent tables first."""

    stories: list[Row] = field(default_factory=list)
    nominees: list[Row] = field(default_factory=list)
    values: list[Row] = field(default_factory=list)
    readers: list[Row] = field(default_factory=list)
    applause: list[Row] = field(default_factory=list)
    thanks: list[Row] = field(default_factory=list)

    def tables(self) -> list[tuple[Table, list[Row]]]:
        return [(Story.__table__, self.stories), (story_nominees, self.nominees), (story_values, self.values),
                (StoryReader.__table__, self.readers), (Applause.__table__, self.applause),
                (ThankYou.__table__, self.thanks)]


class StoryWriter:
    """Writes stories, each told differently (compose.py), and their responses."""

    def __init__(
        self,
        rng: random.Random,
        anchor: datetime,
        company: Company,
        value_ids: dict[str, int],
        first_story_id: int,
        first_thank_id: int,
    ):
        self.rng = rng
        self.anchor = anchor
        self.company = company
        self.value_ids = value_ids
        self.next_story_id = first_story_id
        self.rendered: dict[str, str] = {}
        self.teller = Teller(rng)
        # Which situation each story was told from: its lesson and scenario, should HR pick it.
        self.situations: dict[int, phrases.Situation] = {}
        self.told: Counter[str] = Counter()  # stories per situation key
        self.responses = ResponseWriter(rng, anchor, company.people, self.render, first_thank_id)
        # Whom each storyline is usually about; anyone, if those departments are empty.
        self.pools = {
            line.key: [p for d in line.departments for p in company.by_department.get(d, [])]
            or company.active
            for line in STORYLINES
        }
        self.line_weights = [line.weight for line in STORYLINES]
        self.status_weights = list(STATUS_WEIGHTS.values())

    def render(self, text: str) -> str:
        """storyboard.markdown.render, once per distinct text (notes repeat, and big seeds' bodies)."""
        html = self.rendered.get(text)
        if html is None:
            html = self.rendered[text] = str(markdown.render(text))
        return html

    def batches(self, count: int, size: int) -> Iterator[Batch]:
        """`count` stories in batches of `size`, the demo staff account's stories first."""
        staff = self.company.staff_account
        plans = account_plans(staff) if staff.active else []
        batch = Batch()
        for number in range(count):
            self.write(plans[number] if number < len(plans) else Plan(), batch)
            if len(batch.stories) == size:
                yield batch
                batch = Batch()
        if batch.stories:
            yield batch

    def write(self, plan: Plan, batch: Batch) -> None:
        """Add one story, its nominees, values and responses to `batch`."""
        rng = self.rng
        status = plan.status or rng.choices(STATUSES, weights=self.status_weights)[0]
        line = self._storyline(plan)
        situation = self._situation(line)
        timeline = self._timeline(status, plan.recent)
        nominees = self._nominees(line, timeline.happened_on, plan)
        nominator = plan.nominator or self._nominator(nominees, timeline.happened_on)
        slugs = self._values(line, situation)
        rule = None
        if phrases.RULE_VALUE in slugs or (situation.rules and rng.random() < 0.2):
            rule = rng.choice(situation.rules)
        told = self.teller.tell(line, situation, nominees, rule)
        title, body = told.title, told.body
        story_id = self.next_story_id
        self.next_story_id += 1
        self.situations[story_id] = situation
        responded = None
        if timeline.published_at is not None:
            responded = self.responses.respond(story_id, timeline.published_at, nominator, nominees)
            batch.readers += responded.readers
            batch.applause += responded.applause
            batch.thanks += responded.thanks
        names = " ".join(sorted(person.name for person in nominees))
        batch.stories.append({
            "id": story_id,
            "title": title,
            "body_md": body,
            "body_html": self.render(body),
            "impact_kind": line.impact_kind,
            "impact": told.impact,
            "rule_in_the_way": rule,
            "happened_on": timeline.happened_on,
            "status": status.value,
            "nominator_id": nominator.id,
            "created_at": timeline.created_at,
            "updated_at": timeline.updated_at,
            "submitted_at": timeline.submitted_at,
            "published_at": timeline.published_at,
            "status_changed_at": None if status == S.DRAFT else timeline.updated_at,
            "decision_note": self._decision_note(status, timeline),
            "applause_count": len(responded.applause) if responded else 0,
            "reader_count": len(responded.readers) if responded else 0,
            # As Story.refresh_search_text builds it.
            "search_text": f"{title}\n{names}\n{body}",
        })
        batch.nominees += [{"story_id": story_id, "person_id": person.id} for person in nominees]
        batch.values += [{"story_id": story_id, "value_id": self.value_ids[slug]} for slug in slugs]

    def _storyline(self, plan: Plan) -> phrases.Storyline:
        lines = STORYLINES
        if plan.nominee is not None:
            fitting = [line for line in lines if plan.nominee.department in line.departments]
            if fitting:
                return self.rng.choice(fitting)
        return self.rng.choices(lines, weights=self.line_weights)[0]

    def _situation(self, line: phrases.Storyline) -> phrases.Situation:
        """The storyline's least told situation (any of them on a tie): the fewer stories one
        situation has, the more easily each is told differently."""
        told = self.told
        fewest = min(told[situation.key] for situation in line.situations)
        situation = self.rng.choice([s for s in line.situations if told[s.key] == fewest])
        told[situation.key] += 1
        return situation

    def _timeline(self, status: StoryStatus, recent: bool) -> Timeline:
        """Dates working back from the story's last change, so every one is before the anchor."""
        rng = self.rng
        days = self._days_ago(status, recent)
        last_day = self.anchor.date() - timedelta(days=days)
        last = self._earlier(datetime.combine(last_day, DAY_ENDS), 0)
        submitted = published = None
        rejected = False
        if status == S.DRAFT:
            created = self._earlier(last, 5)
        else:
            if status == S.SUBMITTED:
                submitted = last
            elif status == S.ARCHIVED:
                decided = self._earlier(last, 300, fewest=20)
                rejected = rng.random() < 0.2  # most archived stories were published first
                published = None if rejected else decided
                submitted = self._earlier(decided, 6, fewest=1)
            else:  # a curator published, rejected or sent it back at `last`
                submitted = self._earlier(last, 6, fewest=1)
                published = last if status == S.PUBLISHED else None
                rejected = status == S.REJECTED
            created = self._earlier(submitted, 3)
        happened_on = created.date() - timedelta(days=rng.randrange(15))
        return Timeline(happened_on, created, last, submitted, published, rejected)

    def _days_ago(self, status: StoryStatus, recent: bool) -> int:
        """How many days before the anchor the story last changed."""
        rng = self.rng
        if status == S.PUBLISHED and not recent:
            if rng.random() < PUBLISHED_THIS_YEAR:
                return 1 + int(364 * rng.random() ** 1.2)  # a little more often recently
            return rng.randint(365, LAST_CHANGE_DAYS[S.PUBLISHED][1])
        fewest, most = RECENT_DAYS if recent else LAST_CHANGE_DAYS[status]
        # Squaring the draw makes recent stories more common than old ones.
        return fewest + int((most - fewest) * rng.random() ** 2)

    def _earlier(self, moment: datetime, most: int, fewest: int = 0) -> datetime:
        """A working-hours moment `fewest` to `most` days before `moment` (and not after it)."""
        day = moment.date() - timedelta(days=self.rng.randint(fewest, most))
        start = datetime.combine(day, DAY_STARTS)
        end = min(moment, datetime.combine(day, DAY_ENDS))
        seconds = max(int((end - start).total_seconds()), 1)
        return start + timedelta(seconds=self.rng.randrange(seconds))

    def _nominees(self, line: phrases.Storyline, on: date, plan: Plan) -> list[DemoPerson]:
        """Mostly one colleague, sometimes two or three from one department; never the nominator."""
        exclude = {plan.nominator.id} if plan.nominator else set()
        first = plan.nominee or self._pick(self.pools[line.key], on, exclude)
        nominees = [first]
        draw = self.rng.random()
        wanted = 1 if draw < 0.8 else 2 if draw < 0.94 else 3
        team = self.company.by_department.get(first.department) or self.company.active
        while len(nominees) < wanted:
            other = self._try_pick(team, on, exclude | {person.id for person in nominees})
            if other is None:
                break
            nominees.append(other)
        return nominees

    def _nominator(self, nominees: list[DemoPerson], on: date) -> DemoPerson:
        """Often the first nominee's manager, otherwise any colleague who had started by then."""
        taken = {person.id for person in nominees}
        manager = self.company.by_id.get(nominees[0].manager_id or 0)
        usable = manager is not None and manager.active and manager.id not in taken
        if usable and self.rng.random() < 0.35:
            return manager
        return self._pick(self.company.active, on, taken)

    def _pick(self, pool: list[DemoPerson], on: date, exclude: set[int]) -> DemoPerson:
        """Someone from `pool` who had started by `on`; failing that, anyone active not excluded."""
        person = self._try_pick(pool, on, exclude)
        if person is None:
            candidates = [p for p in self.company.active if p.id not in exclude]
            if not candidates:
                raise ValueError("The demo company needs at least two active people.")
            person = self.rng.choice(candidates)
        return person

    def _try_pick(self, pool: list[DemoPerson], on: date, exclude: set[int]) -> DemoPerson | None:
        for _ in range(8):
            person = self.rng.choice(pool)
            if person.id not in exclude and person.start_date <= on:
                return person
        return None

    def _values(self, line: phrases.Storyline, situation: phrases.Situation) -> list[str]:
        """One to three value slugs, mostly those the storyline usually shows."""
        rng = self.rng
        known = [slug for slug in self.value_ids if situation.rules or slug != phrases.RULE_VALUE]
        preferred = [slug for slug in line.values if slug in known] or known
        draw = rng.random()
        wanted = 1 if draw < 0.45 else 2 if draw < 0.83 else 3
        chosen = rng.sample(preferred, min(wanted, len(preferred)))
        if rng.random() < 0.15:
            extra = rng.choice(known)
            if extra not in chosen:
                chosen[-1] = extra
        return chosen

    def _decision_note(self, status: StoryStatus, timeline: Timeline) -> str | None:
        if status == S.CHANGES_REQUESTED:
            return self.rng.choice(phrases.CHANGES_REQUESTED_NOTES)
        if timeline.rejected:
            return self.rng.choice(phrases.REJECTED_NOTES)
        return None
