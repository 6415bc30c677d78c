"""The digest on the web: the archive for staff, and the next issue's preview for curators."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storyboard.digest.tick import tick
from storyboard.extensions import db
from storyboard.models import AuditEntry, DigestIssue, Story
from tests.helpers import CUT, NOW

BEFORE_CUT = CUT - timedelta(hours=12)  # Sunday evening: the preview shows the 30 November issue


@pytest.fixture
def before_the_cut(monkeypatch):
    """The web pages' clock, and the pins', on the Sunday evening before CUT."""
    monkeypatch.setattr("storyboard.digest.views.utcnow", lambda: BEFORE_CUT)
    monkeypatch.setattr("storyboard.curation.service.utcnow", lambda: BEFORE_CUT)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_the_archive_lists_every_issue_newest_first(app, ctx, client, as_role, fresh_story, make_story):
    fresh_story(title="First week's story")
    tick(NOW)
    make_story(title="Second week's story", published_at=CUT + timedelta(days=3))
    tick(NOW + timedelta(weeks=1))
    as_role("staff")
    page = text_of(client.get("/digest/"))
    assert page.index("Monday 7 December 2026, 07:00") < page.index("Monday 30 November 2026, 07:00")
    assert "the month's first issue" in page  # 7 December
    assert 'href="/digest/issues/2026-12-07"' in page


def test_an_issue_page_shows_its_sections_and_leaves_out_withdrawn_stories(
    app, ctx, client, as_role, fresh_story, make_story, make_person
):
    fresh_story(title="Carried the pram up the stairs")
    gone = fresh_story(title="A story archived later", days_before=2)
    make_story(title="The old classic", published_at=CUT - timedelta(days=400), in_canon=True,
               canonized_at=CUT - timedelta(days=300), canon_lesson="Small kindnesses travel far.",
               happened_on=CUT.date() - timedelta(days=700),
               nominees=[make_person(department="Warehouse")])  # two per department at most
    tick(NOW)
    gone.status = "archived"
    db.session.commit()
    as_role("staff")
    page = text_of(client.get("/digest/issues/2026-11-30"))
    assert "This week's stories" in page and "Carried the pram up the stairs" in page
    assert "From the canon" in page and "Small kindnesses travel far." in page and "it first happened on" in page
    assert "A story archived later" not in page
    assert "1 story from this issue is no longer published" in page
    assert "Deliveries" not in page  # delivery figures are for curators


def test_curators_see_how_an_issue_was_delivered(app, ctx, client, as_role, fresh_story, smtp_server):
    fresh_story()
    as_role("curator")
    tick(NOW)
    page = text_of(client.get("/digest/issues/2026-11-30"))
    assert "Deliveries" in page and "people were due this issue" in page


@pytest.mark.parametrize("path", ["/digest/issues/2026-01-05", "/digest/issues/not-a-date", "/digest/issues/1"])
def test_an_unknown_issue_is_not_found(app, ctx, client, as_role, path):
    as_role("staff")
    assert client.get(path).status_code == 404


def test_staff_cannot_see_or_change_the_next_issue(app, ctx, client, as_role, fresh_story):
    story = fresh_story()
    as_role("staff")
    assert client.get("/digest/next").status_code == 403
    response = client.post(f"/digest/next/{story.id}/hold-back", data={"issue_key": "2026-11-30"})
    assert response.status_code == 403
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_a_curator_swaps_a_story_out_and_the_next_in_line_takes_its_place(app, ctx, client, as_role, fresh_story,
                                                                         smtp_server, before_the_cut):
    app.config["DIGEST_NEW_COUNT"] = 1
    app.config["DIGEST_ALSO_NEW_MAX"] = 0
    top = fresh_story(title="Top of the week", applause_count=9, reader_count=10)
    runner_up = fresh_story(title="Next in line", applause_count=5, reader_count=10)
    curator = as_role("curator")
    page = text_of(client.get("/digest/next"))
    assert "Monday 30 November 2026, 07:00" in page
    chosen, left_out = page.split("Also published this week, not in the issue")
    assert "Top of the week" in chosen and "Next in line" in left_out

    response = client.post(f"/digest/next/{top.id}/hold-back", data={"issue_key": "2026-11-30"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/digest/next")
    page = text_of(client.get("/digest/next"))
    chosen, held = page.split("Held back from this issue")
    assert "Next in line" in chosen and "Top of the week" in held.split("Also published")[0]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "digest.hold_back"))
    assert (entry.actor_id, entry.entity_id, entry.after) == (curator.id, top.id, {"issue": "2026-11-30"})

    tick(NOW)
    issue = db.session.scalar(select(DigestIssue))
    assert [row.story_id for row in issue.stories] == [runner_up.id]
    assert "Top of the week" not in smtp_server.messages[0]["Subject"]


def test_putting_a_story_back_and_pinning_one_in(app, ctx, client, as_role, fresh_story, before_the_cut):
    app.config["DIGEST_NEW_COUNT"] = 1
    app.config["DIGEST_ALSO_NEW_MAX"] = 0
    top = fresh_story(title="Top of the week", applause_count=9, reader_count=10)
    quiet = fresh_story(title="A quiet hero", applause_count=0, reader_count=10)
    as_role("curator")
    client.post(f"/digest/next/{top.id}/hold-back", data={"issue_key": "2026-11-30"})
    client.post(f"/digest/next/{top.id}/put-back", data={"issue_key": "2026-11-30"})
    assert "Held back from this issue" not in text_of(client.get("/digest/next"))

    response = client.post(f"/digest/next/{quiet.id}/pin", data={"issue_key": "2026-11-30"})
    assert response.status_code == 302
    chosen = text_of(client.get("/digest/next")).split("Also published this week")[0]
    assert "A quiet hero" in chosen and "pinned" in chosen and "Top of the week" not in chosen
    assert db.session.get(Story, quiet.id).pinned_at is not None


def test_a_change_for_an_issue_already_cut_is_refused_and_changes_nothing(app, ctx, client, as_role, fresh_story,
                                                                         before_the_cut):
    story = fresh_story()
    as_role("curator")
    response = client.post(f"/digest/next/{story.id}/hold-back", data={"issue_key": "2026-11-23"})
    assert response.status_code == 409
    assert "has been cut already" in text_of(response)
    assert "Held back" not in text_of(client.get("/digest/next"))


def test_an_unknown_action_or_story_is_not_found(app, ctx, client, as_role, fresh_story, before_the_cut):
    story = fresh_story()
    as_role("curator")
    assert client.post(f"/digest/next/{story.id}/delete", data={"issue_key": "2026-11-30"}).status_code == 404
    assert client.post("/digest/next/999999/pin", data={"issue_key": "2026-11-30"}).status_code == 404


def test_the_nav_links_to_the_archive(app, ctx, client, as_role):
    as_role("staff")
    assert 'href="/digest/"' in text_of(client.get("/"))
