"""Curators' notes and writers' titles reach people's inboxes whole, whatever they contain.

A note with a line break used to end up in an email's Subject, where EmailMessage refuses line
breaks: the curator got a 500, and a title with CR/LF made a story nobody could move. On
PostgreSQL a long note overflowed the notification's VARCHAR(300) (SQLite never noticed).
"""
import pytest
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import Notification, Story, StoryStatus

TWO_LINES = "Please add the date.\r\nAnd say which store it was."
LONG_NOTE = ("Please say more about what happened at the till, who else helped, and what the "
             "customer said afterwards. ") * 20  # 2,000 characters, the most a note may have
LONG_NOTE = LONG_NOTE[:2000]


def text_of(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content().replace("\r\n", "\n")


@pytest.mark.parametrize(("url", "target", "told"), [
    ("/queue/{id}/reject", None, "HR decided not to publish"),
    ("/queue/{id}/request-changes", None, "HR asked for changes to"),
    ("/queue/{id}/move", "rejected", "HR decided not to publish"),
    ("/queue/{id}/move", "changes_requested", "HR asked for changes to"),
])
def test_a_two_line_note_reaches_the_nominator(client, ctx, as_role, make_story, make_person, smtp_server,
                                              url, target, told):
    author = make_person(email="ola@example.com")
    story = make_story(nominator=author, status=StoryStatus.SUBMITTED, title="Saved the launch")
    as_role("curator")
    data = {"note": TWO_LINES} | ({"to": target} if target else {})
    response = client.post(url.format(id=story.id), data=data)
    assert response.status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == "ola@example.com"
    subject = message["Subject"]
    assert "\n" not in subject and "\r" not in subject
    assert subject.startswith(f"{told} “Saved the launch”: Please add the date. And say")
    # The note keeps its line breaks where people read it.
    assert "Please add the date.\nAnd say which store it was." in text_of(message)
    db.session.refresh(story)
    assert story.decision_note == "Please add the date.\nAnd say which store it was."


def test_a_title_with_line_breaks_is_stored_on_one_line_and_can_be_published(
    client, ctx, login, as_role, make_person, smtp_server
):
    login(make_person(email="ola@example.com"))
    nominee = make_person()
    response = client.post("/nominate", data={
        "action": "submit", "nominees": [nominee.id], "values": ["1"],
        "title": "Saved the launch\r\nX-Injected: yes\x0b", "body_md": "She stayed.",
        "impact_kind": "customer", "impact": "The launch went out.", "happened_on": "2026-11-02",
    })
    assert response.status_code == 302
    story = db.session.scalars(select(Story)).one()
    assert story.title == "Saved the launch X-Injected: yes"
    as_role("curator")
    assert client.post(f"/queue/{story.id}/publish").status_code == 302
    subjects = [message["Subject"] for message in smtp_server.messages]
    assert "Your story “Saved the launch X-Injected: yes” is published." in subjects
    assert all(message["X-Injected"] is None for message in smtp_server.messages)


def test_the_longest_note_with_the_longest_title_and_names_fits(client, ctx, as_role, make_story, make_person,
                                                               smtp_server):
    # The longest of each that the forms allow: title 200, name 120, note 2,000 characters.
    author = make_person(name="N" * 120, email="ola@example.com")
    story = make_story(nominator=author, status=StoryStatus.SUBMITTED, title="T" * 200)
    as_role("curator")
    response = client.post(f"/queue/{story.id}/request-changes", data={"note": LONG_NOTE})
    assert response.status_code == 302
    [notification] = db.session.scalars(select(Notification)).all()
    assert notification.message == f"HR asked for changes to “{'T' * 200}”: {LONG_NOTE.strip()}"
    [message] = smtp_server.messages
    assert len(message["Subject"]) <= 150
    assert LONG_NOTE.strip() in " ".join(text_of(message).split())


def test_a_note_over_the_limit_is_refused_on_every_path(client, ctx, as_role, make_story):
    story = make_story(status=StoryStatus.SUBMITTED)
    as_role("curator")
    too_long = "x" * 2001
    response = client.post(f"/queue/{story.id}/move", data={"to": "rejected", "note": too_long})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Keep the note under 2,000 characters." in page
    assert f">{too_long}</textarea>" in page  # the story page again, with the note as typed
    response = client.post(f"/queue/{story.id}/reject", data={"note": too_long})
    assert response.status_code == 400
    assert "Keep the note under 2,000 characters." in response.get_data(as_text=True)
    db.session.refresh(story)
    assert story.status == "submitted"


def test_publishing_for_long_names_fits_every_notification(client, ctx, as_role, make_story, make_person,
                                                           smtp_server):
    manager = make_person(name="M" * 120)
    nominees = [make_person(name=f"{n}" * 120, manager=manager) for n in "ABC"]
    story = make_story(nominator=make_person(name="W" * 120), nominees=nominees,
                       status=StoryStatus.SUBMITTED, title="T" * 200)
    as_role("curator")
    assert client.post(f"/queue/{story.id}/publish").status_code == 302
    assert len(db.session.scalars(select(Notification)).all()) == 1 + 3 + 3
    assert len(smtp_server.messages) == 7
