"""A person's data (defect 17): an admin downloads everything Storyboard holds about someone,
and erases a leaver so that nothing of their name or email is left anywhere."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from storyboard import audit
from storyboard.admin import service as admin_service
from storyboard.digest.issues import cut_issue
from storyboard.digest.tick import tick
from storyboard.extensions import db
from storyboard.models import (
    Applause,
    AuditEntry,
    CanonRead,
    DeliveryStatus,
    DigestDelivery,
    Notification,
    NotificationSetting,
    Person,
    SignIn,
    Story,
    StoryReader,
)
from storyboard.stories import lifecycle
from storyboard.stories import service as story_service
from tests.helpers import (
    mail_text,
    places_holding,
    search_index_matches,
    session_token_for,
    status_trail,
)

NAME, EMAIL = "Quentin Zanzibar", "quentin.zanzibar@example.com"
CUT = datetime(2026, 11, 30, 7, 0)
NOW = CUT + timedelta(minutes=5)
PUBLISHED = CUT - timedelta(days=3)


def _publish(story, curator) -> None:
    lifecycle.publish(story, curator, personal_data_confirmed=True)  # some quote the email
    story.published_at = PUBLISHED
    db.session.commit()


@pytest.fixture
def leaver(ctx, make_person, make_story, as_role):
    """Someone with a trace in every table, an admin signed in, and the week's digest cut."""
    admin = as_role("admin")
    boss = make_person(name="Bea Boss")
    person = make_person(name=NAME, email=EMAIL, job_title="Night Manager", location="Whitby",
                         manager=boss, password="a long enough password")
    make_person(name="Ray Report", manager=person)
    colleague, curator = make_person(name="Cal Colleague"), make_person(role="curator")
    audit.record(admin, "person.invite", "person", person.id, None,
                 {"email": EMAIL, "name": NAME, "job_title": "Night Manager", "role": "staff"})
    admin_service.change_role(admin, person, "curator")
    admin_service.change_role(admin, person, "staff")
    only_about = make_story(status="draft", nominees=[person], title="Quentin Zanzibar saved Christmas",
                            body_md="Quentin drove the van. Write to QUENTIN.ZANZIBAR@example.com.")
    shared = make_story(status="draft", nominees=[person, colleague], title="Two night owls",
                        body_md="Cal and Quentin reopened the depot.")
    told = make_story(status="draft", nominator=person, nominees=[colleague], title="Cal kept calm",
                      body_md="Signed, Quentin Zanzibar.")
    for story in (only_about, shared, told):
        lifecycle.submit(story, story.nominator)
        _publish(story, curator)
    story_service.add_thank_you(told, person, "Thanks from Quentin Zanzibar!")
    story_service.add_thank_you(shared, colleague, "Well done, Quentin.")
    db.session.add_all([
        Applause(story_id=shared.id, person_id=person.id), StoryReader(story_id=told.id, person_id=person.id),
        NotificationSetting(person_id=person.id, kind="thank_you", in_app=True, email=False),
        CanonRead(person_id=person.id, story_id=told.id),
    ])
    db.session.commit()
    cut_issue(CUT, NOW)
    return {"person": person, "admin": admin, "only_about": only_about, "shared": shared, "told": told,
            "colleague": colleague, "boss": boss}


def export(client, person_id: int) -> dict:
    response = client.post(f"/admin/people/{person_id}/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="storyboard-person-{person_id}.json"'
    return json.loads(response.get_data(as_text=True))


def test_the_export_holds_everything_about_them(client, leaver):
    person, stories = leaver["person"], leaver
    data = export(client, person.id)
    profile = data["profile"]
    assert (profile["name"], profile["email"], profile["job_title"], profile["location"]) == (
        NAME, EMAIL, "Night Manager", "Whitby")
    assert profile["manager"] == {"id": leaver["boss"].id, "name": "Bea Boss"}
    assert [report["name"] for report in profile["reports"]] == ["Ray Report"]
    assert [story["id"] for story in data["stories_nominated"]] == [stories["told"].id]
    assert [story["id"] for story in data["stories_about"]] == [stories["only_about"].id, stories["shared"].id]
    assert data["stories_about"][0]["body_md"].startswith("Quentin drove the van")
    assert {(row["story_id"], row["number"]) for row in data["revisions_edited"]} == {(stories["told"].id, 1)}
    assert [row["story_id"] for row in data["applause"]] == [stories["shared"].id]
    assert [row["story_id"] for row in data["reads"]] == [stories["told"].id]
    assert [row["story_id"] for row in data["reading_path_marks"]] == [stories["told"].id]
    assert [note["body_md"] for note in data["thank_you_notes_written"]] == ["Thanks from Quentin Zanzibar!"]
    assert [note["body_md"] for note in data["thank_you_notes_received"]] == ["Well done, Quentin."]
    assert sorted(row["kind"] for row in data["notifications"]) == [
        "about_you_published", "about_you_published", "story_published", "thank_you"]
    assert data["notification_settings"] == [{"kind": "thank_you", "in_app": True, "email": False}]
    assert [(row["issue"], row["status"]) for row in data["digest_deliveries"]] == [("2026-11-30", "pending")]
    actions = [(row["action"], row["by_them"], row["about_them"]) for row in data["audit_entries"]]
    assert actions == [
        ("person.invite", False, True), ("person.role", False, True), ("person.role", False, True),
        ("story.submitted", True, False),
    ]
    assert set(data) >= {"sign_ins", "digest_opt_outs", "stories_co_nominated", "exported_at"}


def test_taking_an_export_is_audited_without_its_content(client, leaver):
    export(client, leaver["person"].id)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "person.export")).one()
    assert (entry.actor_id, entry.entity_id, entry.before, entry.after) == (
        leaver["admin"].id, leaver["person"].id, None, None)


