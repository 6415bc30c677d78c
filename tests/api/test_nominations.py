"""Nominating through the API: the web's form checks the JSON and says the same things, the
web's service saves it (a draft, or sent to HR), and text Storyboard cannot keep is refused."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from storyboard.extensions import db
from storyboard.models import Story, StoryRevision, Value
from tests.api.conftest import bearer


@pytest.fixture
def writer(ctx, make_person, make_token):
    """A writer with a write token, a colleague to nominate and a value."""
    nina = make_person(name="Nina Nominee")
    value = db.session.scalars(select(Value).order_by(Value.position)).first()
    person = make_person(name="Wren Writer")
    return {"secret": make_token(person, scope="write")[1], "id": person.id, "nina": nina.id, "value": value.id}


def nomination(writer, **changes) -> dict:
    return {"nominees": [writer["nina"]], "values": [writer["value"]], "title": "Found the lost parcel",
            "body_md": "She traced it **by hand**.", "impact_kind": "customer", "impact": "It arrived on time.",
            "happened_on": (date.today() - timedelta(days=1)).isoformat()} | changes


def stories() -> int:
    return db.session.scalar(select(func.count()).select_from(Story))


def test_a_nomination_is_saved_as_a_draft_or_sent_to_hr(client, writer):
    draft = client.post("/api/v1/nominations", json=nomination(writer), headers=bearer(writer["secret"]))
    assert draft.status_code == 201, draft.get_data(as_text=True)
    body = draft.get_json()
    assert body["status"] == "draft" and body["nominator"]["id"] == writer["id"]
    assert body["body_html"] == "<p>She traced it <strong>by hand</strong>.</p>"
    assert draft.headers["Location"].endswith(f"/api/v1/stories/{body['id']}")
    # Through the service: a revision like every save on the web.
    assert db.session.scalar(select(func.count()).select_from(StoryRevision)
                             .where(StoryRevision.story_id == body["id"])) == 1

    sent = client.post("/api/v1/nominations", json=nomination(writer, submit=True, title="Second\r\nstory"),
                       headers=bearer(writer["secret"]))
    assert sent.status_code == 201
    story = db.session.get(Story, sent.get_json()["id"])
    assert story.status == "submitted" and story.submitted_at is not None
    assert story.title == "Second story"  # one line, as the form makes it


def test_errors_carry_the_forms_own_messages(client, writer):
    response = client.post("/api/v1/nominations", json={}, headers=bearer(writer["secret"]))
    assert response.status_code == 400
    assert response.get_json() == {"error": {
        "status": 400, "message": "The nomination was not saved: see each field's messages.",
        "fields": {
            "nominees": ["Choose at least one colleague to nominate."],
            "values": ["Choose at least one value the story shows."],
            "title": ["Give the story a title."],
            "body_md": ["Tell the story: what happened?"],
            "impact": ["Describe the impact: what changed for the customer or the team?"],
            "happened_on": ["Pick the day it happened from the calendar."],
        }}}
    cases = {
        "title": ("t" * 201, "Keep the title under 200 characters."),
        "happened_on": ((date.today() + timedelta(days=2)).isoformat(), "The date cannot be in the future."),
        "nominees": ([writer["id"]], "You cannot nominate only yourself; add the colleagues you worked with."),
        "evidence_link": ("ftp://example.com", "Give the whole web address, starting with https://."),
    }
    for field, (value, message) in cases.items():
        refused = client.post("/api/v1/nominations", json=nomination(writer, **{field: value}),
                              headers=bearer(writer["secret"]))
        assert refused.status_code == 400
        assert refused.get_json()["error"]["fields"] == {field: [message]}, field
    assert stories() == 0


def test_what_the_schema_refuses_is_400_by_field(client, writer):
    for body, field in (({"title": 5}, "title"), ({"nominees": "Nina"}, "nominees"),
                        ({"favourite": "yes"}, "favourite"), ({"submit": "perhaps"}, "submit")):
        response = client.post("/api/v1/nominations", json=nomination(writer, **body), headers=bearer(writer["secret"]))
        assert response.status_code == 400, body
        assert list(response.get_json()["error"]["fields"]) == [field], response.get_json()
    assert stories() == 0


@pytest.mark.parametrize("text", ["nul \x00 here", "lone \ud800 surrogate", "bell \x07", "escape \x1b[31m"])
def test_text_storyboard_cannot_keep_is_refused(client, writer, text):
    response = client.post("/api/v1/nominations", json=nomination(writer, body_md=text),
                           headers=bearer(writer["secret"]))
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {
        "body_md": ["Remove the control character, NUL or lone surrogate."]}
    if "\ud800" not in text:  # a URL cannot carry a lone surrogate (invalid UTF-8 reads as U+FFFD)
        query = client.get("/api/v1/people", query_string={"q": text}, headers=bearer(writer["secret"]))
        assert query.status_code == 400
    assert stories() == 0


def test_a_body_that_is_not_a_json_object(client, writer):
    headers = bearer(writer["secret"])
    form = client.post("/api/v1/nominations", data={"title": "A form"}, headers=headers)
    assert form.status_code == 415
    assert form.get_json()["error"]["message"] == "Send the body as JSON, with Content-Type: application/json."
    broken = client.post("/api/v1/nominations", data="{not json", content_type="application/json", headers=headers)
    assert broken.status_code == 400 and broken.get_json()["error"]["message"] == "The body is not valid JSON."
    listed = client.post("/api/v1/nominations", json=[1, 2], headers=headers)
    assert listed.status_code == 400 and listed.get_json()["error"]["message"] == "Send a JSON object."
    assert stories() == 0


def test_the_longest_nomination_is_stored_whole(client, writer):
    """The longest text every field allows (and a line break as CRLF), on each database."""
    longest = nomination(writer, title="T" * 200, body_md="é" * 19_999 + "\r\n", impact="i" * 2000,
                         rule_in_the_way="r" * 2000, evidence_quote="q" * 1000, evidence_score=10,
                         evidence_score_max=10, evidence_link="https://example.com/" + "l" * 480, submit=True)
    response = client.post("/api/v1/nominations", json=longest, headers=bearer(writer["secret"]))
    assert response.status_code == 201, response.get_data(as_text=True)
    db.session.expire_all()
    story = db.session.get(Story, response.get_json()["id"])
    assert story.title == "T" * 200 and story.body_md == "é" * 19_999 + "\n"
    assert len(story.evidence_link) == 500 and story.impact == "i" * 2000 and story.evidence_score == 10
    # One character more, anywhere, is the form's message.
    over = client.post("/api/v1/nominations", json=longest | {"body_md": "é" * 20_001},
                       headers=bearer(writer["secret"]))
    assert over.get_json()["error"]["fields"] == {"body_md": ["Keep the story under 20,000 characters."]}


def test_a_body_over_the_size_limit_is_413_and_nothing_is_kept(client, writer):
    """Over MAX_CONTENT_LENGTH (1 MB): refused before it is read, in the API's error shape."""
    huge = nomination(writer, body_md="x" * 1_100_000)
    response = client.post("/api/v1/nominations", json=huge, headers=bearer(writer["secret"]))
    assert response.status_code == 413
    assert response.get_json() == {"error": {"status": 413, "message": "That is too large to accept."}}
    assert stories() == 0

