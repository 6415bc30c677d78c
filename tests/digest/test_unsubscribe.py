"""Unsubscribing from the digest: the signed link, one-click POST (RFC 8058), the page's choices."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from storyboard import create_app, mail
from storyboard.digest.email import build_digest_content, build_digest_message
from storyboard.digest.selection import IssueSelection
from storyboard.digest.subscriptions import unsubscribe_token
from storyboard.extensions import db
from storyboard.models import Person

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def frequency_of(person_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Person.digest_frequency).where(Person.id == person_id))


def path_for(person: Person) -> str:
    return f"/digest/unsubscribe/{unsubscribe_token(person)}"


def test_the_list_unsubscribe_url_from_a_sent_message_works_with_one_click(
    app, ctx, make_story, make_person, smtp_server
):
    story = make_story()
    content = build_digest_content(IssueSelection(issue_key="2026-11-23", new=(story.id,)), [story])
    person = make_person()
    mail.send([build_digest_message(content, person)])
    [received] = smtp_server.messages
    url = received["List-Unsubscribe"].strip("<>")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", "storyboard.example.com")
    # A mail provider posts with no cookie and no CSRF token: a fresh client with no session.
    fresh = app.test_client(use_cookies=False)
    response = fresh.post(parts.path, data=ONE_CLICK)
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert "unsubscribed" in response.get_data(as_text=True)
    assert frequency_of(person.id) == "never"
    again = fresh.post(parts.path, data=ONE_CLICK)  # idempotent
    assert again.status_code == 200 and frequency_of(person.id) == "never"


def test_one_click_works_with_csrf_protection_on(app, database_url, tmp_path, ctx, make_person):
    person = make_person()
    path = path_for(person)
    csrf_app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": True, "OUTBOX_DIR": str(tmp_path / "outbox"),
        "EXTERNAL_URL": "https://storyboard.example.com",
    })
    try:
        client = csrf_app.test_client(use_cookies=False)
        # Without the one-click body, a POST needs the form's CSRF token.
        refused = client.post(path, data={"choice": "never"})
        assert refused.status_code == 400
        assert frequency_of(person.id) == "weekly"
        response = client.post(path, data=ONE_CLICK)
        assert response.status_code == 200
        assert frequency_of(person.id) == "never"
    finally:
        with csrf_app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_page_form_with_its_csrf_token_chooses_monthly(app, database_url, tmp_path, ctx, make_person):
    from tests.helpers import csrf_token_in

    person = make_person()
    path = path_for(person)
    csrf_app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": True, "OUTBOX_DIR": str(tmp_path / "outbox"),
        "EXTERNAL_URL": "https://storyboard.example.com",
    })
    try:
        client = csrf_app.test_client()
        token = csrf_token_in(client.get(path).get_data(as_text=True))
        response = client.post(path, data={"csrf_token": token, "choice": "monthly"})
        assert response.status_code == 200
        assert frequency_of(person.id) == "monthly"
    finally:
        with csrf_app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_get_changes_nothing_and_offers_both_choices(app, ctx, make_person):
    person = make_person()
    response = app.test_client(use_cookies=False).get(path_for(person))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="choice" value="monthly"' in page and 'name="choice" value="never"' in page
    assert "monthly instead" in page and "Unsubscribe" in page
    assert frequency_of(person.id) == "weekly"


def test_monthly_choice(client, ctx, make_person):
    person = make_person()
    response = client.post(path_for(person), data={"choice": "monthly"})
    assert response.status_code == 200 and "Location" not in response.headers
    assert "Monthly" in response.get_data(as_text=True)
    assert frequency_of(person.id) == "monthly"


@pytest.mark.parametrize("data", [{}, {"choice": "weekly"}, {"choice": "daily"},
                                  {"List-Unsubscribe": "Two-Clicks"}])
def test_anything_else_is_refused_and_changes_nothing(client, ctx, make_person, data):
    person = make_person()
    assert client.post(path_for(person), data=data).status_code == 400
    assert frequency_of(person.id) == "weekly"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_token_is_not_found(client, ctx, make_person, method):
    person = make_person()
    token = unsubscribe_token(person)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = getattr(client, method)(f"/digest/unsubscribe/{tampered}", data=ONE_CLICK)
    assert response.status_code == 404
    assert client.post("/digest/unsubscribe/not-a-token", data=ONE_CLICK).status_code == 404
    assert frequency_of(person.id) == "weekly"


def test_a_token_signed_for_another_purpose_is_not_found(app, client, ctx, make_person):
    from itsdangerous import URLSafeSerializer

    person = make_person()
    other = URLSafeSerializer(app.config["SECRET_KEY"], salt="storyboard.something-else").dumps(person.id)
    assert client.post(f"/digest/unsubscribe/{other}", data=ONE_CLICK).status_code == 404


def test_one_click_posts_are_rate_limited(app, ctx, make_person):
    person = make_person()
    client = app.test_client(use_cookies=False)
    statuses = [client.post(path_for(person), data=ONE_CLICK).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_preferences_offer_weekly_monthly_and_never(client, ctx, as_role):
    person = as_role("staff")
    page = client.get("/preferences").get_data(as_text=True)
    for value in ("weekly", "monthly", "never"):
        assert f'name="digest_frequency" value="{value}"' in page
    assert client.post("/preferences", data={"digest_frequency": "monthly"}).status_code == 302
    assert frequency_of(person.id) == "monthly"
    assert client.post("/preferences", data={"digest_frequency": "hourly"}).status_code == 400
    assert frequency_of(person.id) == "monthly"