@pytest.mark.parametrize("role", ["staff", "curator"])
def test_only_admins_export_or_erase(client, ctx, make_person, as_role, role):
    target = make_person(name=NAME, email=EMAIL)
    as_role(role)
    assert client.post(f"/admin/people/{target.id}/export").status_code == 403
    assert client.get(f"/admin/people/{target.id}/erase").status_code == 403
    response = client.post(f"/admin/people/{target.id}/erase", data={"stories": "keep", "confirm": EMAIL})
    assert response.status_code == 403
    assert db.session.get(Person, target.id).name == NAME


def test_the_person_page_links_to_both(client, leaver):
    page = client.get(f"/admin/people/{leaver['person'].id}").get_data(as_text=True)
    assert f'action="/admin/people/{leaver["person"].id}/export"' in page
    assert f'href="/admin/people/{leaver["person"].id}/erase"' in page


def test_the_erase_page_says_what_will_happen(client, leaver):
    page = client.get(f"/admin/people/{leaver['person'].id}/erase").get_data(as_text=True)
    assert "This cannot be undone." in page
    assert "2 stories are about them, 1 only about them." in page
    assert "Type their email address to confirm" in page


@pytest.mark.parametrize("data, message", [
    ({"stories": "keep", "confirm": "someone.else@example.com"},
     "That is not their email address; nothing was erased."),
    ({"stories": "keep"}, "Type their email address to confirm."),
    ({"confirm": EMAIL}, "Choose what happens to the stories about them."),
    ({"stories": "shred", "confirm": EMAIL}, "Not a valid choice."),
])
def test_a_bad_confirmation_erases_nothing(client, leaver, data, message):
    person = leaver["person"]
    response = client.post(f"/admin/people/{person.id}/erase", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    if data.get("stories") == "keep":  # the page keeps what was chosen
        assert re.search(r'<input checked id="stories-0" name="stories" required type="radio" value="keep">',
                         response.get_data(as_text=True))
    db.session.expire_all()
    assert (person.name, person.email, person.active) == (NAME, EMAIL, True)


def erase(client, person_id: int, stories: str = "keep"):
    response = client.post(f"/admin/people/{person_id}/erase",
                           data={"stories": stories, "confirm": EMAIL.upper()})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == f"/admin/people/{person_id}"
    return response


@pytest.mark.parametrize("choice", ["keep", "remove"])
def test_after_erasing_nothing_of_their_name_or_email_is_left(app, client, leaver, smtp_server, choice):
    person = leaver["person"]
    their_browser = app.test_client()
    with their_browser.session_transaction() as session:
        session["_user_id"] = session_token_for(app, person)
    assert their_browser.get("/").status_code == 200
    g.pop("_login_user", None)  # requests inside `ctx` share its `g`, where Flask-Login keeps the user
    for secret in (NAME, EMAIL, "Zanzibar", "Quentin", "Night Manager", "Whitby"):
        assert places_holding(secret, ignore_case=True), secret
    assert search_index_matches("Zanzibar")

    erase(client, person.id, choice)

    for secret in (NAME, EMAIL, "Zanzibar", "Quentin", "Night Manager", "Whitby"):
        assert places_holding(secret, ignore_case=True) == set(), secret
    assert search_index_matches("Zanzibar") == [] and search_index_matches("Quentin") == []
    db.session.expire_all()
    assert (person.name, person.email, person.job_title, person.location) == (
        "Former colleague", f"erased-{person.id}@erased.invalid", "", "")
    assert (person.active, person.password_hash, person.manager_id, person.role) == (False, None, None, "staff")
    assert db.session.scalar(select(func.count()).where(Person.manager_id == person.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(SignIn).where(SignIn.person_id == person.id)) == 0
    g.pop("_login_user", None)
    assert their_browser.get("/").status_code == 302  # signed out
    assert db.session.scalar(select(func.count()).where(Notification.person_id == person.id)) == 0
    delivery = db.session.scalar(select(DigestDelivery).where(DigestDelivery.person_id == person.id))
    assert delivery.status == DeliveryStatus.CANCELLED.value

    tick(NOW)
    assert smtp_server.messages and person.email not in [message["To"] for message in smtp_server.messages]
    assert EMAIL not in [message["To"] for message in smtp_server.messages]
    for message in smtp_server.messages:
        text = mail_text(message).casefold()
        assert "zanzibar" not in text and "quentin" not in text
        assert "former colleague" in text


def test_keeping_the_stories_replaces_the_name(client, leaver):
    erase(client, leaver["person"].id, "keep")
    story = db.session.get(Story, leaver["only_about"].id)
    assert story.title == "[former colleague] saved Christmas"
    assert story.body_md == "[former colleague] drove the van. Write to [former colleague]."
    page = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert "About <a" in page and "Former colleague" in page
    told = db.session.get(Story, leaver["told"].id)
    assert told.body_md == "Signed, [former colleague]."


def test_removing_takes_away_only_the_stories_solely_about_them(client, leaver):
    only_about, shared = leaver["only_about"].id, leaver["shared"].id
    trail = status_trail(only_about)
    erase(client, leaver["person"].id, "remove")
    db.session.expire_all()
    assert db.session.get(Story, only_about) is None
    assert db.session.get(Story, shared).body_md == "Cal and [former colleague] reopened the depot."
    assert client.get(f"/stories/{only_about}").status_code == 404
    assert status_trail(only_about) == trail  # who published it and when stays on record


def test_the_erasure_is_audited_without_the_name_or_email(client, leaver):
    person = leaver["person"]
    erase(client, person.id, "remove")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "person.erase")).one()
    assert (entry.actor_id, entry.entity_type, entry.entity_id) == (leaver["admin"].id, "person", person.id)
    assert entry.after["stories"] == "remove" and entry.after["stories_about"] == 2
    assert entry.after["removed"] == 1 and entry.after["records"] > 5
    assert NAME.casefold() not in json.dumps(entry.after).casefold() and entry.note is None
    roles = [(e.before, e.after) for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "person.role").order_by(AuditEntry.id))]
    assert roles == [({"role": "staff"}, {"role": "curator"}), ({"role": "curator"}, {"role": "staff"})]
    invite = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "person.invite")).one()
    assert invite.after == {"email": "[removed]", "name": "[removed]", "job_title": "[removed]", "role": "staff"}


