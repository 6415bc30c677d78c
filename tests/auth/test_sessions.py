"""Sessions end on the server: signing out, idle and absolute timeouts, fresh sessions at sign-in,
and people who leave and come back.

No shared app context here: each request gets a fresh `g`, as in production, so the session is
checked again on every request.
"""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text, update

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import Person, SignIn
from tests.helpers import csrf_token_in, session_token_for

PASSWORD = "correct horse battery"


@pytest.fixture
def mia(app, make_person):
    with app.app_context():
        return make_person(email="mia@example.com", name="Mia Member", password=PASSWORD).id


def sign_in(client, remember: bool = False, email: str = "mia@example.com"):
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def signed_in(client) -> bool:
    response = client.get("/mine")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    return False


def copy_cookies(source, target, names=("session", "remember_token")) -> None:
    """Put `source`'s cookies into `target`, as someone who copied them from a browser would."""
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def sign_ins(app, person_id: int) -> list[SignIn]:
    with app.app_context():
        return list(db.session.scalars(select(SignIn).where(SignIn.person_id == person_id)))


def age_sign_ins(app, person_id: int, *, idle: timedelta = timedelta(), age: timedelta = timedelta()):
    """Pretend the person's sign-ins began `age` ago and were last used `idle` ago."""
    with app.app_context():
        now = utcnow()
        db.session.execute(
            update(SignIn).where(SignIn.person_id == person_id)
            .values(last_seen_at=now - idle, created_at=now - max(age, idle))
        )
        db.session.commit()


def test_a_cookie_copied_before_sign_out_is_sent_to_sign_in(app, client, mia):
    sign_in(client)
    thief = app.test_client()
    copy_cookies(client, thief)
    assert signed_in(thief)  # the copy works while the session lasts...
    client.post("/auth/logout")
    assert not signed_in(client)
    assert not signed_in(thief)  # ...and not a moment after the owner signs out
    assert sign_ins(app, mia) == []


def test_a_keep_me_signed_in_cookie_dies_with_sign_out(app, client, mia):
    sign_in(client, remember=True)
    assert client.get_cookie("remember_token") is not None
    thief = app.test_client()
    copy_cookies(client, thief, names=("remember_token",))  # the long-lived cookie alone
    assert signed_in(thief)
    client.post("/auth/logout")
    fresh = app.test_client()
    copy_cookies(thief, fresh, names=("remember_token",))
    assert not signed_in(fresh)


def test_signing_out_in_one_browser_leaves_the_others_signed_in(app, client, mia):
    laptop, phone = client, app.test_client()
    sign_in(laptop)
    sign_in(phone)
    laptop.post("/auth/logout")
    assert not signed_in(laptop)
    assert signed_in(phone)
    assert len(sign_ins(app, mia)) == 1


def test_an_idle_session_expires(app, client, mia):
    sign_in(client)
    age_sign_ins(app, mia, idle=timedelta(seconds=app.config["SESSION_IDLE_TIMEOUT"] - 60))
    assert signed_in(client)  # used just in time: the idle clock starts again
    [sign_in_row] = sign_ins(app, mia)
    assert utcnow() - sign_in_row.last_seen_at < timedelta(seconds=5)
    age_sign_ins(app, mia, idle=timedelta(seconds=app.config["SESSION_IDLE_TIMEOUT"] + 60))
    assert not signed_in(client)


def test_a_busy_session_still_ends_at_its_absolute_lifetime(app, client, mia):
    sign_in(client)
    age_sign_ins(app, mia, age=timedelta(seconds=app.config["SESSION_LIFETIME"] + 60))
    assert not signed_in(client)


def test_a_remembered_session_survives_a_night_but_not_a_month(app, client, mia):
    sign_in(client, remember=True)
    age_sign_ins(app, mia, idle=timedelta(hours=14))
    assert signed_in(client)
    age_sign_ins(app, mia, idle=timedelta(days=3), age=timedelta(seconds=app.config["REMEMBER_COOKIE_DURATION"] + 60))
    assert not signed_in(client)


def test_the_idle_clock_is_written_at_most_once_a_minute(app, client, mia):
    sign_in(client)
    age_sign_ins(app, mia, idle=timedelta(seconds=30))
    [before] = sign_ins(app, mia)
    assert signed_in(client)
    [after] = sign_ins(app, mia)
    assert after.last_seen_at == before.last_seen_at


