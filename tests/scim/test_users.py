"""The HR system keeps people in step over SCIM, on a real server on loopback: it creates,
finds, replaces, patches and deletes Users, and every mistake it can make gets a SCIM error."""
from __future__ import annotations

import pytest
from scim2_models import Context, Error, ListResponse, ResourceType, Schema, ServiceProviderConfig
from sqlalchemy import func, select

from storyboard import signals
from storyboard.extensions import db
from storyboard.models import AuditEntry, Person, SignIn
from storyboard.scim.schema import EnterpriseUser, ResponseUser
from tests.helpers import session_token_for
from tests.scim.conftest import ENTERPRISE, ERROR, PATCH, TOKEN, user_payload

pytestmark = pytest.mark.slow  # a server thread per test


def person(email: str) -> Person:
    db.session.expire_all()
    return db.session.scalars(select(Person).where(Person.email == email)).one()


def error_of(response, status: int, scim_type: str | None = None) -> str:
    """The SCIM Error a response carries, checked against the status and scimType expected."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/scim+json"
    error = Error.model_validate(response.json())
    assert response.json()["schemas"] == [ERROR]
    assert (error.status, error.scim_type) == (status, scim_type)
    return error.detail


def test_the_hr_system_creates_a_person_with_their_manager_and_finds_them(app, ctx, hr):
    boss = hr.post(hr.base + "/Users", json=user_payload("Boss@Example.com", "Bea Boss", externalId="hr-1"))
    assert boss.status_code == 201, boss.text
    payload = user_payload("ann.lee@example.com", "Ann Lee", externalId="hr-2", title="Picker",
                           nickName="Annie", department="Warehouse", manager={"value": "hr-1"})
    created = hr.post(hr.base + "/Users", json=payload)
    assert created.status_code == 201, created.text
    assert created.headers["Content-Type"] == "application/scim+json"
    user = ResponseUser.model_validate(created.json(), scim_ctx=Context.RESOURCE_CREATION_RESPONSE)
    assert created.headers["Location"] == f"{hr.base}/Users/{user.id}" == user.meta.location
    assert (user.user_name, user.display_name, user.title, user.active) == ("ann.lee@example.com", "Ann Lee",
                                                                           "Picker", True)
    assert user[EnterpriseUser].department == "Warehouse"
    assert user[EnterpriseUser].manager.value == boss.json()["id"]  # named by the HR system's id, answered with ours
    ann = person("ann.lee@example.com")
    assert (ann.name, ann.job_title, ann.department, ann.external_id, ann.role) == (
        "Ann Lee", "Picker", "Warehouse", "hr-2", "staff")
    assert ann.manager.email == "boss@example.com" and not ann.has_password
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == ann.id)).one()
    assert (entry.action, entry.actor_id, entry.note) == ("person.import", None, "SCIM: HR system")

    found = hr.get(hr.base + "/Users", params={"filter": 'userName eq "ANN.LEE@example.com"'})
    listed = ListResponse[ResponseUser].model_validate(found.json(), scim_ctx=Context.SEARCH_RESPONSE)
    assert (listed.total_results, [u.user_name for u in listed.resources]) == (1, ["ann.lee@example.com"])
    by_external = hr.get(hr.base + "/Users", params={"filter": 'externalId eq "hr-1"'}).json()
    assert [u["userName"] for u in by_external["Resources"]] == ["boss@example.com"]
    nobody = hr.get(hr.base + "/Users", params={"filter": 'externalId eq "HR-1"'}).json()  # case-exact
    assert (nobody["totalResults"], "Resources" in nobody) == (0, False)
    second = hr.get(hr.base + "/Users", params={"startIndex": 2, "count": 1}).json()
    assert (second["totalResults"], second["startIndex"], second["itemsPerPage"]) == (2, 2, 1)
    assert [u["userName"] for u in second["Resources"]] == ["ann.lee@example.com"]
    one = hr.get(f"{hr.base}/Users/{user.id}", params={"attributes": "userName"}).json()
    assert one["userName"] == "ann.lee@example.com" and "title" not in one

    # Entra names a manager in a PATCH by a bare id, and takes one away with "remove".
    boss_id = boss.json()["id"]
    cy = hr.post(hr.base + "/Users", json=user_payload("cy@example.com", "Cy")).json()
    patched = hr.patch(f"{hr.base}/Users/{cy['id']}", json={"schemas": [PATCH], "Operations": [
        {"op": "Replace", "path": f"{ENTERPRISE}:manager", "value": boss_id}]})
    assert patched.json()[ENTERPRISE]["manager"] == {"value": boss_id}, patched.text
    assert person("cy@example.com").manager.email == "boss@example.com"
    hr.patch(f"{hr.base}/Users/{cy['id']}", json={"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": f"{ENTERPRISE}:manager"}]})
    assert person("cy@example.com").manager is None


def test_replace_patch_and_deactivate_end_sessions_and_tell_curation(app, ctx, hr, make_person, make_story):
    make_person(email="admin@example.com", role="admin")
    created = hr.post(hr.base + "/Users", json=user_payload("cy@example.com", "Cy", title="Clerk")).json()
    cy = person("cy@example.com")
    story = make_story(nominees=[cy])
    session_token_for(app, cy)
    left = []
    receiver = lambda sender, person_ids: left.append(person_ids)  # noqa: E731
    signals.people_left.connect(receiver)
    try:
        replaced = hr.put(f"{hr.base}/Users/{created['id']}", json=user_payload(
            "cy@example.com", "Cy Young", title="Head clerk", department="Sales"))
        assert replaced.status_code == 200, replaced.text
        assert (person("cy@example.com").name, person("cy@example.com").department) == ("Cy Young", "Sales")
        assert "Cy Young" in db.session.get(type(story), story.id).search_text

        patched = hr.patch(f"{hr.base}/Users/{created['id']}", json={"schemas": [PATCH], "Operations": [
            {"op": "replace", "path": "active", "value": False},
            {"op": "replace", "path": "title", "value": "Retired"}]})
        assert patched.status_code == 200, patched.text
        assert (patched.json()["active"], patched.json()["title"]) == (False, "Retired")
        cy = person("cy@example.com")
        assert not cy.active and cy.job_title == "Retired"
        assert db.session.scalar(select(func.count()).select_from(SignIn).where(SignIn.person_id == cy.id)) == 0
        assert left == [[cy.id]]
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == cy.id)
                                     .order_by(AuditEntry.id)).all()
        assert actions == ["person.import", "person.update", "person.update", "person.deactivate"]

        # A PUT that leaves `active` out leaves the person as they are: still deactivated.
        hr.put(f"{hr.base}/Users/{created['id']}", json=user_payload("cy@example.com", "Cy Young", title="Retired"))
        assert not person("cy@example.com").active

        back = hr.patch(f"{hr.base}/Users/{created['id']}", json={"schemas": [PATCH], "Operations": [
            {"op": "replace", "value": {"active": True}}]})
        assert back.json()["active"] is True and person("cy@example.com").active

        deleted = hr.delete(f"{hr.base}/Users/{created['id']}")
        assert deleted.status_code == 204
        assert left == [[cy.id], [cy.id]]
        error_of(hr.get(f"{hr.base}/Users/{created['id']}"), 404)
        assert created["id"] not in [u["id"] for u in hr.get(hr.base + "/Users").json()["Resources"]]
        kept = person("cy@example.com")
        assert not kept.active and db.session.get(type(story), story.id).nominees == [kept]
    finally:
        signals.people_left.disconnect(receiver)
    again = hr.post(hr.base + "/Users", json=user_payload("cy@example.com", "Cy Young"))
    assert again.status_code == 201 and again.json()["id"] == created["id"]  # the same person, back
    assert person("cy@example.com").active


def test_without_the_right_token_nothing_is_read_or_changed(app, ctx, hr, client, make_person, login):
    admin = login(make_person(email="admin@example.com", role="admin"))
    url = hr.base + "/Users"
    assert "bearer token" in error_of(hr.get(url, headers={"Authorization": ""}), 401)
    wrong = hr.post(url, json=user_payload("x@example.com", "X"), headers={"Authorization": "Bearer " + "x" * 40})
    error_of(wrong, 401)
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    error_of(hr.get(url, headers={"Authorization": f"Basic {TOKEN}"}), 401)
    # A signed-in admin's session cookie is not a SCIM credential.
    assert client.get("/scim/v2/Users").status_code == 401
    assert client.post("/scim/v2/Users", json=user_payload("x@example.com", "X")).status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1 and admin.active


@pytest.mark.parametrize("configured", [None, "", "too-short-token"])
def test_without_a_configured_token_scim_is_off(app, hr, configured):
    app.config["SCIM_BEARER_TOKEN"] = configured
    error_of(hr.get(hr.base + "/Users"), 404)
    error_of(hr.get(hr.base + "/ServiceProviderConfig", headers={"Authorization": f"Bearer {configured}"}), 404)


LONG = {"title": "t" * 121}


def taken_id(hr) -> str:
    return hr.get(hr.base + "/Users", params={"filter": 'userName eq "taken@example.com"'}).json()["Resources"][0]["id"]


# (request, status, scimType, part of the detail): one server and one database for them all.
MISTAKES = [
    (lambda hr: hr.post(hr.base + "/Users", data="{not json"), 400, "invalidSyntax", "not valid JSON"),
    (lambda hr: hr.post(hr.base + "/Users", data="[1, 2]"), 400, "invalidSyntax", "must be a JSON object"),
    (lambda hr: hr.post(hr.base + "/Users", json=user_payload("a@example.com", "A", shoeSize=42)),
     400, "invalidSyntax", "shoeSize"),
    (lambda hr: hr.post(hr.base + "/Users", json={"schemas": [ENTERPRISE.replace("enterprise", "x")],
                                                  "userName": "a@example.com"}), 400, "invalidSyntax", None),
    (lambda hr: hr.post(hr.base + "/Users", json=user_payload("taken@example.com", "Dup")),
     409, "uniqueness", "already has the userName 'taken@example.com'"),
    (lambda hr: hr.post(hr.base + "/Users", json=user_payload("new@example.com", "Dup", externalId="hr-taken")),
     409, "uniqueness", "already has the externalId 'hr-taken'"),
    (lambda hr: hr.post(hr.base + "/Users", json=user_payload("a@example.com", "A", **LONG)),
     400, "invalidValue", "title is longer than 120 characters"),
    (lambda hr: hr.post(hr.base + "/Users", json=user_payload("a@example.com", "n" * 121)),
     400, "invalidValue", "displayName is longer than 120 characters"),
    (lambda hr: hr.post(hr.base + "/Users", json=user_payload("a@example.com", "A", department="d" * 121)),
     400, "invalidValue", "department is longer than 120 characters"),
    (lambda hr: hr.post(hr.base + "/Users", json=user_payload("a@example.com", "A", externalId="e" * 256)),
     400, "invalidValue", "externalId must be one line of 1 to 255 characters"),
    (lambda hr: hr.post(hr.base + "/Users", json=user_payload("a" * 250 + "@example.com", "A")),
     400, "invalidValue", "userName is longer than 254 characters"),
    (lambda hr: hr.post(hr.base + "/Users", json=user_payload("not-an-email", "A")),
     400, "invalidValue", "userName must be an email address"),
    (lambda hr: hr.post(hr.base + "/Users", json=user_payload("a@example.com", "A", manager={"value": "nobody"})),
     400, "invalidValue", "manager 'nobody' is no User here"),
    (lambda hr: hr.patch(hr.base + "/Users/999999", json={"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "active", "value": False}]}), 404, None, "no User with id '999999'"),
    (lambda hr: hr.patch(f"{hr.base}/Users/{taken_id(hr)}", json={"schemas": [PATCH], "Operations": [
        {"op": "explode", "path": "active"}]}), 400, "invalidValue", None),
    (lambda hr: hr.get(hr.base + "/Users", params={"filter": "userName eq"}), 400, "invalidFilter", None),
    (lambda hr: hr.get(hr.base + "/Users", params={"filter": 'userName eq "a" or'}), 400, "invalidFilter", None),
    (lambda hr: hr.get(hr.base + "/Users", params={"filter": 'title co "x"'}), 400, "invalidFilter", None),
    (lambda hr: hr.get(hr.base + "/Users", params={"startIndex": "first"}), 400, "invalidValue",
     "startIndex must be a whole number"),
    (lambda hr: hr.put(hr.base + "/Users/abc", json=user_payload("a@example.com", "A")), 404, None, None),
    (lambda hr: hr.get(hr.base + "/Groups"), 404, None, "no SCIM resource at this address"),
    (lambda hr: hr.delete(hr.base + "/Schemas"), 405, None, "DELETE is not allowed here"),
]


def test_every_mistake_gets_a_scim_error_and_changes_nothing(app, ctx, hr, make_person):
    make_person(email="taken@example.com", name="Taken", external_id="hr-taken")
    everyone = select(Person.email, Person.name, Person.job_title, Person.department, Person.active,
                      Person.external_id).order_by(Person.id)
    before = db.session.execute(everyone).all()
    for number, (send, status, scim_type, message) in enumerate(MISTAKES):
        detail = error_of(send(hr), status, scim_type)
        assert message is None or message in detail, f"mistake {number}: {detail}"
        db.session.expire_all()
        assert db.session.execute(everyone).all() == before, f"mistake {number} changed people"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_the_last_active_admin_is_not_deactivated(app, ctx, hr, make_person):
    admin = make_person(email="admin@example.com", role="admin")
    for send in (lambda: hr.delete(f"{hr.base}/Users/{admin.id}"),
                 lambda: hr.patch(f"{hr.base}/Users/{admin.id}", json={"schemas": [PATCH], "Operations": [
                     {"op": "replace", "path": "active", "value": False}]})):
        assert "last active admin" in error_of(send(), 409)
    assert person("admin@example.com").active


def test_the_longest_values_fit(app, ctx, hr):
    email = "a" * 242 + "@example.com"  # 254 characters
    payload = user_payload(email, "n" * 120, title="t" * 120, externalId="e" * 255, department="d" * 120)
    created = hr.post(hr.base + "/Users", json=payload)
    assert created.status_code == 201, created.text
    stored = person(email)
    assert (len(stored.name), len(stored.job_title), len(stored.external_id)) == (120, 120, 255)


def test_discovery_describes_what_storyboard_keeps(hr):
    config = ServiceProviderConfig.model_validate(hr.get(hr.base + "/ServiceProviderConfig").json())
    assert config.patch.supported and config.filter.supported and not config.bulk.supported
    assert config.authentication_schemes[0].type == "oauthbearertoken"
    types = hr.get(hr.base + "/ResourceTypes").json()["Resources"]
    user_type = ResourceType.model_validate(types[0])
    assert (user_type.endpoint, [str(e.schema_) for e in user_type.schema_extensions]) == ("/Users", [ENTERPRISE])
    schema = Schema.model_validate(hr.get(hr.base + "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").json())
    assert [a.name for a in schema.attributes] == ["userName", "name", "displayName", "title", "active"]
    error_of(hr.get(hr.base + "/Schemas/urn:nothing"), 404)


def test_two_requests_for_one_person_at_once_give_the_second_a_409(app, ctx, hr, make_person, monkeypatch):
    from storyboard.scim import service

    make_person(email="taken@example.com", name="Taken")
    # As if the other request wrote its row between this one's check and its insert.
    monkeypatch.setattr(service, "_refuse_duplicates", lambda fields, person: None)
    assert "meanwhile" in error_of(hr.post(hr.base + "/Users", json=user_payload("taken@example.com", "Dup")),
                                   409, "uniqueness")
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1
