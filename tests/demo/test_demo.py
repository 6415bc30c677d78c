"""seed-demo: a believable demo company whose rows agree with each other, the same for a seed."""
import hashlib
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from storyboard.demo import seed_demo
from storyboard.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, STAFF_EMAIL
from storyboard.demo.stories import STORYLINES
from storyboard.extensions import db
from storyboard.markdown import render
from storyboard.models import (
    Applause,
    AuditEntry,
    CanonCollection,
    CanonCollectionStory,
    CanonRead,
    DepartmentKind,
    DigestDelivery,
    DigestIssue,
    DigestIssueStory,
    DigestVisit,
    FrictionItem,
    FrictionLink,
    FrictionNotice,
    Notification,
    Person,
    Story,
    StoryReader,
    StoryStatus,
    ThankYou,
    story_nominees,
    story_values,
)

ANCHOR = datetime(2026, 3, 2)
SMALL = ["seed-demo", "--people", "40", "--stories", "80"]
FRONT_LINE_AND_BACKSTAGE = {
    "Customer Support", "Stores", "Warehouse", "Billing", "IT", "Facilities", "Delivery", "HR",
}
LESSONS = {situation.lesson for line in STORYLINES for situation in line.situations}
# What the demo adds for HR's insights, children first.
INSIGHTS_TABLES = (
    DigestVisit.__table__, FrictionNotice.__table__, FrictionLink.__table__, FrictionItem.__table__,
    Notification.__table__, AuditEntry.__table__, DepartmentKind.__table__,
)
# What a demo adds besides people and stories, children first.
FOLKLORE_TABLES = (
    CanonRead.__table__, CanonCollectionStory.__table__, CanonCollection.__table__, DigestDelivery.__table__,
    DigestIssueStory.__table__, DigestIssue.__table__,
)


@pytest.fixture
def seeded(ctx):
    """A small demo company, seeded with a fixed anchor date."""
    return seed_demo(people=40, stories=80, seed=3, anchor=ANCHOR)


def _empty_demo_rows() -> None:
    """Delete people, stories, responses and the digest's, canon's and insights' rows, keeping the
    values, as if the database were new."""
    for table in (
        *INSIGHTS_TABLES, *FOLKLORE_TABLES, ThankYou.__table__, Applause.__table__, StoryReader.__table__, story_values,
        story_nominees, Story.__table__, Person.__table__,
    ):
        db.session.execute(table.delete())
    db.session.commit()
    db.session.expunge_all()


def _digest(full: bool = False) -> str:
    """A fingerprint of the stories (and, if `full`, of every date and response too)."""
    digest = hashlib.sha256()
    for story in db.session.scalars(select(Story).order_by(Story.id)):
        parts = [
            story.title,
            story.status,
            sorted(person.email for person in story.nominees),
            sorted(value.slug for value in story.values),
            story.in_canon,
            story.canon_lesson,
        ]
        if full:
            parts += [
                story.nominator.email, story.body_md, story.impact, story.rule_in_the_way,
                story.happened_on, story.created_at, story.submitted_at, story.published_at,
                story.applause_count, story.reader_count,
            ]
        digest.update(repr(parts).encode())
    if full:
        for table in (StoryReader.__table__, Applause.__table__, ThankYou.__table__, *FOLKLORE_TABLES):
            # Deliveries take their ids from PostgreSQL's sequence, which deleting rows does not reset.
            deliveries = table is DigestDelivery.__table__
            columns = [column for column in table.columns if not (deliveries and column.key == "id")]
            order = columns[:2] if deliveries else [*table.primary_key.columns]  # issue, person
            rows = db.session.execute(select(*columns).order_by(*order)).all()
            digest.update(repr([tuple(row) for row in rows]).encode())
    return digest.hexdigest()


def _issue_stories() -> dict[str, list[tuple[int, str]]]:
    """Each issue's stories and their sections, by issue key."""
    found: dict[str, list[tuple[int, str]]] = {}
    rows = db.session.execute(
        select(DigestIssue.issue_key, DigestIssueStory.story_id, DigestIssueStory.section)
        .join(DigestIssueStory, DigestIssueStory.issue_id == DigestIssue.id).order_by(DigestIssueStory.position)
    )
    for key, story_id, section in rows:
        found.setdefault(key, []).append((story_id, section))
    return found


def _count_by_story(table) -> dict[int, int]:
    statement = select(table.c.story_id, func.count()).group_by(table.c.story_id)
    return dict(db.session.execute(statement).all())


def test_seed_demo_adds_a_company_and_prints_the_sign_ins(runner, ctx):
    result = runner.invoke(args=SMALL)
    assert result.exit_code == 0, result.output
    assert "Added 43 people and 80 stories" in result.output
    assert f"password: {DEMO_PASSWORD}" in result.output
    for account in DEMO_ACCOUNTS:
        assert re.search(rf"{re.escape(account.email)}\s+{account.role}\s", result.output)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 43
    assert db.session.scalar(select(func.count()).select_from(Story)) == 80


