"""Who gets through each admin route. The routes come from `app.url_map`, so a route added to
the blueprint is checked the day it is added, and must first say here which role it needs."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from storyboard.extensions import db
from storyboard.models import AuditEntry, Person, Value
from tests.helpers import value_by_slug

# The least role each endpoint needs: curators manage values; only admins manage people and
# read the audit log.
REQUIRED = {
    "admin.values": "curator",
    "admin.create_value": "curator",
    "admin.edit_value": "curator",
    "admin.move_value_up": "curator",
    "admin.move_value_down": "curator",
    "admin.retire_value": "curator",
    "admin.restore_value": "curator",
    "admin.people": "admin",
    "admin.person": "admin",
    "admin.change_role": "admin",
    "admin.deactivate": "admin",
    "admin.reactivate": "admin",
    "admin.resend_invitation": "admin",
    "admin.digest_schedule": "admin",
    "admin.save_digest_schedule": "admin",
    "admin.reset_digest_schedule": "admin",
    "admin.audit": "admin",
}
LET_IN = {"curator": {"curator", "admin"}, "admin": {"admin"}}
# Answers a permitted request may get: a page, a redirect after a change, refused input or a
# state conflict (e.g. restoring a value that is not retired) — never 403, a sign-in or a 5xx.
PERMITTED_POST = {302, 400, 409}
DATA = {"name": "Matrix value", "description": "Posted by the access test.", "role": "curator"}
FORBIDDEN = "You do not have permission to do that."


def admin_requests(app) -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) for every method of every route of the admin blueprint."""
    return sorted(
        (method, rule.rule, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def fill(rule: str, **ids: int) -> str:
    def one(match: re.Match) -> str:
        assert match["name"] in ids, f"no test value for {match[0]} in {rule}; add one to fill()"
        return str(ids[match["name"]])

    return re.sub(r"<(?:int:)?(?P<name>\w+)>", one, rule)


def state(app) -> tuple:
    """Everything an admin request could change: values, people, the audit log, sent mail."""
    db.session.expire_all()
    values = db.session.execute(
        select(Value.id, Value.name, Value.description, Value.position, Value.active).order_by(Value.id)
    ).all()
    people = db.session.execute(
        select(Person.id, Person.role, Person.active, Person.password_hash).order_by(Person.id)
    ).all()
    audit = db.session.scalar(select(func.count()).select_from(AuditEntry))
    mail = len(list(Path(app.config["OUTBOX_DIR"]).glob("*.eml")))
    return values, people, audit, mail


def send(client, method: str, path: str):
    return client.post(path, data=DATA) if method == "POST" else client.get(path)


def is_login_redirect(response, path: str) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response.headers["Location"])
    return location.path == "/auth/login" and parse_qs(location.query).get("next") == [path]


@pytest.fixture
def targets(ctx, make_person):
    """A value with neighbours on both sides, and a staff member who was invited but never came."""
    return {"value_id": value_by_slug("empathy").id, "person_id": make_person(name="Target Person").id}


def test_every_admin_route_says_which_role_it_needs(app):
    endpoints = {endpoint for _, _, endpoint in admin_requests(app)}
    assert endpoints == set(REQUIRED), "give new admin routes a row in REQUIRED"
    assert len(admin_requests(app)) >= 15


def test_anonymous_people_are_sent_to_sign_in(app, client, targets):
    before = state(app)
    for method, rule, _ in admin_requests(app):
        path = fill(rule, **targets)
        response = send(client, method, path)
        assert is_login_redirect(response, path), f"{method} {path}: {response.status_code}"
    assert state(app) == before


@pytest.mark.parametrize("role", ["staff", "curator", "admin"])
def test_each_role_gets_exactly_its_routes(app, client, targets, as_role, role):
    as_role(role)
    allowed, refused = [], []
    for method, rule, endpoint in admin_requests(app):
        path = fill(rule, **targets)
        before = state(app)
        response = send(client, method, path)
        where = f"{role} {method} {path}: {response.status_code}"
        if role in LET_IN[REQUIRED[endpoint]]:
            expected = {200} if method == "GET" else PERMITTED_POST
            assert response.status_code in expected, where
            assert not is_login_redirect(response, path), where
            allowed.append(endpoint)
        else:
            assert response.status_code == 403, where
            assert FORBIDDEN in response.get_data(as_text=True), where
            assert state(app) == before, where
            refused.append(endpoint)
    expected_allowed = {endpoint for endpoint, needs in REQUIRED.items() if role in LET_IN[needs]}
    assert set(allowed) == expected_allowed
    assert set(refused) == set(REQUIRED) - expected_allowed


def test_a_deactivated_admins_session_is_sent_to_sign_in(app, client, make_person, login):
    # No shared `ctx`: each request loads the person afresh, as in production.
    with app.app_context():
        admin = login(make_person(role="admin"))
        ids = {"value_id": value_by_slug("empathy").id, "person_id": make_person().id}
        assert client.get("/admin/audit").status_code == 200
        db.session.get(Person, admin.id).active = False
        db.session.commit()
        before = state(app)
    for method, rule, _ in admin_requests(app):
        path = fill(rule, **ids)
        response = send(client, method, path)
        assert is_login_redirect(response, path), f"{method} {path}: {response.status_code}"
    with app.app_context():
        assert state(app) == before
