"""Every curator form that is refused comes back at its own anchor (issue 14, surprise 9): the
form's action carries the fragment of the element the page sent back opens at, that element
holds an error summary (role=alert) whose links lead to the field to fix, the id is on the page
once, what was typed is kept, and the status is a 4xx."""
from __future__ import annotations

import html5lib
import pytest

from storyboard.extensions import db
from storyboard.models import StoryStatus
from tests.helpers import text

S = StoryStatus
PHONE = "07700 900123"


def parsed(response):
    return html5lib.parse(text(response), namespaceHTMLElements=False)


def element(tree, element_id: str):
    """The one element with this id; fails when there is none, or more than one."""
    found = tree.findall(f".//*[@id='{element_id}']")
    assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
    return found[0]


def summary_in(container) -> tuple[list[str], list[str]]:
    """The error summary inside `container`: its links' targets and their texts."""
    summaries = [div for div in container.iter("div") if "error-summary" in (div.get("class") or "").split()]
    assert len(summaries) == 1, "no error summary (or several) inside the form's anchor"
    assert summaries[0].get("role") == "alert"
    links = list(summaries[0].iter("a"))
    return [a.get("href") for a in links], ["".join(a.itertext()).strip() for a in links]


def assert_lands_on(tree, form, anchor: str) -> None:
    """The form posts to #anchor, and the element with that id holds the form."""
    assert form.get("action").endswith(f"#{anchor}")
    holder = element(tree, anchor)
    assert holder is form or form in holder.iter("form")


def action_form(tree, form_id: str):
    form = element(tree, form_id)
    assert form.tag == "form"
    return form


@pytest.fixture
def waiting(ctx, make_story, as_role):
    as_role("curator")
    return make_story(status=S.SUBMITTED, title="Waiting for a decision")


# The review queue


@pytest.mark.parametrize("endpoint", ["reject", "request-changes"])
def test_a_note_left_out_comes_back_at_the_stories_own_form(client, waiting, endpoint):
    response = client.post(f"/queue/{waiting.id}/{endpoint}?age=0", data={"note": "   "})
    assert response.status_code == 400
    tree = parsed(response)
    form = action_form(tree, f"reject-{waiting.id}")
    assert form.get("action") == f"/queue/{waiting.id}/reject?age=0#reject-{waiting.id}"
    assert_lands_on(tree, form, f"reject-{waiting.id}")
    changes = [b for b in form.iter("button") if b.get("formaction")][0]
    assert changes.get("formaction") == f"/queue/{waiting.id}/request-changes?age=0#reject-{waiting.id}"
    targets, messages = summary_in(form)
    assert (targets, messages) == ([f"#note-{waiting.id}"], ["Write a note so the nominator knows why."])
    note = element(tree, f"note-{waiting.id}")
    assert (note.get("aria-invalid"), note.get("aria-describedby")) == ("true", f"note-problem-{waiting.id}")
    element(tree, f"note-problem-{waiting.id}")
    db.session.refresh(waiting)
    assert waiting.status == S.SUBMITTED


def test_a_note_too_long_is_kept_as_typed_in_its_form(client, waiting):
    note = "Please name the store.\n" + "More, please. " * 150
    response = client.post(f"/queue/{waiting.id}/reject", data={"note": note})
    assert response.status_code == 400
    form = action_form(parsed(response), f"reject-{waiting.id}")
    assert summary_in(form)[1] == ["Keep the note under 2,000 characters."]
    assert form.find(".//textarea").text == note


def test_the_other_stories_forms_stay_as_they_were(client, waiting, make_story):
    other = make_story(status=S.SUBMITTED, title="Another one")
    response = client.post(f"/queue/{waiting.id}/reject", data={"note": ""})
    tree = parsed(response)
    other_form = action_form(tree, f"reject-{other.id}")
    assert [d for d in other_form.iter("div") if d.get("role") == "alert"] == []
    assert other_form.get("action") == f"/queue/{other.id}/reject#reject-{other.id}"


def test_a_note_left_out_on_a_story_no_longer_listed_is_told_at_the_top(client, waiting):
    # Filtered out of the page the queue shows again: no form to show it in, so the top says it.
    response = client.post(f"/queue/{waiting.id}/reject?department=Nowhere", data={"note": ""})
    assert response.status_code == 400
    tree = parsed(response)
    assert tree.find(f".//*[@id='reject-{waiting.id}']") is None
    alerts = ["".join(div.itertext()) for div in tree.iter("div") if div.get("role") == "alert"]
    assert alerts == [f"Your note on story {waiting.id} was not sent: Write a note so the nominator knows why."]


