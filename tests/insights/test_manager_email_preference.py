"""A manager switches the monthly email off (and on again) in their preferences, through the
real form with CSRF protection on; only people with active reports are offered it."""
from __future__ import annotations

from datetime import date

from storyboard.extensions import db
from storyboard.models import Person
from tests.helpers import audit_entries, csrf_token_in, input_values, sign_in_on, text


def manager_email_of(person_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(Person, person_id).manager_email


def test_a_manager_switches_the_email_off_and_on(csrf_ctx, csrf_client, make_person):
    manager = make_person(name="Amy Manager")
    make_person(name="Ann Report", manager=manager)
    sign_in_on(csrf_client, manager)
    page = text(csrf_client.get("/preferences"))
    assert 'name="manager_email"' in page and "checked" in page.split('id="manager_email"')[1].split(">")[0]
    token = csrf_token_in(page)

    refused = csrf_client.post("/preferences", data={"manager_email_offered": "yes", "digest_frequency": "weekly"})
    assert refused.status_code == 400 and manager_email_of(manager.id) is True  # no token, no change

    saved = csrf_client.post("/preferences", data={
        "csrf_token": token, "manager_email_offered": "yes", "digest_frequency": "weekly",
    })
    assert saved.status_code == 302
    assert manager_email_of(manager.id) is False
    page = text(csrf_client.get("/preferences"))
    assert "checked" not in page.split('id="manager_email"')[1].split(">")[0]

    csrf_client.post("/preferences", data={
        "csrf_token": csrf_token_in(page), "manager_email_offered": "yes", "manager_email": "on",
        "digest_frequency": "weekly",
    })
    assert manager_email_of(manager.id) is True
    changes = [(entry.before, entry.after) for entry in audit_entries("person.manager_email")]
    assert changes == [({"manager_email": True}, {"manager_email": False}),
                       ({"manager_email": False}, {"manager_email": True})]


def test_people_without_reports_are_not_offered_it_and_keep_what_is_stored(csrf_ctx, csrf_client, make_person):
    boss = make_person(name="Di Former Manager", start_date=date(2020, 1, 6))
    make_person(name="Di's Leaver", manager=boss, active=False)
    sign_in_on(csrf_client, boss)
    page = text(csrf_client.get("/preferences"))
    assert input_values(page, "manager_email") == [] and input_values(page, "manager_email_offered") == []
    # Saving their other preferences leaves the email setting as it was.
    csrf_client.post("/preferences", data={"csrf_token": csrf_token_in(page), "digest_frequency": "monthly"})
    assert manager_email_of(boss.id) is True
    assert audit_entries("person.manager_email") == []
