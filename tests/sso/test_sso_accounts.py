"""Single sign-on and accounts: just-in-time accounts for allowed domains, links that cannot be
taken over, passwords switched off for all but break-glass admins, and two providers at once.
Against real OpenID provider processes on loopback."""
from __future__ import annotations

from html import unescape

import pytest
from flask import render_template_string
from sqlalchemy import select

from storyboard.auth.service import INVITE_SALT, RESET_SALT, make_token
from storyboard.extensions import db
from storyboard.models import AuditEntry, Person, SSOIdentity
from tests.sso.flow import at_provider, sign_in_with_sso, to_provider

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"

# Requests go from outside any app context, as a browser's would (see test_sso_sign_in.py).


def read(app, query):
    with app.app_context():
        return db.session.execute(query).all()


def signed_in(client) -> bool:
    return client.get("/mine").status_code == 200


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


# Just-in-time accounts.


@pytest.fixture
def jit_app(app, provider):
    app.config.update(OIDC_PROVIDERS=[provider.settings(allowed_domains=["example.com"])])
    return app


def test_a_verified_newcomer_at_an_allowed_domain_gets_a_staff_account(client, jit_app, provider):
    provider.control(user={"sub": "new-1", "email": "Nell.Starter@example.com", "email_verified": True,
                           "given_name": "Nell", "family_name": "Starter"})
    response = sign_in_with_sso(client)
    assert response.status_code == 302 and signed_in(client)
    [(person_id, name, role, active)] = read(jit_app, select(Person.id, Person.name, Person.role, Person.active)
                                             .where(Person.email == "nell.starter@example.com"))
    assert (name, role, active) == ("Nell Starter", "staff", True)
    [(action, actor_id, note)] = read(jit_app, select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.note)
                                      .where(AuditEntry.entity_id == person_id))
    assert (action, actor_id) == ("person.create_sso", person_id)
    assert note == "Created at their first sign-in with Company account."
    assert read(jit_app, select(SSOIdentity.subject).where(SSOIdentity.person_id == person_id)) == [("new-1",)]


@pytest.mark.parametrize(("user", "message"), [
    ({"sub": "new-2", "email": "visitor@elsewhere.com", "email_verified": True},
     "No Storyboard account uses visitor@elsewhere.com. Ask an administrator to invite you."),
    ({"sub": "new-3", "email": "nell@example.com", "email_verified": False},
     "Company account has not verified nell@example.com, so no account can be made for it."),
    ({"sub": "new-4", "email": "nell@example.com"},
     "Company account has not verified nell@example.com, so no account can be made for it."),
])
def test_no_account_is_made_outside_the_domains_or_for_an_unverified_email(client, jit_app, provider, user, message):
    provider.control(user=user)
    response = sign_in_with_sso(client)
    assert response.status_code == 403
    assert message in page(response)
    assert not signed_in(client)
    assert read(jit_app, select(Person.id)) == []
    assert read(jit_app, select(AuditEntry.id)) == []


def test_without_allowed_domains_nobody_new_gets_in(client, app, provider):
    app.config.update(OIDC_PROVIDERS=[provider.settings()])
    provider.control(user={"sub": "new-5", "email": "nell@example.com", "email_verified": True})
    assert sign_in_with_sso(client).status_code == 403
    assert read(app, select(Person.id)) == []


# Matching existing people by email.


@pytest.fixture
def mia(app, make_person) -> int:
    with app.app_context():
        return make_person(email="mia@example.com", name="Mia Member", password=PASSWORD).id


def test_an_unverified_email_does_not_reach_an_existing_account_unless_trusted(client, app, provider, mia):
    provider.control(user={"sub": "mia-at-idp", "email": "mia@example.com", "email_verified": False})
    app.config.update(OIDC_PROVIDERS=[provider.settings()])
    response = sign_in_with_sso(client)
    assert response.status_code == 403
    assert "Company account has not verified mia@example.com, so it cannot sign in" in page(response)
    assert not signed_in(client)


def test_a_trusted_provider_matches_without_the_verified_flag(client, app, provider, mia):
    provider.control(user={"sub": "mia-at-idp", "email": "mia@example.com"})  # as Entra ID sends it
    app.config.update(OIDC_PROVIDERS=[provider.settings(trust_email=True)])
    assert sign_in_with_sso(client).status_code == 302
    assert signed_in(client)


def test_an_email_reused_by_another_identity_does_not_take_the_account(client, app, provider, mia):
    app.config.update(OIDC_PROVIDERS=[provider.settings()])
    provider.control(user={"sub": "mia-at-idp", "email": "mia@example.com", "email_verified": True})
    assert sign_in_with_sso(client).status_code == 302
    client.post("/auth/logout")
    # Mia's mailbox is given to someone else at the provider, with a new subject.
    provider.control(user={"sub": "someone-else", "email": "mia@example.com", "email_verified": True})
    response = sign_in_with_sso(client)
    assert response.status_code == 403
    assert "The account for mia@example.com is linked to another Company account account." in page(response)
    assert not signed_in(client)


# Passwords switched off.