def test_every_status_is_present_and_most_are_published(seeded):
    statement = select(Story.status, func.count()).group_by(Story.status)
    counts = dict(db.session.execute(statement).all())
    assert set(counts) == {status.value for status in StoryStatus}
    assert counts[StoryStatus.PUBLISHED] > sum(counts.values()) / 2


def test_the_best_older_stories_are_in_the_canon_with_distinct_lessons(ctx):
    seed_demo(people=60, stories=600, seed=4, anchor=ANCHOR)
    canon = db.session.scalars(select(Story).where(Story.in_canon.is_(True))).all()
    assert len(canon) == 10  # one canon story per 60
    assert len({story.canon_lesson for story in canon}) == 10
    assert all(story.canon_lesson in LESSONS for story in canon)
    assert sum(story.rule_in_the_way is not None for story in canon) >= 3  # a place for the rules' collection
    for story in canon:
        assert story.status == StoryStatus.PUBLISHED.value
        assert story.published_at <= ANCHOR - timedelta(weeks=5)
        assert story.published_at < story.canonized_at < ANCHOR


def test_a_big_canon_has_one_story_per_situation_so_no_lesson_repeats(ctx):
    import random

    from storyboard.demo.canon import promote_canon
    from storyboard.demo.phrases import Situation

    situations = [situation for line in STORYLINES for situation in line.situations]
    seed_demo(people=40, stories=80, seed=3, anchor=ANCHOR)
    db.session.execute(update(Story).values(in_canon=False, canon_lesson=None, canonized_at=None))
    eligible = db.session.scalars(select(Story.id).where(
        Story.status == StoryStatus.PUBLISHED.value, Story.published_at <= ANCHOR - timedelta(weeks=5))).all()
    told: dict[int, Situation] = {story_id: situations[n % 4] for n, story_id in enumerate(eligible)}
    assert promote_canon(random.Random(1), ANCHOR, told, count=50) == 4
    lessons = db.session.scalars(select(Story.canon_lesson).where(Story.in_canon.is_(True))).all()
    assert sorted(lessons) == sorted(situation.lesson for situation in situations[:4])


def test_counters_match_applause_and_reader_rows(seeded):
    applause = _count_by_story(Applause.__table__)
    readers = _count_by_story(StoryReader.__table__)
    for story_id, applause_count, reader_count in db.session.execute(
        select(Story.id, Story.applause_count, Story.reader_count)
    ):
        assert applause_count == applause.get(story_id, 0)
        assert reader_count == readers.get(story_id, 0)
    assert seeded.applause == sum(applause.values()) > 0
    assert seeded.readers == sum(readers.values()) > 0
    assert seeded.thanks == db.session.scalar(select(func.count()).select_from(ThankYou)) > 0
    # Only stories that were published have readers, applause or notes.
    responded = set(readers) | set(applause) | set(db.session.scalars(select(ThankYou.story_id)))
    never_published = set(db.session.scalars(select(Story.id).where(Story.published_at.is_(None))))
    assert not responded & never_published


def test_every_story_has_one_to_three_values_and_a_nominee_besides_the_nominator(seeded):
    for story in db.session.scalars(select(Story)):
        assert 1 <= len(story.values) <= 3
        assert 1 <= len(story.nominees) <= 3
        assert {person.id for person in story.nominees} - {story.nominator_id}
    sizes = db.session.scalars(
        select(func.count()).select_from(story_nominees).group_by(story_nominees.c.story_id)
    ).all()
    assert sizes.count(1) > len(sizes) / 2 and max(sizes) > 1


def test_stories_are_stored_as_the_services_would_store_them(seeded):
    for story in db.session.scalars(select(Story)):
        stored = story.search_text
        story.refresh_search_text()
        assert story.search_text == stored
        assert story.body_html == render(story.body_md)
        assert story.impact_kind in ("customer", "team")
        assert story.happened_on <= story.created_at.date()
        moments = [story.created_at, story.submitted_at, story.published_at, story.updated_at]
        present = [moment for moment in moments if moment is not None]
        assert present == sorted(present) and present[-1] < ANCHOR
        if story.status in (StoryStatus.REJECTED, StoryStatus.CHANGES_REQUESTED):
            assert story.decision_note
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(Story.rule_in_the_way.is_not(None)))