def test_a_bulk_reject_without_a_reason_comes_back_at_the_bulk_form_with_the_ticks(client, waiting, make_story):
    other = make_story(status=S.SUBMITTED)
    response = client.post("/queue/bulk?age=0",
                           data={"action": "reject", "reason": " ", "story": [str(waiting.id), str(other.id)]})
    assert response.status_code == 400
    tree = parsed(response)
    form = action_form(tree, "bulk-form")
    assert form.get("action") == "/queue/bulk?age=0#bulk"
    assert_lands_on(tree, form, "bulk")
    assert summary_in(element(tree, "bulk")) == (["#bulk-reason"], ["Write a reason so each nominator knows why."])
    assert element(tree, "bulk-reason").get("aria-describedby") == "bulk-problem"
    ticked = [box.get("value") for box in tree.iter("input")
              if box.get("name") == "story" and box.get("checked") is not None]
    assert sorted(ticked) == sorted([str(waiting.id), str(other.id)])


def test_a_bulk_move_with_nothing_ticked_links_to_the_first_box(client, waiting):
    response = client.post("/queue/bulk", data={"action": "publish"})
    assert response.status_code == 400
    tree = parsed(response)
    assert summary_in(element(tree, "bulk")) == ([f"#select-{waiting.id}"],
                                                 ["Tick the stories to publish or reject first."])


def test_publishing_a_flagged_story_asks_at_its_own_publish_form(client, ctx, make_story, as_role):
    as_role("curator")
    story = make_story(status=S.SUBMITTED, body_md=f"Ring her on {PHONE} today.")
    response = client.post(f"/queue/{story.id}/publish")
    assert response.status_code == 409
    tree = parsed(response)
    form = action_form(tree, f"publish-{story.id}")
    assert_lands_on(tree, form, f"publish-{story.id}")
    targets, _ = summary_in(form)
    assert targets == [f"#confirm-publish-{story.id}"]
    element(tree, f"confirm-publish-{story.id}")


# The curator panel on a story page


def test_a_panel_move_without_its_note_comes_back_at_the_move_form(client, waiting):
    response = client.post(f"/queue/{waiting.id}/move", data={"to": "rejected", "note": ""})
    assert response.status_code == 400
    tree = parsed(response)
    form = action_form(tree, "move-form")
    assert_lands_on(tree, form, "move-form")
    targets, messages = summary_in(form)
    assert targets == ["#move-note"] and len(messages) == 1 and "note" in messages[0].lower()
    assert element(tree, "move-note").get("aria-describedby") == "move-problem"


def test_a_refused_lesson_comes_back_at_the_canon_form_as_typed(client, ctx, make_story, as_role):
    as_role("curator")
    story = make_story(status=S.PUBLISHED)
    response = client.post(f"/queue/{story.id}/canon", data={"in_canon": "yes", "lesson": " "})
    assert 400 <= response.status_code < 500
    tree = parsed(response)
    form = action_form(tree, "canon-form")
    assert_lands_on(tree, form, "canon-form")
    assert summary_in(form)[0] == ["#canon-lesson"]
    response = client.post(f"/queue/{story.id}/canon", data={"in_canon": "yes", "lesson": "y" * 201})
    tree = parsed(response)
    assert element(tree, "canon-lesson").get("value") == "y" * 201


def test_a_refused_merge_comes_back_at_the_merge_form_as_typed(client, waiting):
    response = client.post(f"/queue/{waiting.id}/merge", data={"into": "story nine"})
    assert response.status_code == 400
    tree = parsed(response)
    holder = element(tree, "merge-form")
    form = holder.find(".//form")
    assert_lands_on(tree, form, "merge-form")
    assert summary_in(holder) == (["#merge-into"], ["Give the number of the story to merge into, for example 42."])
    assert element(tree, "merge-into").get("value") == "story nine"


def test_redacting_other_text_of_only_spaces_comes_back_at_that_form(client, waiting):
    response = client.post(f"/queue/{waiting.id}/redact", data={"text": "   ", "confirm": "y"})
    assert response.status_code == 400
    tree = parsed(response)
    form = action_form(tree, f"redact-form-{waiting.id}")
    assert_lands_on(tree, form, f"redact-form-{waiting.id}")
    assert summary_in(form) == ([f"#redact-{waiting.id}"], ["Say which text to redact."])
    details = [d for d in tree.iter("details") if form in d.iter("form")][0]
    assert details.get("open") is not None  # the form is shown, not folded away
    assert element(tree, f"redact-confirm-{waiting.id}").get("checked") is not None


def test_redacting_a_finding_without_the_box_ticked_comes_back_at_that_finding(client, ctx, make_story, as_role):
    as_role("curator")
    story = make_story(status=S.PUBLISHED, body_md=f"Ring her on {PHONE} today.")
    response = client.post(f"/queue/{story.id}/redact", data={"text": PHONE})
    assert response.status_code == 400
    tree = parsed(response)
    form = action_form(tree, f"redact-form-{story.id}-1")
    assert_lands_on(tree, form, f"redact-form-{story.id}-1")
    assert summary_in(form) == ([f"#redact-confirm-{story.id}-1"],
                                ["Tick the box to confirm: a redaction cannot be undone."])
    db.session.refresh(story)
    assert PHONE in story.body_md
