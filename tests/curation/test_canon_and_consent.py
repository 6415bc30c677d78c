"""Pins, the canon, resurfacing and legacy flags, queue filters, and nominees' digest consent."""
import re
from datetime import timedelta

from sqlalchemy import select

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import AuditEntry, StoryStatus, Value


def actions(entity_id):
    entries = select(AuditEntry).where(AuditEntry.entity_id == entity_id).order_by(AuditEntry.id)
    return [e.action for e in db.session.scalars(entries)]


def test_canon_needs_a_lesson_and_a_published_story(client, ctx, as_role, make_story):
    story = make_story()
    as_role("curator")
    empty = client.post(f"/queue/{story.id}/canon", data={"in_canon": "yes", "lesson": " "})
    assert empty.status_code == 409
    assert "Say in one line what to learn from the story." in empty.get_data(as_text=True)
    ok = client.post(f"/queue/{story.id}/canon", data={"in_canon": "yes", "lesson": "Own it until it's fixed."})
    assert ok.status_code == 302
    db.session.refresh(story)
    assert (story.in_canon, story.canon_lesson) == (True, "Own it until it's fixed.")
    assert story.canonized_at is not None
    client.post(f"/queue/{story.id}/canon", data={"in_canon": "no"})
    db.session.refresh(story)
    assert story.in_canon is False
    assert actions(story.id) == ["story.canon", "story.canon"]
    draft = make_story(status=StoryStatus.DRAFT)
    refused = client.post(f"/queue/{draft.id}/canon", data={"in_canon": "yes", "lesson": "x"})
    assert refused.status_code == 409
    assert "Only a published story can be added to the canon." in refused.get_data(as_text=True)


def test_pin_and_flags_are_audited(client, ctx, as_role, make_story):
    story = make_story()
    as_role("curator")
    client.post(f"/queue/{story.id}/pin", data={"pinned": "yes"})
    client.post(f"/queue/{story.id}/flags", data={"flag": "resurface", "value": "no"})
    client.post(f"/queue/{story.id}/flags", data={"flag": "legacy", "value": "yes"})
    db.session.refresh(story)
    assert story.pinned_at is not None and story.resurface is False and story.legacy is True
    assert actions(story.id) == ["story.pin", "story.resurface", "story.legacy"]
    assert client.post(f"/queue/{story.id}/flags", data={"flag": "status", "value": "yes"}).status_code == 400
    page = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert "Pinned for the next digest" in page and "Kept out of resurfacing" in page and "Legacy" in page


def test_queue_filters_by_department_value_and_age(client, ctx, as_role, make_story, make_person):
    empathy = db.session.scalar(select(Value).where(Value.slug == "empathy"))
    courtesy = db.session.scalar(select(Value).where(Value.slug == "courtesy"))
    stores = make_person(department="Stores")
    old = make_story(title="Old stores story", nominees=[stores], values=[empathy], status=StoryStatus.SUBMITTED)
    old.submitted_at = utcnow() - timedelta(days=10)
    db.session.commit()
    make_story(title="Fresh warehouse story", nominees=[make_person(department="Warehouse")], values=[courtesy],
               status=StoryStatus.SUBMITTED)
    as_role("curator")
    page = client.get("/queue/").get_data(as_text=True)
    assert "(2 waiting)" in page and "(10 days)" in page and "(today)" in page
    for query, shown, hidden in [
        ("department=Stores", "Old stores story", "Fresh warehouse story"),
        ("value=courtesy", "Fresh warehouse story", "Old stores story"),
        ("age=7", "Old stores story", "Fresh warehouse story"),
    ]:
        text = client.get(f"/queue/?{query}").get_data(as_text=True)
        assert shown in text and hidden not in text, query
        assert "1 of 2 waiting stories match these filters." in text
    assert client.get("/queue/?age=banana&department=&value=nope").status_code == 200


def test_nominee_keeps_a_story_out_of_digests(client, ctx, make_story, make_person, login):
    nominee = make_person()
    story = make_story(nominees=[nominee])
    login(nominee)
    page = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert "This story is about you" in page
    client.post(f"/stories/{story.id}/digest-consent", data={"keep_out": "yes"})
    db.session.refresh(story)
    assert story.digest_opt_outs == [nominee]
    assert "Allow it in digests again" in client.get(f"/stories/{story.id}").get_data(as_text=True)
    client.post(f"/stories/{story.id}/digest-consent", data={"keep_out": "no"})
    db.session.refresh(story)
    assert story.digest_opt_outs == []


