"""SCIM 2.0 at /scim/v2 (RFC 7643, 7644): the HR system creates, updates and deactivates people.

Authenticated by one bearer token (SCIM_BEARER_TOKEN), never by a session cookie, so the
blueprint is exempt from CSRF. With no token configured (or one under 32 characters) every
address here answers 404: provisioning is off and says nothing more. Every answer, errors
included, is `application/scim+json` in the SCIM schemas, written by scim2-models.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC
from urllib.parse import quote

from flask import Blueprint, Response, current_app, request, url_for
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    InvalidSyntaxException,
    InvalidValueException,
    ListResponse,
    Meta,
    NotFoundException,
    PatchOp,
    ResponseParameters,
    SCIMException,
    SearchRequest,
    UnauthorizedException,
)
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from storyboard.errors import Refused, answer_errors_under
from storyboard.extensions import csrf, db
from storyboard.models import Person
from storyboard.scim import service
from storyboard.scim.checks import UNSTORABLE, patch_active, refuse_unstorable, strict_active
from storyboard.scim.schema import (
    ENTERPRISE_USER,
    EnterpriseUser,
    Manager,
    Name,
    RequestUser,
    ResponseUser,
    provider,
)

bp = Blueprint("scim", __name__, url_prefix="/scim/v2")
csrf.exempt(bp)

MEDIA_TYPE = "application/scim+json"
MIN_TOKEN_LENGTH = 32
# Past this, SQLite's OFFSET overflows; no directory has this many people anyway.
MAX_START_INDEX = 2**31


class Off(Exception):
    """Provisioning is switched off: 404, whatever the request."""


@bp.before_request
def _authenticate() -> None:
    configured = current_app.config.get("SCIM_BEARER_TOKEN") or ""
    if len(configured) < MIN_TOKEN_LENGTH:
        if configured:
            current_app.logger.warning("SCIM_BEARER_TOKEN is shorter than %d characters: SCIM is off",
                                       MIN_TOKEN_LENGTH)
        raise Off()
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    # Digests first, so the comparison takes as long whatever the length of what was sent.
    given = hashlib.sha256(sent.strip().encode()).digest()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, hashlib.sha256(configured.encode()).digest()):
        raise UnauthorizedException(detail="Send the SCIM bearer token as `Authorization: Bearer <token>`.")


def scim_response(payload: dict, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(payload), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_response(status: int, detail: str, scim_type: str | None = None) -> Response:
    error = Error(status=status, scim_type=scim_type or None, detail=detail)
    headers = {"WWW-Authenticate": 'Bearer realm="Storyboard SCIM"'} if status == 401 else None
    return scim_response(error.model_dump(), status, headers)


@bp.errorhandler(Off)
def _off(error: Off):
    return error_response(404, "There is nothing at this address.")


@bp.errorhandler(SCIMException)
def _scim_error(error: SCIMException):
    db.session.rollback()
    return error_response(error.status, error.detail, error.scim_type)


@bp.errorhandler(ValidationError)
def _invalid(error: ValidationError):
    db.session.rollback()
    scim_error = Error.from_validation_errors(error)[0]
    return error_response(400, scim_error.detail or "The request is not a valid SCIM payload.",
                          scim_error.scim_type or "invalidValue")


@bp.errorhandler(IntegrityError)
def _taken_meanwhile(error: IntegrityError):
    # Checked before writing; this is two requests for the same person at the same moment.
    db.session.rollback()
    return error_response(409, "Another User took this userName or externalId meanwhile.", "uniqueness")


@bp.errorhandler(Refused)
def _refused(error: Refused):
    db.session.rollback()
    return error_response(error.status, str(error))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    db.session.rollback()
    return error_response(error.code or 500, error.description or error.name)


@bp.errorhandler(Exception)
def _unexpected(error: Exception):
    current_app.logger.exception("SCIM request failed")
    db.session.rollback()
    return error_response(500, "Something went wrong on our side. It has been logged.")


def _body() -> dict:
    """The request's JSON object, or a SCIM 400 invalidSyntax."""
    try:
        payload = json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        raise InvalidSyntaxException(detail="The request body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise InvalidSyntaxException(detail="The request body must be a JSON object.")
    refuse_unstorable(payload)
    _name_managers(payload)
    return payload


def _name_managers(payload: dict) -> None:
    """Accept a manager sent as a bare id or without `$ref` (as Entra and Okta send it), in a
    User or a PATCH operation: the standard schema requires `$ref`, which only this server
    could fill in anyway."""
    enterprise = payload.get(ENTERPRISE_USER)
    if isinstance(enterprise, dict) and "manager" in enterprise:
        enterprise["manager"] = _manager(enterprise["manager"])
    operations = payload.get("Operations")
    for operation in operations if isinstance(operations, list) else ():  # anything else: refused later
        path = operation.get("path") if isinstance(operation, dict) else None
        if isinstance(path, str) and path.lower() == f"{ENTERPRISE_USER}:manager".lower() and "value" in operation:
            operation["value"] = _manager(operation["value"])


def _manager(manager):
    if isinstance(manager, str):
        manager = {"value": manager}
    if isinstance(manager, dict) and isinstance(manager.get("value"), str) and "$ref" not in manager:
        # The value may be the HR system's id, which is no address here: only the form matters.
        manager["$ref"] = f"{url_for('scim.users', _external=True)}/{quote(manager['value'], safe='')}"
    return manager


def user_resource(person: Person) -> ResponseUser:
    """A person as a SCIM User."""
    location = url_for("scim.user", person_id=person.id, _external=True)
    user = ResponseUser(
        id=str(person.id), external_id=person.external_id, user_name=person.email,
        name=Name(formatted=person.name), display_name=person.name, title=person.job_title or None,
        active=person.active,
        meta=Meta(resource_type="User", created=person.created_at.replace(tzinfo=UTC), location=location),
    )
    manager = person.manager
    enterprise = EnterpriseUser(schemas=[ENTERPRISE_USER], department=person.department or None)
    if manager is not None:
        enterprise.manager = Manager(value=str(manager.id))
    user[EnterpriseUser] = enterprise
    return user


def user_response(person: Person, context: Context, status: int = 200) -> Response:
    user = user_resource(person)
    dumped = user.model_dump(scim_ctx=context, response_parameters=_parameters())
    return scim_response(dumped, status, {"Location": user.meta.location})


def _integer(name: str, default: int) -> int:
    text = request.args.get(name)
    if text is None or text == "":
        return default
    if UNSTORABLE.search(text):
        raise InvalidValueException(detail=f"{name} must be a whole number.")
    try:
        return int(text)
    except ValueError:
        raise InvalidValueException(detail=f"{name} must be a whole number.") from None


def _parameters() -> ResponseParameters:
    """The `attributes` and `excludedAttributes` a client asked for (RFC 7644 §3.9)."""
    return ResponseParameters[ResponseUser].model_validate(
        {"attributes": request.args.get("attributes"), "excludedAttributes": request.args.get("excludedAttributes")})


def _page(filter_text: str | None, start: int, count: int, parameters: ResponseParameters) -> Response:
    """One page of the Users a filter finds, by id, as a ListResponse."""
    statement = service.people_matching(filter_text)
    start, count = min(max(start, 1), MAX_START_INDEX), min(max(count, 0), current_app.config["SCIM_MAX_RESULTS"])
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    people = list(db.session.scalars(statement.offset(start - 1).limit(count))) if count else []
    page = ListResponse[ResponseUser](total_results=total, start_index=start, items_per_page=len(people),
                                      resources=[user_resource(person) for person in people] or None)
    return scim_response(page.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=parameters))


