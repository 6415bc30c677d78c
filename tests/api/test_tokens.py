"""Personal access tokens: made on the tokens page and shown once, listed by their prefix,
last used noted at most once a minute, revoked, expired, and dead with their owner."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import ApiToken, Person
from tests.api.conftest import bearer
from tests.helpers import audit_entries

SECRET = re.compile(r'value="(sb_pat_[A-Za-z0-9_-]{43})"')


def test_a_token_is_shown_once_and_stored_only_as_a_digest(app, client, ctx, as_role):
    person = as_role("staff")
    page = client.post("/settings/tokens", data={"name": "Team dashboard", "scope": "read", "expires": "30"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    secret = SECRET.search(html).group(1)
    assert "Copy it now: it is shown only this once." in html

    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.person_id == person.id and stored.scope == "read" and stored.name == "Team dashboard"
    assert secret not in (stored.token_hash, stored.prefix) and stored.prefix == secret[:13]
    assert 29 <= (stored.expires_at - utcnow()).days <= 30
    assert [entry.action for entry in audit_entries("api_token.create")] == ["api_token.create"]

    listing = client.get("/settings/tokens").get_data(as_text=True)
    assert secret not in listing  # never again
    assert f"<code>{stored.prefix}…</code>" in listing and "Team dashboard" in listing
    assert "Never" in listing  # not used yet

    assert client.get("/api/v1/values", headers=bearer(secret)).status_code == 200


def test_last_used_is_noted_at_most_once_a_minute(app, client, ctx, make_person, make_token):
    token_id, secret = make_token(make_person())
    assert client.get("/api/v1/values", headers=bearer(secret)).status_code == 200
    first = db.session.get(ApiToken, token_id).last_used_at
    assert first is not None and utcnow() - first < timedelta(seconds=5)
    # Within the minute: no second write.
    assert client.get("/api/v1/values", headers=bearer(secret)).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).last_used_at == first
    # Over a minute later: noted again.
    token = db.session.get(ApiToken, token_id)
    token.last_used_at = first - timedelta(seconds=61)
    db.session.commit()
    assert client.get("/api/v1/values", headers=bearer(secret)).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).last_used_at > first - timedelta(seconds=1)


def test_a_revoked_token_is_refused_with_401(app, client, ctx, as_role, make_token):
    person = as_role("staff")
    token_id, secret = make_token(person, name="Old script")
    response = client.post(f"/settings/tokens/{token_id}/revoke")
    assert response.status_code == 302 and response.headers["Location"] == "/settings/tokens"
    refused = client.get("/api/v1/stories", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.get_json() == {"error": {"status": 401, "message": "That token was revoked."}}
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    listing = client.get("/settings/tokens").get_data(as_text=True)
    assert '<span class="status">revoked</span>' in listing
    assert f"/settings/tokens/{token_id}/revoke" not in listing  # nothing left to revoke
    assert [entry.action for entry in audit_entries("api_token.revoke")] == ["api_token.revoke"]


def test_nobody_revokes_someone_elses_token(app, client, ctx, as_role, make_person, make_token):
    as_role("admin")
    token_id, secret = make_token(make_person())
    assert client.post(f"/settings/tokens/{token_id}/revoke").status_code == 404
    assert client.get("/api/v1/values", headers=bearer(secret)).status_code == 200


def test_an_expired_token_is_refused(app, client, ctx, make_person, make_token):
    _, live = make_token(make_person(), expires_at=utcnow() + timedelta(minutes=1))
    _, expired = make_token(make_person(), expires_at=utcnow() - timedelta(seconds=1))
    assert client.get("/api/v1/values", headers=bearer(live)).status_code == 200
    response = client.get("/api/v1/values", headers=bearer(expired))
    assert response.status_code == 401 and response.get_json()["error"]["message"] == "That token has expired."


def test_a_deactivated_persons_tokens_stop_working(app, client, ctx, make_person, make_token):
    person = make_person()
    _, secret = make_token(person, scope="write")
    assert client.get("/api/v1/values", headers=bearer(secret)).status_code == 200
    db.session.get(Person, person.id).active = False
    db.session.commit()
    response = client.get("/api/v1/values", headers=bearer(secret))
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "That token's owner is no longer active."


def test_unknown_malformed_and_missing_tokens_are_401(app, client, ctx, make_person, make_token):
    _, secret = make_token(make_person())
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "},
                    bearer(secret[:-1] + ("A" if secret[-1] != "A" else "B")), bearer("sb_pat_" + "x" * 500),
                    bearer("not-ours")):
        response = client.get("/api/v1/stories", headers=headers)
        assert response.status_code == 401, headers
        assert response.is_json and response.get_json()["error"]["status"] == 401


def test_a_session_cookie_never_authenticates_the_api(app, client, ctx, as_role):
    as_role("admin")
    assert client.get("/settings/tokens").status_code == 200  # signed in on the web
    response = client.get("/api/v1/stories")
    assert response.status_code == 401 and response.is_json
    assert client.post("/api/v1/nominations", json={"title": "x"}).status_code == 401


def test_a_read_token_cannot_nominate(app, client, ctx, make_person, make_token):
    _, secret = make_token(make_person(), scope="read")
    response = client.post("/api/v1/nominations", json={"title": "A story"}, headers=bearer(secret))
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "This token can only read. Make a write token to create nominations.")


def test_the_token_form_keeps_what_was_typed_and_says_what_is_wrong(app, client, ctx, as_role):
    as_role("staff")
    response = client.post("/settings/tokens", data={"name": "", "scope": "admin", "expires": "30"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Name the token after what will use it." in html and "Not a valid choice." in html
    long_name = client.post("/settings/tokens", data={"name": "n" * 81, "scope": "read", "expires": ""})
    assert long_name.status_code == 400 and "Keep the name under 80 characters." in long_name.get_data(as_text=True)
    assert 'value="' + "n" * 81 + '"' in long_name.get_data(as_text=True)
    assert db.session.scalars(select(ApiToken)).all() == []


def test_a_token_that_never_expires(app, client, ctx, as_role):
    as_role("staff")
    response = client.post("/settings/tokens", data={"name": "Forever", "scope": "write", "expires": ""})
    assert response.status_code == 200
    token = db.session.scalars(select(ApiToken)).one()
    assert token.expires_at is None and token.scope == "write"


def test_a_person_holds_at_most_so_many_live_tokens(app, client, ctx, as_role, make_token):
    person = as_role("staff")
    app.config["API_TOKEN_MAX_PER_PERSON"] = 2
    make_token(person)
    make_token(person)
    response = client.post("/settings/tokens", data={"name": "Third", "scope": "read", "expires": "30"})
    assert response.status_code == 409
    assert "You have as many tokens as you may hold. Revoke one you no longer use first." in response.get_data(
        as_text=True)
