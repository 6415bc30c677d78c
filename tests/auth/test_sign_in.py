"""Signing in and out, invitations and password resets, over a real SMTP server."""
import time

import pytest
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import Person
from tests.helpers import link_in

PASSWORD = "correct horse battery"


@pytest.fixture
def member(ctx, make_person):
    return make_person(email="mia@example.com", name="Mia Member", password=PASSWORD)


def sign_in(client, email, password, next_url=None, address=None):
    """Post the sign-in form, from client address `address` when given."""
    url = "/auth/login" + (f"?next={next_url}" if next_url else "")
    environ = {"REMOTE_ADDR": address} if address else {}
    return client.post(url, data={"email": email, "password": password}, environ_base=environ)


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_sign_in_and_follow_relative_next(client, member):
    response = sign_in(client, "MIA@example.com ", PASSWORD, next_url="/values")
    assert response.status_code == 302
    assert response.headers["Location"] == "/values"
    assert client.get("/values").status_code == 200


def test_wrong_password_is_401_keeps_email_and_says_why(client, member):
    response = sign_in(client, "mia@example.com", "wrong password")
    assert response.status_code == 401
    text = response.get_data(as_text=True)
    assert "That email and password do not match an active account." in text
    assert 'value="mia@example.com"' in text
    assert client.get("/").status_code == 302  # still signed out


def test_empty_form_is_400_with_messages(client, member):
    response = client.post("/auth/login", data={"email": "", "password": ""})
    assert response.status_code == 400
    assert "Enter your email address." in response.get_data(as_text=True)


def test_deactivated_person_cannot_sign_in(client, member):
    member.active = False
    db.session.commit()
    assert sign_in(client, "mia@example.com", PASSWORD).status_code == 401


def test_repeated_failures_are_throttled_with_a_clear_message(client, member):
    for _ in range(5):
        assert sign_in(client, "mia@example.com", "nope").status_code == 401
    response = sign_in(client, "mia@example.com", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)


def test_nobody_can_lock_someone_else_out(client, member):
    # An attacker fails at Mia's account from five addresses, then keeps going from one of them.
    for n in range(1, 6):
        assert sign_in(client, "mia@example.com", "nope", address=f"10.0.0.{n}").status_code == 401
    for _ in range(4):
        assert sign_in(client, "mia@example.com", "nope", address="10.0.0.1").status_code == 401
    # That address is slowed down for Mia's account...
    response = sign_in(client, "mia@example.com", "nope", address="10.0.0.1")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)
    # ...while Mia, from her own address, signs in with her password as usual.
    assert sign_in(client, " MIA@example.com", PASSWORD, address="10.0.0.9").status_code == 302


def test_the_right_password_from_a_clean_address_always_works(client, member, make_person):
    # The old limit counted failures per email from anywhere: five wrong guesses a minute
    # locked the owner out of their account, admins included.
    admin = make_person(email="ada@example.com", role="admin", password=PASSWORD)
    for n in range(1, 30):
        assert sign_in(client, admin.email, "nope", address=f"10.0.2.{n}").status_code == 401
    assert sign_in(client, admin.email, PASSWORD, address="10.0.3.1").status_code == 302


def test_a_colleague_behind_the_same_address_cannot_slow_the_owner_down(app, client, member):
    # Behind an office's one NAT address, the owner's browser (which has signed in before)
    # is counted on its own: a colleague's failures at her account from that address, or a
    # flood of failures at every account, never refuse her password.
    owner = app.test_client()
    assert sign_in(owner, "mia@example.com", PASSWORD, address="10.9.0.1").status_code == 302
    owner.post("/auth/logout")
    assert owner.get_cookie("storyboard_device", path="/auth/") is not None
    for _ in range(5):
        assert sign_in(client, "mia@example.com", "nope", address="10.9.0.1").status_code == 401
    assert sign_in(client, "mia@example.com", PASSWORD, address="10.9.0.1").status_code == 429
    for n in range(30):
        sign_in(client, f"guess{n}@example.com", "nope", address="10.9.0.1")
    assert sign_in(client, "other@example.com", "nope", address="10.9.0.1").status_code == 429
    assert sign_in(owner, "mia@example.com", PASSWORD, address="10.9.0.1").status_code == 302


