"""When someone leaves, the canon stories about them become legacy, so the digest keeps
retelling them; HR can switch that off again on the story."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from storyboard.curation.listeners import LEGACY_NOTE
from storyboard.extensions import db
from storyboard.models import AuditEntry, Story

PROMOTED = datetime(2026, 3, 1, 9, 0)


@pytest.fixture
def leaver_and_stories(ctx, make_person, make_story):
    leaver = make_person(name="Lee Leaving", email="lee@example.com")
    stayer = make_person(name="Stella Staying", email="stella@example.com")
    stories = {
        "canon": make_story(title="Canon about Lee", nominees=[leaver, stayer], in_canon=True,
                            canon_lesson="Stay with it.", canonized_at=PROMOTED),
        "already legacy": make_story(title="Already legacy", nominees=[leaver], in_canon=True,
                                     legacy=True, canonized_at=PROMOTED),
        "not canon": make_story(title="Not canon", nominees=[leaver]),
        "someone else's": make_story(title="Canon about Stella", nominees=[stayer], in_canon=True,
                                     canonized_at=PROMOTED),
    }
    return leaver, stories


def legacy_entries() -> list[tuple]:
    db.session.expire_all()
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "story.legacy").order_by(AuditEntry.id))
    return [(entry.actor_id, entry.entity_id, entry.before, entry.after, entry.note) for entry in entries]


def legacy_of(stories: dict[str, Story]) -> dict[str, bool]:
    db.session.expire_all()
    return {name: db.session.get(Story, story.id).legacy for name, story in stories.items()}


EXPECTED = {"canon": True, "already legacy": True, "not canon": False, "someone else's": False}


def test_deactivating_someone_keeps_their_canon_stories_as_legacy(client, as_role, leaver_and_stories):
    leaver, stories = leaver_and_stories
    admin = as_role("admin")
    assert client.post(f"/admin/people/{leaver.id}/deactivate").status_code == 302
    assert legacy_of(stories) == EXPECTED
    assert legacy_entries() == [(admin.id, stories["canon"].id, {"legacy": False}, {"legacy": True}, LEGACY_NOTE)]


def test_a_people_import_that_deactivates_them_does_the_same(runner, tmp_path, leaver_and_stories, make_person):
    _, stories = leaver_and_stories
    make_person(email="admin@example.com", name="Ada Admin", role="admin")
    path = tmp_path / "people.csv"
    path.write_text("email,name,title,department,location,manager_email,start_date,role\n"
                    "admin@example.com,Ada Admin,,,,,,admin\nstella@example.com,Stella Staying,,,,,,\n")
    result = runner.invoke(args=["people", "import", str(path), "--deactivate-missing", "--no-invite"])
    assert result.exit_code == 0, result.output
    assert legacy_of(stories) == EXPECTED
    assert legacy_entries() == [(None, stories["canon"].id, {"legacy": False}, {"legacy": True}, LEGACY_NOTE)]


def test_hr_can_switch_legacy_off_again(client, as_role, leaver_and_stories):
    leaver, stories = leaver_and_stories
    as_role("admin")
    client.post(f"/admin/people/{leaver.id}/deactivate")
    as_role("curator")
    client.post(f"/queue/{stories['canon'].id}/flags", data={"flag": "legacy", "value": "no"})
    assert legacy_of(stories)["canon"] is False
