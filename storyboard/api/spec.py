"""The OpenAPI document's generator (spectree) and what every operation shares: the bearer
scheme, the error responses, and request validation that answers in the API's error shape."""
from __future__ import annotations

from typing import Any

from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData

from storyboard.api.schemas import Error
from storyboard.errors import InvalidRequest


class BadRequest(InvalidRequest):
    """A request the schema refuses: 400 with each field's messages."""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.fields = fields or {}


def refuse_invalid(request, response, error, instance, model_adapter=None) -> None:
    """spectree's before-hook: a request its models refuse is answered by the API's own
    error handler (storyboard/api/v1.py), as 400 with each field's messages."""
    if error is None:
        return
    fields: dict[str, list[str]] = {}
    for problem in error.errors():
        location = ".".join(str(part) for part in problem.get("loc", ())) or "body"
        fields.setdefault(location, []).append(problem.get("msg", "Not valid."))
    raise BadRequest("Some fields are not valid.", fields)


def refuse_invalid_response(request, response, error, instance, model_adapter=None) -> None:
    """spectree's after-hook: an answer that does not match its own schema is our bug, a 500
    in the API's error shape (and logged), never a body that breaks the document's promise."""
    if error is not None:
        raise RuntimeError(f"{request.path} answered outside its schema: {error}")


# spectree's own routes (Swagger UI, Redoc, its openapi.json) are never registered: the UI pages
# load scripts from a CDN, which the Content-Security-Policy forbids, and the document is served
# by storyboard/api/v1.py at /api/v1/openapi.json instead. "strict": only the routes decorated
# below are described (the token pages are HTML, not API).
spec = SpecTree(
    "flask",
    before=refuse_invalid,
    after=refuse_invalid_response,
    validation_error_status=400,
    validation_error_model=Error,
    # Schemas named as in storyboard/api/schemas.py (spectree adds a hash of the module otherwise).
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda parent, child: child,
    title="Storyboard API",
    version="1",
    description=(
        "Read stories, people, values, the canon and digest issues, and nominate colleagues. "
        "Authenticate with a personal access token (Settings → API tokens): "
        "`Authorization: Bearer sb_pat_...`. Lists are paged by cursor: follow `next`."
    ),
    mode="strict",
    page_templates={},
    annotations=True,
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(
        type=SecureType.HTTP, scheme="bearer", bearer_format="sb_pat_...",
        description="A personal access token, read or write."))],
    security={"bearer": []},
)

# Every operation may answer these; listing them lets clients (and schemathesis) expect them.
COMMON_ERRORS = {f"HTTP_{code}": Error for code in (400, 401, 404, 429, 500)}


def responses(**codes: Any) -> Response:
    """A spectree Response: the operation's own answers, plus the errors every one may give."""
    return Response(**(COMMON_ERRORS | codes))


def document(app) -> dict:
    """The OpenAPI document for `app`, generated once per app from its routes."""
    cached = app.extensions.get("storyboard_openapi")
    if cached is None:
        # spectree keeps the first document it made; each app (tests make many) gets its own.
        spec.__dict__.pop("_spec", None)
        cached = app.extensions["storyboard_openapi"] = spec.spec
        spec.__dict__.pop("_spec", None)
    return cached
