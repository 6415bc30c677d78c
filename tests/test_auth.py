"""Signing in and out, invitations and password resets, over a real SMTP server."""
import re

import pytest
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import Person

PASSWORD = "correct horse battery"


@pytest.fixture
def member(ctx, make_person):
    return make_person(email="mia@example.com", name="Mia Member", password=PASSWORD)


def sign_in(client, email, password, next_url=None):
    url = "/auth/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


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


def link_in(message) -> str:
    body = message.get_payload(decode=True).decode() if not message.is_multipart() else message.get_payload(0).get_payload(decode=True).decode()
    match = re.search(r"https://storyboard\.example\.com(/auth/\S+)", body)
    assert match, body
    return match.group(1)


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


def test_forgot_password_sends_a_link_only_to_real_accounts(client, member, smtp_server):
    unknown = client.post("/auth/forgot", data={"email": "nobody@example.com"})
    known = client.post("/auth/forgot", data={"email": "mia@example.com"})
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