def test_the_owners_own_wrong_guesses_still_slow_their_browser_down(app, client, member):
    assert sign_in(client, "mia@example.com", PASSWORD, address="10.9.1.1").status_code == 302
    client.post("/auth/logout")
    for _ in range(5):
        assert sign_in(client, "mia@example.com", "nope", address="10.9.1.1").status_code == 401
    assert sign_in(client, "mia@example.com", PASSWORD, address="10.9.1.1").status_code == 429


def test_a_device_cookie_for_another_account_or_forged_counts_for_nothing(app, client, member, make_person):
    make_person(email="otto@example.com", password=PASSWORD)
    assert sign_in(client, "otto@example.com", PASSWORD, address="10.9.2.1").status_code == 302
    client.post("/auth/logout")
    client.set_cookie("storyboard_device", "forged.value", path="/auth/")
    for _ in range(5):
        assert sign_in(client, "mia@example.com", "nope", address="10.9.2.1").status_code == 401
    assert sign_in(client, "mia@example.com", PASSWORD, address="10.9.2.1").status_code == 429


def test_failures_from_one_address_are_limited_whatever_email_they_try(client, member):
    for n in range(1, 31):
        assert sign_in(client, f"guess{n}@example.com", "nope", address="10.0.1.1").status_code == 401
    # The next try from that address is refused, even for an email that has not failed before.
    response = sign_in(client, "mia@example.com", PASSWORD, address="10.0.1.1")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)
    # The same person from another address still gets in.
    assert sign_in(client, "mia@example.com", PASSWORD, address="10.0.1.2").status_code == 302


def test_successful_sign_ins_do_not_count_towards_the_limit(client, member):
    for _ in range(8):
        assert sign_in(client, "mia@example.com", PASSWORD).status_code == 302
        client.post("/auth/logout")


def test_logout_is_a_post_and_signs_out(client, member):
    sign_in(client, "mia@example.com", PASSWORD)
    assert client.get("/auth/logout").status_code == 405
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_admin_invites_and_the_link_sets_a_password_once(client, ctx, as_role, smtp_server):
    as_role("admin")
    response = client.post("/people/invite", data={
        "email": "New.Starter@Example.com", "name": "Nell Starter", "job_title": "Picker",
        "department": "Warehouse", "location": "Hull", "role": "staff",
    })
    assert response.status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == "new.starter@example.com"
    assert "invited" in message["Subject"]
    link = link_in(message)
    client.post("/auth/logout")

    form = client.get(link)
    assert form.status_code == 200 and "Choose a password" in form.get_data(as_text=True)
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 400
    assert "Use at least 10 characters." in short.get_data(as_text=True)
    differ = client.post(link, data={"password": "long enough pw", "confirm": "different one"})
    assert "The two passwords differ." in differ.get_data(as_text=True)
    done = client.post(link, data={"password": "long enough pw", "confirm": "long enough pw"})
    assert done.status_code == 302
    assert client.get("/").status_code == 200  # signed in

    client.post("/auth/logout")
    reused = client.get(link)
    assert reused.status_code == 400
    assert "already been used" in reused.get_data(as_text=True)
    assert sign_in(client, "new.starter@example.com", "long enough pw").status_code == 302


