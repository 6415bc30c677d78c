"""The customer's voice on a story: their words, a score, a review link; checked, kept, shown."""
import html as html_module

import pytest
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import Story, StoryStatus
from tests.helpers import audit_entries, input_values
from tests.stories.test_nominate import good_form


@pytest.fixture
def nominator(ctx, as_role):
    return as_role("staff", name="Nadia Nominator")


@pytest.fixture
def colleague(ctx, make_person):
    return make_person(name="Carlos Colleague", email="carlos@example.com", department="Warehouse")


QUOTE = "Your colleague drove my order to the airport. <b>Five stars</b> & more!"


def test_evidence_is_saved_and_shown_on_the_story_page(client, nominator, colleague, as_role):
    response = client.post("/nominate", data=good_form(
        colleague, evidence_quote=QUOTE, evidence_score="9", evidence_score_max="10",
        evidence_link="https://reviews.example.com/r/123",
    ))
    assert response.status_code == 302
    story = db.session.scalars(select(Story)).one()
    assert (story.evidence_quote, story.evidence_score, story.evidence_score_max, story.evidence_link) == (
        QUOTE, 9, 10, "https://reviews.example.com/r/123")
    assert story.has_customer_evidence

    page = client.get(f"/stories/{story.id}")
    html = page.get_data(as_text=True)
    assert "The customer's voice" in html
    # The customer's words are text, never markup.
    assert "&lt;b&gt;Five stars&lt;/b&gt; &amp; more!" in html and "<b>Five stars</b>" not in html
    assert "<strong>9</strong> out of 10, the score they gave" in text(page)
    assert 'href="https://reviews.example.com/r/123" rel="nofollow noopener noreferrer"' in html


def test_a_story_without_evidence_shows_no_section(client, nominator, colleague):
    client.post("/nominate", data=good_form(colleague))
    story = db.session.scalars(select(Story)).one()
    assert not story.has_customer_evidence
    assert "The customer's voice" not in client.get(f"/stories/{story.id}").get_data(as_text=True)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"evidence_score": "11", "evidence_score_max": "10"}, "Give a score from 0 to 10."),
    ({"evidence_score": "7", "evidence_score_max": "5"}, "A score out of 5 is at most 5."),
    ({"evidence_score": "0", "evidence_score_max": "5"}, "A score out of 5 is at least 1."),
    ({"evidence_score": "lots", "evidence_score_max": "5"}, "Not a valid integer value."),
    ({"evidence_score": "4", "evidence_score_max": "7"}, "Not a valid choice."),
    ({"evidence_link": "javascript:alert(1)"}, "Give the whole web address, starting with https://."),
    ({"evidence_link": "https://example.com/" + "a" * 481}, "Keep the link under 500 characters."),
    ({"evidence_quote": "q" * 1001}, "Keep the customer's words under 1,000 characters."),
])
def test_bad_evidence_is_refused_with_a_message_and_keeps_what_was_typed(client, nominator, colleague,
                                                                          overrides, message):
    typed = {"evidence_quote": "Thank you so much", **overrides}
    response = client.post("/nominate", data=good_form(colleague, **typed))
    assert response.status_code == 400
    assert message in text(response)
    assert typed["evidence_quote"] in response.get_data(as_text=True)  # what was typed is kept
    assert input_values(response.get_data(as_text=True), "title") == ["Carlos found the lost pallet"]
    assert db.session.scalars(select(Story)).first() is None


def test_the_longest_evidence_is_stored_whole(client, nominator, colleague):
    """At the form's limits, on PostgreSQL too (which refuses what does not fit)."""
    link = "https://example.com/" + "a" * 480
    quote = "é" * 1000
    response = client.post("/nominate", data=good_form(
        colleague, evidence_quote=quote, evidence_score="10", evidence_score_max="10", evidence_link=link))
    assert response.status_code == 302
    db.session.expire_all()
    story = db.session.scalars(select(Story)).one()
    assert (story.evidence_quote, story.evidence_link, story.evidence_score) == (quote, link, 10)


def test_no_score_means_no_scale_and_a_curator_edit_of_evidence_is_audited(client, nominator, colleague, as_role):
    client.post("/nominate", data=good_form(colleague, evidence_score="", evidence_score_max="10"))
    story = db.session.scalars(select(Story)).one()
    assert (story.evidence_score, story.evidence_score_max) == (None, None)

    as_role("curator")
    response = client.post(f"/stories/{story.id}/edit", data=good_form(
        colleague, evidence_quote="Best service ever", evidence_score="5", evidence_score_max="5", action="save"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Story, story.id).status == StoryStatus.SUBMITTED
    edits = [entry for entry in audit_entries() if entry.entity_id == story.id and entry.after
             and "evidence_quote" in entry.after]
    assert edits and edits[-1].after["evidence_quote"] == "Best service ever"
    assert edits[-1].before["evidence_quote"] is None


def text(response) -> str:
    return html_module.unescape(response.get_data(as_text=True))
