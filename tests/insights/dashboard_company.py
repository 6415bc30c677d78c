"""A small company built by hand for the dashboard's tests, and readers for its page and CSVs.

Spring 2025 in London (clocks go forward on 30 March), range 1 March to 31 May:

  Support (front line):  s1 Leeds, s2 Leeds, s3 York, s4 York (left the company)
  Warehouse (backstage): w1 Leeds, w2 York
  Finance (not classified): f1 Leeds (the curator), f2 York, f3 York
  8 active people: Support 3, Warehouse 2, Finance 3; Leeds 4, York 4.

Stories (times UTC; "wait" is submit to publish):
  A published 3 Mar 10:00, about s1, by w1, Courtesy, a customer's quote, wait 48 h
  B published 30 Mar 23:30 (Monday 31 Mar 00:30 in London), about s1 and s2, by f2,
    Courtesy and Empathy, an empty quote (no evidence), wait 12 h
  C published 15 Apr 09:00, about w1 and s3, by s2 with f3 co-nominating, Empathy, score 9, wait 24 h
  D published 31 May 22:30 (23:30 in London: the last day), about f2, by s1, Responsibility,
    a review link, wait 24 h
  M published 10 May 12:00, about s4 (who left), by w1, Empathy, score 0 (still evidence), wait 216 h
  E published 31 May 23:30 (1 June in London: after the range), about w2, by w1, submitted 20 May
  F published 28 Feb 23:30 (before the range), about s1, by f1, submitted 20 Feb
  G archived (published 1 Apr, no longer counted), by w2, submitted 20 Mar
  H draft by s3; I rejected by w2, submitted 2 Apr; L changes requested by w1, submitted 1 May
  N rejected by s4 (who left), submitted 20 Apr
  J submitted 10 days ago by s4, about w2 (waiting over 7 days); K submitted 3 days ago by f2

Digest: the issue cut 10 March went to s1, s2, f2, s4 (sent), w1 (bounced), w2 (still pending);
the issue cut 2 June (after the range) to s1. Visits: s1 opened A and B from the March issue,
f2 opened A; s1 opened D from the June issue (after the range). Unsubscribes: s2 changed to
never on 10 April, w1 to monthly that day, f3 to never on 10 June (after the range).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

from sqlalchemy import select, update

from storyboard.clock import utcnow
from storyboard.digest.subscriptions import set_digest_frequency
from storyboard.extensions import db
from storyboard.models import (
    AuditEntry,
    DigestDelivery,
    DigestIssue,
    DigestVisit,
    Person,
    StoryStatus,
    Value,
)

RANGE = {"start": "2025-03-01", "end": "2025-05-31"}


@dataclass
class Company:
    curator_id: int
    people: dict[str, int]
    stories: dict[str, int]


def _person(make_person, key: str, department: str, location: str, **fields) -> Person:
    return make_person(name=f"{department} {key}", department=department, location=location, **fields)


def build_company(make_person, make_story) -> Company:
    people = {
        "s1": _person(make_person, "s1", "Support", "Leeds"),
        "s2": _person(make_person, "s2", "Support", "Leeds"),
        "s3": _person(make_person, "s3", "Support", "York"),
        "s4": _person(make_person, "s4", "Support", "York", active=False),
        "w1": _person(make_person, "w1", "Warehouse", "Leeds"),
        "w2": _person(make_person, "w2", "Warehouse", "York"),
        "f1": _person(make_person, "f1", "Finance", "Leeds", role="curator"),
        "f2": _person(make_person, "f2", "Finance", "York"),
        "f3": _person(make_person, "f3", "Finance", "York"),
    }
    values = {value.name: value for value in db.session.scalars(select(Value))}
    courtesy, empathy, responsibility = values["Courtesy"], values["Empathy"], values["Responsibility"]
    published = StoryStatus.PUBLISHED

    def story(nominator, nominees, status=published, story_values=(courtesy,), submitted=None, **fields):
        made = make_story(nominator=people[nominator], nominees=[people[key] for key in nominees],
                          status=status, values=list(story_values), **fields)
        made.submitted_at = submitted
        db.session.commit()
        return made

    stories = {
        "A": story("w1", ["s1"], submitted=datetime(2025, 3, 1, 10), published_at=datetime(2025, 3, 3, 10),
                   evidence_quote="She was lovely."),
        "B": story("f2", ["s1", "s2"], story_values=(courtesy, empathy), submitted=datetime(2025, 3, 30, 11, 30),
                   published_at=datetime(2025, 3, 30, 23, 30), evidence_quote=""),
        "C": story("s2", ["w1", "s3"], story_values=(empathy,), submitted=datetime(2025, 4, 14, 9),
                   published_at=datetime(2025, 4, 15, 9), evidence_score=9, evidence_score_max=10),
        "D": story("s1", ["f2"], story_values=(responsibility,), submitted=datetime(2025, 5, 30, 22, 30),
                   published_at=datetime(2025, 5, 31, 22, 30), evidence_link="https://reviews.example.com/1"),
        "M": story("w1", ["s4"], story_values=(empathy,), submitted=datetime(2025, 5, 1, 12),
                   published_at=datetime(2025, 5, 10, 12), evidence_score=0, evidence_score_max=5),
        "E": story("w1", ["w2"], submitted=datetime(2025, 5, 20), published_at=datetime(2025, 5, 31, 23, 30)),
        "F": story("f1", ["s1"], submitted=datetime(2025, 2, 20), published_at=datetime(2025, 2, 28, 23, 30)),
        "G": story("w2", ["s1"], status=StoryStatus.ARCHIVED, submitted=datetime(2025, 3, 20),
                   published_at=datetime(2025, 4, 1)),
        "H": story("s3", ["w1"], status=StoryStatus.DRAFT),
        "I": story("w2", ["f1"], status=StoryStatus.REJECTED, submitted=datetime(2025, 4, 2)),
        "L": story("w1", ["f3"], status=StoryStatus.CHANGES_REQUESTED, submitted=datetime(2025, 5, 1)),
        "N": story("s4", ["f3"], status=StoryStatus.REJECTED, submitted=datetime(2025, 4, 20)),
        "J": story("s4", ["w2"], status=StoryStatus.SUBMITTED, submitted=utcnow() - timedelta(days=10)),
        "K": story("f2", ["s2"], status=StoryStatus.SUBMITTED, submitted=utcnow() - timedelta(days=3)),
    }
    db.session.get(type(stories["C"]), stories["C"].id).co_nominators = [people["f3"]]
    db.session.commit()
    _digest_history(people, stories)
    _frequency_changes(people)
    return Company(people["f1"].id, {key: person.id for key, person in people.items()},
                   {key: made.id for key, made in stories.items()})


def _digest_history(people, stories) -> None:
    march = DigestIssue(issue_key="2025-03-10", cut_at=datetime(2025, 3, 10, 7))
    june = DigestIssue(issue_key="2025-06-02", cut_at=datetime(2025, 6, 2, 7))
    db.session.add_all([march, june])
    db.session.flush()

    def delivery(issue, key, status):
        made = DigestDelivery(issue_id=issue.id, person_id=people[key].id, status=status,
                              next_attempt_at=issue.cut_at, sent_at=issue.cut_at if status == "sent" else None)
        db.session.add(made)
        db.session.flush()
        return made

    march_s1, march_f2 = delivery(march, "s1", "sent"), delivery(march, "f2", "sent")
    delivery(march, "s2", "sent")
    delivery(march, "s4", "sent")
    delivery(march, "w1", "bounced")
    delivery(march, "w2", "pending")
    june_s1 = delivery(june, "s1", "sent")
    db.session.add_all([
        DigestVisit(delivery_id=march_s1.id, story_id=stories["A"].id, visited_at=datetime(2025, 3, 11, 8)),
        DigestVisit(delivery_id=march_s1.id, story_id=stories["B"].id, visited_at=datetime(2025, 4, 1, 8)),
        DigestVisit(delivery_id=march_f2.id, story_id=stories["A"].id, visited_at=datetime(2025, 3, 12, 8)),
        DigestVisit(delivery_id=june_s1.id, story_id=stories["D"].id, visited_at=datetime(2025, 6, 3, 8)),
    ])
    db.session.commit()


def _frequency_changes(people) -> None:
    """Through the real service; then dated in the past, as if made that day."""
    for key, frequency, when in (("s2", "never", datetime(2025, 4, 10, 9)),
                                 ("w1", "monthly", datetime(2025, 4, 10, 9)),
                                 ("f3", "never", datetime(2025, 6, 10, 9))):
        set_digest_frequency(people[key], frequency)
        db.session.flush()
        db.session.execute(
            update(AuditEntry)
            .where(AuditEntry.action == "digest.frequency", AuditEntry.entity_id == people[key].id)
            .values(created_at=when)
        )
    db.session.commit()


# Reading what the dashboard shows.


class _Tables(HTMLParser):
    """Every <table id=...> on a page as rows of cell texts (header row first), and the
    headline figures (<dd id="headline-...">)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.headline: dict[str, str] = {}
        self._table = self._cell = self._headline = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id"):
            self._table = attributes["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        elif tag == "dd" and (attributes.get("id") or "").startswith("headline-"):
            self._headline = attributes["id"].removeprefix("headline-")
            self.headline[self._headline] = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "dd":
            self._headline = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._headline:
            self.headline[self._headline] += data.strip()


def page_tables(html: str) -> tuple[dict[str, list[list[str]]], dict[str, str]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables, parser.headline


def csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def shown(value) -> str:
    """A written-out figure as the page shows it."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, date):
        return f"{value.day} {value.strftime('%b %Y')}"
    return str(value)


def in_csv(value) -> str:
    """A written-out figure as the CSV holds it."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