def test_sign_in_starts_a_new_session_and_a_new_csrf_token(csrf_app, csrf_client, mia):  # noqa: F811
    anonymous_token = csrf_token_in(csrf_client.get("/auth/login").get_data(as_text=True))
    anonymous_cookie = csrf_client.get_cookie("session").value
    response = csrf_client.post("/auth/login", data={
        "csrf_token": anonymous_token, "email": "mia@example.com", "password": PASSWORD,
    })
    assert response.status_code == 302
    assert csrf_client.get_cookie("session").value != anonymous_cookie
    signed_in_token = csrf_token_in(csrf_client.get("/mine").get_data(as_text=True))
    assert signed_in_token != anonymous_token
    # The token from before sign-in no longer works for anything.
    refused = csrf_client.post("/notifications/read", data={"csrf_token": anonymous_token})
    assert refused.status_code == 400
    accepted = csrf_client.post("/notifications/read", data={"csrf_token": signed_in_token})
    assert accepted.status_code == 302


def test_reactivating_someone_does_not_revive_their_old_cookies(app, client, mia, make_person):
    sign_in(client, remember=True)
    kept = app.test_client()
    copy_cookies(client, kept)
    with app.app_context():
        make_person(email="ada@example.com", role="admin", password=PASSWORD)
    admins = app.test_client()
    sign_in(admins, email="ada@example.com")
    assert admins.post(f"/admin/people/{mia}/deactivate").status_code == 302
    assert not signed_in(kept)
    # A sign-in that outlived the deactivation (one written by an older Storyboard, or by a
    # request racing the deactivation) must not come back to life either.
    with app.app_context():
        survivor = session_token_for(app, db.session.get(Person, mia), remember=True)
    revived = app.test_client()
    with revived.session_transaction() as session:
        session["_user_id"] = survivor
    assert admins.post(f"/admin/people/{mia}/reactivate").status_code == 302
    assert not signed_in(revived)
    assert not signed_in(kept)
    assert not signed_in(client)
    sign_in(client)  # they sign in afresh
    assert signed_in(client)


def test_changing_the_password_signs_out_everywhere_else(app, client, mia):
    sign_in(client)
    elsewhere = app.test_client()
    sign_in(elsewhere, remember=True)
    response = client.post("/auth/password", data={
        "current": PASSWORD, "password": "a brand new passphrase", "confirm": "a brand new passphrase",
    })
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(elsewhere)
    assert len(sign_ins(app, mia)) == 1
    with app.app_context():
        assert db.session.get(Person, mia).check_password("a brand new passphrase")


def test_a_forged_or_overlong_session_token_is_simply_signed_out(app, client, mia):
    for token in ("1", "1:abcdef", "x" * 5000, "\u00e9" * 10):
        with client.session_transaction() as session:
            session["_user_id"] = token
        assert not signed_in(client)


def test_a_busy_database_does_not_hold_up_pages(app, client, mia, database_url):
    # The idle clock is written once a minute; another writer holding the lock (a digest
    # claim, an import, a restore) used to make that page wait, then fail with a 500.
    sign_in(client)
    age_sign_ins(app, mia, idle=timedelta(minutes=5))
    engine = create_engine(database_url)
    with engine.connect() as other:
        if other.dialect.name == "sqlite":
            other.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            other.begin()
            other.execute(text("SELECT * FROM sign_ins WHERE person_id = :id FOR UPDATE"), {"id": mia})
        started = time.perf_counter()
        assert signed_in(client)
        assert time.perf_counter() - started < 2
        other.rollback()
    engine.dispose()
    [row] = sign_ins(app, mia)
    assert utcnow() - row.last_seen_at > timedelta(minutes=4)  # not moved on this time...
    assert signed_in(client)
    [row] = sign_ins(app, mia)
    assert utcnow() - row.last_seen_at < timedelta(seconds=5)  # ...but at the next request


def test_signing_out_deletes_the_keep_me_signed_in_cookie(client, mia):
    sign_in(client, remember=True)
    response = client.post("/auth/logout")
    deleted = [value for name, value in response.headers.items()
               if name == "Set-Cookie" and value.startswith("remember_token=;")]
    assert deleted and "Expires=Thu, 01 Jan 1970" in deleted[0]
    assert client.get_cookie("remember_token") is None


def test_a_password_longer_than_new_ones_may_be_still_signs_in(app, client, make_person):
    # Passwords had no maximum before; only new ones are held to 128 characters.
    with app.app_context():
        make_person(email="long@example.com", password="long " * 60)
    response = client.post("/auth/login", data={"email": "long@example.com", "password": "long " * 60})
    assert response.status_code == 302
