"""Single sign-on end to end against a real OpenID provider process on loopback: who gets in,
and how every failure lands back on the sign-in page with a message and nobody signed in."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import Person, SignIn, SSOIdentity
from tests.helpers import text
from tests.sso.flow import CLIENT_ID, at_provider, query_of, sign_in_with_sso, to_provider

pytestmark = pytest.mark.slow


# Requests go from outside any app context, as a browser's would: inside one, Flask-Login
# would keep the first request's person in the shared `g` for the next requests.


@pytest.fixture
def ada(sso_app, make_person) -> int:
    with sso_app.app_context():
        return make_person(email="ada@example.com", name="Ada Lovelace").id


def read(app, query):
    with app.app_context():
        return db.session.execute(query).all()


def signed_in(client) -> bool:
    return client.get("/mine").status_code == 200


def test_sign_in_starts_a_session_that_signing_out_ends(client, app, ada, provider):
    authorize_url = to_provider(client, next_url="/values")
    # Storyboard asked for the code flow with a state, a nonce and a PKCE S256 challenge.
    asked = query_of(authorize_url)
    assert authorize_url.startswith(provider.url + "/authorize?")
    assert asked["response_type"] == "code" and asked["client_id"] == CLIENT_ID
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert asked["state"] and asked["nonce"] and "openid" in asked["scope"].split()
    assert asked["redirect_uri"] == "https://storyboard.example.com/auth/sso/company/callback"

    response = client.get(at_provider(authorize_url))
    assert response.status_code == 302
    assert response.headers["Location"] == "/values"  # `next` kept through the round trip
    assert signed_in(client)
    assert read(app, select(SSOIdentity.subject).where(SSOIdentity.person_id == ada)) == [("user-1",)]
    assert read(app, select(Person.last_login_at).where(Person.id == ada))[0][0] is not None
    assert len(read(app, select(SignIn.id).where(SignIn.person_id == ada))) == 1

    client.post("/auth/logout")
    assert not signed_in(client)
    assert read(app, select(SignIn.id).where(SignIn.person_id == ada)) == []


def test_a_linked_identity_signs_in_even_after_the_email_changes(client, ada, provider):
    assert sign_in_with_sso(client).status_code == 302
    client.post("/auth/logout")
    provider.control(user={"sub": "user-1", "email": "ada.l@example.org", "email_verified": True})
    assert sign_in_with_sso(client).status_code == 302
    assert client.get("/mine").status_code == 200


def test_email_matches_whatever_its_case(client, ada, provider):
    provider.control(user={"sub": "user-9", "email": "ADA@Example.com", "email_verified": True})
    assert sign_in_with_sso(client).headers["Location"] == "/"
    assert signed_in(client)


def failure(response, status: int, message: str, client) -> None:
    """The sign-in page again, with `message`, this status, and nobody signed in."""
    assert response.status_code == status
    page = text(response)
    assert "Sign in with Company account" in page
    assert message in page
    assert not signed_in(client)


def test_a_wrong_state_is_refused(client, ada):
    callback = at_provider(to_provider(client))
    tampered = callback.replace("state=", "state=x")
    failure(client.get(tampered), 400, "That sign-in had expired or was started in another browser.", client)


def test_a_callback_from_another_browser_is_refused(client, app, ada):
    # An attacker's own code and state, planted in someone else's browser (login CSRF).
    attacker = app.test_client()
    callback = at_provider(to_provider(attacker))
    failure(client.get(callback), 400, "That sign-in had expired or was started in another browser.", client)


def test_a_replayed_code_is_refused_by_the_provider(client, app, ada):
    callback = at_provider(to_provider(client))
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)  # the same state, twice
    assert client.get(callback).status_code == 302
    failure(copy.get(callback), 401, "Company account refused that sign-in (it was used already", copy)


@pytest.mark.parametrize(("claims", "message"), [
    ({"exp": int(time.time()) - 3600}, "The answer from Company account had expired."),
    ({"aud": "another-application"}, "The answer from Company account could not be verified"),
    # Authlib alone would accept this one: it checks `azp`, and `aud` only through it.
    ({"aud": ["another-application"], "azp": CLIENT_ID}, "The answer from Company account could not be verified"),
    ({"nonce": "a-nonce-from-elsewhere"}, "The answer from Company account could not be verified"),
    ({"iss": "https://impostor.example.com"}, "The answer from Company account could not be verified"),
])
def test_an_id_token_that_fails_its_checks_is_refused(client, app, ada, provider, claims, message):
    provider.control(next_claims=claims)
    failure(sign_in_with_sso(client), 401, message, client)
    assert read(app, select(SSOIdentity.id)) == []


def test_an_id_token_signed_with_another_key_is_refused(client, ada, provider):
    provider.control(wrong_key=True)
    failure(sign_in_with_sso(client), 401, "The answer from Company account could not be verified", client)


def test_access_denied_at_the_provider(client, ada, provider):
    provider.control(deny=True)
    failure(sign_in_with_sso(client), 401, "Signing in with Company account was cancelled or refused.", client)


def test_a_provider_that_is_down(client, app):
    app.config.update(OIDC_PROVIDERS=[{"name": "company", "label": "Company account", "client_id": "x",
                                       "client_secret": "y", "issuer": "http://127.0.0.1:9"}])
    response = client.get("/auth/sso/company")
    failure(response, 401, "Company account could not be reached, so nobody was signed in.", client)


def test_unknown_email_is_refused_without_an_account(client, app, ada, provider):
    provider.control(user={"sub": "user-2", "email": "stranger@example.com", "email_verified": True})
    failure(sign_in_with_sso(client), 403, "No Storyboard account uses stranger@example.com.", client)
    assert read(app, select(Person.id).where(Person.email == "stranger@example.com")) == []


def test_a_deactivated_person_is_refused(client, app, ada, provider):
    assert sign_in_with_sso(client).status_code == 302  # linked
    client.post("/auth/logout")
    with app.app_context():
        db.session.get(Person, ada).active = False
        db.session.commit()
    failure(sign_in_with_sso(client), 403, "Your Storyboard account has been deactivated.", client)


def test_an_unknown_provider_leads_to_the_sign_in_page(client, sso_app):
    for path in ("/auth/sso/elsewhere?next=/values", "/auth/sso/elsewhere/callback?code=x&state=y"):
        response = client.get(path, follow_redirects=True)
        assert response.request.path == "/auth/login"
        assert "That way of signing in is not set up here." in text(response)
        assert "Sign in with Company account" in text(response)
        assert not signed_in(client)


def test_the_longest_subject_is_kept_and_a_longer_one_refused(client, app, ada, provider):
    longest = "s" * 255  # OpenID Connect's limit, and the column's
    provider.control(user={"sub": longest, "email": "ada@example.com", "email_verified": True})
    assert sign_in_with_sso(client).status_code == 302
    assert read(app, select(SSOIdentity.subject)) == [(longest,)]
    client.post("/auth/logout")
    provider.control(user={"sub": "s" * 256, "email": "ada@example.com", "email_verified": True})
    failure(sign_in_with_sso(client), 403, "Company account sent an account id Storyboard cannot keep", client)


def test_a_long_name_and_the_longest_email_make_an_account_that_fits(client, app, provider):
    email = "n" * 64 + "@" + "d" * 63 + "." + "d" * 63 + "." + "d" * 49 + ".example.com"  # 254 characters
    assert len(email) == 254
    app.config.update(OIDC_PROVIDERS=[provider.settings(allowed_domains=[email.partition("@")[2]])])
    provider.control(user={"sub": "long-1", "email": email, "email_verified": True, "name": "Ada\n" + "L" * 300})
    assert sign_in_with_sso(client).status_code == 302
    [(name,)] = read(app, select(Person.name).where(Person.email == email))
    assert name == "Ada " + "L" * 116  # on one line, cut to the column's 120 characters