@pytest.fixture
def break_glass(app, provider, make_person):
    """Passwords off; root@example.com is the break-glass admin. Returns the people's ids."""
    app.config.update(OIDC_PROVIDERS=[provider.settings()], PASSWORD_SIGN_IN="break_glass",
                      BREAK_GLASS_EMAILS=["Root@example.com"])
    with app.app_context():
        return {
            "root": make_person(email="root@example.com", role="admin", password=PASSWORD).id,
            "admin": make_person(email="other.admin@example.com", role="admin", password=PASSWORD).id,
            "staff": make_person(email="ada@example.com", password=PASSWORD).id,
        }


def password_sign_in(client, email: str, password: str = PASSWORD):
    return client.post("/auth/login", data={"email": email, "password": password})


def test_the_sign_in_page_offers_only_single_sign_on(client, break_glass):
    html = page(client.get("/auth/login"))
    assert "Sign in with Company account" in html
    assert 'name="password"' not in html and "Forgotten your password?" not in html
    assert "Administrators: emergency sign-in with a password" in html
    behind_the_link = page(client.get("/auth/login?break_glass=1"))
    assert 'name="password"' in behind_the_link
    assert "Emergency sign-in for administrators" in behind_the_link


def test_staff_passwords_are_refused_and_break_glass_admins_still_sign_in(client, break_glass):
    refused = password_sign_in(client, "ada@example.com")
    assert refused.status_code == 403
    assert "Passwords are switched off here: sign in with Company account." in page(refused)
    assert not signed_in(client)
    assert password_sign_in(client, "other.admin@example.com").status_code == 403  # an admin, not listed
    wrong = password_sign_in(client, "root@example.com", "not the password")
    assert wrong.status_code == 401
    assert "That email and password do not match an emergency administrator account." in page(wrong)
    assert password_sign_in(client, "root@example.com").status_code == 302
    assert signed_in(client)


def test_single_sign_on_still_works_with_passwords_off(client, break_glass, provider):
    assert sign_in_with_sso(client).status_code == 302
    assert signed_in(client)


def test_password_links_and_changes_are_refused_for_all_but_break_glass(client, app, break_glass):
    with app.app_context():
        staff, root = (db.session.get(Person, break_glass[key]) for key in ("staff", "root"))
        links = {"invite": f"/auth/set-password/{make_token(staff, INVITE_SALT)}",
                 "reset": f"/auth/reset/{make_token(staff, RESET_SALT)}",
                 "root_reset": f"/auth/reset/{make_token(root, RESET_SALT)}"}
    new = {"password": "lantern pickle orbit", "confirm": "lantern pickle orbit"}
    for link in (links["invite"], links["reset"]):
        shown = client.get(link)
        assert shown.status_code == 403
        assert "Passwords are switched off here: sign in with Company account." in page(shown)
        assert "Sign in with Company account" in page(shown)
        assert client.post(link, data=new).status_code == 403
    assert not signed_in(client)
    assert password_sign_in(client, "ada@example.com", "lantern pickle orbit").status_code == 401  # unchanged

    assert client.get(links["root_reset"]).status_code == 200  # the break-glass admin's works
    assert client.post(links["root_reset"], data=new).status_code == 302
    client.post("/auth/logout")

    assert sign_in_with_sso(client).status_code == 302  # Ada, through the provider
    changed = client.post("/auth/password", data={"current": PASSWORD, **new})
    assert changed.status_code == 403
    assert "Passwords are switched off here" in page(changed)


def test_forgotten_password_mail_goes_only_to_break_glass_admins(client, break_glass, smtp_server):
    for email in ("ada@example.com", "root@example.com"):
        response = client.post("/auth/forgot", data={"email": email})
        response.close()  # the link is sent once the response has gone
        assert response.status_code == 302
    assert [message["To"] for message in smtp_server.messages] == ["root@example.com"]
    flashed = page(client.get("/auth/login"))
    assert "If that address belongs to an emergency administrator account" in flashed


# Two providers.


def test_two_providers_each_sign_in_and_keep_their_own_state(client, app, provider, partner_process, mia):
    partner_process.control(reset=True)
    app.config.update(OIDC_PROVIDERS=[provider.settings(), partner_process.settings("partner", "Partner login")])
    login_page = page(client.get("/auth/login"))
    assert "Sign in with Company account" in login_page and "Sign in with Partner login" in login_page

    partner_process.control(user={"sub": "p-77", "email": "mia@example.com", "email_verified": True})
    callback = at_provider(to_provider(client, "partner"))
    assert callback.startswith("/auth/sso/partner/callback?")
    # The partner's answer taken to the company's callback: no state was started there.
    misdelivered = client.get(callback.replace("/partner/", "/company/"))
    assert misdelivered.status_code == 400
    assert not signed_in(client)

    assert sign_in_with_sso(client, "partner").status_code == 302
    client.post("/auth/logout")
    provider.control(user={"sub": "c-12", "email": "mia@example.com", "email_verified": True})
    assert sign_in_with_sso(client, "company").status_code == 302
    assert sorted(read(app, select(SSOIdentity.provider, SSOIdentity.subject).where(SSOIdentity.person_id == mia))) \
        == [("company", "c-12"), ("partner", "p-77")]


def test_templates_can_tell_who_has_a_password_to_change(app, break_glass):
    with app.test_request_context():
        people = [db.session.get(Person, break_glass[key]) for key in ("root", "staff")]
        shown = [render_template_string("{{ may_use_password(person) }}", person=person) for person in people]
        assert shown == ["True", "False"]
