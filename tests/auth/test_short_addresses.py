"""/login and /logout, the addresses people type from habit, lead to signing in and out (which
live under /auth/) instead of a 404; a GET never signs anyone out."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import csrf_token_in

PASSWORD = "correct horse battery"


@pytest.fixture
def member(ctx, make_person):
    return make_person(email="mia@example.com", name="Mia Member", password=PASSWORD)


def sign_in(client) -> None:
    response = client.post("/auth/login", data={"email": "mia@example.com", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("path, back_to", [
    ("/login", None),
    ("/login?next=/values", "/values"),
    ("/login?next=/stories/7?tab%3Dnotes", "/stories/7?tab=notes"),
    # Another site is never a place to come back to (the sign-in page would ignore it anyway).
    ("/login?next=https://evil.example.com/", None),
    ("/login?next=//evil.example.com/", None),
])
def test_login_leads_to_the_sign_in_page_keeping_where_to_go_next(client, path, back_to):
    response = client.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login"
    assert parse_qs(location.query) == ({"next": [back_to]} if back_to else {})


def test_signing_in_through_login_comes_back_to_the_page_asked_for(client, member):
    sign_in_page = client.get("/login?next=/values", follow_redirects=True)
    assert sign_in_page.status_code == 200
    assert "<h1>Sign in</h1>" in sign_in_page.get_data(as_text=True)
    response = client.post(sign_in_page.request.full_path,
                           data={"email": "mia@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/values"


def test_login_when_signed_in_goes_to_the_stories(client, member):
    sign_in(client)
    response = client.get("/login", follow_redirects=True)
    assert response.request.path == "/"
    assert response.status_code == 200


def test_logout_when_signed_out_shows_the_sign_in_page(client):
    response = client.get("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"


def test_logout_by_get_offers_the_sign_out_button_and_signs_nobody_out(client, member):
    sign_in(client)
    page = client.get("/logout")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "You are signed in as Mia Member." in html
    assert '<form method="post" action="/auth/logout">' in html
    assert '<button type="submit" class="button button-primary">Sign out</button>' in html
    assert client.get("/mine").status_code == 200  # still signed in

    response = client.post("/auth/logout", data={"csrf_token": csrf_token_in(html)})
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/mine").status_code == 302


def test_the_sign_out_button_carries_a_working_csrf_token(csrf_client, csrf_app, make_person):
    with csrf_app.app_context():
        make_person(email="mia@example.com", name="Mia Member", password=PASSWORD)
    token = csrf_token_in(csrf_client.get("/auth/login").get_data(as_text=True))
    csrf_client.post("/auth/login", data={"email": "mia@example.com", "password": PASSWORD, "csrf_token": token})
    html = csrf_client.get("/logout").get_data(as_text=True)
    assert csrf_client.post("/auth/logout").status_code == 400  # no token: refused, still signed in
    assert csrf_client.get("/mine").status_code == 200
    response = csrf_client.post("/auth/logout", data={"csrf_token": csrf_token_in(html)})
    assert response.status_code == 302
    assert csrf_client.get("/mine").status_code == 302