def test_invite_refuses_duplicates_and_keeps_the_form(client, ctx, as_role, member):
    as_role("admin")
    response = client.post("/people/invite", data={"email": "mia@example.com", "name": "Mia Again", "role": "staff"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Someone with that email address already has an account." in text
    assert 'value="Mia Again"' in text


def test_expired_invitation_is_refused(client, app, ctx, make_person):
    from storyboard.auth.service import INVITE_SALT, make_token

    person = make_person()
    token = make_token(person, INVITE_SALT)
    app.config["INVITATION_MAX_AGE"] = -1
    assert client.get(f"/auth/set-password/{token}").status_code == 400
    assert client.get("/auth/set-password/not-a-token").status_code == 400


@pytest.mark.parametrize(
    ("endpoint", "salt_name"), [("set-password", "INVITE_SALT"), ("reset", "RESET_SALT")]
)
def test_password_links_stop_working_once_the_person_is_deactivated(client, member, endpoint, salt_name):
    from storyboard.auth import service

    link = f"/auth/{endpoint}/{service.make_token(member, getattr(service, salt_name))}"
    assert client.get(link).status_code == 200  # a good link while the account is active
    member.active = False
    db.session.commit()
    refused = client.get(link)
    assert refused.status_code == 400
    assert "This link no longer works" in refused.get_data(as_text=True)
    response = client.post(link, data={"password": "a brand new one", "confirm": "a brand new one"})
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(as_text=True)
    db.session.refresh(member)
    assert member.check_password(PASSWORD)
    assert not member.check_password("a brand new one")
    assert client.get("/").status_code == 302  # not signed in


def test_forgot_password_sends_nothing_to_a_deactivated_account(client, member, make_person, smtp_server):
    other = make_person(email="otto@example.com")
    member.active = False
    db.session.commit()
    deactivated = forgot(client, "mia@example.com")
    unknown = forgot(client, "nobody@example.com")
    active = forgot(client, other.email)
    # The same answer in every case, so the form does not tell who has an account.
    assert deactivated.status_code == unknown.status_code == active.status_code == 302
    assert deactivated.headers["Location"] == unknown.headers["Location"] == active.headers["Location"]
    # Once the responses have gone, the active account's link has arrived, and only that one.
    assert [message["To"] for message in smtp_server.messages] == [other.email]


def forgot(client, email: str):
    """Ask for a reset link, and finish the response as a WSGI server does (close it): the
    link is sent after the response has gone."""
    response = client.post("/auth/forgot", data={"email": email})
    response.close()
    return response


def test_the_reset_link_is_sent_after_the_response(client, member, smtp_server):
    # A mail server that takes a second to accept: sending inside the request made a known
    # address a second slower to answer than an unknown one, telling who has an account.
    smtp_server.hold = lambda: time.monotonic() < held_until
    held_until = time.monotonic() + 1.5
    timings = {}
    for email in ("nobody@example.com", "mia@example.com"):
        started = time.perf_counter()
        response = client.post("/auth/forgot", data={"email": email})
        timings[email] = time.perf_counter() - started
        assert response.status_code == 302
        assert smtp_server.messages == []  # nothing sent while the page was being answered
        response.close()
    assert timings["mia@example.com"] < 0.5, timings
    assert [message["To"] for message in smtp_server.messages] == ["mia@example.com"]


def test_forgot_password_sends_a_link_only_to_real_accounts(client, member, smtp_server):
    unknown = forgot(client, "nobody@example.com")
    known = forgot(client, "mia@example.com")
    assert unknown.status_code == known.status_code == 302  # same answer either way
    [message] = smtp_server.messages
    assert message["To"] == "mia@example.com"
    link = link_in(message)
    response = client.post(link, data={"password": "a brand new one", "confirm": "a brand new one"})
    assert response.status_code == 302
    client.post("/auth/logout")
    assert sign_in(client, "mia@example.com", PASSWORD).status_code == 401
    assert sign_in(client, "mia@example.com", "a brand new one").status_code == 302


def test_forgot_password_rejects_a_bad_address(client):
    response = client.post("/auth/forgot", data={"email": "not an email"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.get_data(as_text=True)
    assert 'value="not an email"' in response.get_data(as_text=True)


def test_without_a_mail_server_messages_land_in_the_outbox(app, client, ctx, as_role):
    as_role("admin")
    client.post("/people/invite", data={"email": "o@example.com", "name": "Otto", "role": "staff"})
    from pathlib import Path

    files = list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    assert len(files) == 1
    assert b"To: o@example.com" in files[0].read_bytes()
    assert db.session.scalar(select(Person).where(Person.email == "o@example.com")).password_hash is None


def test_invitation_mail_failure_keeps_the_account_and_says_so(client, app, ctx, as_role):
    from tests.helpers import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    as_role("admin")
    response = client.post("/people/invite", data={"email": "nomail@example.com", "name": "No Mail", "role": "staff"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "the invitation email could not be sent" in page
    assert db.session.scalar(select(Person).where(Person.email == "nomail@example.com")) is not None


def test_changing_the_password_signs_out_other_sessions(app, client, member):
    other = app.test_client()
    sign_in(client, "mia@example.com", PASSWORD)
    sign_in(other, "mia@example.com", PASSWORD)
    assert other.get("/mine").status_code == 200
    from storyboard.auth.service import RESET_SALT, make_token

    link = f"/auth/reset/{make_token(member, RESET_SALT)}"
    new_password = {"password": "a whole new secret", "confirm": "a whole new secret"}
    assert client.post(link, data=new_password).status_code == 302
    from flask import g

    g.pop("_login_user", None)
    assert other.get("/mine").status_code == 302  # the other session ended
    g.pop("_login_user", None)  # requests inside `ctx` share its `g`
    assert client.get("/mine").status_code == 200  # the one that changed it goes on
