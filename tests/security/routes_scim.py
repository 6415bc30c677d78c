"""The route table's rows for SCIM and the people import page (see tests/security/routes.py).

SCIM (/scim/v2) takes only its bearer token: the matrix sends no headers, so every persona gets
401, and the CSRF matrix checks that a session (with a page's CSRF token) gets 401 too. The kind
"scim" switches SCIM on for the cell's app; the owner is the User the URL names. The kind
"people_import" is an admin's upload (one new person) waiting to be applied.
"""
from __future__ import annotations

from storyboard.extensions import db
from storyboard.models import Person
from storyboard.people import imports
from tests.photos.pictures import upload
from tests.security.routes import Example, Route, admins, public
from tests.security.scene import EXTRA_KINDS, PATH_VALUES

TOKEN = "route-table-scim-token-" + "0123456789" * 3
SCIM_HEADERS = lambda o, s: {"Authorization": f"Bearer {TOKEN}"}  # noqa: E731
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
HEADER = "email,name,title,department,location,manager_email,start_date,role"


def _scim(scene, objects, variant: str) -> None:
    scene.app.config["SCIM_BEARER_TOKEN"] = TOKEN
    # Plain values: the examples are built outside the app context the rows belong to.
    objects.extra.update(email=objects.owner.email, new_email=f"new{objects.owner.id}@example.com")


def _people_import(scene, objects, variant: str) -> None:
    admin = db.session.get(Person, scene.ids["admin"])
    content = f"{HEADER}\nnew{objects.owner.id}@example.com,New Starter {objects.owner.id},Picker,,,,,\n"
    record, preview = imports.upload(admin, content.encode(), "people.csv", False, False)
    objects.extra.update(import_id=record.id, fingerprint=preview.fingerprint)


EXTRA_KINDS.update(scim=_scim, people_import=_people_import)
PATH_VALUES.update(
    import_id=lambda objects: objects.extra["import_id"],
    resource_id=lambda objects: "User",
    schema_id=lambda objects: "urn:ietf:params:scim:schemas:core:2.0:User",
)


# The GETs' example: the token, which the page checks (tests/app/test_every_page_markup.py) send.
READ = Example("anonymous", headers=SCIM_HEADERS, outcome=200)


def _scim_example(outcome, json=None, reads_only: bool = False) -> Example:
    return Example("anonymous", headers=SCIM_HEADERS, json=json, outcome=outcome, reads_only=reads_only)


def _user(o, s, name: str = "Owen Owner") -> dict:
    return {"schemas": [USER], "userName": o.extra["email"], "displayName": name, "title": "Lead"}


SCIM = dict(csrf_exempt="a bearer token")
UNAUTHORIZED = public(401)

ROUTES: dict[tuple[str, str], Route] = {
    # SCIM 2.0: the HR system's bearer token only (storyboard/scim/views.py).
    ("scim.users", "GET"): Route("scim", UNAUTHORIZED, query={"filter": 'userName eq "a@example.com"',
                                                             "startIndex": "1", "count": "10",
                                                             "attributes": None, "excludedAttributes": None},
                                 example=READ),
    ("scim.create_user", "POST"): Route("scim", UNAUTHORIZED, **SCIM, example=_scim_example(
        201, lambda o, s: {"schemas": [USER], "userName": o.extra["new_email"], "displayName": "New"})),
    ("scim.search_users", "POST"): Route("scim", UNAUTHORIZED, **SCIM, example=_scim_example(
        200, lambda o, s: {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "count": 5},
        reads_only=True)),
    ("scim.search_everything", "POST"): Route("scim", UNAUTHORIZED, **SCIM, example=_scim_example(
        200, lambda o, s: {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}, reads_only=True)),
    ("scim.user", "GET"): Route("scim", UNAUTHORIZED, query={"attributes": None, "excludedAttributes": None},
                                example=READ),
    ("scim.replace_user", "PUT"): Route("scim", UNAUTHORIZED, **SCIM, example=_scim_example(
        200, lambda o, s: _user(o, s, "Owen Renamed"))),
    ("scim.patch_user", "PATCH"): Route("scim", UNAUTHORIZED, **SCIM, example=_scim_example(
        200, lambda o, s: {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "Lead"}]})),
    ("scim.delete_user", "DELETE"): Route("scim", UNAUTHORIZED, **SCIM, example=_scim_example(204)),
    ("scim.service_provider_config", "GET"): Route("scim", UNAUTHORIZED, example=READ),
    ("scim.resource_types", "GET"): Route("scim", UNAUTHORIZED, example=READ),
    ("scim.resource_type", "GET"): Route("scim", UNAUTHORIZED, example=READ),
    ("scim.schemas", "GET"): Route("scim", UNAUTHORIZED, example=READ),
    ("scim.schema", "GET"): Route("scim", UNAUTHORIZED, example=READ),

    # The people import page (storyboard/people/import_views.py): admins only.
    ("people.import_people", "GET"): Route("none", admins(200)),
    ("people.upload_people", "POST"): Route("none", admins(400), form=("file", "deactivate_missing", "invite"),
                                            example=Example("admin", lambda o, s: {
                                                "file": upload(f"{HEADER}\nnew{o.owner.id}@example.com,New,,,,,,\n"
                                                               .encode(), "people.csv"),
                                                "invite": "y"})),
    ("people.import_preview", "GET"): Route("people_import", admins(200)),
    ("people.apply_import", "POST"): Route("people_import", admins(400), form=("fingerprint",),
                                           example=Example("admin", lambda o, s: {
                                               "fingerprint": o.extra["fingerprint"]})),
}
