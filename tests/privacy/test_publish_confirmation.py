"""Publishing a story with flagged personal data needs a ticked box (defect 15), from the queue
and from the story page's curator panel, which shows the same flags as the queue. Redacting
needs a ticked box too, and says it cannot be undone."""
from __future__ import annotations

import re

import pytest

from storyboard.extensions import db
from storyboard.models import StoryStatus
from tests.helpers import input_values

PHONE = "07700 900123"
ASK = ("This story still has 1 likely personal detail of customers. Redact them first, or tick the "
       "box to confirm you have read them and the story may be published as it is.")
BOX = 'name="confirm_personal_data"'


@pytest.fixture
def flagged(ctx, make_story, as_role):
    as_role("curator")
    return make_story(status=StoryStatus.SUBMITTED, title="Rang her back", body_md=f"Ring her on {PHONE} today.")


def status_of(story) -> str:
    db.session.refresh(story)
    return story.status


def form_around(html: str, marker: str) -> str:
    """The <form> element that contains `marker`."""
    for form in re.findall(r"<form\b.*?</form>", html, re.DOTALL):
        if marker in form:
            return form
    raise AssertionError(f"no form holds {marker}")


def test_the_queue_asks_before_publishing_a_flagged_story(client, flagged):
    queue = client.get("/queue/").get_data(as_text=True)
    assert BOX not in queue  # nothing to tick until the curator tries
    response = client.post(f"/queue/{flagged.id}/publish")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert ASK in page
    form = form_around(page, BOX)
    assert f'action="/queue/{flagged.id}/publish#publish-{flagged.id}"' in form
    article = page[page.index(f'id="story-{flagged.id}"'):]
    assert article.index(BOX) < article.index("</article>")  # in the story's own entry
    assert status_of(flagged) == "submitted"

    response = client.post(f"/queue/{flagged.id}/publish", data={"confirm_personal_data": "yes"})
    assert response.status_code == 302
    assert status_of(flagged) == "published"


def test_the_queue_keeps_its_filters_when_it_asks(client, flagged):
    response = client.post(f"/queue/{flagged.id}/publish?age=0")
    assert response.status_code == 409
    form = form_around(response.get_data(as_text=True), BOX)
    assert f'action="/queue/{flagged.id}/publish?age=0#publish-{flagged.id}"' in form


def test_a_story_without_flags_publishes_at_once(client, ctx, make_story, as_role):
    as_role("curator")
    story = make_story(status=StoryStatus.SUBMITTED, body_md="She stayed late.")
    assert client.post(f"/queue/{story.id}/publish").status_code == 302
    assert status_of(story) == "published"


def test_the_story_page_shows_the_queues_flags(client, flagged):
    page = client.get(f"/stories/{flagged.id}").get_data(as_text=True)
    panel = page[page.index('id="curation"'):]
    assert "1 likely personal detail of customers" in panel
    assert f"<mark>{PHONE}</mark>" in panel
    assert input_values(panel, "text") == [PHONE, None]  # its Redact button, and "Redact other text"


def test_the_panel_asks_before_publishing_and_keeps_the_note(client, flagged):
    response = client.post(f"/queue/{flagged.id}/move", data={"to": "published", "note": "Lovely.\nThanks."})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert ASK in page
    form = form_around(page, BOX)
    assert f'action="/queue/{flagged.id}/move#move-form"' in form
    assert "Lovely.\nThanks.</textarea>" in form
    assert 'value="published"' in form
    assert status_of(flagged) == "submitted"

    response = client.post(f"/queue/{flagged.id}/move", data={"to": "published", "confirm_personal_data": "yes"})
    assert response.status_code == 302
    assert status_of(flagged) == "published"


def test_restoring_an_archived_flagged_story_asks_too(client, ctx, make_story, as_role):
    as_role("curator")
    story = make_story(status=StoryStatus.ARCHIVED, body_md=f"Ring her on {PHONE} today.")
    assert client.post(f"/queue/{story.id}/move", data={"to": "published"}).status_code == 409
    assert status_of(story) == "archived"


def test_other_moves_of_a_flagged_story_need_no_box(client, flagged):
    response = client.post(f"/queue/{flagged.id}/move", data={"to": "rejected", "note": "Not for us."})
    assert response.status_code == 302
    assert status_of(flagged) == "rejected"


@pytest.mark.parametrize("page", ["/queue/", "/stories/{id}"])
def test_every_redact_button_needs_a_ticked_box_and_says_it_is_final(client, flagged, page):
    html = client.get(page.format(id=flagged.id)).get_data(as_text=True)
    forms = [form for form in re.findall(r"<form\b.*?</form>", html, re.DOTALL) if "/redact" in form]
    assert len(forms) == 2  # the finding's button, and "Redact other text"
    for form in forms:
        assert re.search(r'<input type="checkbox" name="confirm" value="y" id="[^"]+" required>', form)
        assert "I understand this cannot be undone" in form
    assert "It cannot be undone." in html


def test_redacting_without_the_box_changes_nothing(client, flagged):
    response = client.post(f"/queue/{flagged.id}/redact", data={"text": PHONE})
    assert response.status_code == 400
    assert "Tick the box to confirm: a redaction cannot be undone." in response.get_data(as_text=True)
    db.session.refresh(flagged)
    assert PHONE in flagged.body_md


def test_the_service_itself_asks_for_the_confirmation(ctx, make_story, make_person):
    # Views are not the only way to publish: the rule lives where every status change does.
    from storyboard.pii import NeedsConfirmation
    from storyboard.stories import lifecycle

    story = make_story(status="submitted", body_md="Call her on 07700 900123 about order #123456.")
    curator = make_person(role="curator")
    with pytest.raises(NeedsConfirmation, match="likely personal details"):
        lifecycle.publish(story, curator)
    assert story.status == "submitted"
    lifecycle.publish(story, curator, personal_data_confirmed=True)
    assert story.status == "published"
