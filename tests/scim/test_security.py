"""What a holder of the HR system's token must not be able to do, and odd input that must get
a SCIM 400 rather than a 500 (found by the security review of /scim/v2)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import AuditEntry, Person
from tests.scim.conftest import PATCH, user_payload
from tests.scim.test_users import error_of

pytestmark = pytest.mark.slow  # a server thread per test

STAFF_ONLY = ("Storyboard's administrators and curators are managed on Storyboard's own admin pages, "
              "not by provisioning.")


def fresh(person_id: int) -> Person:
    db.session.expire_all()
    return db.session.get(Person, person_id)


@pytest.mark.parametrize("role", ["admin", "curator"])
def test_the_hr_system_cannot_change_an_admins_or_curators_email(app, ctx, hr, make_person, role):
    make_person(email="other.admin@example.com", role="admin")
    target = make_person(email="boss@example.com", role=role, name="Bo Boss", external_id="hr-9")
    url = f"{hr.base}/Users/{target.id}"
    put = hr.put(url, json=user_payload("attacker@evil.example", "Bo Boss", externalId="hr-9"))
    assert STAFF_ONLY in error_of(put, 403)
    patch = hr.patch(url, json={"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "userName", "value": "attacker@evil.example"}]})
    assert STAFF_ONLY in error_of(patch, 403)
    assert fresh(target.id).email == "boss@example.com"
    # Their other fields still follow the HR system.
    synced = hr.put(url, json=user_payload("Boss@Example.com", "Bo Boss-Lee", externalId="hr-9", title="CEO"))
    assert synced.status_code == 200, synced.text
    kept = fresh(target.id)
    assert (kept.email, kept.name, kept.job_title, kept.role) == ("boss@example.com", "Bo Boss-Lee", "CEO", role)


def test_a_deleted_admin_comes_back_as_staff(app, ctx, hr, make_person):
    make_person(email="other.admin@example.com", role="admin")
    admin = make_person(email="leaver@example.com", role="admin", external_id="hr-7")
    assert hr.delete(f"{hr.base}/Users/{admin.id}").status_code == 204
    assert fresh(admin.id).active is False  # a leaving admin loses access: that is HR sync's point
    back = hr.post(hr.base + "/Users", json=user_payload("leaver@example.com", "Lee Ver", externalId="hr-7"))
    assert back.status_code == 201, back.text
    returned = fresh(admin.id)
    assert (returned.id, returned.active, returned.role) == (admin.id, True, "staff")
    assert db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_id == admin.id, AuditEntry.action == "person.role")).one().note == "SCIM: HR system"


def test_a_deactivated_curator_is_reactivated_as_staff(app, ctx, hr, make_person):
    curator = make_person(email="cu@example.com", role="curator")
    url = f"{hr.base}/Users/{curator.id}"
    off = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]}
    assert hr.patch(url, json=off).status_code == 200
    assert (fresh(curator.id).active, fresh(curator.id).role) == (False, "curator")
    on = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": True}]}
    answered = hr.patch(url, json=on)
    assert answered.status_code == 200 and answered.json()["active"] is True
    assert (fresh(curator.id).active, fresh(curator.id).role) == (True, "staff")


@pytest.mark.parametrize("attribute", ["displayName", "externalId", "title"])
@pytest.mark.parametrize("text", ["\ud800", "Ann\x00Lee", "Ann\x07Lee", "Ann\x1bLee"])
def test_unstorable_text_is_refused_with_a_scim_400(app, ctx, hr, make_person, attribute, text):
    existing = make_person(email="ann@example.com", name="Ann")
    payload = user_payload("new@example.com", "New Person") | {attribute: text}
    # json.dumps writes a lone surrogate as "\ud800", as a client would send it.
    body = json.dumps(payload)
    created = hr.post(hr.base + "/Users", data=body)
    assert "control character" in error_of(created, 400, "invalidValue")
    replaced = hr.put(f"{hr.base}/Users/{existing.id}",
                      data=json.dumps(user_payload("ann@example.com", "Ann") | {attribute: text}))
    error_of(replaced, 400, "invalidValue")
    patched = hr.patch(f"{hr.base}/Users/{existing.id}", data=json.dumps({"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": attribute, "value": text}]}))
    error_of(patched, 400, "invalidValue")
    assert db.session.scalars(select(Person).where(Person.email == "new@example.com")).first() is None
    assert fresh(existing.id).name == "Ann"


def test_a_huge_start_index_is_an_empty_page(app, ctx, hr, make_person):
    make_person(email="ann@example.com")
    page = hr.get(hr.base + "/Users", params={"startIndex": "99999999999999999999999"})
    assert page.status_code == 200, page.text
    assert (page.json()["totalResults"], page.json()["itemsPerPage"], page.json().get("Resources")) == (1, 0, None)
    searched = hr.post(hr.base + "/Users/.search", json={
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "startIndex": 10**23})
    assert searched.status_code == 200, searched.text
    assert searched.json()["itemsPerPage"] == 0


@pytest.mark.parametrize("active", ["yes", "true", "True", 1, 0])
def test_active_must_be_a_json_boolean_in_a_user(app, ctx, hr, make_person, active):
    existing = make_person(email="ann@example.com", name="Ann", active=False)
    created = hr.post(hr.base + "/Users", json=user_payload("new@example.com", "New", active=active))
    assert "true or false" in error_of(created, 400, "invalidValue")
    replaced = hr.put(f"{hr.base}/Users/{existing.id}", json=user_payload("ann@example.com", "Ann", active=active))
    error_of(replaced, 400, "invalidValue")
    assert fresh(existing.id).active is False


def test_patch_takes_entras_true_and_false_strings_for_active_and_nothing_else(app, ctx, hr, make_person):
    make_person(email="admin@example.com", role="admin")
    ann = make_person(email="ann@example.com", name="Ann")
    url = f"{hr.base}/Users/{ann.id}"

    def patch(value, path="active"):
        operation = {"op": "Replace", "path": path, "value": value} if path else {"op": "Replace", "value": value}
        return hr.patch(url, json={"schemas": [PATCH], "Operations": [operation]})

    assert patch("False").json()["active"] is False and fresh(ann.id).active is False
    assert patch("TRUE").json()["active"] is True and fresh(ann.id).active is True
    assert patch({"active": "false"}, path=None).json()["active"] is False
    for wrong in ("yes", "0", 0, "", {"active": "no"}):
        answered = patch(wrong, path=None) if isinstance(wrong, dict) else patch(wrong)
        assert "true or false" in error_of(answered, 400, "invalidValue")
    assert fresh(ann.id).active is False


def test_erased_people_are_not_listed_or_found(app, ctx, hr, make_person):
    kept = make_person(email="kept@example.com", external_id="E1000")
    erased = make_person(name="Erased person", external_id="E1042")
    erased.email = f"erased-{erased.id}@erased.invalid"
    db.session.commit()
    listed = hr.get(hr.base + "/Users").json()
    assert [user["id"] for user in listed["Resources"]] == [str(kept.id)] and listed["totalResults"] == 1
    for query in ('externalId eq "E1042"', f'id eq "{erased.id}"', f'userName eq "{erased.email}"'):
        found = hr.get(hr.base + "/Users", params={"filter": query}).json()
        assert (found["totalResults"], found.get("Resources")) == (0, None), query
    error_of(hr.get(f"{hr.base}/Users/{erased.id}"), 404)
    # Nor can a manager be named by an erased person's old HR id.
    named = hr.post(hr.base + "/Users", json=user_payload("new@example.com", "New", manager={"value": "E1042"}))
    assert "is no User here" in error_of(named, 400, "invalidValue")