@bp.get("/Users")
def users():
    for name, value in request.args.items():
        if UNSTORABLE.search(value):
            raise InvalidValueException(detail=f"{name} contains a control character or an invalid character; "
                                               "remove it.")
    return _page(request.args.get("filter"), _integer("startIndex", 1),
                 _integer("count", current_app.config["SCIM_MAX_RESULTS"]), _parameters())


@bp.post("/Users/.search")
@bp.post("/.search", endpoint="search_everything")  # only Users live here
def search_users():
    search = SearchRequest[ResponseUser].model_validate(_body(), scim_ctx=Context.SEARCH_REQUEST)
    count = current_app.config["SCIM_MAX_RESULTS"] if search.count is None else search.count
    return _page(search.filter, search.start_index or 1, count, search)


@bp.post("/Users")
def create_user():
    payload = _body()
    strict_active(payload)
    user = RequestUser.model_validate(payload, scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    person = service.create(user)
    db.session.commit()
    if current_app.config["SCIM_INVITE_NEW_PEOPLE"] and person.active:
        _invite(person)
    return user_response(person, Context.RESOURCE_CREATION_RESPONSE, 201)


def _invite(person: Person) -> None:
    from storyboard.people.invitations import send_invitation

    try:
        send_invitation(person)
    except OSError:  # smtplib's errors are OSErrors: the person exists; an admin can resend
        current_app.logger.exception("SCIM: the invitation to %s failed", person.email)


@bp.get("/Users/<int:person_id>")
def user(person_id: int):
    return user_response(service.get_person(person_id), Context.RESOURCE_QUERY_RESPONSE)


@bp.put("/Users/<int:person_id>")
def replace_user(person_id: int):
    person = service.get_person(person_id)
    payload = _body()
    strict_active(payload)
    user = RequestUser.model_validate(payload, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    service.replace(person, user)
    db.session.commit()
    return user_response(person, Context.RESOURCE_REPLACEMENT_RESPONSE)


@bp.patch("/Users/<int:person_id>")
def patch_user(person_id: int):
    person = service.get_person(person_id)
    payload = _body()
    patch_active(payload)
    patch = PatchOp[RequestUser].model_validate(payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    # The person as the full standard User, so that any standard path can be patched; what
    # Storyboard does not keep is then dropped again by `replace`.
    current = RequestUser.model_validate(
        {key: value for key, value in user_resource(person).model_dump(
            scim_ctx=Context.RESOURCE_QUERY_RESPONSE).items() if key != "meta"})
    if patch.patch(current):
        service.replace(person, current)
        db.session.commit()
    return user_response(person, Context.RESOURCE_PATCH_RESPONSE)


@bp.delete("/Users/<int:person_id>")
def delete_user(person_id: int):
    """Deactivate, never delete: the stories about and by the person stay."""
    person = service.get_person(person_id)
    service.deprovision(person)
    db.session.commit()
    return Response(status=204, mimetype=MEDIA_TYPE)


def _discovery(items: list, resource_id: str | None, kind: str) -> Response:
    dumped = [item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE) for item in items]
    if resource_id is not None:
        found = [item for item in dumped if item.get("id") == resource_id]
        if not found:
            raise NotFoundException(detail=f"There is no {kind} {resource_id!r}.")
        return scim_response(found[0])
    page = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": len(dumped),
            "startIndex": 1, "itemsPerPage": len(dumped), "Resources": dumped}
    return scim_response(page)


@bp.get("/ServiceProviderConfig")
def service_provider_config():
    return scim_response(provider(current_app.config["SCIM_MAX_RESULTS"]).config.model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@bp.get("/ResourceTypes")
def resource_types():
    return _discovery(list(provider().resource_types), None, "resource type")


@bp.get("/ResourceTypes/<resource_id>")
def resource_type(resource_id: str):
    return _discovery(list(provider().resource_types), resource_id, "resource type")


@bp.get("/Schemas")
def schemas():
    return _discovery(list(provider().schemas), None, "schema")


@bp.get("/Schemas/<schema_id>")
def schema(schema_id: str):
    return _discovery(list(provider().schemas), schema_id, "schema")


def _protocol_error(status: int, message: str, error: HTTPException) -> Response:
    """Every HTTP error under /scim/v2 (an unknown address and a wrong method included) as a
    SCIM Error (RFC 7644 §3.12): provisioning clients read its body, not a page."""
    if status == 405:
        allowed = ", ".join(sorted(set(getattr(error, "valid_methods", None) or ()) - {"HEAD", "OPTIONS"}))
        response = error_response(405, f"{request.method} is not allowed here; this address takes {allowed}.")
        response.headers["Allow"] = allowed
        return response
    if status == 404:
        return error_response(404, "There is no SCIM resource at this address.")
    return error_response(status, message)


@bp.record_once
def _answer_errors_as_scim(state) -> None:
    answer_errors_under(bp.url_prefix, _protocol_error)
