"""The default demo gives HR's insights pages something true to show: a year of it."""
from __future__ import annotations

from sqlalchemy import func, select

from storyboard.extensions import db
from storyboard.models import (
    AuditEntry,
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
    StoryStatus,
    story_co_nominators,
    story_nominees,
)


def count(statement) -> int:
    return db.session.scalar(statement)


def test_every_department_is_front_line_or_backstage(demo):
    departments = set(db.session.scalars(select(Person.department).where(Person.department != "").distinct()))
    kinds = dict(db.session.execute(select(DepartmentKind.department, DepartmentKind.front_line)).all())
    assert set(kinds) == departments
    assert {name for name, front in kinds.items() if front} == {"Customer Support", "Stores", "Delivery"}


def test_some_published_stories_carry_the_customers_voice(demo):
    published = select(func.count()).select_from(Story).where(Story.status == StoryStatus.PUBLISHED.value)
    with_voice = published.where(
        (Story.evidence_quote.is_not(None)) | (Story.evidence_score.is_not(None)) | (Story.evidence_link.is_not(None)))
    assert 0.1 * count(published) < count(with_voice) < 0.5 * count(published)
    assert count(published.where(Story.impact_kind == "team", Story.evidence_quote.is_not(None))) == 0
    # A score always has its scale, and fits it.
    scores = db.session.execute(select(Story.evidence_score, Story.evidence_score_max)
                                .where(Story.evidence_score.is_not(None))).all()
    assert scores and all(top in (5, 10) and 1 <= score <= top for score, top in scores)


def test_rules_that_got_in_the_way_are_filed_under_items_in_every_state(demo):
    items = db.session.scalars(select(FrictionItem)).all()
    assert {item.status for item in items} == {"open", "being_changed", "changed", "kept"}
    for item in items:
        stories = db.session.scalars(select(Story).join(FrictionLink, FrictionLink.story_id == Story.id)
                                     .where(FrictionLink.item_id == item.id)).all()
        assert stories and all(story.status == StoryStatus.PUBLISHED and story.rule_in_the_way for story in stories)
        assert item.owner is not None and item.owner.job_title.startswith("Head of")
        assert len({story.rule_in_the_way for story in stories}) == 1
    unfiled = select(func.count()).select_from(Story).where(
        Story.status == StoryStatus.PUBLISHED.value, Story.rule_in_the_way.is_not(None),
        Story.id.not_in(select(FrictionLink.story_id)))
    assert count(unfiled) > 0  # HR still has frictions to look at


def test_the_changed_item_told_exactly_the_active_people_behind_its_stories(demo):
    [changed] = db.session.scalars(select(FrictionItem).where(FrictionItem.status == "changed")).all()
    story_ids = select(FrictionLink.story_id).where(FrictionLink.item_id == changed.id)
    behind = set(db.session.scalars(select(story_nominees.c.person_id).where(story_nominees.c.story_id.in_(story_ids))))
    behind |= set(db.session.scalars(
        select(story_co_nominators.c.person_id).where(story_co_nominators.c.story_id.in_(story_ids))))
    behind |= set(db.session.scalars(select(Story.nominator_id).where(Story.id.in_(story_ids))))
    active = set(db.session.scalars(select(Person.id).where(Person.id.in_(behind), Person.active)))
    told = set(db.session.scalars(select(FrictionNotice.person_id).where(FrictionNotice.item_id == changed.id)))
    assert told == active and told
    notified = db.session.scalars(select(Notification.person_id).where(Notification.kind == "friction_changed")).all()
    assert sorted(notified) == sorted(active)


def test_readers_came_from_digest_links_to_stories_their_issue_carried(demo):
    visits = db.session.execute(
        select(DigestVisit.story_id, DigestIssueStory.story_id, DigestVisit.visited_at, DigestDelivery.sent_at)
        .join(DigestDelivery, DigestDelivery.id == DigestVisit.delivery_id)
        .outerjoin(DigestIssueStory, (DigestIssueStory.issue_id == DigestDelivery.issue_id)
                   & (DigestIssueStory.story_id == DigestVisit.story_id))
    ).all()
    sent = count(select(func.count()).select_from(DigestDelivery).where(DigestDelivery.status == "sent"))
    assert 0.05 * sent < len(visits) < 0.4 * sent
    assert all(carried == visited and visited_at > sent_at for visited, carried, visited_at, sent_at in visits)


def test_the_few_who_left_the_digest_say_when_and_got_nothing_after(demo):
    left = db.session.execute(
        select(AuditEntry.entity_id, AuditEntry.created_at).where(AuditEntry.action == "digest.frequency")
    ).all()
    assert len(left) == 9
    for person_id, when in left:
        assert db.session.get(Person, person_id).digest_frequency == "never"
        later = select(func.count()).select_from(DigestDelivery).join(DigestIssue).where(
            DigestDelivery.person_id == person_id, DigestIssue.cut_at > when)
        assert count(later) == 0
