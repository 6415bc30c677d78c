"""The demo `make run` seeds, at seed-demo's own sizes and today's date: distinct stories, a canon
with its collections and new hires reading it, and a year of digest issues already sent.

The demo is seeded once for this module (a few seconds), so these tests only read it.
"""
from __future__ import annotations

import itertools
import re
from datetime import timedelta

from sqlalchemy import func, select

from storyboard.canon.collections import NEW_HIRE_DAYS, new_hire_progress
from storyboard.canon.library import retellings
from storyboard.clock import utcnow
from storyboard.demo.accounts import STAFF_EMAIL
from storyboard.demo.canon import FRONT_LINE_DEPARTMENTS
from storyboard.demo.collections import BACKSTAGE, RULES, START_HERE
from storyboard.digest.candidates import load_candidates, load_history, params_from_config
from storyboard.digest.issues import issue_selection
from storyboard.digest.selection import select_issue
from storyboard.extensions import db
from storyboard.models import (
    CanonCollection,
    CanonCollectionStory,
    CanonRead,
    DeliveryStatus,
    DigestDelivery,
    DigestIssue,
    Person,
    Story,
    StoryStatus,
)
from tests.helpers import sign_in_on

DEFAULT_STORIES = 600  # seed-demo's --stories default


def sentences(markdown_text: str) -> set[str]:
    """A body's sentences, headings and list items without their Markdown marks."""
    found = set()
    for line in markdown_text.splitlines():
        line = re.sub(r"^\s*(?:#+|-|>)\s*", "", line).strip()
        found.update(part for part in re.split(r"(?<=[.!?])\s+", line) if part)
    return found


def collection(name: str) -> CanonCollection:
    return db.session.scalar(select(CanonCollection).where(CanonCollection.name == name))


def test_no_two_stories_share_a_title_a_body_or_half_their_sentences(demo):
    stories = db.session.execute(select(Story.id, Story.title, Story.body_md)).all()
    assert len(stories) == DEFAULT_STORIES
    assert len({story.title for story in stories}) == DEFAULT_STORIES
    assert len({story.body_md for story in stories}) == DEFAULT_STORIES
    told = [(story.id, sentences(story.body_md)) for story in stories]
    assert min(len(said) for _, said in told) >= 5
    alike = [(first, second) for (first, a), (second, b) in itertools.combinations(told, 2)
             if 2 * len(a & b) >= min(len(a), len(b))]
    assert alike == []


def test_start_here_is_the_onboarding_path_with_a_scenario_before_every_story(demo):
    paths = db.session.scalars(select(CanonCollection).where(CanonCollection.onboarding.is_(True))).all()
    assert [path.name for path in paths] == [START_HERE]
    path = paths[0]
    assert path.position == 0 and 1 <= len(re.findall(r"[.!?](?:\s|$)", path.introduction)) <= 3
    assert 5 <= len(path.entries) <= 6
    scenarios = [entry.scenario for entry in path.entries]
    assert all(scenario and scenario.endswith("What would you do?") for scenario in scenarios)
    assert len(set(scenarios)) == len(scenarios)
    # The scenario sets up the story's own situation: a refund scenario for a refund story, say.
    assert len({entry.story.canon_lesson for entry in path.entries}) == len(path.entries)


def test_collections_hold_only_published_canon_stories_of_their_kind(demo):
    entries = db.session.scalars(select(CanonCollectionStory)).all()
    assert entries and all(entry.story.in_canon and entry.story.status == StoryStatus.PUBLISHED for entry in entries)
    names = db.session.scalars(select(CanonCollection.name).order_by(CanonCollection.position)).all()
    assert names == [START_HERE, RULES, BACKSTAGE]
    rules, backstage = collection(RULES), collection(BACKSTAGE)
    assert len(rules.entries) >= 2 and all(entry.story.rule_in_the_way for entry in rules.entries)
    assert len(backstage.entries) >= 2
    for entry in backstage.entries:
        assert not {person.department for person in entry.story.nominees} & FRONT_LINE_DEPARTMENTS
    for shelf in (rules, backstage):
        assert 1 <= len(re.findall(r"[.!?](?:\s|$)", shelf.introduction)) <= 3