def test_the_person_page_says_they_were_erased(client, leaver):
    erase(client, leaver["person"].id)
    page = client.get(f"/admin/people/{leaver['person'].id}").get_data(as_text=True)
    assert "Erased the account. 2 stories were about them;" in page
    assert "This account was erased" in page
    assert f'href="/admin/people/{leaver["person"].id}/erase"' not in page


@pytest.mark.parametrize("who, message", [
    ("self", "You cannot erase your own account. Ask another admin."),
    ("admin", "is an admin. Make them staff first, then erase them."),
    ("erased", "This account has already been erased."),
])
def test_some_accounts_cannot_be_erased(client, ctx, as_role, make_person, who, message):
    admin = as_role("admin")
    target = {"self": admin, "admin": make_person(role="admin"), "erased": make_person()}[who]
    if who == "erased":
        target.email = f"erased-{target.id}@erased.invalid"
        db.session.commit()
    before = (target.name, target.email, target.active)
    response = client.post(f"/admin/people/{target.id}/erase", data={"stories": "keep", "confirm": target.email})
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert (target.name, target.email, target.active) == before


def test_the_erase_page_says_at_once_when_an_account_cannot_be_erased(client, ctx, as_role):
    admin = as_role("admin")
    page = client.get(f"/admin/people/{admin.id}/erase").get_data(as_text=True)
    assert "This account cannot be erased" in page
    assert "You cannot erase your own account. Ask another admin." in page
    assert 'name="confirm"' not in page


