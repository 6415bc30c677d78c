"""New passwords: common and guessable ones are refused; a signed-in person can change theirs."""
from __future__ import annotations

from html import unescape

import pytest

from storyboard.auth.service import authenticate
from storyboard.extensions import db
from tests.helpers import link_in

PASSWORD = "correct horse battery"


@pytest.fixture
def invited_link(client, ctx, as_role, smtp_server):
    """An invitation link for Nell Starter, followed by a signed-out browser."""
    as_role("admin")
    client.post("/people/invite", data={
        "email": "nell.starter@example.com", "name": "Nell Starter", "role": "staff",
    })
    [message] = smtp_server.messages
    client.post("/auth/logout")
    return link_in(message)


@pytest.mark.parametrize(("password", "message"), [
    ("aaaaaaaaaa", 'Repeats like "aaa" are easy to guess'),
    ("password123", "This is a very common password"),
    ("qwertyuiop", "This is a top-100 common password"),
    ("1234567890", "This is a top-100 common password"),
    ("nellstarter1", "Do not build the password from your name or email address"),
    ("Nell.Starter@example.com", "Do not build the password from your name or email address"),
    ("storyboard2026", "Do not build the password from your name or email address"),
])
def test_common_and_guessable_passwords_are_refused(client, invited_link, password, message):
    response = client.post(invited_link, data={"password": password, "confirm": password})
    assert response.status_code == 400
    text = unescape(response.get_data(as_text=True))
    assert message in text, text
    assert "Try a few unrelated words together, or a longer phrase." in text
    assert client.get("/").status_code == 302  # no password set, not signed in


def test_a_long_unusual_passphrase_is_accepted(client, invited_link):
    response = client.post(invited_link, data={"password": "lantern pickle orbit", "confirm": "lantern pickle orbit"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_an_overlong_password_is_refused_with_a_message(client, invited_link):
    password = "lantern pickle orbit " * 7  # 147 characters
    response = client.post(invited_link, data={"password": password, "confirm": password})
    assert response.status_code == 400
    assert "Use at most 128 characters." in response.get_data(as_text=True)


@pytest.fixture
def signed_in(client, ctx, make_person, login):
    return login(make_person(email="mia@example.com", name="Mia Member", password=PASSWORD))


def test_the_change_password_page_is_linked_from_preferences(client, signed_in):
    assert 'href="/auth/password"' in client.get("/preferences").get_data(as_text=True)
    page = client.get("/auth/password")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Current password" in text and 'autocomplete="current-password"' in text


def test_changing_the_password_needs_the_current_one(client, signed_in):
    response = client.post("/auth/password", data={
        "current": "not my password", "password": "lantern pickle orbit", "confirm": "lantern pickle orbit",
    })
    assert response.status_code == 400
    assert "That is not your current password." in response.get_data(as_text=True)
    db.session.refresh(signed_in)
    assert signed_in.check_password(PASSWORD)


def test_a_changed_password_works_and_the_old_one_does_not(app, client, signed_in):
    response = client.post("/auth/password", data={
        "current": PASSWORD, "password": "lantern pickle orbit", "confirm": "lantern pickle orbit",
    })
    assert response.status_code == 302 and response.headers["Location"] == "/preferences"
    assert authenticate("mia@example.com", PASSWORD) is None
    assert authenticate("mia@example.com", "lantern pickle orbit") == signed_in


def test_a_weak_new_password_is_refused_on_the_change_page_too(client, signed_in):
    response = client.post("/auth/password", data={
        "current": PASSWORD, "password": "mia member 1", "confirm": "mia member 1",
    })
    assert response.status_code == 400
    db.session.refresh(signed_in)
    assert signed_in.check_password(PASSWORD)


def test_guessing_the_current_password_is_throttled(client, signed_in):
    for _ in range(5):
        response = client.post("/auth/password", data={
            "current": "guess", "password": "lantern pickle orbit", "confirm": "lantern pickle orbit",
        })
        assert response.status_code == 400
    response = client.post("/auth/password", data={
        "current": PASSWORD, "password": "lantern pickle orbit", "confirm": "lantern pickle orbit",
    })
    assert response.status_code == 429