def test_new_hires_are_part_of_the_way_along_the_path(demo):
    today = utcnow().date()
    hires = db.session.scalars(select(Person).where(Person.start_date > today - timedelta(days=NEW_HIRE_DAYS))).all()
    assert 2 <= len(hires) <= 4 and all(hire.active and hire.start_date <= today for hire in hires)
    path = collection(START_HERE)
    rows, total = new_hire_progress(path)
    read = sorted(row.read for row in rows)
    assert len(rows) == len(hires) and total == len(path.entries)
    assert read[-1] == 2 < total and read[:-1] == [0] * (len(rows) - 1)
    marks = db.session.scalars(select(CanonRead)).all()
    on_path = {entry.story_id for entry in path.entries}
    reader = next(row.person for row in rows if row.read)
    assert {mark.story_id for mark in marks} <= on_path and {mark.person_id for mark in marks} == {reader.id}
    assert all(reader.start_date < mark.read_at.date() <= today for mark in marks)


def test_a_year_of_weekly_issues_went_to_everyone_who_was_there(demo):
    issues = db.session.scalars(select(DigestIssue).order_by(DigestIssue.cut_at)).all()
    assert len(issues) >= 50
    gaps = {later.cut_at - earlier.cut_at for earlier, later in itertools.pairwise(issues)}
    assert gaps <= {timedelta(days=7), timedelta(days=7, hours=1), timedelta(days=6, hours=23)}
    now = utcnow()
    assert now - timedelta(days=372) < issues[0].cut_at and now - timedelta(days=7) < issues[-1].cut_at < now
    assert 11 <= sum(issue.monthly for issue in issues) <= 13  # the first cut of each month
    went = dict(db.session.execute(
        select(DigestDelivery.issue_id, func.count()).group_by(DigestDelivery.issue_id)
    ).all())
    # Every delivery went; a few (under 1%) bounced, for the insights dashboard's reach.
    bounced = db.session.scalar(select(func.count()).where(DigestDelivery.status == DeliveryStatus.BOUNCED.value))
    others = select(func.count()).where(DigestDelivery.status.not_in([DeliveryStatus.SENT.value,
                                                                       DeliveryStatus.BOUNCED.value]))
    assert db.session.scalar(others) == 0
    assert 0 < bounced < sum(went.values()) / 100
    for issue in issues:
        assert issue.stories and any(row.section == "new" for row in issue.stories)
        assert issue.recipient_count == went[issue.id] > 0
    # Everyone who had joined by the cut and still wanted it got it: the newest hire only the
    # latest issues, and none of the few who left the digest during the year.
    everyone = db.session.scalar(select(func.count()).select_from(Person).where(
        Person.active.is_(True), Person.digest_frequency != "never"))
    assert issues[-1].recipient_count == everyone > issues[0].recipient_count


def test_each_past_issue_is_what_the_selection_chooses_from_the_database(demo):
    params, history = params_from_config(), load_history()
    for issue in db.session.scalars(select(DigestIssue).order_by(DigestIssue.cut_at)).all()[::5]:
        recorded, _ = issue_selection(issue, published_only=False)
        assert select_issue(issue.cut_at, load_candidates(issue.cut_at, params), history, params) == recorded


def test_canon_stories_have_been_retold_and_their_pages_say_so(demo):
    canon = db.session.scalars(select(Story).where(Story.in_canon.is_(True))).all()
    told = retellings(story.id for story in canon)
    times = sorted((told[story.id].times for story in canon if story.id in told), reverse=True)
    assert len(times) >= 5 and times[2] >= 2
    story = max(canon, key=lambda story: told.get(story.id).times if story.id in told else 0)
    client = demo.test_client()
    sign_in_on(client, db.session.scalar(select(Person).where(Person.email == STAFF_EMAIL)))
    page = client.get(f"/stories/{story.id}").get_data(as_text=True)
    last = told[story.id].last_cut_at
    assert f"Retold {told[story.id].times} times in the digest" in page
    assert f"digest of {last.strftime('%-d %B %Y')}" in page