def test_a_longer_label_still_fits_a_full_title(client, ctx, as_role, make_person, make_story):
    # PostgreSQL refuses a VARCHAR(200) title that grows past 200 characters.
    as_role("admin")
    person = make_person(name="Al Bo", email="al.bo@example.com")
    story = make_story(nominees=[person], title="Al Bo " + "x" * 194)
    response = client.post(f"/admin/people/{person.id}/erase", data={"stories": "keep", "confirm": "al.bo@example.com"})
    assert response.status_code == 302
    db.session.refresh(story)
    assert story.title == ("[former colleague] " + "x" * 194)[:200]


def test_a_one_word_name_is_purged_only_where_it_is_about_them(client, ctx, as_role, make_person, make_story):
    as_role("admin")
    person = make_person(name="Support", email="support.desk@example.com")
    about = make_story(nominees=[person], body_md="Support answered at midnight.")
    other = make_story(body_md="Support teams everywhere answer at midnight.")
    response = client.post(f"/admin/people/{person.id}/erase",
                           data={"stories": "keep", "confirm": "support.desk@example.com"})
    assert response.status_code == 302
    db.session.expire_all()
    assert about.body_md == "[former colleague] answered at midnight."
    assert other.body_md == "Support teams everywhere answer at midnight."


def test_an_erased_account_cannot_be_reactivated(client, leaver):
    person = leaver["person"]
    erase(client, person.id)
    response = client.post(f"/admin/people/{person.id}/reactivate")
    assert response.status_code in (400, 409)
    assert "This account was erased. If they come back, invite them as a new person." in response.get_data(as_text=True)
    db.session.refresh(person)
    assert not person.active


def test_the_export_holds_no_secrets_nor_what_others_keep_private(client, leaver, make_story, make_person):
    # The file may be handed to the person: no password or session hashes, and of stories
    # others wrote about them, neither drafts nor the rule in the way nor HR's note.
    person = leaver["person"]
    draft = make_story(nominees=[person], status="draft", title="Still being written")
    private = make_story(nominees=[person], title="Published with a rule",
                         rule_in_the_way="Refunds over £100 need a manager", decision_note="HR only")
    data = export(client, person.id)
    text = json.dumps(data, ensure_ascii=False)
    for secret in (person.password_hash, "token_hash", "password_hash", "Still being written",
                   "Refunds over £100 need a manager", "HR only"):
        assert secret not in text, secret
    about = [story["id"] for story in data["stories_about"]]
    assert private.id in about and draft.id not in about


def test_erasing_clears_the_department_too(client, leaver):
    person = leaver["person"]
    person.department = "Night Shift"
    db.session.commit()
    erase(client, person.id)
    db.session.refresh(person)
    assert (person.name, person.department, person.job_title, person.location) == ("Former colleague", "", "", "")


def test_erasing_unlinks_them_from_every_other_system(client, leaver):
    """The HR system's id, the sign-in provider's and Slack's accounts, feed and API tokens: none
    is left to find the erased person by, and a rehire with the same HR id is a new record."""
    from storyboard.api import tokens as api_tokens
    from storyboard.chat import slack
    from storyboard.feeds import tokens as feed_tokens
    from storyboard.models import ApiToken, FeedToken, SlackAccount, SSOIdentity

    person = leaver["person"]
    person.external_id = "E1042"
    db.session.add(SSOIdentity(person_id=person.id, provider="company", subject="00u1quentin", email=EMAIL))
    slack.link(person, slack.Sender("T0001", "U0001", "quentin.z"))
    feed_tokens.issue(person)
    api_tokens.create(person, "Night report", "read", None)
    db.session.commit()
    linked = (SSOIdentity, SlackAccount, FeedToken, ApiToken)
    assert [db.session.scalar(select(func.count()).select_from(model).where(model.person_id == person.id))
            for model in linked] == [1, 1, 1, 1]
    accounts = export(client, person.id)["linked_accounts"]
    assert accounts["hr_system_id"] == "E1042"
    assert [(row["provider"], row["subject"]) for row in accounts["single_sign_on"]] == [("company", "00u1quentin")]
    assert [row["user_name"] for row in accounts["slack"]] == ["quentin.z"]
    assert [(row["name"], row["scope"]) for row in accounts["api_tokens"]] == [("Night report", "read")]
    assert len(accounts["feed_urls"]) == 1 and set(accounts["feed_urls"][0]) == {"made_at", "last_used_at"}

    erase(client, person.id, "keep")

    db.session.expire_all()
    assert person.external_id is None
    assert [db.session.scalar(select(func.count()).select_from(model).where(model.person_id == person.id))
            for model in linked] == [0, 0, 0, 0]
    for secret in ("E1042", "00u1quentin", "quentin.z"):
        assert places_holding(secret, ignore_case=True) == set(), secret
