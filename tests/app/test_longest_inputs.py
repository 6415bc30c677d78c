"""The longest input every form allows is stored whole, on SQLite and on PostgreSQL.

SQLite does not enforce VARCHAR lengths, PostgreSQL does: a column too small for what a form
accepts (or for what is composed from it, like a notification quoting a note) is a 500 there
and only there. Each test fills a form to its limits, with characters that take four bytes in
UTF-8, and reads back what was stored.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import AuditEntry, Notification, Person, Story, StoryRevision, ThankYou, Value

WIDE = "😀"  # four bytes in UTF-8


def wide(length: int, start: str = "") -> str:
    return (start + WIDE * length)[:length]


@pytest.fixture
def curator(ctx, as_role):
    return as_role("curator", name=wide(120, "Cu"))


def test_the_longest_story_is_stored_whole_with_its_revision(client, ctx, login, make_person):
    nominator = login(make_person(name=wide(120, "No")))
    nominees = [make_person(name=wide(120, f"N{n}")) for n in range(10)]  # MAX_NOMINEES
    fields = {
        "title": wide(200, "T"), "body_md": wide(20000, "B"), "impact": wide(2000, "I"),
        "rule_in_the_way": wide(2000, "R"),
    }
    response = client.post("/nominate", data={
        "action": "submit", "nominees": [person.id for person in nominees], "values": ["1", "2", "3"],
        "impact_kind": "team", "happened_on": date.today().isoformat(), **fields,
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    story = db.session.scalars(select(Story)).one()
    assert {name: getattr(story, name) for name in fields} == fields
    assert story.nominator_id == nominator.id and len(story.nominees) == 10
    [revision] = db.session.scalars(select(StoryRevision)).all()
    assert (revision.title, revision.body_md) == (fields["title"], fields["body_md"])
    assert len(revision.nominee_names) == 10


def test_the_longest_notes_lesson_and_thank_you_are_stored_whole(client, curator, make_story, make_person):
    author = make_person(name=wide(120, "Au"))
    story = make_story(nominator=author, status="submitted", title=wide(200, "T"))
    note = wide(2000, "Note ")
    assert client.post(f"/queue/{story.id}/request-changes", data={"note": note}).status_code == 302
    db.session.refresh(story)
    assert story.decision_note == note
    [notification] = db.session.scalars(select(Notification)).all()
    assert note in notification.message
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "story.changes_requested"))
    assert entry.note == note

    published = make_story(title=wide(200, "P"), nominees=[make_person(name=wide(120, "Ne"))])
    lesson = wide(200, "L")
    response = client.post(f"/queue/{published.id}/canon", data={"in_canon": "yes", "lesson": lesson})
    assert response.status_code == 302
    db.session.refresh(published)
    assert published.canon_lesson == lesson
    thanks = wide(1000, "Th")
    assert client.post(f"/stories/{published.id}/thanks", data={"body_md": thanks}).status_code == 302
    assert db.session.scalars(select(ThankYou)).one().body_md == thanks


def test_the_longest_person_is_invited_whole(client, ctx, as_role, smtp_server):
    as_role("admin")
    local = "a" * 64
    email = f"{local}@{'b' * 63}.{'c' * 63}.{'d' * 57}.com"  # 254 characters
    assert len(email) == 254
    fields = {"name": wide(120, "Na"), "job_title": wide(120, "Jo"), "department": wide(120, "De"),
              "location": wide(120, "Lo")}
    response = client.post("/people/invite", data={"email": email, "role": "staff", **fields})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    person = db.session.scalars(select(Person).where(Person.email == email)).one()
    assert {name: getattr(person, name) for name in fields} == fields
    assert len(smtp_server.messages) == 1


def test_the_longest_value_is_stored_whole(client, curator):
    name, description = wide(80, "Va"), wide(500, "De")
    assert client.post("/admin/values", data={"name": name, "description": description}).status_code == 302
    value = db.session.scalars(select(Value).where(Value.name == name)).one()
    assert value.description == description and len(value.slug) <= 80


def test_the_longest_redaction_is_accepted(client, curator, make_story):
    text = wide(2000, "Card ")
    story = make_story(status="submitted", body_md=f"Before. {text} After.")
    response = client.post(f"/queue/{story.id}/redact", data={"text": text, "confirm": "y"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    db.session.refresh(story)
    assert text not in story.body_md


@pytest.mark.parametrize("path", [
    "/search?q=" + WIDE * 5000,
    "/people/?q=" + WIDE * 5000,
    "/admin/audit?action=" + WIDE * 5000 + "&actor=" + WIDE * 5000,
    "/queue/?department=" + WIDE * 5000,
])
def test_the_longest_queries_are_answered(client, curator, path):
    curator.role = "admin"
    db.session.commit()
    assert client.get(path).status_code in (200, 400)


def test_the_longest_passwords_are_accepted(client, ctx, make_person, login):
    password = ("lantern pickle orbit " * 7)[:128]
    person = login(make_person(password="correct horse battery"))
    response = client.post("/auth/password", data={
        "current": "correct horse battery", "password": password, "confirm": password,
    })
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.check_password(password)


def test_story_dates_at_the_edges(client, ctx, login, make_person):
    login(make_person())
    nominee = make_person()
    for day, status in ((date(1990, 1, 1), 302), (date.today(), 302), (date(1, 1, 1), 400),
                        (date.today() + timedelta(days=1), 400)):
        response = client.post("/nominate", data={
            "action": "draft", "nominees": [nominee.id], "values": ["1"], "title": "T", "body_md": "B",
            "impact_kind": "customer", "impact": "I", "happened_on": day.isoformat(),
        })
        assert response.status_code == status, day
    for bad in ("9999-12-31", "10000-01-01", "0000-01-01", "2026-02-30", "yesterday"):
        response = client.post("/nominate", data={
            "action": "draft", "nominees": [nominee.id], "values": ["1"], "title": "T", "body_md": "B",
            "impact_kind": "customer", "impact": "I", "happened_on": bad,
        })
        assert response.status_code == 400, bad