def test_people_form_a_hierarchy_and_only_the_demo_sign_ins_have_passwords(seeded):
    people = db.session.scalars(select(Person)).all()
    assert {person.department for person in people} >= FRONT_LINE_AND_BACKSTAGE
    tops = [person for person in people if person.manager_id is None]
    assert [person.job_title for person in tops] == ["Chief Executive"]
    assert all(person.manager_id < person.id for person in people if person.manager_id)
    assert all(person.job_title and person.location and person.start_date for person in people)
    with_password = {person.email for person in people if person.password_hash}
    assert with_password == {account.email for account in DEMO_ACCOUNTS}
    roles = {person.email: person.role for person in people}
    assert all(roles[account.email] == account.role for account in DEMO_ACCOUNTS)


def test_the_same_seed_gives_the_same_company_and_another_seed_another(runner, ctx):
    assert runner.invoke(args=[*SMALL, "--seed", "7"]).exit_code == 0
    first = _digest()
    _empty_demo_rows()
    assert runner.invoke(args=[*SMALL, "--seed", "7"]).exit_code == 0
    assert _digest() == first
    _empty_demo_rows()
    assert runner.invoke(args=[*SMALL, "--seed", "8"]).exit_code == 0
    assert _digest() != first


def test_a_seed_and_anchor_fix_every_date_and_response(ctx):
    seed_demo(people=30, stories=50, seed=5, anchor=ANCHOR)
    first = _digest(full=True)
    _empty_demo_rows()
    seed_demo(people=30, stories=50, seed=5, anchor=ANCHOR)
    assert _digest(full=True) == first


def test_if_empty_skips_a_database_with_demo_people(runner, ctx):
    assert runner.invoke(args=[*SMALL, "--if-empty"]).exit_code == 0
    result = runner.invoke(args=[*SMALL, "--if-empty"])
    assert result.exit_code == 0
    assert "Demo data already present" in result.output
    assert STAFF_EMAIL in result.output and DEMO_PASSWORD in result.output
    assert db.session.scalar(select(func.count()).select_from(Person)) == 43


def test_if_empty_does_not_offer_demo_sign_ins_that_do_not_exist(runner, ctx, make_person):
    make_person()
    result = runner.invoke(args=[*SMALL, "--if-empty"])
    assert result.exit_code == 0
    assert "not seeding" in result.output and STAFF_EMAIL not in result.output
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def test_seeding_again_appends_after_the_existing_rows(runner, ctx, make_person):
    assert runner.invoke(args=SMALL).exit_code == 0
    issues = _issue_stories()
    collections = db.session.scalar(select(func.count()).select_from(CanonCollection))
    result = runner.invoke(args=SMALL)
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Person)) == 83
    assert db.session.scalar(select(func.count()).select_from(Story)) == 160
    assert db.session.scalar(select(func.count()).where(Person.password_hash.is_not(None))) == 3
    # The year's issues were there already, and stay as they were (weeks the first run had no
    # story for may have one now); the collections too.
    assert issues and _issue_stories().items() >= issues.items()
    assert db.session.scalar(select(func.count()).select_from(CanonCollection)) == collections > 0
    assert db.session.scalar(select(func.count()).select_from(CanonCollection)) == collections > 0
    # Ids continue after the seeded ones (PostgreSQL's sequences were moved past them).
    assert make_person().id == 84


def test_demo_staff_signs_in_and_has_stories_by_and_about_them(client, runner, ctx):
    assert runner.invoke(args=SMALL).exit_code == 0
    response = client.post("/auth/login", data={"email": STAFF_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    staff = db.session.scalar(select(Person).where(Person.email == STAFF_EMAIL))
    written = db.session.scalars(select(Story.status).where(Story.nominator_id == staff.id)).all()
    assert StoryStatus.DRAFT in written and StoryStatus.PUBLISHED in written
    about = db.session.scalars(
        select(Story.status).where(Story.nominees.any(Person.id == staff.id))
    ).all()
    assert StoryStatus.PUBLISHED in about
    assert "Sam Taylor" in client.get(f"/people/{staff.id}").get_data(as_text=True)


def test_search_finds_a_seeded_story_by_a_word_of_its_title(client, seeded, login):
    login(db.session.scalar(select(Person).where(Person.email == STAFF_EMAIL)))
    story = db.session.scalar(
        select(Story).where(Story.status == StoryStatus.PUBLISHED).order_by(Story.id.desc())
    )
    word = max(re.findall(r"[A-Za-z]+", story.title), key=len)
    link = f'href="/stories/{story.id}"'
    for page in range(1, 10):
        text = client.get("/search", query_string={"q": word, "page": page}).get_data(as_text=True)
        if link in text or 'rel="next"' not in text:
            break
    assert link in text


def test_demo_sign_ins_can_ask_for_a_password_reset(app, runner, client, ctx, smtp_server):
    runner.invoke(args=["seed-demo", "--people", "20", "--stories", "10"])
    email = STAFF_EMAIL
    response = client.post("/auth/forgot", data={"email": email})
    response.close()  # the link goes once the response has (as a WSGI server does)
    assert response.status_code == 302
    assert [m["To"] for m in smtp_server.messages] == [email]