def test_only_nominees_decide_about_digest_consent(client, ctx, make_story, as_role):
    story = make_story()
    as_role("staff")
    assert client.post(f"/stories/{story.id}/digest-consent", data={"keep_out": "yes"}).status_code == 403


def test_profile_wide_opt_out_is_saved_in_preferences(client, ctx, as_role):
    me = as_role("staff")
    client.post("/preferences", data={"hide_from_digests": "on"})
    db.session.refresh(me)
    assert me.hide_from_digests is True
    assert "checked" in client.get("/preferences").get_data(as_text=True).split('id="hide_from_digests"')[1][:40]


def test_my_stories_groups_by_status_with_resubmit(client, ctx, make_story, make_person, login):
    me = make_person()
    back = make_story(nominator=me, title="Needs a tweak", status=StoryStatus.CHANGES_REQUESTED,
                      decision_note="Add the date.")
    make_story(nominator=me, title="Half written", status=StoryStatus.DRAFT)
    make_story(nominator=me, title="Out there", status=StoryStatus.PUBLISHED)
    login(me)
    page = client.get("/mine").get_data(as_text=True)
    assert page.index("HR asked for changes") < page.index("Drafts") < page.index("Published")
    assert "HR asked: Add the date." in page
    assert f'action="/stories/{back.id}/submit"' in page and "Submit again" in page
    client.post(f"/stories/{back.id}/submit")
    assert "Waiting for HR" in client.get("/mine").get_data(as_text=True)


def test_the_queue_pages_oldest_first_and_keeps_filters_and_page_through_its_forms(
    app, client, ctx, as_role, make_story, make_person
):
    app.config["QUEUE_PAGE_SIZE"] = 2
    warehouse = make_person(department="Warehouse")
    for n in range(5):
        story = make_story(title=f"Waiting story {n}", status=StoryStatus.SUBMITTED, nominees=[warehouse])
        story.submitted_at = utcnow() - timedelta(days=10 - n)
    make_story(title="Another department's story", status=StoryStatus.SUBMITTED)
    db.session.commit()
    as_role("curator")
    first = client.get("/queue/?department=Warehouse").get_data(as_text=True)
    assert first.index("Waiting story 0") < first.index("Waiting story 1") and "Waiting story 2" not in first
    assert "Another department" not in first
    later = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "department=Warehouse" in later
    second = client.get(later).get_data(as_text=True)
    assert "Waiting story 2" in second and "Waiting story 0" not in second
    # A note that fails validation on page 2 is shown on page 2, with its story.
    action = re.search(r'action="(/queue/\d+/reject\?[^"]+)"', second).group(1).replace("&amp;", "&")
    assert "department=Warehouse" in action and "after=" in action
    refused = client.post(action, data={"note": ""})
    assert refused.status_code == 400
    assert "Waiting story 2" in refused.get_data(as_text=True)


def test_a_refused_lesson_comes_back_in_the_panel_as_typed(client, ctx, as_role, make_story):
    story = make_story()
    as_role("curator")
    typed = "Own it <until> it’s fixed, " + "and then some " * 14  # 223 characters, one line
    response = client.post(f"/queue/{story.id}/canon", data={"in_canon": "yes", "lesson": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Keep what to learn under 200 characters." in page and 'id="curator-heading"' in page
    lesson_input = re.search(r'<input id="canon-lesson"[^>]*>', page)[0]
    assert 'value="Own it &lt;until&gt; it’s fixed, and then some' in lesson_input
    db.session.refresh(story)
    assert (story.in_canon, story.canon_lesson) == (False, None)


def test_a_refused_lesson_or_merge_is_told_beside_its_own_field_with_what_was_typed(
        client, ctx, as_role, make_story):
    story = make_story()
    as_role("curator")
    page = client.post(f"/queue/{story.id}/canon", data={"in_canon": "yes", "lesson": "x" * 201}).get_data(as_text=True)
    assert re.search(r'<a href="#canon-lesson" id="canon-problem">[^<]*200 characters[^<]*</a>', page)
    assert re.search(r'<input id="canon-lesson" name="lesson" maxlength="200" value="x{201}" '
                     r'aria-invalid="true" aria-describedby="canon-problem">', page)
    assert 'id="merge-problem"' not in page
    page = client.post(f"/queue/{story.id}/merge", data={"into": "999999"}).get_data(as_text=True)
    assert '<a href="#merge-into" id="merge-problem">There is no story number 999999.</a>' in page
    assert re.search(r'<input id="merge-into" name="into" [^>]*value="999999" '
                     r'aria-invalid="true" aria-describedby="merge-problem">', page)
    assert page.count("There is no story number 999999.") == 1  # not also at the top of the panel
